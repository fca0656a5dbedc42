"""The PostgreSQL health check: no round trip while the connection is quiet, a real check once the server
has spoken, and a connection the server closed is found unusable (then replaced, as Django does)."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_connection():
    if connection.vendor != "postgresql":
        pytest.skip("the health check is PostgreSQL's (DATABASE_URL=postgres://… to run it)")
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_quiet_connection_is_usable_without_asking_the_server(own_connection, monkeypatch):
    from django.db.backends.postgresql import base

    def round_trip(self):
        raise AssertionError("asked the server")

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", round_trip)
    assert own_connection.is_usable()


def test_a_connection_the_server_closed_is_unusable_and_replaced(own_connection):
    pid = own_connection.connection.info.backend_pid if hasattr(own_connection.connection, "info") else None
    pid = pid or own_connection.connection.get_backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    deadline = time.monotonic() + 5
    while own_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.02)  # the server's goodbye arrives a moment later
    assert not own_connection.is_usable()
    # What Django does at the start of a request with health checks on: close it, then connect anew.
    own_connection.health_check_enabled, own_connection.health_check_done = True, False
    own_connection.close_if_health_check_failed()
    assert own_connection.connection is None
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_spoke_on_is_asked_and_found_usable(own_connection):
    """A notification makes the socket readable without closing anything: then Django's SELECT 1 decides."""
    with own_connection.cursor() as cursor:
        cursor.execute("LISTEN asem_health_check")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # autocommit: delivered at once
            cursor.execute("NOTIFY asem_health_check")
    finally:
        other.close()
    poller = select.poll()
    poller.register(own_connection.connection.fileno(), select.POLLIN)
    assert poller.poll(2000), "the notification should make the socket readable"
    assert own_connection.is_usable()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_connection_left_in_a_transaction_is_asked(own_connection, monkeypatch):
    """Only an idle connection is trusted without a round trip: one left in a transaction is asked."""
    from django.db.backends.postgresql import base

    asked = []
    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", lambda self: asked.append(True) or True)
    with own_connection.connection.cursor() as cursor:
        cursor.execute("BEGIN")
    assert own_connection.is_usable() and asked == [True]
    with own_connection.connection.cursor() as cursor:
        cursor.execute("ROLLBACK")
    assert own_connection.is_usable() and asked == [True]  # idle again: not asked
