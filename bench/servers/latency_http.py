#!/usr/bin/env python3
"""A loopback HTTP/1.1 server (asyncio, keep-alive) that answers every request with 200 after
a fixed delay, as a remote webhook receiver's latency would, for the dispatch benchmark.

Usage: latency_http.py [DIRECTORY] [--delay SECONDS]   (DIRECTORY is accepted and unused)
Prints "PORT <n>" once listening on 127.0.0.1. Reads commands on stdin, one per line:
  COUNT   prints "COUNT <n>": requests answered so far
End of stdin stops it.
"""
import asyncio
import socket
import sys

from count_control import watch_stdin

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            b"\r\nok")


class Counter:
    count = 0


class Connection(asyncio.Protocol):
    """Parses requests from the byte stream itself: a Protocol costs far less per request
    than asyncio streams, and the server's own CPU is what limits the measurement."""

    def __init__(self, delay):
        self.delay = delay
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            # The delay is the same for every request, so replies leave in request order.
            asyncio.get_running_loop().call_later(self.delay, self.reply)

    def reply(self):
        if not self.transport.is_closing():
            Counter.count += 1
            self.transport.write(RESPONSE)


async def serve(delay):
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = await loop.create_server(lambda: Connection(delay), sock=sock, backlog=4096)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    stop = loop.create_future()
    watch_stdin(loop, lambda: Counter.count, stop)
    await stop
    server.close()


def main():
    args = sys.argv[1:]
    delay = float(args[args.index("--delay") + 1]) if "--delay" in args else 0.1
    asyncio.run(serve(delay))


if __name__ == "__main__":
    main()
