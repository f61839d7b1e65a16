#!/usr/bin/env python3
"""A loopback SMTP server (aiosmtpd) that answers each message's DATA after a fixed delay,
as a remote mail server's latency would, for the dispatch benchmark.

Usage: latency_smtp.py [DIRECTORY] [--delay SECONDS]   (DIRECTORY is accepted and unused)
Prints "PORT <n>" once listening on 127.0.0.1. Reads commands on stdin, one per line:
  COUNT   prints "COUNT <n>": messages accepted so far (answered 250 to DATA)
End of stdin stops it. Nothing is stored per message, and no session is limited: the
listen backlog is raised so hundreds of clients may connect at once.
"""
import asyncio
import socket
import sys

from count_control import watch_stdin

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, delay):
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        # Counted before the reply leaves: a client that saw 250 always finds it counted.
        self.count += 1
        return "250 2.0.0 Message accepted for delivery"


def parse(args):
    delay = 0.1
    rest = [a for a in args if not a.startswith("--")]
    if "--delay" in args:
        delay = float(args[args.index("--delay") + 1])
    return delay, rest


async def serve(delay):
    loop = asyncio.get_running_loop()
    handler = Handler(delay)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, hostname="latency-smtp.local"),
        sock=sock, backlog=4096)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    stop = loop.create_future()
    watch_stdin(loop, lambda: handler.count, stop)
    await stop
    server.close()


def main():
    delay, _ = parse(sys.argv[1:])
    asyncio.run(serve(delay))


if __name__ == "__main__":
    main()
