"""Domain types: strict enums, strict parsing with the C++ messages, validated values and
timezone-aware instants."""

import datetime as dt
import re

import pytest

import interviewkit as ik
from conftest import UTC, cpp_messages


def test_parse_accepts_only_the_canonical_name():
    assert ik.parse_interview_status("scheduled") == ik.InterviewStatus.scheduled
    assert ik.parse_actor_role("operator") == ik.ActorRole.operator


@pytest.mark.parametrize("text", ["Scheduled", "SCHEDULED", " scheduled", "4", "no-show", ""])
def test_a_malformed_status_raises_invalid_input_with_the_cpp_message(text):
    with pytest.raises(ik.InvalidInput) as caught:
        ik.parse_interview_status(text)
    (expected,) = cpp_messages("status:" + text)
    assert caught.value.message == expected
    assert str(caught.value) == expected
    assert caught.value.kind == "invalid_input"
    assert isinstance(caught.value, ik.Error)
    assert "pending, scheduled, confirmed, completed, cancelled, no_show" in expected


def test_other_parsers_raise_with_the_cpp_message_too():
    event, role = cpp_messages("event:Book", "role:admin")
    with pytest.raises(ik.InvalidInput, match="^" + re.escape(event) + "$"):
        ik.parse_interview_event("Book")
    with pytest.raises(ik.InvalidInput) as caught:
        ik.parse_actor_role("admin")
    assert caught.value.message == role


def test_a_status_is_never_equal_to_a_string_comparing_raises():
    status = ik.parse_interview_status("scheduled")
    with pytest.raises(TypeError, match="never equal to a string"):
        status == "scheduled"  # noqa: B015 - the comparison itself is what must fail
    with pytest.raises(TypeError):
        status != "scheduled"  # noqa: B015
    assert status == ik.InterviewStatus.scheduled
    assert status != ik.InterviewStatus.pending
    assert str(status) == "scheduled" and status.name == "scheduled"
    assert {status: 1}[ik.InterviewStatus.scheduled] == 1


def test_an_enum_cannot_be_made_from_an_int_or_a_name():
    with pytest.raises(TypeError):
        ik.InterviewStatus(1)
    with pytest.raises(TypeError):
        ik.InterviewStatus("scheduled")
    with pytest.raises(TypeError):
        ik.can_transition("pending", ik.InterviewStatus.scheduled)
    with pytest.raises(TypeError):
        ik.can_transition(0, ik.InterviewStatus.scheduled)


def test_the_transition_table_is_the_cpp_one():
    rows = {(t.from_status, t.event, t.to_status) for t in ik.transition_table()}
    assert len(rows) == 11
    S, E = ik.InterviewStatus, ik.InterviewEvent
    assert (S.pending, E.book, S.scheduled) in rows
    assert not ik.can_transition(S.completed, S.cancelled)
    assert ik.find_transition(S.cancelled, E.book) is None
    assert ik.InterviewStatus.no_show.is_terminal


def test_values_are_validated_by_the_cpp_make():
    with pytest.raises(ik.InvalidInput, match="email"):
        ik.EmailAddress("not an address")
    with pytest.raises(ik.InvalidInput, match="EST"):
        ik.TimeZone("EST")
    with pytest.raises(ik.InvalidInput):
        ik.CandidateId("")
    with pytest.raises(ik.InvalidInput):
        ik.Participant("Ann", "ann@example.com", "Mars/Olympus")
    address = ik.EmailAddress("ann@Example.com")
    assert address.local_part == "ann"
    ann = ik.Participant("Ann", "ann@example.com", "Europe/Madrid")
    assert ann.time_zone == ik.TimeZone("Europe/Madrid")
    assert str(ann.email) == "ann@example.com"


def test_instants_are_timezone_aware_datetimes_and_naive_ones_are_refused():
    start = dt.datetime(2030, 3, 2, 9, 0, tzinfo=UTC)
    slot = ik.TimeRange.of(start, dt.timedelta(minutes=45))
    assert slot.start == start and slot.end == start + dt.timedelta(minutes=45)
    assert slot.start.tzinfo is not None and slot.start.utcoffset() == dt.timedelta(0)
    assert slot.duration == dt.timedelta(minutes=45)
    madrid = dt.timezone(dt.timedelta(hours=1))
    assert ik.TimeRange.of(start.astimezone(madrid), dt.timedelta(hours=1)).start == start
    with pytest.raises(TypeError, match="naive datetime"):
        ik.TimeRange(dt.datetime(2030, 3, 2, 9), dt.datetime(2030, 3, 2, 10))
    with pytest.raises(ik.InvalidInput):
        ik.TimeRange(start, start - dt.timedelta(minutes=1))
    assert ik.format_utc(start) == "2030-03-02T09:00:00.000Z"
    assert ik.parse_utc("2030-03-02T09:00:00.000Z") == start
