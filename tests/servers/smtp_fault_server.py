#!/usr/bin/env python3
"""A scriptable SMTP server that misbehaves on purpose, for the [faults] tests (standard
library only).

Usage: smtp_fault_server.py DIRECTORY
Prints "PORT <n>" once listening on 127.0.0.1. It speaks just enough ESMTP for libcurl:
EHLO/HELO, AUTH PLAIN and LOGIN (any credentials pass), MAIL, RCPT, DATA, RSET, NOOP, QUIT.
It never offers STARTTLS (and so is also the "STARTTLS stripped" server).

Records, per connection n (from 1): DIRECTORY/conn-NNNN.log, every byte the client sent,
appended as it arrives (so a test can check that a password never reached the server);
DIRECTORY/NNNN.eml, each message accepted.

Behaviour: DIRECTORY/script.json, reread when each connection is accepted (a test rewrites
it between deliveries; without it every command succeeds). Either one behaviour object for
every connection, or a list: connection n uses item n-1, the last item for any later one.
A behaviour object:

  {"stage": "rcpt", "action": "reply", "reply": "451 4.3.0 try later", "interval": 1.0}

  stage    when the fault fires: "greeting" (instead of the 220 banner), "ehlo", "mail",
           "auth" (the reply to AUTH), "rcpt", "data" (the reply to the DATA command),
           "message" (the reply after the message's final dot). Every other command is
           answered normally.
  action   "reply"   send `reply` instead of the normal reply;
           "trickle" send `reply` one byte every `interval` seconds (default 1);
           "hang"    send nothing, ever: keep reading and discarding until the client goes;
           "close"   close the connection. At stage "message" this happens as soon as the
                     first line of the message body arrives: a close in the middle of DATA.
  reply    the reply: "<code> <text>". Lines separated by "\n" become a multi-line reply
           ("550-first", ..., "550 last"; give the text only, the code is taken from the
           first line). Sent as Latin-1, so "\u00ff" in the JSON is the single byte 0xFF
           (for replies that are not valid UTF-8). Default "451 4.3.0 scripted failure".
"""
import asyncio
import json
import os
import socket
import sys

counter = [0]


def load_script(directory, n):
    try:
        with open(os.path.join(directory, "script.json")) as f:
            script = json.load(f)
    except FileNotFoundError:
        return {}
    if isinstance(script, list):
        script = script[min(n, len(script)) - 1] if script else {}
    return script or {}


def render(reply):
    """The reply as bytes on the wire, multi-line replies in the continuation form."""
    lines = reply.split("\n")
    code = lines[0][:3]
    out = []
    for i, line in enumerate(lines):
        text = line[4:] if i == 0 else line
        out.append(f"{code}{' ' if i == len(lines) - 1 else '-'}{text}\r\n")
    return "".join(out).encode("latin-1")


class Connection:
    def __init__(self, directory, reader, writer):
        counter[0] += 1
        self.n = counter[0]
        self.directory = directory
        self.reader = reader
        self.writer = writer
        self.script = load_script(directory, self.n)
        self.log = open(os.path.join(directory, "conn-%04d.log" % self.n), "ab", buffering=0)

    async def readline(self):
        line = await self.reader.readline()
        self.log.write(line)
        return line

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def hang(self):
        while await self.reader.read(4096):
            pass

    async def answer(self, stage, normal):
        """Sends the normal reply, or the scripted fault at its stage. False: stop talking."""
        if self.script.get("stage") != stage:
            await self.send(render(normal))
            return True
        action = self.script.get("action", "reply")
        reply = render(self.script.get("reply", "451 4.3.0 scripted failure"))
        if action == "reply":
            await self.send(reply)
            return True
        if action == "trickle":
            for i in range(len(reply)):
                await self.send(reply[i:i + 1])
                await asyncio.sleep(float(self.script.get("interval", 1.0)))
            return True
        if action == "hang":
            await self.hang()
        return False  # "close", or a hang the client gave up on

    async def run(self):
        if not await self.answer("greeting", "220 fault-smtp.local ESMTP ready"):
            return
        while True:
            line = await self.readline()
            if not line:
                return
            command = line.decode("latin-1").strip()
            verb = command.split(" ")[0].upper()
            if verb == "EHLO":
                ok = await self.answer(
                    "ehlo", "250-fault-smtp.local\n8BITMIME\nSMTPUTF8\nAUTH PLAIN LOGIN")
            elif verb == "HELO":
                ok = await self.answer("ehlo", "250 fault-smtp.local")
            elif verb == "AUTH":
                parts = command.split(" ")
                if parts[1].upper() == "LOGIN":
                    for prompt in (b"334 VXNlcm5hbWU6\r\n", b"334 UGFzc3dvcmQ6\r\n"):
                        await self.send(prompt)
                        if not await self.readline():
                            return
                elif len(parts) < 3:
                    await self.send(b"334 \r\n")
                    if not await self.readline():
                        return
                ok = await self.answer("auth", "235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                ok = await self.answer("mail", "250 2.1.0 OK")
            elif verb == "RCPT":
                ok = await self.answer("rcpt", "250 2.1.5 OK")
            elif verb == "DATA":
                ok = await self.answer("data", "354 End data with <CR><LF>.<CR><LF>")
                if ok and self.script.get("stage") != "data":
                    ok = await self.message()
            elif verb == "QUIT":
                await self.send(b"221 2.0.0 Bye\r\n")
                return
            elif verb in ("RSET", "NOOP"):
                ok = await self.answer("other", "250 2.0.0 OK")
            else:
                ok = await self.answer("other", "502 5.5.2 Command not recognized")
            if not ok:
                return

    async def message(self):
        body = []
        while True:
            line = await self.readline()
            if not line:
                return False
            if (self.script.get("stage") == "message" and
                    self.script.get("action") == "close"):
                return False  # mid-DATA: the body has started, the dot never comes
            if line in (b".\r\n", b".\n"):
                break
            body.append(line[1:] if line.startswith(b"..") else line)
        if self.script.get("stage") != "message":
            counter_eml = len([f for f in os.listdir(self.directory) if f.endswith(".eml")])
            path = os.path.join(self.directory, "%04d.eml" % (counter_eml + 1))
            with open(path + ".tmp", "wb") as f:
                f.write(b"".join(body))
            os.rename(path + ".tmp", path)
        return await self.answer("message", "250 2.0.0 Message accepted")


async def serve(directory, reader, writer):
    connection = Connection(directory, reader, writer)
    try:
        await connection.run()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        connection.log.close()
        writer.close()


async def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    server = await asyncio.start_server(lambda r, w: serve(directory, r, w), "127.0.0.1", 0)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    # Runs until the test closes our stdin or kills us.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
