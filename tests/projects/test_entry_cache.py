"""Any change shows at once in the directory and the API (never a stale entry)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def queries(client, url, **extra) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_a_change_shows_in_the_directory_at_once(client, directory):
    _count, page = queries(client, "/initiatives/?objective=1")
    assert "Beta exchange" in page
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()
    _count, page = queries(client, "/initiatives/?objective=1")
    assert "Beta exchange renamed" in page and "Beta exchange<" not in page


def test_api_items_keep_the_links_of_the_host_asked(client, directory, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.example.org"]
    _count, body = queries(client, "/api/v1/initiatives/?objective=1")
    _count, other = queries(client, "/api/v1/initiatives/?objective=1&x=1", HTTP_HOST="portal.example.org")
    assert "http://testserver/api/v1/initiatives/" in body
    assert "http://portal.example.org/api/v1/initiatives/" in other and "testserver" not in other


def test_a_signed_in_visitor_never_gets_entries_cached_for_an_earlier_version(client, directory, django_user_model):
    """The content version read for one request must not reach the next one served by the same thread."""
    queries(client, "/initiatives/?objective=1")  # anonymous: entries cached under the current version
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()  # a new version
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 16))
    _count, page = queries(client, "/initiatives/?objective=1")
    assert "Beta exchange renamed" in page
