"""interviewkit, wired from Django's settings: one store, action log and booking service per
database path (opened once per process and shared by request threads: all three are
thread-safe), and a dispatcher built on demand for the run_dispatcher command."""
import functools
from pathlib import Path

from django.conf import settings

import interviewkit as ik


@functools.lru_cache(maxsize=None)
def _open(db_path):
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    store = ik.SqliteStore.open(db_path)
    log = ik.ActionLog.in_store(store)
    service = ik.BookingService.make(
        store, log, channels=[settings.INTERVIEWKIT_CHANNEL],
        meeting_base_url=settings.INTERVIEWKIT_MEETING_BASE_URL)
    return store, log, service


def store():
    return _open(str(settings.INTERVIEWKIT_DB))[0]


def action_log():
    return _open(str(settings.INTERVIEWKIT_DB))[1]


def booking_service():
    return _open(str(settings.INTERVIEWKIT_DB))[2]


def reconciler():
    return ik.Reconciler.make(store(), channels=[settings.INTERVIEWKIT_CHANNEL])


def smtp_notifier():
    starttls = getattr(ik.StartTls, settings.INTERVIEWKIT_SMTP_STARTTLS)
    return ik.SmtpNotifier.make(settings.INTERVIEWKIT_SMTP_URL,
                                from_address=settings.INTERVIEWKIT_FROM,
                                message_id_domain=settings.INTERVIEWKIT_MESSAGE_ID_DOMAIN,
                                starttls=starttls)


def dispatcher(**options):
    return ik.Dispatcher.make(store(), {settings.INTERVIEWKIT_CHANNEL: smtp_notifier()},
                              action_log(), **options)
