"""`manage.py run_dispatcher`: delivers the outbox through SMTP (settings INTERVIEWKIT_SMTP_*).
With --once it makes one pass and prints what happened (for cron or a test); without it the
dispatcher runs in a thread until Ctrl-C or SIGTERM, then stops cleanly (deliveries in
flight end, unattempted claims are given back)."""
import signal
import threading

from django.core.management.base import BaseCommand

from hiring import kit


class Command(BaseCommand):
    help = "Deliver due interview notifications (one pass with --once, else until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="make one pass and exit")

    def handle(self, *args, **options):
        dispatcher = kit.dispatcher()
        if options["once"]:
            self._report(dispatcher.drain_once())
            return
        worker = threading.Thread(target=dispatcher.run, name="interviewkit-dispatcher")
        stopped = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        worker.start()
        self.stdout.write("dispatcher running; Ctrl-C to stop")
        try:
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            dispatcher.stop()
            worker.join()
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("dispatcher stopped")

    def _report(self, stats):
        self.stdout.write(f"claimed {stats.claimed}, delivered {stats.delivered}, "
                          f"failed {stats.failed}, dead {stats.dead}, expired {stats.expired}")
