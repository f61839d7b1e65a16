#!/usr/bin/env python3
"""A real Radicale CalDAV server on loopback, for the CalDAV tests.

Usage: radicale_server.py DIRECTORY [USER:PASSWORD ...]

Writes into DIRECTORY:
  radicale.conf  the configuration (nothing is read from /etc/radicale or ~/.config)
  users          the htpasswd file (htpasswd_encryption = plain) with the given users
  collections/   the storage folder (multifilesystem)
  radicale.log   Radicale's log (level "info": one or two lines per request)

Serves on 127.0.0.1 on a free port (the kernel picks it) and prints "PORT <n>" (flushed)
once a request to it has been answered. Exits when its standard input is closed, or on
SIGTERM / SIGINT, after the requests in progress have finished.

Radicale runs in this process: radicale.server.serve with a shutdown socket, as Radicale's
own __main__ does. Its rights are "owner_only": a user reaches only the collections under
/<user>/. Failed logins are answered at once (auth delay 0) and storage writes are not
fsynced, to keep the tests fast. Radicale answers one request per connection (it sends
"Connection: close"), so a client must open a new connection for each request.
"""
import logging
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

import radicale.log
import radicale.server
from radicale import config

CONFIG = """\
[server]
hosts = 127.0.0.1:0
max_connections = 20
timeout = 30

[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
realm = interviewkit tests
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {storage}

[web]
type = none

[logging]
level = info
mask_passwords = True
"""


class RecordingServer(radicale.server.ParallelHTTPServer):
    """Radicale's HTTP server class, recording the address it bound (port 0 in the
    configuration: the kernel chooses the port, so no two test servers race for one)."""

    bound = []

    def server_bind(self):
        super().server_bind()
        RecordingServer.bound.append(self.server_address)


def write_files(directory, users):
    os.makedirs(directory, exist_ok=True)
    users_path = os.path.join(directory, "users")
    storage = os.path.join(directory, "collections")
    os.makedirs(storage, exist_ok=True)
    with open(users_path, "w") as f:
        for entry in users:
            if ":" not in entry:
                raise SystemExit("radicale_server.py: expected USER:PASSWORD, got %r" % entry)
            f.write(entry + "\n")
    config_path = os.path.join(directory, "radicale.conf")
    with open(config_path, "w") as f:
        f.write(CONFIG.format(users=users_path, storage=storage))
    return config_path


def setup_logging(directory, level):
    """Radicale's logger writes to DIRECTORY/radicale.log only (not to stderr)."""
    handler = logging.FileHandler(os.path.join(directory, "radicale.log"))
    handler.setFormatter(logging.Formatter(
        "[%(asctime)s] [%(threadName)s] [%(levelname)s] %(message)s"))
    logger = logging.getLogger("radicale")
    logger.addHandler(handler)
    logger.propagate = False
    radicale.log.set_level(level)


def wait_until_answering(port, deadline):
    """True once an HTTP request to the server gets a response (any status)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        try:
            opener.open("http://127.0.0.1:%d/" % port, timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # an answer, e.g. 401
        except OSError:
            time.sleep(0.02)
    return False


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: radicale_server.py DIRECTORY [USER:PASSWORD ...]")
    directory = os.path.abspath(sys.argv[1])
    config_path = write_files(directory, sys.argv[2:])

    configuration = config.load([(config_path, False)])
    # Not settable from a configuration file (a private option): tests need no fsync.
    configuration.update({"storage": {"_filesystem_fsync": "False"}}, "radicale_server.py",
                         privileged=True)
    setup_logging(directory, configuration.get("logging", "level"))

    shutdown_in, shutdown_out = socket.socketpair()
    stopping = threading.Lock()

    def stop(*_):
        if stopping.acquire(blocking=False):
            shutdown_in.close()  # serve() sees shutdown_out readable and returns

    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, stop)

    def watch_stdin():
        # os.read on the descriptor, not sys.stdin: a daemon thread blocked inside the
        # buffered stdin object holds its lock, and the interpreter aborts at exit on it.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        finally:
            stop()

    def announce():
        deadline = time.monotonic() + 30
        while not RecordingServer.bound and time.monotonic() < deadline:
            time.sleep(0.01)
        if RecordingServer.bound:
            port = RecordingServer.bound[0][1]
            if wait_until_answering(port, deadline):
                print("PORT %d" % port, flush=True)
                return
        print("radicale_server.py: Radicale did not start, see %s"
              % os.path.join(directory, "radicale.log"), file=sys.stderr, flush=True)
        stop()

    radicale.server.ParallelHTTPServer = RecordingServer
    threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=announce, daemon=True).start()
    try:
        radicale.server.serve(configuration, shutdown_out)
    except Exception as e:
        logging.getLogger("radicale").critical("Radicale failed: %s", e, exc_info=True)
        print("radicale_server.py: %s" % e, file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
