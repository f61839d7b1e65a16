#!/usr/bin/env python3
"""A small HTTP receiver for the webhook tests (standard library only).

Usage: http_receiver.py DIRECTORY SECRET
Prints "PORT <n>" once listening on 127.0.0.1. Every request is recorded as
DIRECTORY/NNNN.json: method, path, headers, body, and whether the Standard Webhooks
signature verified (checked here independently, with Python's hmac).

Behaviour by path:
  /ok                    200
  /status/<code>         that status (with a body), e.g. /status/404
  /retry-after/<code>/<s>  that status with Retry-After: <s>
  /flaky/<n>             503 for the first n requests to that path, then 200
  /slow/<s>              waits s seconds, then 200
  /redirect              302 to /ok
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

lock = threading.Lock()
counter = [0]
flaky = {}


def verify(secret, headers, body):
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "").split(" ")
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    payload = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in signatures)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

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
            "method": "POST",
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "signature_valid": verify(self.server.secret, self.headers, body),
        }
        path = os.path.join(self.server.directory, "%04d.json" % n)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)

        parts = self.path.strip("/").split("/")
        if parts[0] == "status":
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
