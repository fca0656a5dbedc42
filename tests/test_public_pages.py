"""The public pages answer, show the plan, keep a fixed query budget, and 404 on unknown slugs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import Project
from stakeholders.models import Organisation
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def pages():
    objective = StrategicObjective.objects.order_by("number").first()
    project = Project.objects.first()
    organisation = Organisation.objects.filter(participations__isnull=False).first()
    return {
        "home": (reverse("home"), 7),
        "objective": (objective.get_absolute_url(), 8),
        "subgoal": (Subgoal.objects.first().get_absolute_url(), 8),
        "actions": (reverse("actions:action-list"), 8),
        "action": (Action.objects.first().get_absolute_url(), 8),
        "initiative": (project.get_absolute_url(), 12),
        "organisations": (reverse("stakeholders:organisation-list"), 4),
        "organisation": (organisation.get_absolute_url(), 6),
        "countries": (reverse("stakeholders:country-list"), 2),
    }


@pytest.mark.parametrize("size", [5, 80])
@pytest.mark.parametrize(
    "page",
    ["home", "objective", "subgoal", "actions", "action", "initiative", "organisations", "organisation", "countries"],
)
def test_public_pages_have_a_fixed_query_budget(client, django_assert_max_num_queries, size, page):
    build_plan(size)
    url, budget = pages()[page]
    # Each page's budget: one query per model shown (objectives, subgoals,
    # actions, rows, initiatives, their organisations), never one per row.
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


def test_home_shows_the_plan_at_a_glance(client, loaded_plan):
    page = client.get(reverse("home")).content.decode()
    for objective in StrategicObjective.objects.all():
        assert objective.title in page
    assert "To raise the profile of LLL and TVET" in page
    assert 'role="search"' in page
    assert "50 initiatives" in page


def test_action_page_lists_its_initiatives_with_the_rows_text(client, loaded_plan):
    page = client.get(reverse("actions:action-detail", args=[1])).content.decode()
    assert "ASEM-DUO Fellowship Programme" in page
    assert "More than 300 pairs of students and professors are exchanged every year." in page
    assert "ASEM-DUO Secretariat" in page or "ASEM-DUO" in page


def test_initiative_page_shows_every_row_milestones_and_indicators(client, loaded_plan):
    page = client.get(reverse("projects:project-detail", args=["asem-duo-fellowship-programme"])).content.decode()
    assert "Action 1" in page and "Action 4" in page
    assert "http://www.asemduo.org/" in page
    page = client.get(reverse("projects:project-detail", args=["aei-asem-summer-school"])).content.decode()
    assert "14-18 September 2020" in page


def test_organisation_page_lists_its_initiatives(client, loaded_plan):
    page = client.get(reverse("stakeholders:organisation-detail", args=["asef"])).content.decode()
    assert "Asia-Europe Foundation" in page
    assert "ASEF’s Education Programmes" in page


@pytest.mark.parametrize(
    "url",
    [
        "/objectives/no-such-objective/",
        "/subgoals/9.9/",
        "/actions/99/",
        "/actions/99999999999999999999999/",
        "/initiatives/no-such-initiative/",
        "/organisations/nobody/",
    ],
)
def test_unknown_addresses_are_404_in_the_sites_look(client, loaded_plan, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_health_endpoints(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_objective_colours_come_from_a_stylesheet_not_inline_styles(client, loaded_plan):
    css = client.get("/objectives.css")
    assert css["Content-Type"].startswith("text/css")
    assert ".objective-1 { --objective-colour: #1f5fa8; }" in css.content.decode()
    home = client.get("/").content.decode()
    assert "style=" not in home
    assert 'class="card objective-card objective-1"' in home


def test_home_lists_the_latest_published_updates_only(client, db):
    from projects.models import ProgressUpdate

    build_plan(6)
    page = client.get(reverse("home")).content.decode()
    for update in ProgressUpdate.objects.select_related("project"):
        link = update.get_absolute_url()
        assert (link in page) == (update.status == "approved"), update.status
