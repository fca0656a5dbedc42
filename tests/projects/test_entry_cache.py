"""Directory entries and API list items are cached per content version: a new filter reuses what earlier
pages rendered, and any change shows at once (never a stale entry)."""

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


def test_directory_entries_are_reused_across_filters_and_renewed_by_a_change(client, directory):
    cold, _page = queries(client, "/initiatives/?objective=1")
    # Another filter listing the same initiatives (alpha, beta, epsilon): no initiative is read again.
    warm, page = queries(client, "/initiatives/?objective=1&is_new=false&status=")
    assert warm < cold
    assert "Beta exchange" in page
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()
    _count, page = queries(client, "/initiatives/?objective=1&is_new=false&status=&again=1")
    assert "Beta exchange renamed" in page and "Beta exchange<" not in page


def test_api_items_are_reused_and_renewed_by_a_change(client, directory):
    cold, _body = queries(client, "/api/v1/initiatives/?objective=1")
    warm, body = queries(client, "/api/v1/initiatives/?objective=1&is_new=false")
    assert warm < cold
    assert '"Beta exchange"' in body
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()
    _count, body = queries(client, "/api/v1/initiatives/?objective=1&is_new=false")
    assert '"Beta exchange renamed"' in body and '"Beta exchange"' not in body


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


@pytest.mark.parametrize("accept", ["application/json", "application/json; indent=4"])
def test_api_items_written_from_the_cache_are_the_json_of_a_fresh_answer(client, directory, accept):
    """Cached items are kept as JSON text and written as they are: the answer decodes to what a signed-in
    visitor (never served from the cache) gets, and is valid JSON, indented or not."""
    import json

    from django.contrib.auth import get_user_model

    url = "/api/v1/initiatives/?objective=1"
    client.get(url, HTTP_ACCEPT=accept)  # fills the cache
    _count, cached = queries(client, url, HTTP_ACCEPT=accept)
    client.force_login(get_user_model().objects.create_user("fresh", password="x" * 16))
    _count, fresh = queries(client, url, HTTP_ACCEPT=accept)
    assert json.loads(cached) == json.loads(fresh)
    assert [item["slug"] for item in json.loads(cached)["results"]] == ["alpha", "beta", "epsilon"]
    assert "\\u0000" not in cached


def test_the_json_renderer_writes_encoded_values_as_they_are():
    import json

    from asem_portal.api import EncodedJSON, JSONRenderer

    data = {"count": 2, "results": [EncodedJSON('{"a":"\\u0000x"}'), EncodedJSON("[1,2]")], "text": "\x00marker"}
    assert json.loads(JSONRenderer().render(data)) == {
        "count": 2,
        "results": [{"a": "\x00x"}, [1, 2]],
        "text": "\x00marker",
    }
    assert JSONRenderer().render({"plain": 1}) == b'{"plain":1}'
