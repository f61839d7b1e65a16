"""The Dispatcher over real channels: an invite reaches a real SMTP server on loopback as an
email with an iCalendar invite; files are written by the file channel; a refused recipient
shows up in the fate query with the server's reason; and the ActionLog records each outcome."""

import datetime as dt
import email
import email.policy
import os

import pytest

import interviewkit as ik
from conftest import future_slot
from smtp_fixture import SmtpServer


INVITE = ik.NotificationKind.interview_scheduled


def invites(rows):
    """The invite rows; each booking also enqueues reminders, due a day before the slot."""
    return [r for r in rows if r.kind == INVITE]


def book_one(service, candidate, interviewer, recruiter):
    created = service.create(candidate, [interviewer], recruiter, title="Technical interview")
    return service.book(created.id, future_slot(), recruiter)


def test_an_invite_reaches_a_real_smtp_server_with_its_calendar_invite(
        sqlite_store, service, candidate, interviewer, recruiter):
    booked = book_one(service, candidate, interviewer, recruiter)
    log = ik.ActionLog.in_store(sqlite_store)
    with SmtpServer() as smtp:
        notifier = ik.SmtpNotifier.make(smtp.url, from_address="hiring@example.com",
                                        message_id_domain="mail.example.com",
                                        starttls=ik.StartTls.off)
        dispatcher = ik.Dispatcher.make(sqlite_store, {"email": notifier}, log)
        stats = dispatcher.drain_once()
    assert (stats.claimed, stats.delivered, stats.dead) == (2, 2, 0)
    by_rcpt = {tuple(rcpts): msg for rcpts, msg in smtp.messages}
    invite = by_rcpt[("zoe@example.com",)]
    assert invite["From"].addresses[0].addr_spec == "hiring@example.com"
    assert "Technical interview" in invite["Subject"]
    calendars = [p for p in invite.walk() if p.get_content_type() == "text/calendar"]
    assert calendars and "METHOD:REQUEST" in calendars[0].get_content()
    assert booked.interview.meeting_link in invite.get_body(("plain",)).get_content()
    rows = sqlite_store.list_outbox(interview=booked.interview.id)
    assert [r.state for r in invites(rows)] == [ik.OutboxState.delivered] * 2
    reminders = [r for r in rows if r.kind == ik.NotificationKind.interview_reminder]
    assert [r.state for r in reminders] == [ik.OutboxState.pending] * 2  # not due yet
    delivered = log.entries(interview=booked.interview.id,
                            action=ik.ActionType.notification_delivered)
    assert len(delivered) == 2


def test_a_refused_recipient_is_dead_and_the_fate_query_says_why(
        sqlite_store, service, interviewer, recruiter):
    refused = ik.Candidate("c-9", ik.Participant("Ray", "reject-ray@example.com", "UTC"))
    booked = book_one(service, refused, interviewer, recruiter)
    log = ik.ActionLog.in_store(sqlite_store)
    with SmtpServer() as smtp:
        notifier = ik.SmtpNotifier.make(smtp.url, starttls=ik.StartTls.off, test_mode=True)
        stats = ik.Dispatcher.make(sqlite_store, {"email": notifier}, log).drain_once()
    assert (stats.delivered, stats.dead) == (1, 1)
    fate = ik.Reconciler.make(sqlite_store, channels=["email"]).fate(booked.interview.id)
    assert not fate.complete
    by_recipient = {n.recipient: n for n in fate.notifications if n.kind == INVITE}
    ray = by_recipient["candidate:c-9"]
    assert ray.fate == ik.Fate.dead and ray.required
    assert "550" in ray.detail and "mailbox unavailable" in ray.detail
    assert by_recipient["interviewer:i-1"].fate == ik.Fate.delivered
    dead = log.entries(interview=booked.interview.id,
                       action=ik.ActionType.notification_dead_lettered)
    assert len(dead) == 1 and "550" in str(dead[0].details)
    now = dt.datetime.now(dt.timezone.utc)
    gaps = ik.Reconciler.make(sqlite_store, channels=["email"], grace=dt.timedelta(0)).reconcile(
        now - dt.timedelta(hours=1), now + dt.timedelta(minutes=1))
    assert [g.notification.recipient for g in gaps] == ["candidate:c-9"]


def test_the_file_channel_writes_an_eml_and_an_ics_per_message(
        sqlite_store, service, candidate, interviewer, recruiter, tmp_path):
    booked = book_one(service, candidate, interviewer, recruiter)
    out = tmp_path / "outbox-files"
    notifier = ik.FileNotifier(str(out), sync=False, test_mode=True)
    log = ik.ActionLog.in_memory()
    stats = ik.Dispatcher.make(sqlite_store, {"email": notifier}, log).drain_once()
    assert stats.delivered == 2
    names = sorted(os.listdir(out))
    assert len([n for n in names if n.endswith(".eml")]) == 2
    assert len([n for n in names if n.endswith(".ics")]) == 2
    mails = [email.message_from_bytes((out / n).read_bytes(), policy=email.policy.default)
             for n in names if n.endswith(".eml")]
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
        "ann@example.com", "zoe@example.com"]
    for mail in mails:
        assert booked.interview.meeting_link in mail.get_body(("plain",)).get_content()
    assert [e.action for e in log.entries()].count(ik.ActionType.notification_delivered) == 2


def test_channels_refuse_bad_options():
    with pytest.raises(ik.InvalidInput):
        ik.SmtpNotifier.make("http://127.0.0.1:25")
    with pytest.raises(ik.InvalidInput):
        ik.WebhookNotifier.make("https://hooks.example.com/x", "too-short")
    with pytest.raises(ik.InvalidInput):
        ik.SmtpNotifier.make("smtp://127.0.0.1:25", from_address="nobody")


def test_no_placeholder_sender_or_meeting_url_without_test_mode(sqlite_store, tmp_path):
    """The same required options as in C++, with the same messages."""
    with pytest.raises(ik.InvalidInput, match="EmailOptions::from is required"):
        ik.SmtpNotifier.make("smtp://127.0.0.1:25")
    with pytest.raises(ik.InvalidInput, match="EmailOptions::message_id_domain is required"):
        ik.FileNotifier(str(tmp_path), from_address="hiring@acme.example")
    with pytest.raises(ik.InvalidInput, match="BookingOptions::meeting_base_url is required"):
        ik.BookingService.make(sqlite_store, ik.ActionLog.in_memory())
    files = ik.FileNotifier(str(tmp_path), from_address="hiring@acme.example",
                            message_id_domain="mail.acme.example")
    assert files.directory == str(tmp_path)


class _Receiver:
    """A loopback HTTP receiver (http.server in a thread) keeping each POST it gets."""

    def __init__(self):
        import http.server
        import threading

        received = self.received = []

        class Handle(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_webhook_channel_posts_a_signed_event(
        sqlite_store, service, candidate, interviewer, recruiter):
    import json

    booked = book_one(service, candidate, interviewer, recruiter)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with _Receiver() as receiver:
        url = f"http://127.0.0.1:{receiver.server.server_address[1]}/hooks"
        notifier = ik.WebhookNotifier.make(url, secret)
        stats = ik.Dispatcher.make(sqlite_store, {"email": notifier},
                                   ik.ActionLog.in_memory()).drain_once()
    assert stats.delivered == 2 and len(receiver.received) == 2
    headers, body = receiver.received[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["webhook-signature"].startswith("v1,")
    event = json.loads(body)
    assert event["type"] == "interview_scheduled"
    assert str(booked.interview.id.value) in body.decode()
