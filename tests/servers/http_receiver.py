#!/usr/bin/env python3
"""A small HTTP receiver for the webhook tests (standard library only).

Usage: http_receiver.py DIRECTORY SECRET
Prints "PORT <n>" once listening on 127.0.0.1. Every request is recorded as
DIRECTORY/NNNN.json: method, path, headers, body (as text, and exactly as body_base64), and
whether the Standard Webhooks signature verified (checked here independently, with Python's
hmac; the secret is base64 with or without its "whsec_" prefix, as in the reference
libraries).

Connections: HTTP/1.1 with keep-alive, one thread per connection. Each connection accepted
adds a line to DIRECTORY/connections, and one to DIRECTORY/closed once it has ended, so a
test can count the connections a client opened and see that it closed them all.

Methods: POST, and GET, PUT, DELETE, PROPFIND and REPORT (for the CalDAV client), alike.

Behaviour by path:
  /ok                    200
  /status/<code>         that status (with a body), e.g. /status/404
  /retry-after/<code>/<s>  that status with Retry-After: <s>
  /flaky/<n>             503 for the first n requests to that path, then 200
  /slow/<s>              waits s seconds, then 200
  /redirect              302 to /ok
  /script...             scripted, for the [faults] tests: see below

Scripted behaviour: DIRECTORY/script.json, reread for each request to a path starting with
/script (a test rewrites it between deliveries). Either one behaviour object for every such
request, or a list: the n-th scripted request uses item n-1, the last item for any later one.

  {"action": "reply", "status": 503, "body": "busy", "headers": {"Retry-After": "120"},
   "after": 0, "interval": 1.0}

  action   "reply"   send the response (default);
           "trickle" send the response one byte every `interval` seconds (default 1);
           "hang"    send the first `after` bytes of the response (default 0: nothing), then
                     nothing more, ever;
           "close"   send the first `after` bytes of the response, then close the connection.
  status   the status code (default 200); headers: extra headers; body: the body.
  Header values and the body are sent as Latin-1, so "\u00ff" in the JSON is the single byte
  0xFF (for text that is not valid UTF-8). Content-Length is always the body's full length.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

lock = threading.Lock()
counter = [0]
flaky = {}
scripted_count = [0]


def verify(secret, headers, body):
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "").split(" ")
    encoded = secret[6:] if secret.startswith("whsec_") else secret
    key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    payload = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in signatures)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.record_connection("connections")

    def finish(self):
        try:
            super().finish()
        finally:
            self.record_connection("closed")

    def record_connection(self, name):
        with lock:
            with open(os.path.join(self.server.directory, name), "a") as f:
                f.write("%s:%d\n" % self.client_address[:2])

    def reply(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            counter[0] += 1
            n = counter[0]
        record = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "body_base64": base64.b64encode(body).decode(),
            "signature_valid": verify(self.server.secret, self.headers, body),
        }
        path = os.path.join(self.server.directory, "%04d.json" % n)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)

        parts = self.path.strip("/").split("/")
        if parts[0].startswith("script"):
            self.scripted()
        elif parts[0] == "status":
            self.reply(int(parts[1]), b"receiver says: status " + parts[1].encode())
        elif parts[0] == "retry-after":
            self.reply(int(parts[1]), b"slow down",
                       {"Retry-After": urllib.parse.unquote(parts[2])})
        elif parts[0] == "flaky":
            with lock:
                seen = flaky.get(self.path, 0)
                flaky[self.path] = seen + 1
            if seen < int(parts[1]):
                self.reply(503, b"temporarily unavailable")
            else:
                self.reply(200, b"ok")
        elif parts[0] == "slow":
            time.sleep(float(parts[1]))
            self.reply(200, b"ok")
        elif parts[0] == "redirect":
            self.reply(302, b"", {"Location": "/ok"})
        else:
            self.reply(200, b"ok")

    # The other methods the CalDAV client's tests use take the same paths as POST.
    do_GET = do_POST
    do_PUT = do_POST
    do_DELETE = do_POST
    do_PROPFIND = do_POST
    do_REPORT = do_POST

    def scripted(self):
        with lock:
            scripted_count[0] += 1
            n = scripted_count[0]
        try:
            with open(os.path.join(self.server.directory, "script.json")) as f:
                script = json.load(f)
        except FileNotFoundError:
            script = {}
        if isinstance(script, list):
            script = script[min(n, len(script)) - 1] if script else {}
        status = int(script.get("status", 200))
        body = script.get("body", "").encode("latin-1")
        head = [f"HTTP/1.1 {status} Scripted", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in script.get("headers", {}).items()]
        response = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        action = script.get("action", "reply")
        after = int(script.get("after", 0))
        self.close_connection = True
        try:
            self.act(action, response, after, float(script.get("interval", 1.0)))
        except (ConnectionError, OSError):
            pass  # the client gave up: that is what the test is about

    def act(self, action, response, after, interval):
        if action == "reply":
            self.wfile.write(response)
        elif action == "trickle":
            for i in range(len(response)):
                self.wfile.write(response[i:i + 1])
                self.wfile.flush()
                time.sleep(interval)
        elif action == "hang":
            self.wfile.write(response[:after])
            self.wfile.flush()
            while self.connection.recv(4096):  # until the client gives up
                pass
        elif action == "close":
            self.wfile.write(response[:after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)


def main():
    directory, secret = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.directory = directory
    server.secret = secret
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sys.stdin.read()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
