"""The latency servers' control channel on stdin: each "COUNT" read is answered with
"COUNT <n>" on stdout; end of input stops the server."""
import asyncio
import os
import sys


def watch_stdin(loop, count, stop):
    """Answers COUNT with count() until stdin closes, then sets `stop`'s result."""

    def on_stdin():
        # Raw reads: a buffered readline could swallow a second command the selector then
        # never reports.
        data = os.read(sys.stdin.fileno(), 4096)
        if not data:
            loop.remove_reader(sys.stdin.fileno())
            stop.set_result(None)
            return
        for _ in range(data.count(b"COUNT")):
            print("COUNT %d" % count(), flush=True)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
