"""An initiative's status comes from its approved updates, where the contributor states it (#21): "not reported
yet" until then, never a default; the Secretariat's correction in the admin stands until the next approval."""

from __future__ import annotations

import datetime

import pytest

from core.exceptions import WorkflowError
from monitoring import update_services as services
from projects.models import Project, ProjectStatus
from tests.conftest import draft, login, update_form_data

pytestmark = pytest.mark.django_db


def approved(world, status, **period):
    update = draft(world, initiative_status=status, **period)
    services.submit_update(update=update, user=world.author)
    return services.approve_update(update=update, reviewer=world.secretariat)


def status_of(world) -> str | None:
    return Project.objects.get(pk=world.project.pk).status


def test_an_initiative_reads_not_reported_yet_until_an_approved_update_states_its_status(client, world):
    assert status_of(world) is None
    page = client.get(world.project.get_absolute_url()).content.decode()
    assert "Not reported yet" in page and "Ongoing" not in page

    update = draft(world, initiative_status=ProjectStatus.DELAYED)
    services.submit_update(update=update, user=world.author)
    assert status_of(world) is None  # submitted is not published
    services.approve_update(update=update, reviewer=world.secretariat)
    assert status_of(world) == ProjectStatus.DELAYED
    page = client.get(world.project.get_absolute_url()).content.decode()
    assert "Delayed" in page and "Not reported yet" not in page
    # Recorded in the initiative's history, with who approved it.
    latest = world.project.history.order_by("-history_date").first()
    assert (latest.status, latest.history_user) == (ProjectStatus.DELAYED, world.secretariat)


def test_an_update_cannot_be_submitted_without_the_status(client, world):
    update = draft(world, initiative_status=None)
    with pytest.raises(WorkflowError, match="status"):
        services.submit_update(update=update, user=world.author)
    # The form says so by its field, and keeps the draft as it was.
    login(client, world, "author")
    data = update_form_data(
        version=str(update.version),
        organisation=str(world.lead.pk),
        period_start=update.period_start.isoformat(),
        period_end=update.period_end.isoformat(),
        achievements="Done.",
        submit="1",
    )
    response = client.post(f"/updates/{update.pk}/edit/", data)
    assert response.status_code == 400
    assert "Say what the initiative" in response.content.decode()
    assert response.context["form"].errors["initiative_status"]


def test_an_earlier_period_approved_later_does_not_override_a_later_one(world):
    approved(world, ProjectStatus.COMPLETED, period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 9, 30))
    approved(world, ProjectStatus.ONGOING, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 6, 30))
    assert status_of(world) == ProjectStatus.COMPLETED


def test_withdrawing_restores_what_the_remaining_updates_state(world):
    first = approved(world, ProjectStatus.PLANNED, period_start=datetime.date(2026, 1, 1))
    second = approved(world, ProjectStatus.ONGOING, period_start=datetime.date(2026, 1, 2))
    assert status_of(world) == ProjectStatus.ONGOING
    services.withdraw_approval(update=second, reviewer=world.reviewer2, reason="Wrong period.")
    assert status_of(world) == ProjectStatus.PLANNED
    services.withdraw_approval(update=first, reviewer=world.reviewer2, reason="Wrong too.")
    assert status_of(world) is None


def test_a_correction_by_the_secretariat_stands_when_an_approval_is_withdrawn(world):
    update = approved(world, ProjectStatus.ONGOING)
    Project.objects.filter(pk=world.project.pk).update(status=ProjectStatus.DISCONTINUED)  # as in the admin
    services.withdraw_approval(update=update, reviewer=world.reviewer2, reason="Disputed.")
    assert status_of(world) == ProjectStatus.DISCONTINUED


def test_the_api_takes_and_shows_the_stated_status(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.author)
    body = {
        "initiative": world.project.slug,
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "achievements": "Done.",
        "initiative_status": "sideways",
    }
    response = api.post("/api/v1/updates/", body, format="json")
    assert response.status_code == 400 and "initiative_status" in response.json()["errors"]
    response = api.post("/api/v1/updates/", {**body, "initiative_status": "completed"}, format="json")
    assert response.status_code == 201 and response.json()["initiative_status"] == "completed"
    url = f"/api/v1/updates/{response.json()['id']}/"
    submitted = api.post(url + "submit/", {}, format="json")
    assert submitted.status_code == 200
    api.force_authenticate(world.secretariat)
    assert api.post(url + "approve/", {"version": submitted.json()["version"]}, format="json").status_code == 200
    initiative = api.get(f"/api/v1/initiatives/{world.project.slug}/").json()
    assert initiative["status"] == "completed"
