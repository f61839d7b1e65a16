#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd) that stores every message it accepts.

Usage: smtp_server.py DIRECTORY
Prints "PORT <n>" once listening on 127.0.0.1. Each accepted message is written to
DIRECTORY/NNNN.eml with its envelope in DIRECTORY/NNNN.json; DIRECTORY/sessions counts
SMTP sessions (connections), one line per session.

Fault injection, chosen by the recipient's local part:
  reject...@        550 5.1.1 for that recipient (permanent)
  busy<N>-...@      421 4.3.2 for the first N attempts, then accepted (state per address)
  tempfail<N>-...@  451 4.3.0 for the first N attempts, then accepted
  slow<S>-...@      waits S seconds before answering DATA
"""
import asyncio
import json
import os
import re
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.attempts = {}

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with open(os.path.join(self.directory, "sessions"), "a") as f:
            f.write(f"{session.peer}\n")
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        match = re.match(r"(busy|tempfail)(\d+)-", local)
        if match:
            seen = self.attempts.get(address, 0)
            self.attempts[address] = seen + 1
            if seen < int(match.group(2)):
                if match.group(1) == "busy":
                    return "421 4.3.2 Service busy, try again later"
                return "451 4.3.0 Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            match = re.match(r"slow(\d+)-", rcpt.split("@")[0])
            if match:
                await asyncio.sleep(int(match.group(1)))
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted for delivery"


class Server(Controller):
    def factory(self):
        return SMTP(self.handler, decode_data=False, enable_SMTPUTF8=True,
                    hostname="test-smtp.local")


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    # aiosmtpd needs a concrete port: take a free one from the kernel.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Server(Handler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("PORT %d" % port, flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
