"""Threads: a dispatcher runs in a threading.Thread of the host and stops when told; blocking
calls release the GIL, so other Python threads (the in-process SMTP server among them) run
while a send waits on a slow server."""

import datetime as dt
import threading
import time

import interviewkit as ik
from conftest import future_slot
from smtp_fixture import SmtpServer


def test_a_dispatcher_runs_in_a_host_thread_delivers_and_stops(
        sqlite_store, service, candidate, interviewer, recruiter):
    log = ik.ActionLog.in_store(sqlite_store)
    with SmtpServer() as smtp:
        notifier = ik.SmtpNotifier.make(smtp.url, starttls=ik.StartTls.off, test_mode=True)
        dispatcher = ik.Dispatcher.make(sqlite_store, {"email": notifier}, log,
                                        poll=dt.timedelta(seconds=30))
        service.on_enqueued(dispatcher.wake)  # no 30 s poll wait: booking wakes it
        worker = threading.Thread(target=dispatcher.run, name="dispatcher")
        worker.start()
        created = service.create(candidate, [interviewer], recruiter)
        service.book(created.id, future_slot(), recruiter)
        deadline = time.monotonic() + 20
        while len(smtp.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        dispatcher.stop()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert dispatcher.stopping
    assert sorted(r[0][0] for r in smtp.messages) == ["ann@example.com", "zoe@example.com"]
    rows = sqlite_store.list_outbox(interview=created.id)
    invites = [r for r in rows if r.kind == ik.NotificationKind.interview_scheduled]
    assert [r.state for r in invites] == [ik.OutboxState.delivered] * 2


def test_stop_before_run_ends_run_at_once(sqlite_store):
    files = ik.FileNotifier("/nonexistent", test_mode=True)
    dispatcher = ik.Dispatcher.make(sqlite_store, {"email": files}, ik.ActionLog.in_memory())
    dispatcher.stop()
    started = time.monotonic()
    dispatcher.run()
    assert time.monotonic() - started < 1


def test_the_gil_is_released_while_a_send_waits_on_a_slow_server(
        sqlite_store, service, candidate, interviewer, recruiter):
    created = service.create(candidate, [interviewer], recruiter)
    service.book(created.id, future_slot(), recruiter)
    with SmtpServer(delay=1.0) as smtp:
        notifier = ik.SmtpNotifier.make(smtp.url, starttls=ik.StartTls.off, test_mode=True)
        dispatcher = ik.Dispatcher.make(sqlite_store, {"email": notifier},
                                        ik.ActionLog.in_memory())
        result = {}
        worker = threading.Thread(target=lambda: result.update(stats=dispatcher.drain_once()))
        ticks = 0
        worker.start()
        smtp.handler.data_started.wait(timeout=10)
        ticks_at_data = ticks
        while worker.is_alive():
            ticks += 1
        worker.join()
    # This thread counted while the dispatcher's thread was inside drain_once, waiting for
    # the server's reply to DATA (and the server itself, in this interpreter, answered).
    assert smtp.handler.data_started.is_set()
    assert ticks - ticks_at_data > 1000
    assert result["stats"].delivered == 2


def test_concurrent_bookings_of_one_slot_from_threads_let_exactly_one_win(
        sqlite_store, service, interviewer, recruiter):
    people = [ik.Candidate(f"c-{n}", ik.Participant(f"P{n}", f"p{n}@example.com", "UTC"))
              for n in range(4)]
    ids = [service.create(p, [interviewer], recruiter).id for p in people]
    outcomes = []

    def book(interview):
        try:
            service.book(interview, future_slot(), recruiter)
            outcomes.append("booked")
        except ik.SlotConflict as conflict:
            outcomes.append(conflict.other)

    threads = [threading.Thread(target=book, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 1
    winner = next(i for i in ids if service.get(i).status == ik.InterviewStatus.scheduled)
    assert [o for o in outcomes if o != "booked"] == [winner] * 3


def test_the_librarys_own_thread_delivers_and_dropping_the_dispatcher_stops_it(
        sqlite_store, service, candidate, interviewer, recruiter):
    import gc

    with SmtpServer() as smtp:
        notifier = ik.SmtpNotifier.make(smtp.url, starttls=ik.StartTls.off, test_mode=True)
        dispatcher = ik.Dispatcher.make(sqlite_store, {"email": notifier},
                                        ik.ActionLog.in_memory())
        service.on_enqueued(dispatcher.wake)
        dispatcher.start()
        assert dispatcher.running
        created = service.create(candidate, [interviewer], recruiter)
        service.book(created.id, future_slot(), recruiter)
        assert smtp.handler.received.wait(timeout=20)
        deadline = time.monotonic() + 20
        while len(smtp.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        service.on_enqueued(lambda: None)  # drop the service's reference to the dispatcher
        del dispatcher
        gc.collect()  # joins the thread, with the GIL released (the server may still answer)
    assert len(smtp.messages) == 2
