""" "Nothing to report this cycle" (with its reason) counts as reported; the contributor's own assessment of
progress and the Secretariat's, given at approval, are published side by side: on the update, on the initiative
page, in the report and its files, and in the API.

The world (tests/monitoring/conftest.py): cycle 1 (2022–2023) open; alpha approved (EUR), beta submitted (ASI),
delta approved (ASI).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.completeness import completeness
from monitoring.models import ProgressUpdate, UpdateStatus
from monitoring.report import build_report
from stakeholders.models import Organisation
from tests.conftest import update_form_data

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

REASON = "The next summer school is in 2024."


def beta_form(**overrides) -> dict:
    data = update_form_data(
        organisation=str(Organisation.objects.get(slug="asi").pk),
        version="",
        period_start="2023-01-01",
        period_end="2023-06-30",
        achievements="",
        challenges="",
        next_steps="",
        links="",
        submit="1",
        initiative_status="ongoing",
    )
    data.update(overrides)
    return data


@pytest.fixture
def beta_free(world):
    """Beta without its submitted update: ASI has not answered for it yet."""
    ProgressUpdate.objects.filter(project=world.beta, cycle=world.cycle).delete()
    return world


def test_nothing_to_report_needs_its_reason_and_counts_as_reported(client, beta_free):
    world = beta_free
    client.force_login(world.author_asi)
    url = reverse("updates:update-create", args=["beta"])
    refused = client.post(url, beta_form(nothing_to_report="on"))
    assert refused.status_code == 400
    assert "Say in a sentence why there is nothing to report." in refused.content.decode()
    assert client.post(url, beta_form()).status_code == 400  # nor a blank update
    assert client.post(url, beta_form(nothing_to_report="on", nothing_to_report_reason=REASON)).status_code == 302
    answer = ProgressUpdate.objects.get(project=world.beta, cycle=world.cycle)
    assert (answer.status, answer.nothing_to_report, answer.nothing_to_report_reason) == ("submitted", True, REASON)
    services.approve_update(update=answer, reviewer=world.secretariat)

    rows, totals = completeness(world.cycle)
    asi = next(row for row in rows if row.organisation == world.asi)
    assert (asi.approved, asi.missing, totals.approved) == (2, [], 3)
    report = build_report(world.cycle, today=AS_OF)
    assert report.summary.reported == 3
    beta = next(entry for entry in report.initiatives if entry.slug == "beta")
    assert beta.reported and beta.updates[0].nothing_to_report_reason == REASON
    client.force_login(world.secretariat)
    page = client.get(reverse("reports:report-detail", args=[1])).content.decode()
    assert f"Nothing to report this cycle:</strong> {REASON}" in page
    public = client.get(world.beta.get_absolute_url()).content.decode()
    assert f"Nothing to report this cycle:</strong> {REASON}" in public


def test_both_assessments_are_published_side_by_side(client, world):
    client.force_login(world.author_eur)
    url = reverse("updates:update-create", args=["alpha"])
    data = update_form_data(
        organisation=world.eur.pk, version="", period_start="2023-07-01", period_end="2023-12-31", achievements="Second half.", challenges="",
        next_steps="", links="", submit="1", self_assessment="minor_delays", initiative_status="ongoing",
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    update = ProgressUpdate.objects.get(project=world.alpha, status=UpdateStatus.SUBMITTED)
    assert update.self_assessment == "minor_delays"
    # The Secretariat's own, given at approval on the update's page.
    client.force_login(world.secretariat)
    page = client.get(update.get_absolute_url()).content.decode()
    assert "The Secretariat&#x27;s assessment of progress" in page
    approve = reverse("updates:update-approve", args=[update.pk])
    client.post(approve, {"version": update.version, "rating": "major_delays", "comment": "The school slipped."})
    update.refresh_from_db()
    assert (update.status, update.secretariat_rating, update.secretariat_comment) == (
        "approved",
        "major_delays",
        "The school slipped.",
    )
    client.logout()
    public = client.get(world.alpha.get_absolute_url()).content.decode()
    assert "Assessment by EUR" in public and "Minor delays" in public
    assert "Major delays" in public and "The school slipped." in public

    report = build_report(world.cycle, today=AS_OF)
    entry = next(u for i in report.initiatives for u in i.updates if u.pk == update.pk)
    assert (entry.self_assessment_label, entry.secretariat_rating_label) == ("Minor delays", "Major delays")
    client.force_login(world.secretariat)
    page = client.get(reverse("reports:report-detail", args=[1])).content.decode()
    assert "Assessment by EUR: <strong>Minor delays</strong>" in page
    assert "s: <strong>Major delays</strong> — The school slipped." in page
    csv = client.get(reverse("reports:report-csv", args=[1])).content.decode()
    assert f"update,alpha#{update.pk},secretariat_rating,major_delays" in csv

    api = APIClient().get(f"/api/v1/updates/{update.pk}/").json()
    assert (api["self_assessment"], api["secretariat_rating"], api["secretariat_comment"]) == (
        "minor_delays",
        "major_delays",
        "The school slipped.",
    )


def test_the_api_takes_both_and_refuses_a_rating_not_offered(world):
    author, secretariat = APIClient(), APIClient()
    author.force_login(world.author_eur)
    secretariat.force_login(world.secretariat)
    body = {
        "initiative": "alpha", "period_start": "2023-07-01", "period_end": "2023-12-31",
        "nothing_to_report": True, "nothing_to_report_reason": REASON, "self_assessment": "not_started", "initiative_status": "planned",
    }  # fmt: skip
    created = author.post("/api/v1/updates/", body, format="json")
    assert created.status_code == 201, created.json()
    url = created.json()["url"]
    assert author.post(url + "submit/", {"version": created.json()["version"]}, format="json").status_code == 200
    version = author.get(url).json()["version"]
    wrong = secretariat.post(url + "approve/", {"version": version, "rating": "excellent"}, format="json")
    assert wrong.status_code == 400 and "rating" in wrong.json()["errors"]
    approved = secretariat.post(url + "approve/", {"version": version, "rating": "on_track"}, format="json")
    assert approved.status_code == 200 and approved.json()["secretariat_rating"] == "on_track"
    assert approved.json()["nothing_to_report_reason"] == REASON
    with pytest.raises(services.WorkflowError, match="ratings offered"):
        services.approve_update(
            update=ProgressUpdate.objects.get(project=world.beta, cycle=world.cycle), reviewer=world.secretariat,
            rating="excellent",
        )  # fmt: skip


def test_a_nothing_to_report_answer_has_its_reason_in_the_database_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.filter(project=world.alpha).update(nothing_to_report=True, nothing_to_report_reason="")
