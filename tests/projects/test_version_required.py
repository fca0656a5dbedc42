"""Every web and API edit, submit, approve and return of an update carries the ``version`` its sender read:
without it the answer is a clear error and nothing changes; with a stale one, a conflict and nothing changes.
(Concurrent edits never silently overwrite.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, UpdateStatus, UpdateTransition
from tests.conftest import content, draft, update_form_data

pytestmark = pytest.mark.django_db

OUT_OF_DATE = "This page is out of date: open the update again, read it, then decide."
NO_VERSION = "Send the version you read: it guards against overwriting someone else&#x27;s work."


def fresh(update) -> ProgressUpdate:
    return ProgressUpdate.objects.get(pk=update.pk)


def edit_data(world, update, **fields) -> dict:
    return update_form_data(
        organisation=str(world.lead.pk),
        period_start=update.period_start.isoformat(),
        period_end=update.period_end.isoformat(),
        achievements=fields.pop("achievements", "Changed."),
        initiative_status="ongoing",
        challenges="",
        next_steps="",
        links="",
        **fields,
    )


def someone_else_saves(world, update) -> ProgressUpdate:
    changed = content(period_start=update.period_start, period_end=update.period_end, achievements="Theirs.")
    return services.save_draft(update=update, user=world.colleague, content=changed, expected_version=update.version)


# --- The web ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "abc", "²"])
def test_a_web_edit_without_a_version_saves_nothing_and_says_why(client, world, version):
    update = draft(world)
    client.force_login(world.author)
    data = edit_data(world, update, achievements="Mine.")
    if version is not None:
        data["version"] = version
    response = client.post(reverse("updates:update-edit", args=[update.pk]), data)
    assert response.status_code == 400
    assert "This form does not say which version of the update it was opened on" in response.content.decode()
    assert fresh(update).achievements == update.achievements and fresh(update).version == 1


def test_a_web_edit_with_a_stale_version_is_a_conflict(client, world):
    update = draft(world)
    someone_else_saves(world, update)
    client.force_login(world.author)
    response = client.post(reverse("updates:update-edit", args=[update.pk]), edit_data(world, update, version=1))
    assert response.status_code == 409
    assert fresh(update).achievements == "Theirs."


def test_a_web_edit_that_also_submits_needs_the_version_too(client, world):
    update = draft(world)
    client.force_login(world.author)
    response = client.post(
        reverse("updates:update-edit", args=[update.pk]), {**edit_data(world, update), "submit": "1"}
    )
    assert response.status_code == 400
    assert fresh(update).status == UpdateStatus.DRAFT


@pytest.mark.parametrize("version", [None, "", "abc", "9" * 5000])
def test_a_web_submit_without_a_version_submits_nothing_and_says_why(client, world, version):
    update = draft(world)
    client.force_login(world.author)
    data = {} if version is None else {"version": version}
    response = client.post(reverse("updates:update-submit", args=[update.pk]), data, follow=True)
    assert OUT_OF_DATE.replace("'", "&#x27;") in response.content.decode()
    assert fresh(update).status == UpdateStatus.DRAFT


def test_a_web_submit_with_a_stale_version_submits_nothing(client, world):
    update = draft(world)
    someone_else_saves(world, update)
    client.force_login(world.author)
    response = client.post(reverse("updates:update-submit", args=[update.pk]), {"version": 1}, follow=True)
    assert "Someone else saved this update since you opened it" in response.content.decode()
    assert fresh(update).status == UpdateStatus.DRAFT
    client.post(reverse("updates:update-submit", args=[update.pk]), {"version": 2})
    assert fresh(update).status == UpdateStatus.SUBMITTED


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_web_approval_or_return_without_or_with_a_stale_version_changes_nothing(client, world, decision):
    update = services.submit_update(update=draft(world), user=world.author)
    client.force_login(world.secretariat)
    url = reverse(f"updates:update-{decision}", args=[update.pk])
    extra = {"reason": "Add figures."} if decision == "return" else {}
    for data in ({}, {"version": ""}, {"version": "abc"}, {"version": update.version - 1}):
        response = client.post(url, {**extra, **data}, follow=True)
        page = response.content.decode()
        assert OUT_OF_DATE.replace("'", "&#x27;") in page or "changed since you opened it" in page, data
        assert fresh(update).status == UpdateStatus.SUBMITTED
    client.post(url, {**extra, "version": update.version})
    assert fresh(update).status != UpdateStatus.SUBMITTED


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_the_admins_approval_and_return_need_the_version_too(client, world, decision):
    update = services.submit_update(update=draft(world), user=world.author)
    client.force_login(world.secretariat)
    url = reverse(f"admin:monitoring_progressupdate_{decision}", args=[update.pk])
    extra = {"reason": "Add figures."} if decision == "return" else {}
    # (An empty POST shows the page again, like a GET; a body without a usable version is a form error.)
    assert client.post(url, {**extra, "version": ""}).status_code == 400
    assert client.post(url, {**extra, "version": "x"}).status_code == 400
    assert fresh(update).status == UpdateStatus.SUBMITTED
    assert UpdateTransition.objects.filter(update=update).count() == 2


def test_the_review_queue_approves_only_at_the_version_shown(client, world):
    update = services.submit_update(update=draft(world), user=world.author)
    client.force_login(world.secretariat)
    assert client.post(reverse("updates:review-queue"), {"updates": [str(update.pk)]}).status_code == 400
    assert fresh(update).status == UpdateStatus.SUBMITTED


# --- The API ----------------------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize(
    "persona, action, extra",
    [
        ("author", "submit", {}),
        ("secretariat", "approve", {}),
        ("secretariat", "return", {"reason": "Add figures."}),
    ],
)
def test_every_api_transition_needs_the_version(world, persona, action, extra):
    update = draft(world)
    if persona == "secretariat":
        update = services.submit_update(update=update, user=world.author)
    client = api_as(world[persona])
    url = f"/api/v1/updates/{update.pk}/{action}/"
    missing = client.post(url, extra, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"]["version"] == [NO_VERSION.replace("&#x27;", "'")]
    stale = client.post(url, {**extra, "version": update.version - 1 or 99}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == update.version
    assert fresh(update).status == update.status
    assert client.post(url, {**extra, "version": update.version}, format="json").status_code == 200


def test_an_api_edit_needs_the_version(world):
    update = draft(world)
    client = api_as(world.author)
    url = f"/api/v1/updates/{update.pk}/"
    missing = client.patch(url, {"achievements": "Mine."}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["version"] == [NO_VERSION.replace("&#x27;", "'")]
    someone_else_saves(world, update)
    stale = client.patch(url, {"version": 1, "achievements": "Mine."}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert fresh(update).achievements == "Theirs."
