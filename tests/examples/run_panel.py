#!/usr/bin/env python3
"""Runs examples/panel against the tests' real SMTP server on loopback and reads what the
server received with Python's own email parser: one invite per person of each booked
interview, each with a text/calendar part whose METHOD is REQUEST.

Usage: run_panel.py PANEL_BINARY SMTP_SERVER_SCRIPT
"""
import email
import email.policy
import glob
import os
import subprocess
import sys
import tempfile


def main():
    panel, server_script = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as spool:
        # The server runs until its standard input closes.
        server = subprocess.Popen([sys.executable, server_script, spool],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline().split()[1])
            run = subprocess.run([panel, f"smtp://127.0.0.1:{port}",
                                  os.path.join(spool, "panel.db")],
                                 capture_output=True, text=True, timeout=120)
            print(run.stdout, end="")
            print(run.stderr, end="", file=sys.stderr)
            if run.returncode != 0:
                sys.exit(f"panel exited with {run.returncode}")
            check(spool, run.stdout)
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    print("panel example: invites received and parsed")


def check(spool, output):
    if "Priya already has a screening call" not in output:
        sys.exit("the example did not book the candidate's earlier interview")
    received = {}
    for path in sorted(glob.glob(os.path.join(spool, "*.eml"))):
        with open(path, "rb") as f:
            message = email.message_from_bytes(f.read(), policy=email.policy.default)
        calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        if not calendars or "METHOD:REQUEST" not in calendars[0].get_content():
            sys.exit(f"{path}: no calendar invite with METHOD:REQUEST")
        if message["From"].addresses[0].addr_spec != "hiring@acme.example":
            sys.exit(f"{path}: unexpected sender {message['From']}")
        to = message["To"].addresses[0].addr_spec
        received[to] = received.get(to, 0) + 1
    expected = {"priya@candidates.example": 2, "cy@acme.example": 1, "ann@acme.example": 1,
                "bo@acme.example": 1}
    if received != expected:
        sys.exit(f"invites received {received}, expected {expected}")


if __name__ == "__main__":
    main()
