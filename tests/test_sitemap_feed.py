"""sitemap.xml lists every public page of the plan; the Atom feed of published updates is valid (and empty)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import include, path

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import Project
from stakeholders.models import Country, Organisation
from tests.factories import build_plan

# These tests do not depend on asem_portal/urls.py including the public URLs yet: they mount them here.
urlpatterns = [
    path("", include("asem_portal.public_urls")),
    path("", include("asem_portal.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}


def sitemap_entries(client) -> dict[str, ET.Element]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input
    return {url.findtext("sm:loc", namespaces=SITEMAP_NS): url for url in root.findall("sm:url", SITEMAP_NS)}


def test_sitemap_lists_objectives_subgoals_actions_initiatives_and_organisations(client):
    projects = build_plan(5)
    entries = sitemap_entries(client)

    def absolute(instance) -> str:
        return "http://testserver" + instance.get_absolute_url()

    expected = {
        absolute(instance) for model in (StrategicObjective, Subgoal, Action) for instance in model.objects.all()
    }
    expected |= {absolute(project) for project in projects}
    expected |= {absolute(organisation) for organisation in Organisation.objects.all()}
    expected |= {absolute(country) for country in Country.objects.all()}
    expected |= {
        "http://testserver/",
        "http://testserver/actions/",
        "http://testserver/initiatives/",
        "http://testserver/organisations/",
        "http://testserver/countries/",
        "http://testserver/balance/",
        "http://testserver/updates/published/",
        "http://testserver/about/",
        "http://testserver/contact/",
        "http://testserver/accessibility/",
        "http://testserver/privacy/",
        "http://testserver/open-data/",
        "http://testserver/meetings/",
        "http://testserver/documents/",
        "http://testserver/news/",
    }
    assert set(entries) == expected
    # Every address answers.
    for location in entries:
        assert client.get(location.removeprefix("http://testserver")).status_code == 200, location
    # Initiatives say when they last changed.
    project = Project.objects.get(pk=projects[0].pk)
    lastmod = entries[absolute(project)].findtext("sm:lastmod", namespaces=SITEMAP_NS)
    assert lastmod == project.updated_at.date().isoformat()


@pytest.mark.parametrize("size", [5, 60])
def test_sitemap_has_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    build_plan(size)
    # Per model section (objectives, subgoals, actions, initiatives, organisations, countries, meetings,
    # documents, news): 1 count and 1 page of items. The fixed pages cost nothing.
    with django_assert_max_num_queries(18):
        entries = sitemap_entries(client)
    assert sum("/initiatives/initiative-" in location for location in entries) == size


def test_updates_feed_is_a_valid_empty_atom_feed(client, django_assert_num_queries):
    # One query: the published updates (none yet).
    with django_assert_num_queries(1):
        response = client.get("/updates/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    # RFC 4287 requires id, title and updated; an author where entries may lack one.
    assert feed.findtext("atom:title", namespaces=ATOM_NS) == "Published progress updates"
    assert feed.findtext("atom:id", namespaces=ATOM_NS) == "http://testserver/updates/feed/"
    assert feed.findtext("atom:updated", namespaces=ATOM_NS)
    assert feed.findtext("atom:author/atom:name", namespaces=ATOM_NS) == "ASEM Education Secretariat"
    links = {link.get("rel"): link.get("href") for link in feed.findall("atom:link", ATOM_NS)}
    assert links["self"] == "http://testserver/updates/feed/"
    assert feed.findall("atom:entry", ATOM_NS) == []


@pytest.mark.parametrize("size", [4, 40])
def test_updates_feed_lists_published_updates_only(client, django_assert_max_num_queries, size):
    from monitoring.models import ProgressUpdate

    build_plan(size)  # even-numbered initiatives have an approved update, odd ones a submitted one
    ProgressUpdate.objects.filter(status="approved").update(reviewed_at="2026-07-01T10:00:00Z")
    # One query: the latest published updates with their initiative and organisation.
    with django_assert_max_num_queries(1):
        response = client.get("/updates/feed/")
    feed = ET.fromstring(response.content)  # noqa: S314
    entries = feed.findall("atom:entry", ATOM_NS)
    published = ProgressUpdate.objects.filter(status="approved")
    assert len(entries) == published.count() == (size + 1) // 2
    links = {e.find("atom:link", ATOM_NS).get("href") for e in entries}
    assert links == {f"http://testserver{u.get_absolute_url()}" for u in published}
    assert all(e.findtext("atom:author/atom:name", namespaces=ATOM_NS) for e in entries)
