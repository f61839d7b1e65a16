"""An in-process SMTP server on loopback (Debian's aiosmtpd) for the tests. It runs in a
thread of this interpreter, so it can only answer while the module has released the GIL:
a dispatcher that held it during a send would hang the test instead of passing it.

Recipients steer it: ``reject...@`` gets 550 at RCPT (permanent), and with ``delay`` set
DATA is answered only after that many seconds."""

import asyncio
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, delay=0.0):
        self.delay = delay
        self.messages = []
        self.received = threading.Event()
        self.data_started = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        self.received.set()
        return "250 OK queued"


class SmtpServer:
    def __init__(self, delay=0.0):
        self.handler = Handler(delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self):
        return self.handler.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
