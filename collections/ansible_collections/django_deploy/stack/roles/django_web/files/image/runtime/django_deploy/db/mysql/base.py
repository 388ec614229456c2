"""Django's MySQL backend, with new connections retried through a short outage of the server.

The web container finds the database server by its name through Docker's embedded DNS, which
does not answer while dockerd restarts (a daemon.json change: with live-restore the containers
keep running), and the server itself refuses connections while it restarts. A request that needs
a new connection in that second would fail with "Unknown MySQL server host" or "Can't connect";
instead the connection is tried again for up to CONNECT_RETRY_SECONDS (DATABASES setting, default
5) before the error goes up as usual. Established connections and other errors are untouched.
"""

import time

from django.db.backends.mysql import base
from MySQLdb import OperationalError

# Client errors of a server that cannot be reached for now: CR_CONNECTION_ERROR (local socket),
# CR_CONN_HOST_ERROR (TCP), CR_UNKNOWN_HOST (the name does not resolve).
UNREACHABLE = frozenset({2002, 2003, 2005})
RETRY_INTERVAL = 0.25


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + float(self.settings_dict.get("CONNECT_RETRY_SECONDS", 5))
        while True:
            try:
                return super().get_new_connection(conn_params)
            except OperationalError as error:
                if error.args[0] not in UNREACHABLE or time.monotonic() + RETRY_INTERVAL > deadline:
                    raise
            time.sleep(RETRY_INTERVAL)
