# -*- coding: utf-8 -*-
# Used by modules on Swarm nodes (Docker 20.10 and later: Python 3 hosts).
"""The Docker Engine API over the engine's Unix socket, for what the CLI cannot say declaratively.

A Swarm service's whole spec goes to the engine as one document (create, or update at a known
version), where the CLI would need an add and a remove flag for every list that changed. Only the
standard library: nothing to install on the host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket

try:
    from http.client import HTTPConnection
    from urllib.parse import urlencode
except ImportError:  # Python 2
    from urllib import urlencode

    from httplib import HTTPConnection

# Engine 20.10's API: everything the modules send is in it, and newer engines serve it unchanged.
API_VERSION = "v1.41"


class DockerApiError(Exception):
    """A request the engine refused: its status and the engine's message."""

    def __init__(self, method, path, status, message):
        Exception.__init__(self, "%s %s: %s %s" % (method, path, status, message))
        self.status = status
        self.message = message


class _UnixConnection(HTTPConnection):
    def __init__(self, socket_path, timeout):
        HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def unix_socket_transport(socket_path="/var/run/docker.sock", timeout=60):
    """transport(method, path, body) -> (status, text), one connection per request."""

    def transport(method, path, body):
        connection = _UnixConnection(socket_path, timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    return transport


class DockerApi:
    """api(method, path, query=None, body=None) -> the decoded JSON answer (None when empty);
    DockerApiError for a status of 400 or more. `transport` is unix_socket_transport() or, in the
    unit tests, a fake engine."""

    def __init__(self, transport):
        self.transport = transport

    def __call__(self, method, path, query=None, body=None):
        url = "/%s%s" % (API_VERSION, path)
        if query:
            url += "?" + urlencode(
                dict((k, json.dumps(v) if isinstance(v, dict) else v) for k, v in query.items())
            )
        status, text = self.transport(method, url, None if body is None else json.dumps(body))
        data = json.loads(text) if text.strip() else None
        if status >= 400:
            message = data.get("message", text) if isinstance(data, dict) else text
            raise DockerApiError(method, path, status, message.strip())
        return data

    def service(self, name):
        """The service's inspect record; None when there is none."""
        try:
            return self("GET", "/services/%s" % name)
        except DockerApiError as error:
            if error.status == 404:
                return None
            raise

    def tasks(self, service):
        """Every task of the service the managers still know, newest first."""
        found = self("GET", "/tasks", {"filters": {"service": [service]}}) or []
        return sorted(found, key=lambda task: task.get("UpdatedAt", ""), reverse=True)
