"""BookingService, the outbox and the fate query over a real PostgreSQL server, started for
these tests (initdb + pg_ctl in a temporary directory, on a free loopback port). Skipped,
saying why, only when the PostgreSQL server binaries are not installed."""

import os
import shutil
import subprocess
import tempfile

import pytest

import interviewkit as ik
from conftest import future_slot
from smtp_fixture import free_port


def pg_bin():
    for candidate in (os.environ.get("INTERVIEWKIT_PG_BIN", ""),
                      "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"):
        if candidate and os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    return None


@pytest.fixture(scope="module")
def postgres_url():
    binaries = pg_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    root = tempfile.mkdtemp(prefix="interviewkit-py-pg-")
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(root, "data"), free_port()
    subprocess.run(as_postgres + [f"{binaries}/initdb", "-D", data, "-U", "postgres",
                                  "--auth=trust", "-E", "UTF8", "--no-locale"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = as_postgres + [f"{binaries}/pg_ctl", "-D", data, "-l", f"{root}/server.log"]
    subprocess.run(ctl + ["-w", "-t", "60", "-o", options, "start"], check=True,
                   capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(ctl + ["-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_store(postgres_url):
    return ik.PostgresStore.open(postgres_url, pool_size=2)


def test_booking_over_postgres_commits_and_conflicts_name_the_other_interview(
        pg_store, recruiter):
    log = ik.ActionLog.in_store(pg_store)
    service = ik.BookingService.make(pg_store, log, channels=["email"], test_mode=True)
    ann = ik.Interviewer("pg-i-1", ik.Participant("Ann", "ann@example.com", "UTC"))
    first = service.create(ik.Candidate("pg-c-1", ik.Participant("Zoë", "zoe@example.com")),
                           [ann], recruiter)
    booked = service.book(first.id, future_slot(days=5), recruiter)
    assert booked.interview.status == ik.InterviewStatus.scheduled
    rows = pg_store.list_outbox(interview=first.id)
    assert sorted(r.kind.name for r in rows) == ["interview_reminder"] * 2 + ["interview_scheduled"] * 2
    second = service.create(ik.Candidate("pg-c-2", ik.Participant("Bo", "bo@example.com")),
                            [ann], recruiter)
    with pytest.raises(ik.SlotConflict) as caught:
        service.book(second.id, future_slot(days=5, minutes=30), recruiter)
    assert caught.value.other == first.id
    assert caught.value.person == "interviewer:pg-i-1"
    actions = [e.action for e in log.entries(interview=first.id)]
    assert ik.ActionType.interview_booked in actions


def test_book_and_reschedule_given_the_interview_held_do_what_the_calls_by_id_do(
        pg_store, recruiter):
    service = ik.BookingService.make(pg_store, ik.ActionLog.in_store(pg_store),
                                     channels=["email"], test_mode=True)
    ann = ik.Interviewer("pg-i-9", ik.Participant("Ann", "ann@example.com", "UTC"))
    created = service.create(ik.Candidate("pg-c-9", ik.Participant("Di", "di@example.com")),
                             [ann], recruiter)
    booked = service.book(created, future_slot(days=8), recruiter)
    assert booked.interview.version == 2
    assert service.get(created.id).slot == booked.interview.slot
    # A stale revision held: refused as a second booking by id is, naming the stored status.
    with pytest.raises(ik.IllegalTransition):
        service.book(created, future_slot(days=8, minutes=120), recruiter)
    moved = service.reschedule(booked.interview, future_slot(days=9), recruiter)
    assert moved.interview.version == 3
    again = service.reschedule(booked.interview, future_slot(days=10), recruiter)
    assert again.interview.version == 4
    assert again.interview.slot == future_slot(days=10)


def test_the_file_channel_and_fate_query_over_postgres(pg_store, recruiter, tmp_path):
    log = ik.ActionLog.in_store(pg_store)
    service = ik.BookingService.make(pg_store, log, channels=["file"], test_mode=True)
    ann = ik.Interviewer("pg-i-2", ik.Participant("Ann", "ann@example.com", "UTC"))
    created = service.create(ik.Candidate("pg-c-3", ik.Participant("Cy", "cy@example.com")),
                             [ann], recruiter)
    service.book(created.id, future_slot(days=6), recruiter)
    dispatcher = ik.Dispatcher.make(pg_store, {"file": ik.FileNotifier(str(tmp_path), sync=False, test_mode=True)},
                                    log)
    assert dispatcher.drain_once().delivered == 2
    fate = ik.Reconciler.make(pg_store, channels=["file"]).fate(created.id)
    by_kind = {}
    for n in fate.notifications:
        by_kind.setdefault(n.kind, set()).add(n.fate)
    assert by_kind == {ik.NotificationKind.interview_scheduled: {ik.Fate.delivered},
                       ik.NotificationKind.interview_reminder: {ik.Fate.pending}}
    assert not fate.complete  # the reminders are required and not yet sent


def test_an_unreachable_server_is_unavailable():
    with pytest.raises(ik.Error) as caught:
        ik.PostgresStore.open(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
    assert caught.value.kind == "unavailable"
