"""The public-page cache keys a page by its whole address, scheme and host included (core.cache): a page
carries the request's own address (its canonical link, the feed's and the calendars' absolute links), so a
request under another allowed host name, or over plain HTTP, never changes what later visitors get."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SITE = "portal.example.org"
OTHER = "other.example.org"


@pytest.fixture(autouse=True)
def two_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = [SITE, OTHER]
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("initiatives:project-detail", args=["duo"]),
        lambda: reverse("news:news-feed"),
        lambda: reverse("calendars:milestones"),
    ],
    ids=["initiative page", "news feed", "milestones calendar"],
)
def test_a_request_under_another_allowed_host_does_not_change_what_later_visitors_get(client, url):
    ProjectFactory(slug="duo", title="DUO Fellowship")
    address = url()
    first = client.get(address, HTTP_HOST=OTHER)
    assert first.status_code == 200
    later = client.get(address, HTTP_HOST=SITE)
    assert later.status_code == 200
    assert OTHER.encode() not in later.content
    assert later["ETag"] != first["ETag"]
    # And each host's page is cached on its own: the other host's copy is still its own.
    again = client.get(address, HTTP_HOST=OTHER)
    assert SITE.encode() not in again.content and again.content == first.content


def test_the_canonical_link_names_the_host_and_scheme_asked_for(client):
    ProjectFactory(slug="duo", title="DUO Fellowship")
    address = reverse("initiatives:project-detail", args=["duo"])
    plain = client.get(address, HTTP_HOST=SITE).content.decode()
    secure = client.get(address, HTTP_HOST=SITE, secure=True).content.decode()
    assert f'<link rel="canonical" href="http://{SITE}{address}">' in plain
    assert f'<link rel="canonical" href="https://{SITE}{address}">' in secure


def test_a_page_seen_again_under_the_same_address_comes_from_the_cache(client, django_assert_max_num_queries):
    ProjectFactory(slug="duo", title="DUO Fellowship")
    address = reverse("initiatives:project-detail", args=["duo"])
    client.get(address, HTTP_HOST=SITE)
    with django_assert_max_num_queries(1):  # the content version
        assert client.get(address, HTTP_HOST=SITE).status_code == 200
