#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd) that stores every message it accepts.

Usage: smtp_server.py DIRECTORY [--tls CERT KEY] [--auth USER:PASSWORD]
Prints "PORT <n>" once listening on 127.0.0.1. Each accepted message is written to
DIRECTORY/NNNN.eml with its envelope in DIRECTORY/NNNN.json; DIRECTORY/sessions counts
SMTP sessions (connections), one line per session (at EHLO); DIRECTORY/closed gets a line
for each of those once its connection has ended. Sessions are served concurrently (asyncio).

--tls offers STARTTLS with that certificate and requires it before MAIL; --auth requires
AUTH (PLAIN or LOGIN, only over TLS when --tls is given) with those credentials. Every AUTH
the server receives is recorded in DIRECTORY/auth as one JSON line {"login", "password",
"tls"}, so a test can tell whether a password reached the server at all.

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
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


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


class RecordingSMTP(SMTP):
    """Records the end of every session, so a test can see that a client closed them all."""

    def connection_lost(self, error):
        try:
            # Only sessions, as counted at EHLO: aiosmtpd's controller opens a connection of
            # its own when it starts, to check that the server answers.
            if self.session is not None and self.session.host_name is not None:
                with open(os.path.join(self.event_handler.directory, "closed"), "a") as f:
                    f.write(f"{self.session.peer}\n")
        finally:
            super().connection_lost(error)


class Server(Controller):
    def __init__(self, handler, tls_context=None, credentials=None, **kwargs):
        self.tls_context = tls_context
        self.credentials = credentials
        super().__init__(handler, **kwargs)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        with open(os.path.join(self.handler.directory, "auth"), "a") as f:
            login = getattr(auth_data, "login", b"") or b""
            password = getattr(auth_data, "password", b"") or b""
            f.write(json.dumps({"login": login.decode("utf-8", "replace"),
                                "password": password.decode("utf-8", "replace"),
                                "tls": session.ssl is not None}) + "\n")
        ok = (isinstance(auth_data, LoginPassword) and
              (auth_data.login.decode(), auth_data.password.decode()) == self.credentials)
        return AuthResult(success=ok)

    def factory(self):
        options = {}
        if self.tls_context is not None:
            options.update(tls_context=self.tls_context, require_starttls=True)
        if self.credentials is not None:
            options.update(authenticator=self.authenticate, auth_required=True,
                           auth_require_tls=self.tls_context is not None)
        return RecordingSMTP(self.handler, decode_data=False, enable_SMTPUTF8=True,
                    hostname="test-smtp.local", **options)


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    args = sys.argv[2:]
    tls_context = None
    credentials = None
    while args:
        if args[0] == "--tls":
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_context.load_cert_chain(args[1], args[2])
            args = args[3:]
        elif args[0] == "--auth":
            user, _, password = args[1].partition(":")
            credentials = (user, password)
            args = args[2:]
        else:
            sys.exit("unknown option " + args[0])
    # aiosmtpd needs a concrete port: take a free one from the kernel.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Server(Handler(directory), tls_context=tls_context, credentials=credentials,
                        hostname="127.0.0.1", port=port)
    controller.start()
    print("PORT %d" % port, flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
