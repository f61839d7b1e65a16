"""BookingService over a real SQLite file: the lifecycle, the outbox rows each transition
commits, and each error kind raised as its exception with the typed detail."""

import datetime as dt
import sqlite3

import pytest

import interviewkit as ik
from conftest import future_slot


def test_booking_commits_the_interview_with_its_invites_and_reminders(
        service, candidate, interviewer, recruiter, db_path):
    created = service.create(candidate, [interviewer], recruiter, title="Technical interview")
    assert created.status == ik.InterviewStatus.pending and created.slot is None
    slot = future_slot()
    booked = service.book(created.id, slot, recruiter)
    assert booked.interview.status == ik.InterviewStatus.scheduled
    assert booked.interview.version == created.version + 1
    assert booked.interview.slot == slot
    assert booked.interview.meeting_link.startswith("https://meet.invalid/")  # test mode
    # One invite and one reminder (due a day before) per person, on the one channel.
    kinds = sorted((n.recipient, n.kind.name) for n in booked.enqueued)
    assert kinds == [("candidate:c-1", "interview_reminder"), ("candidate:c-1", "interview_scheduled"),
                     ("interviewer:i-1", "interview_reminder"),
                     ("interviewer:i-1", "interview_scheduled")]
    assert {n.channel for n in booked.enqueued} == {"email"}
    reminder = next(n for n in booked.enqueued if n.kind == ik.NotificationKind.interview_reminder)
    assert reminder.due == slot.start - dt.timedelta(hours=24)
    # The same rows, read back through a fresh store on the same file and with sqlite3 itself.
    reopened = ik.SqliteStore.open(db_path)
    assert reopened.find(created.id).status == ik.InterviewStatus.scheduled
    rows = reopened.list_outbox(interview=created.id)
    assert sorted(r.id for r in rows) == sorted(n.outbox for n in booked.enqueued)
    assert all(r.state == ik.OutboxState.pending for r in rows)
    assert rows[0].payload["interview"]["title"] == "Technical interview"
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("select count(*) from outbox").fetchone()[0] == 4


def test_reschedule_and_cancel_move_through_the_transition_table(
        service, candidate, interviewer, recruiter):
    created = service.create(candidate, [interviewer], recruiter)
    service.book(created.id, future_slot(), recruiter)
    moved = service.reschedule(created.id, future_slot(days=3), recruiter)
    assert moved.interview.slot == future_slot(days=3)
    assert {n.kind for n in moved.enqueued} == {ik.NotificationKind.interview_rescheduled,
                                                ik.NotificationKind.interview_reminder}
    cancelled = service.cancel(created.id, "position filled", recruiter)
    assert cancelled.interview.status == ik.InterviewStatus.cancelled
    with pytest.raises(ik.IllegalTransition) as caught:
        service.confirm(created.id, recruiter)
    assert caught.value.from_status == ik.InterviewStatus.cancelled
    assert caught.value.event == ik.InterviewEvent.confirm
    assert caught.value.kind == "illegal_transition"


def test_a_taken_slot_raises_slot_conflict_naming_the_other_interview(
        service, candidate, interviewer, recruiter):
    first = service.create(candidate, [interviewer], recruiter)
    service.book(first.id, future_slot(), recruiter)
    other = ik.Candidate("c-2", ik.Participant("Bo Chen", "bo@example.com", "Asia/Tokyo"))
    second = service.create(other, [interviewer], recruiter)
    with pytest.raises(ik.SlotConflict) as caught:
        service.book(second.id, future_slot(minutes=90), recruiter)
    assert caught.value.other == first.id
    assert caught.value.person == "interviewer:i-1"
    assert str(first.id.value) in caught.value.message
    assert service.get(second.id).status == ik.InterviewStatus.pending


def test_stale_version_and_not_found_carry_their_detail(
        service, candidate, interviewer, recruiter):
    created = service.create(candidate, [interviewer], recruiter)
    with pytest.raises(ik.StaleVersion) as caught:
        service.book(created.id, future_slot(), recruiter, expected_version=99)
    assert (caught.value.id, caught.value.expected, caught.value.actual) == (created.id, 99, 1)
    with pytest.raises(ik.NotFound) as missing:
        service.get(ik.InterviewId(424242))
    assert missing.value.id == ik.InterviewId(424242)
    assert isinstance(missing.value, ik.Error) and missing.value.kind == "not_found"


def test_an_idempotent_replay_reports_the_first_notifications(
        service, candidate, interviewer, recruiter):
    created = service.create(candidate, [interviewer], recruiter)
    first = service.book(created.id, future_slot(), recruiter, idempotency_key="req-1")
    again = service.book(created.id, future_slot(), recruiter, idempotency_key="req-1")
    assert [n.outbox for n in again.enqueued] == [n.outbox for n in first.enqueued]
    assert again.interview.version == first.interview.version


def test_the_action_log_in_the_store_records_each_transition(
        sqlite_store, service, candidate, interviewer, recruiter):
    log = ik.ActionLog.in_store(sqlite_store)
    created = service.create(candidate, [interviewer], recruiter)
    service.book(created.id, future_slot(), recruiter)
    actions = [e.action for e in log.entries(interview=created.id)]
    assert actions[:2] == [ik.ActionType.interview_created, ik.ActionType.interview_booked]
    assert actions.count(ik.ActionType.notification_enqueued) == 4
    booked = log.entries(interview=created.id, action=ik.ActionType.interview_booked)[0]
    assert booked.actor == recruiter
    assert (booked.from_status, booked.to_status) == (
        ik.InterviewStatus.pending, ik.InterviewStatus.scheduled)


def test_an_invalid_path_is_invalid_input(tmp_path):
    with pytest.raises(ik.InvalidInput):
        ik.SqliteStore.open(str(tmp_path / "missing-dir" / "x.db"))


def test_a_service_keeps_its_store_and_log_alive(db_path, candidate, interviewer, recruiter):
    import gc

    store = ik.SqliteStore.open(db_path)
    service = ik.BookingService.make(store, ik.ActionLog.in_store(store), channels=["email"],
                                     test_mode=True)
    del store
    gc.collect()
    created = service.create(candidate, [interviewer], recruiter)
    assert service.book(created.id, future_slot(), recruiter).interview.version == 2


def test_an_on_enqueued_callback_runs_with_the_gil_and_its_exception_is_reported(
        service, candidate, interviewer, recruiter, monkeypatch):
    import sys

    calls, reported = [], []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))

    def callback():
        calls.append(len(calls))
        raise RuntimeError("host callback failed")

    service.on_enqueued(callback)
    created = service.create(candidate, [interviewer], recruiter)
    booked = service.book(created.id, future_slot(), recruiter)
    # The booking committed and stands; the callback ran once, its error was reported.
    assert booked.interview.status == ik.InterviewStatus.scheduled
    assert calls == [0]
    assert [str(e) for e in reported] == ["host callback failed"]
