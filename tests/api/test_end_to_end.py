"""Done when: a third party discovers the API and pages through the initiatives with filters, a contributor
with a token submits an update, a Secretariat member approves it through the API, and it shows on the
public site."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def test_discover_page_submit_approve_and_publish(world):
    build_plan(12)
    third_party = APIClient()

    # Discovery: the root names every endpoint and the docs; the docs page and the schema are there.
    root = third_party.get("/api/v1/").json()
    assert third_party.get(root["docs"]).status_code == 200
    assert "/api/v1/initiatives/" in third_party.get(root["schema"]).content.decode()

    # Page through every initiative, with filters, following "next".
    url, seen = root["initiatives"] + "?status=not_reported&ordering=title&page_size=5", []
    while url:
        page = third_party.get(url).json()
        seen += [item["slug"] for item in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == page["count"] == 13

    # A contributor makes a token on the profile page…
    browser = Client()
    browser.force_login(world["author"])
    made = browser.post("/accounts/profile/api-token/", {"create": "1"})
    token = made.context["new_api_token"]
    assert token in made.content.decode()
    contributor = APIClient()
    contributor.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # …drafts and submits an update with it…
    me = contributor.get(root["me"]).json()
    assert me["initiatives"] == [{"slug": "duo-fellowship", "title": "DUO Fellowship"}]
    created = contributor.post(
        root["updates"],
        {
            "initiative": "duo-fellowship",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "achievements": "Through the API: 130 pairs exchanged.",
            "initiative_status": "ongoing",
            "indicator_values": [{"indicator": world["indicator"].pk, "value": 130, "as_of": "2026-06-30"}],
        },
        format="json",
    )
    assert created.status_code == 201
    update = created.json()
    submitted = contributor.post(update["url"] + "submit/", {"version": update["version"]}, format="json")
    assert submitted.json().get("status") == "submitted", submitted.json()
    # Not public yet.
    assert third_party.get(update["url"]).status_code == 404

    # …and a Secretariat member approves it through the API.
    secretariat_browser = Client()
    secretariat_browser.force_login(world["secretariat"])
    secretariat_token = secretariat_browser.post("/accounts/profile/api-token/", {"create": "1"}).context[
        "new_api_token"
    ]
    secretariat = APIClient()
    secretariat.credentials(HTTP_AUTHORIZATION=f"Token {secretariat_token}")
    queue = secretariat.get(root["updates"] + "review-queue/").json()
    assert update["id"] in [item["id"] for item in queue["results"]]
    approved = secretariat.post(update["url"] + "approve/", {"version": submitted.json()["version"]}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    # It is public: in the API, and on the initiative's page of the public site.
    public = third_party.get(root["updates"] + "?initiative=duo-fellowship").json()
    assert [item["id"] for item in public["results"]] == [update["id"]]
    initiative = third_party.get(root["initiatives"] + "duo-fellowship/").json()
    assert initiative["indicators"][0]["latest_value"] == 130
    page = Client().get(initiative["web_url"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "Through the API: 130 pairs exchanged." in page.content.decode()
