"""Any change shows at once in the directory and the API (never a stale page or choice)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import OrganisationRole
from tests.factories import ProjectOrganisationFactory

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
    _count, other = queries(client, "/api/v1/initiatives/?objective=1&page=1", HTTP_HOST="portal.example.org")
    assert "http://testserver/api/v1/initiatives/" in body
    assert "http://portal.example.org/api/v1/initiatives/" in other and "testserver" not in other


def test_a_signed_in_visitor_sees_a_change_at_once(client, directory, django_user_model):
    queries(client, "/initiatives/?objective=1")  # anonymous: the page is cached under the current version
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()  # a new version
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 16))
    _count, page = queries(client, "/initiatives/?objective=1")
    assert "Beta exchange renamed" in page


def test_the_api_list_shows_a_change_at_once(client, directory):
    _count, body = queries(client, "/api/v1/initiatives/?objective=1")
    assert "Beta exchange renamed" not in body
    directory.beta.title = "Beta exchange renamed"
    directory.beta.save()
    _count, body = queries(client, "/api/v1/initiatives/?page_size=50")
    assert "Beta exchange renamed" in body


def test_an_organisation_taking_part_since_the_last_edit_is_a_valid_choice_at_once(client, directory):
    queries(client, "/initiatives/?organisation=asia-org")
    assert client.get("/initiatives/?organisation=funder-org").status_code == 400  # a funder only: no choice
    ProjectOrganisationFactory(project=directory.delta, organisation=directory.funder, role=OrganisationRole.PARTNER)
    _count, page = queries(client, "/initiatives/?organisation=funder-org")
    assert "Delta platform" in page and "Beta exchange" not in page


@pytest.mark.parametrize("value", ["nobody", "9" * 30, "asia-org\x00", "ASIA-ORG"])
def test_an_unknown_organisation_is_a_clear_400(client, directory, value):
    queries(client, "/initiatives/?organisation=asia-org")
    response = client.get("/initiatives/", {"organisation": value})
    assert response.status_code == 400
    assert 'href="#id_organisation">Organisation (lead or partner): ' in response.content.decode()
