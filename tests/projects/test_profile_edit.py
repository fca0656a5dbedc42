"""Coordinators edit their initiative's profile, milestones and indicators; nobody else does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Milestone, OrganisationRole, Project
from stakeholders.models import MembershipRole
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db, secretariat_user):
    lead = OrganisationFactory(slug="duo")
    project = ProjectFactory(slug="duo-fellowship", summary="Old summary.")
    ProjectOrganisationFactory(project=project, organisation=lead, role=OrganisationRole.LEAD)
    milestone = MilestoneFactory(project=project, title="Alumni meeting")
    indicator = IndicatorFactory(project=project)
    return {
        "project": project,
        "milestone": milestone,
        "indicator": indicator,
        "coordinator": MembershipFactory(organisation=lead, role=MembershipRole.COORDINATOR).user,
        "contributor": MembershipFactory(organisation=lead).user,
        "outsider": MembershipFactory(role=MembershipRole.COORDINATOR).user,
        "secretariat": secretariat_user,
    }


def management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(setup, **overrides):
    project, milestone, indicator = setup["project"], setup["milestone"], setup["indicator"]
    project.refresh_from_db()
    data = {
        "version": project.updated_at.isoformat(),
        "summary": "New summary.",
        "status": "ongoing",
        **management("links", 1, 0),
        "links-0-url": "https://example.org/duo",
        "links-0-label": "Programme site",
        **management("milestones", 1, 1),
        "milestones-0-id": str(milestone.pk),
        "milestones-0-title": "Alumni meeting 2026",
        "milestones-0-planned_start": "2026-05-01",
        "milestones-0-status": "achieved",
        "milestones-0-achieved_on": "2026-05-02",
        **management("indicators", 1, 1),
        "indicators-0-id": str(indicator.pk),
        "indicators-0-name": indicator.name,
        "indicators-0-unit": "pairs",
        "indicators-0-baseline": "100",
        "indicators-0-target": "300",
        "indicators-0-target_comparator": "gt",
        "indicators-0-target_year": "2030",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "persona, status", [("anonymous", 302), ("outsider", 403), ("contributor", 403), ("coordinator", 200), ("secretariat", 200)]
)
def test_who_may_edit_the_profile(client, setup, persona, status):
    if persona != "anonymous":
        client.force_login(setup[persona])
    url = reverse("projects:project-edit", args=["duo-fellowship"])
    assert client.get(url).status_code == status
    response = client.post(url, form_data(setup))
    assert response.status_code == (302 if status == 200 else status)
    saved = Project.objects.get(slug="duo-fellowship").summary
    assert saved == ("New summary." if status == 200 else "Old summary.")
    # The button shows only to those who may use it.
    page = client.get(setup["project"].get_absolute_url()).content.decode()
    assert ("Edit the profile, milestones and indicators" in page) == (status == 200)


def test_coordinator_saves_profile_links_milestones_and_indicators(client, setup):
    client.force_login(setup["coordinator"])
    response = client.post(reverse("projects:project-edit", args=["duo-fellowship"]), form_data(setup))
    assert response.status_code == 302
    project = Project.objects.get(slug="duo-fellowship")
    assert project.summary == "New summary."
    assert project.links.get().label == "Programme site"
    milestone = Milestone.objects.get(pk=setup["milestone"].pk)
    assert (milestone.title, milestone.status, str(milestone.achieved_on)) == ("Alumni meeting 2026", "achieved", "2026-05-02")
    assert project.history.first().history_user == setup["coordinator"]


def test_a_stale_form_gets_a_conflict_and_nothing_is_overwritten(client, setup):
    client.force_login(setup["coordinator"])
    url = reverse("projects:project-edit", args=["duo-fellowship"])
    stale = form_data(setup, summary="Mine.")
    assert client.post(url, form_data(setup, summary="Theirs.")).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 409
    assert "Someone else saved this initiative since you opened it." in response.content.decode()
    assert "Mine." in response.content.decode()
    assert Project.objects.get(slug="duo-fellowship").summary == "Theirs."


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"milestones-0-achieved_on": ""}, "An achieved milestone needs the date it was achieved on"),
        ({"start_date": "2027-01-01", "end_date": "2026-01-01"}, "The end date cannot be before the start date."),
        ({"indicators-0-target": "-3"}, "Constraint"),
        # PostgreSQL's smallint range is a field error; SQLite has none, so the constraint speaks.
        ({"indicators-0-target_year": "99999"}, ("Ensure this value is less than or equal to", "between 2000 and 2100")),
        ({"links-0-url": "not a url"}, "Enter a valid URL."),
        ({"summary": "x" * 6000}, "Keep the summary under 5,000 characters."),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(client, setup, overrides, message):
    client.force_login(setup["coordinator"])
    response = client.post(reverse("projects:project-edit", args=["duo-fellowship"]), form_data(setup, **overrides))
    assert response.status_code == 400
    messages = message if isinstance(message, tuple) else (message,)
    assert any(m in response.content.decode() for m in messages)
    assert Project.objects.get(slug="duo-fellowship").summary == "Old summary."
    assert Milestone.objects.get(pk=setup["milestone"].pk).title == "Alumni meeting"


def test_row_texts_are_not_editable_by_coordinators(client, setup):
    client.force_login(setup["coordinator"])
    page = client.get(reverse("projects:project-edit", args=["duo-fellowship"])).content.decode()
    assert "activities" not in page.lower().split("secretariat")[-1] or 'name="rows-' not in page
    assert 'name="rows-' not in page


def test_an_outsider_with_a_project_of_their_own_still_cannot(client, setup):
    other = ProjectFactory()
    ProjectOrganisationFactory(project=other, organisation=setup["outsider"].memberships.get().organisation)
    client.force_login(setup["outsider"])
    assert client.get(reverse("projects:project-edit", args=[other.slug])).status_code == 200
    assert client.get(reverse("projects:project-edit", args=["duo-fellowship"])).status_code == 403
    assert UserFactory  # the factories module is shared
