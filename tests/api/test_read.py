"""Reading the plan through the API: discovery, filters shared with the directory, pagination, lookups, ETags."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring.filters import ProjectFilterSet
from projects.models import Project
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_the_root_lists_every_endpoint_and_the_docs(api):
    root = api.get("/api/v1/")
    assert root.status_code == 200
    expected = {
        "objectives",
        "subgoals",
        "actions",
        "initiatives",
        "organisations",
        "countries",
        "updates",
        "meetings",
        "cycles",
        "export-json",
        "export-csv",
        "export-indicator-values",
        "progress",
        "me",
        "schema",
        "docs",
        "redoc",
    }
    assert set(root.json()) == expected
    assert root.json()["docs"] == "http://testserver/api/v1/docs/"
    for name, url in root.json().items():
        status = api.get(url).status_code
        assert status == (401 if name == "me" else 200), name


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "openapi: 3.0.3" in text and "/api/v1/updates/{id}/approve/" in text


def test_the_docs_page_has_no_inline_script(api):
    page = api.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page and "?script=" in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    script = api.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_structure_of_the_plan(api):
    build_plan(3)
    objectives = api.get("/api/v1/objectives/").json()
    assert [o["number"] for o in objectives] == [1, 2]
    assert [s["code"] for s in objectives[0]["subgoals"]] == ["1.1", "1.2"]
    action = api.get("/api/v1/actions/3/").json()
    assert action["subgoals"] == ["1.2", "2.1"] and action["objectives"] == [1, 2]
    assert action["initiatives"] == "http://testserver/api/v1/initiatives/?action=3"
    subgoal = api.get("/api/v1/subgoals/1.2/").json()
    assert subgoal["objective"] == 1 and subgoal["actions"] == [1, 3]
    assert api.get(f"/api/v1/subgoals/{subgoal['id']}/").json()["code"] == "1.2"
    assert api.get("/api/v1/objectives/objective-2/").json()["number"] == 2
    assert api.get("/api/v1/countries/de/").json()["iso_code"] == "DE"
    assert api.get("/api/v1/actions/99/").status_code == 404


def test_an_initiative_by_slug_and_by_id_with_everything(api):
    project = build_plan(2)[1]
    by_slug = api.get(f"/api/v1/initiatives/{project.slug}/")
    by_id = api.get(f"/api/v1/initiatives/{project.pk}/")
    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()
    data = by_slug.json()
    assert [(o["role"]) for o in data["organisations"]] == ["lead", "partner"]
    assert data["actions"] == [2, 3] and len(data["rows"]) == 2
    assert data["rows"][0]["activities"] and data["rows"][0]["subgoals"] == ["2.1"]
    assert data["objectives"] == [1, 2] and data["subgoals"] == ["1.2", "2.1"]
    assert data["milestones"][0]["status"] == "planned"
    assert data["indicators"][0] == {
        **data["indicators"][0],
        "baseline": 100,
        "target": 300,
        "target_year": 2030,
        "latest_value": None,
    }
    assert data["updates"] == f"http://testserver/api/v1/updates/?initiative={project.slug}"
    assert data["web_url"] == f"http://testserver{project.get_absolute_url()}"
    assert api.get("/api/v1/initiatives/no-such-thing/").json() == {
        "detail": "Not found: there is nothing at this address, or nothing you may see.",
        "code": "not_found",
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "objective=1",
        "objective=2&region=asia",
        "subgoal=1.2",
        "action=2",
        "organisation=europe-org",
        "region=international",
        "status=ongoing",
        "is_new=true",
        "is_new=false&ordering=objective",
        "q=glacier",
        "q=glacier&ordering=title",
        "ordering=-updated",
    ],
)
def test_filters_answer_as_the_directory_does(api, directory, query):
    from django.http import QueryDict

    expected = [p.slug for p in ProjectFilterSet(QueryDict(query), queryset=Project.objects.all()).qs]
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 200
    assert slugs(response) == expected
    # The public directory lists the same initiatives in the same order.
    page = api.get(f"{reverse('initiatives:project-list')}?{query}")
    assert [p.slug for p in page.context["projects"]] == expected


@pytest.mark.parametrize(
    "query, field",
    [
        ("objective=99", "objective"),
        ("objective=abc", "objective"),
        ("subgoal=9.9", "subgoal"),
        ("action=-1", "action"),
        ("organisation=nobody", "organisation"),
        ("region=mars", "region"),
        ("status=dreaming", "status"),
        ("is_new=maybe", "is_new"),
        ("ordering=price", "ordering"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_unknown_filter_values_are_400_naming_the_filter(api, directory, query, field):
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]


def test_paging_through_every_initiative_with_a_capped_page_size(api):
    build_plan(7)
    first = api.get("/api/v1/initiatives/?page_size=3&ordering=title").json()
    assert first["count"] == 7 and len(first["results"]) == 3
    seen, url = [], "/api/v1/initiatives/?page_size=3&ordering=title"
    while url:
        page = api.get(url).json()
        seen += [item["slug"] for item in page["results"]]
        url = page["next"]
    assert seen == sorted(seen, key=lambda slug: Project.objects.get(slug=slug).title)
    assert len(set(seen)) == 7
    assert len(api.get("/api/v1/initiatives/?page_size=100000").json()["results"]) == 7
    build_plan(0)
    assert api.get("/api/v1/initiatives/?page=99").status_code == 404
    assert api.get("/api/v1/initiatives/?page=99").json()["detail"] == "There is no such page of results."


def test_the_page_size_is_capped_at_100(api, settings):
    from core.api import MAX_PAGE_SIZE, PageNumberPagination

    assert MAX_PAGE_SIZE == 100 and PageNumberPagination.max_page_size == 100


def test_updates_filters(api, world):
    from monitoring import update_services as services
    from tests.conftest import draft

    approved = services.submit_update(update=draft(world), user=world["author"])
    services.approve_update(update=approved, reviewer=world["secretariat"])
    assert [u["id"] for u in api.get("/api/v1/updates/?initiative=duo-fellowship").json()["results"]] == [approved.pk]
    assert api.get("/api/v1/updates/?organisation=other").json()["count"] == 0
    assert api.get("/api/v1/updates/?initiative=nope").status_code == 400
    assert api.get("/api/v1/updates/?ordering=-reviewed").status_code == 200


# --- Conditional GETs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/initiatives/", "/api/v1/initiatives/initiative-0/", "/api/v1/objectives/", "/api/v1/updates/"]
)
def test_etag_and_last_modified_give_304_until_the_data_changes(api, url, django_assert_max_num_queries):
    from projects.models import Milestone

    project = build_plan(2)[0]
    url = url.replace("initiative-0", project.slug)
    first = api.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    # The fingerprint, nothing else.
    with django_assert_max_num_queries(1):
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # Another page, another format: another ETag.
    assert api.get(url + "?page_size=1")["ETag"] != etag
    milestone = Milestone.objects.filter(project=project).first()
    milestone.title = "Renamed"
    milestone.save()
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_updates_etag_depends_on_who_asks(api, world):
    from .conftest import as_persona

    anonymous = api.get("/api/v1/updates/")
    author = as_persona(api.__class__(), world, "author").get("/api/v1/updates/", HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert author.status_code == 200 and author["ETag"] != anonymous["ETag"]
    assert "Authorization" in author["Vary"] and author["Cache-Control"] == "private, no-cache"


def test_an_in_place_edit_of_an_action_changes_the_etag(api):
    from actions.models import Action

    build_plan(1)
    first = api.get("/api/v1/initiatives/")
    action = Action.objects.get(number=1)
    action.description = "Reworded."
    action.save()
    again = api.get("/api/v1/initiatives/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/", "/api/v1/initiatives/", "/api/v1/updates/", "/api/v1/me/", "/api/v1/organisations/duo/"],
)
def test_the_browsable_api_renders_for_a_signed_in_contributor(client, world, url):
    client.force_login(world["author"])
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "ASEM Education 2030 Action Plan API" in page and "<style>" not in page
