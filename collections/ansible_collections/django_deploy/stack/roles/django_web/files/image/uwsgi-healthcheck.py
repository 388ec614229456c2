#!/usr/bin/env python3
"""Container health check: ask the site's /healthz through uWSGI's own socket.

uWSGI listens with the binary uwsgi protocol, not HTTP, so curl cannot talk to it; this sends
the same kind of request nginx's uwsgi_pass sends. Exit status 0 only on HTTP 200, which the
site returns when it can query its database, or, with DJANGO_DEPLOY_HEALTHCHECK=live (Swarm
mode), when the application answers.
"""

import os
import socket
import struct
import sys

# The deploy sets UWSGI_SOCKET (uWSGI reads its socket option from it) to the release's socket:
# a Unix socket's path, or ":<port>" for TCP (Swarm mode, where nginx runs on other hosts).
ADDRESS = os.environ["UWSGI_SOCKET"]
PATH = "/healthz"
# "live" (Swarm mode): that the application answers, without asking the database.
QUERY = os.environ.get("DJANGO_DEPLOY_HEALTHCHECK", "")
TIMEOUT_SECONDS = 4.0
REQUEST_VARS = {
    "REQUEST_METHOD": "GET",
    "REQUEST_URI": f"{PATH}?{QUERY}" if QUERY else PATH,
    "PATH_INFO": PATH,
    "QUERY_STRING": QUERY,
    "SERVER_PROTOCOL": "HTTP/1.1",
    "SERVER_NAME": "localhost",
    "SERVER_PORT": "80",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "localhost",
}


def uwsgi_packet(variables: dict[str, str]) -> bytes:
    """Header (modifier1=0 for WSGI, 16-bit little-endian size, modifier2=0), then each
    key and value prefixed with its 16-bit little-endian length."""
    body = b"".join(
        struct.pack("<H", len(item)) + item
        for key, value in variables.items()
        for item in (key.encode(), value.encode())
    )
    return struct.pack("<BHB", 0, len(body), 0) + body


def connect(address: str) -> socket.socket:
    """A connection to the socket uWSGI listens on: "[host]:port" or a Unix socket's path."""
    if address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: str | tuple[str, int] = address
    else:
        host, _, port = address.rpartition(":")
        connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host or "127.0.0.1", int(port))
    connection.settimeout(TIMEOUT_SECONDS)
    try:
        connection.connect(target)
    except OSError:
        connection.close()
        raise
    return connection


def status_code(address: str) -> int:
    with connect(address) as connection:
        connection.sendall(uwsgi_packet(REQUEST_VARS))
        response = b""
        while b"\r\n" not in response:
            chunk = connection.recv(4096)
            if not chunk:
                break
            response += chunk
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"unexpected reply {status_line!r}")
    return int(parts[1])


def main() -> int:
    try:
        code = status_code(ADDRESS)
    except (OSError, ValueError) as error:
        print(f"{PATH}: {error}", file=sys.stderr)
        return 1
    if code != 200:
        print(f"{PATH}: HTTP {code}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
