"""Fixtures shared by the interviewkit module's tests: real SQLite files in a temporary
directory, the people of an interview, and slots in the near future (bookings in the past
are refused)."""

import datetime as dt
import os
import subprocess

import pytest

import interviewkit as ik

UTC = dt.timezone.utc


def future_slot(days=2, hour=10, minutes=45):
    """A slot `days` from today at `hour`:00 UTC, `minutes` long."""
    day = dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = day + dt.timedelta(days=days, hours=hour)
    return ik.TimeRange(start, start + dt.timedelta(minutes=minutes))


def cpp_messages(*args):
    """The C++ Error messages for `kind:text` arguments (see reference_messages.cpp)."""
    exe = os.environ.get("INTERVIEWKIT_REFERENCE")
    if not exe:
        pytest.skip("INTERVIEWKIT_REFERENCE is not set: run the tests through ctest")
    out = subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout
    return out.splitlines()


@pytest.fixture
def recruiter():
    return ik.Actor(ik.ActorRole.recruiter, "r-1")


@pytest.fixture
def candidate():
    return ik.Candidate("c-1", ik.Participant("Zoë Ñúñez", "zoe@example.com", "Europe/Madrid"))


@pytest.fixture
def interviewer():
    return ik.Interviewer("i-1", ik.Participant("Ann Lee", "ann@example.com", "America/New_York"))


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "hiring.db")


@pytest.fixture
def sqlite_store(db_path):
    return ik.SqliteStore.open(db_path)


@pytest.fixture
def service(sqlite_store):
    log = ik.ActionLog.in_store(sqlite_store)
    return ik.BookingService.make(sqlite_store, log, channels=["email"], test_mode=True)
