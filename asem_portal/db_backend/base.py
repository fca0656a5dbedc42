"""Django's PostgreSQL backend, with a health check that costs no round trip while the connection is quiet.

Persistent connections are checked at the start of each request (``CONN_HEALTH_CHECKS``). Django checks with
a ``SELECT 1``: one round trip to the server on every request, more than a cached page's own query. Here
the check first asks the operating system whether the server has sent anything since its last answer. On
a connection in use, it has not: the server speaks only when asked, unless it is closing the connection
(a restart, an administrator, an idle timeout), in which case the socket is readable or closed. Only then,
on a connection left in a transaction, or where the socket cannot be asked, is Django's ``SELECT 1`` run.
Like that ``SELECT 1`` (which sets no timeout), it cannot tell a peer that vanished without a word (a
network black hole): the first query finds it.

``settings.py`` uses this backend whenever ``DATABASE_URL`` names PostgreSQL.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != TRANSACTION_STATUS_IDLE:  # in (or after a failed) transaction
            return super().is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            quiet = not poller.poll(0)
        except (AttributeError, OSError, ValueError):  # no poll() here, or no socket to ask: ask the server
            quiet = False
        return True if quiet else super().is_usable()
