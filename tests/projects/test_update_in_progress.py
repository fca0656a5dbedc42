"""One update in progress per initiative, organisation and period: starting a second one leads to the first.

The rule is the service's (``update_services.create_update`` / ``save_draft``), kept by a partial unique
constraint too; the web form and the API say the same, each in its way (a redirect or the form kept with a link;
a 409 naming the existing update).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, UpdateStatus
from monitoring.update_views import current_period
from tests.conftest import content, draft, update_form_data

pytestmark = pytest.mark.django_db

HALF_YEAR = {"period_start": datetime.date(2026, 1, 1), "period_end": datetime.date(2026, 6, 30)}


def start(world, user="author", **overrides):
    return services.create_update(
        project=world.project, organisation=world.lead, author=world[user], content=content(**overrides)
    )


def test_the_service_refuses_a_second_update_for_the_period_and_names_the_first(world):
    first = start(world, "colleague")
    with pytest.raises(services.UpdateInProgressError) as refused:
        start(world)
    assert refused.value.existing == first
    assert str(refused.value) == (
        f"{world.lead} already has an update on this initiative for 1 January 2026 – 30 June 2026 (draft)."
    )
    # Another period, or another organisation's update, is no second update.
    start(world, period_end=datetime.date(2026, 12, 31))
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize("state", ["submitted", "returned"])
def test_a_submitted_or_returned_update_counts_and_an_approved_one_does_not(world, state):
    first = services.submit_update(update=start(world), user=world.author)
    if state == "returned":
        services.return_update(update=first, reviewer=world.secretariat, reason="Add figures.")
    with pytest.raises(services.UpdateInProgressError, match="submitted an update" if state == "submitted" else None):
        start(world)
    services.approve_update(
        update=services.submit_update(update=first, user=world.author) if state == "returned" else first,
        reviewer=world.secretariat,
    )
    assert start(world).status == UpdateStatus.DRAFT  # the approved one is the published record


def test_moving_a_draft_onto_a_period_in_progress_is_refused(world):
    start(world)
    other = start(world, period_end=datetime.date(2026, 12, 31))
    with pytest.raises(services.UpdateInProgressError):
        services.save_draft(update=other, user=world.author, content=content(**HALF_YEAR), expected_version=1)
    other.refresh_from_db()
    assert (other.period_end, other.version) == (datetime.date(2026, 12, 31), 1)


def test_the_database_refuses_two_updates_in_progress_for_one_period(world):
    first = start(world)
    second = ProgressUpdate(
        project=world.project,
        organisation=world.lead,
        author=world.colleague,
        status=UpdateStatus.SUBMITTED,
        **HALF_YEAR,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    ProgressUpdate.objects.filter(pk=first.pk).update(status=UpdateStatus.APPROVED)
    second.save()  # beside an approved one: fine


def test_withdrawing_an_approval_onto_a_period_in_progress_is_refused_with_a_reason(world):
    approved = services.approve_update(
        update=services.submit_update(update=start(world), user=world.author), reviewer=world.secretariat
    )
    start(world)  # the organisation's next update for the same period
    with pytest.raises(services.WorkflowError, match="another update in progress for this period"):
        services.withdraw_approval(update=approved, reviewer=world.reviewer2, reason="Disputed.")
    assert ProgressUpdate.objects.get(pk=approved.pk).status == UpdateStatus.APPROVED


# --- The web form -------------------------------------------------------------------------------------------------


def test_write_an_update_leads_to_the_draft_in_progress(client, world):
    proposed = dict(zip(("period_start", "period_end"), current_period(), strict=True))  # no cycle open
    first = start(world, "colleague", **proposed)
    client.force_login(world.author)
    response = client.get(reverse("updates:update-create", args=["duo-fellowship"]), follow=True)
    assert response.redirect_chain == [(reverse("updates:update-edit", args=[first.pk]), 302)]
    page = response.content.decode()
    assert "already has an update on this initiative" in page and "You were taken to it" in page


def test_write_an_update_leads_to_a_submitted_one_s_page(client, world):
    proposed = dict(zip(("period_start", "period_end"), current_period(), strict=True))
    first = services.submit_update(update=start(world, **proposed), user=world.author)
    client.force_login(world.colleague)
    response = client.get(reverse("updates:update-create", args=["duo-fellowship"]))
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()


def test_a_second_update_posted_keeps_the_text_and_links_to_the_first(client, world):
    first = start(world, "colleague")
    client.force_login(world.author)
    data = update_form_data(
        organisation=world.lead.pk,
        period_start="2026-01-01",
        period_end="2026-06-30",
        achievements="My own account of the half-year.",
        save="1",
    )
    response = client.post(reverse("updates:update-create", args=["duo-fellowship"]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "My own account of the half-year." in page  # nothing typed is lost
    assert f'href="{reverse("updates:update-edit", args=[first.pk])}"' in page
    assert '<a href="#id_period_start">Start of the period: ' in page
    assert ProgressUpdate.objects.count() == 1


# --- The API ------------------------------------------------------------------------------------------------------


def test_the_api_answers_409_with_the_update_in_progress(world):
    first = draft(world)
    api = APIClient()
    api.force_authenticate(world.colleague)
    body = {"initiative": "duo-fellowship", "period_start": "2026-01-01", "period_end": "2026-06-30"}
    answer = api.post("/api/v1/updates/", body, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "update_in_progress"
    assert answer.json()["existing"] == {
        "id": first.pk,
        "url": f"http://testserver/api/v1/updates/{first.pk}/",
        "status": "draft",
        "version": 1,
    }
    assert "already has an update on this initiative for 1 January 2026 – 30 June 2026" in answer.json()["detail"]

    other = api.post("/api/v1/updates/", {**body, "period_end": "2026-12-31"}, format="json").json()
    moved = api.patch(f"/api/v1/updates/{other['id']}/", {"version": 1, "period_end": "2026-06-30"}, format="json")
    assert moved.status_code == 409 and moved.json()["existing"]["id"] == first.pk
