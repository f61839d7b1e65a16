"""Slot search: working hours in the interviewer's own zone, and the interviews a store holds
blocking their time, so an offered slot books and the blocked one raises SlotConflict."""

import datetime as dt

import pytest

import interviewkit as ik

UTC = dt.timezone.utc


def next_monday():
    today = dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + dt.timedelta(days=7 - today.weekday())


def ann(**kwargs):
    hours = [ik.WorkingHours(dt.timedelta(hours=9), dt.timedelta(hours=12))]
    return ik.InterviewerAvailability("i-1", ik.TimeZone("Asia/Tokyo"), hours=hours, **kwargs)


def test_slots_follow_the_interviewers_hours_in_their_zone():
    monday = next_monday()
    window = ik.TimeRange(monday, monday + dt.timedelta(days=1))
    slots = ik.find_slots(None, window, [ann()], duration=dt.timedelta(hours=1),
                          step=dt.timedelta(hours=1))
    # 09:00-12:00 in Tokyo (UTC+9) is 00:00-03:00 UTC.
    assert [s.range.start.hour for s in slots] == [0, 1, 2]
    assert all(s.interviewer is None for s in slots)


def test_a_booked_interview_blocks_its_slot_and_an_offered_slot_books(
        sqlite_store, service, candidate, interviewer, recruiter):
    monday = next_monday()
    window = ik.TimeRange(monday, monday + dt.timedelta(days=1))
    first = ik.find_slots(sqlite_store, window, [ann()], duration=dt.timedelta(hours=1),
                          step=dt.timedelta(hours=1))
    created = service.create(candidate, [interviewer], recruiter)
    service.book(created.id, first[0].range, recruiter)
    after = ik.find_slots(sqlite_store, window, [ann()], duration=dt.timedelta(hours=1),
                          step=dt.timedelta(hours=1))
    assert [s.range for s in after] == [s.range for s in first[1:]]


def test_a_bad_query_is_invalid_input():
    monday = next_monday()
    window = ik.TimeRange(monday, monday + dt.timedelta(days=400))
    with pytest.raises(ik.InvalidInput):
        ik.find_slots(None, window, [ann()])


def test_a_search_from_an_interview_leaves_out_the_candidates_other_interviews(
        service, candidate, interviewer, recruiter):
    """The C++ guarantee through the binding: what is offered books, for the candidate too."""
    monday = next_monday()
    window = ik.TimeRange(monday, monday + dt.timedelta(days=1))
    other = service.create(candidate, [ik.Interviewer("i-77", interviewer.person)], recruiter)
    nine_to_five = [ik.WorkingHours(dt.timedelta(hours=0), dt.timedelta(hours=24))]
    new = service.create(candidate, [interviewer], recruiter)
    before = service.find_slots(new.id, window, duration=dt.timedelta(hours=1),
                                step=dt.timedelta(hours=1), hours=nine_to_five)
    service.book(other.id, before[3].range, recruiter)
    after = service.find_slots(new.id, window, duration=dt.timedelta(hours=1),
                               step=dt.timedelta(hours=1), hours=nine_to_five)
    assert before[3].range not in [s.range for s in after]
    assert len(after) == len(before) - 1
    service.book(new.id, after[3].range, recruiter)
