"""Four eyes on the content, not on the creator: nobody approves (or returns) an update they created, edited or
submitted, read from its history and its transitions; a Secretariat member who is also a member of the update's
organisation counts as one of its writers. One rule (monitoring.permissions.wrote), through the web, the API and
the admin alike. The update names everyone who wrote it, and so does the stocktaking report.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring import permissions
from monitoring import update_services as services
from monitoring.models import ProgressUpdate, UpdateStatus
from stakeholders.models import Membership
from tests.conftest import content, draft, update_form_data

pytestmark = pytest.mark.django_db

UPDATES = "/api/v1/updates/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def edit_form(world, update, **fields) -> dict:
    return update_form_data(
        version=str(update.version),
        organisation=str(world.lead.pk),
        period_start=update.period_start.isoformat(),
        period_end=update.period_end.isoformat(),
        achievements=fields.pop("achievements", update.achievements),
        initiative_status=update.initiative_status,
        challenges=update.challenges,
        next_steps=update.next_steps,
        links="",
        **fields,
    )


def fresh(update) -> ProgressUpdate:
    return ProgressUpdate.objects.get(pk=update.pk)


def edit(update, user, achievements: str = "Edited.") -> ProgressUpdate:
    """``user`` saves ``update`` with new achievements (its period kept), through the service."""
    changed = content(period_start=update.period_start, period_end=update.period_end, achievements=achievements)
    return services.save_draft(update=update, user=user, content=changed, expected_version=update.version)


# --- The bypass, end to end --------------------------------------------------------------------------------------


def test_the_bypass_through_the_web_is_a_403(client, world):
    """A Secretariat member invites their own address into the organisation, rewrites a colleague's draft,
    submits it, and tries to approve it."""
    secretariat = world.secretariat
    colleague_draft = draft(world)
    client.force_login(secretariat)
    invited = client.post(
        reverse("accounts:invite"),
        {"email": secretariat.email, "organisation": world.lead.pk, "role": "contributor"},
    )
    assert invited.status_code == 302
    assert Membership.objects.filter(user=secretariat, organisation=world.lead).exists()

    edited = client.post(
        reverse("updates:update-edit", args=[colleague_draft.pk]),
        edit_form(world, colleague_draft, achievements="Rewritten by the reviewer."),
    )
    assert edited.status_code == 302, edited.content.decode()[:2000]
    update = fresh(colleague_draft)
    submitted = client.post(reverse("updates:update-submit", args=[update.pk]), {"version": update.version})
    assert submitted.status_code == 302
    update = fresh(update)
    assert update.status == UpdateStatus.SUBMITTED and update.author == world.author

    approved = client.post(reverse("updates:update-approve", args=[update.pk]), {"version": update.version})
    assert approved.status_code == 403
    assert fresh(update).status == UpdateStatus.SUBMITTED
    # No button offers it either; the page names both writers.
    page = client.get(update.get_absolute_url()).content.decode()
    assert reverse("updates:update-approve", args=[update.pk]) not in page
    assert "Written by" in page and world.author.username in page and secretariat.username in page

    # Leaving the organisation again does not help: the history says who edited and submitted it.
    Membership.objects.filter(user=secretariat, organisation=world.lead).delete()
    client.force_login(secretariat)  # a fresh user object, without the memberships read before
    assert (
        client.post(reverse("updates:update-approve", args=[update.pk]), {"version": update.version}).status_code == 403
    )
    api = api_as(secretariat).post(f"{UPDATES}{update.pk}/approve/", {"version": update.version}, format="json")
    assert api.status_code == 403 and api.json()["code"] == "permission_denied"

    # Another member of the Secretariat, who wrote none of it, approves it.
    client.force_login(world.reviewer2)
    assert (
        client.post(reverse("updates:update-approve", args=[update.pk]), {"version": update.version}).status_code == 302
    )
    assert fresh(update).status == UpdateStatus.APPROVED


def test_the_bypass_through_the_api_is_a_403(world):
    secretariat = world.secretariat
    Membership.objects.create(user=secretariat, organisation=world.lead)  # e.g. added in the admin
    colleague_draft = draft(world)
    api = api_as(secretariat)
    edited = api.patch(f"{UPDATES}{colleague_draft.pk}/", {"version": 1, "achievements": "Rewritten."}, format="json")
    assert edited.status_code == 200, edited.json()
    assert sorted(edited.json()["writers"]) == sorted([world.author.username, secretariat.username])
    submitted = api.post(f"{UPDATES}{colleague_draft.pk}/submit/", {"version": 2}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["allowed"]["approve"] is False

    refused = api.post(f"{UPDATES}{colleague_draft.pk}/approve/", {"version": 3}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Nobody approves an update they wrote, edited or submitted, or one of their organisation's."
    )
    returned = api.post(f"{UPDATES}{colleague_draft.pk}/return/", {"version": 3, "reason": "Mine."}, format="json")
    assert returned.status_code == 403
    assert fresh(colleague_draft).status == UpdateStatus.SUBMITTED

    # Out of the organisation, still refused: the update's history names the editor.
    Membership.objects.filter(user=secretariat).delete()
    again = api_as(secretariat).post(f"{UPDATES}{colleague_draft.pk}/approve/", {"version": 3}, format="json")
    assert again.status_code == 403
    assert (
        api_as(world.reviewer2)
        .post(f"{UPDATES}{colleague_draft.pk}/approve/", {"version": 3}, format="json")
        .status_code
        == 200
    )


def test_the_admins_approval_asks_the_same_rule(client, world):
    Membership.objects.create(user=world.secretariat, organisation=world.lead)
    update = draft(world)
    update = edit(update, world.secretariat, "Edited.")
    Membership.objects.filter(user=world.secretariat).delete()
    update = services.submit_update(update=update, user=world.author)
    client.force_login(world.secretariat)
    page = client.get(reverse("admin:monitoring_progressupdate_change", args=[update.pk])).content.decode()
    approve_url = reverse("admin:monitoring_progressupdate_approve", args=[update.pk])
    assert approve_url not in page
    response = client.post(approve_url, {"version": update.version}, follow=True)
    assert "Nobody approves an update they wrote, edited or submitted" in response.content.decode()
    assert fresh(update).status == UpdateStatus.SUBMITTED


# --- Who counts as a writer ---------------------------------------------------------------------------------------


def reviewer(world):
    """The Secretariat member, as a new user object (nothing read about them kept from before)."""
    return type(world.secretariat).objects.get(pk=world.secretariat.pk)


def test_editing_alone_makes_one_a_writer(world):
    Membership.objects.create(user=world.secretariat, organisation=world.lead)
    update = edit(draft(world), world.secretariat, "Edited.")
    Membership.objects.filter(user=world.secretariat).delete()
    update = services.submit_update(update=update, user=world.author)
    with pytest.raises(PermissionDenied):
        services.approve_update(update=update, reviewer=reviewer(world), expected_version=update.version)


def test_submitting_alone_makes_one_a_writer(world):
    Membership.objects.create(user=world.secretariat, organisation=world.lead)
    update = services.submit_update(update=draft(world), user=world.secretariat)
    Membership.objects.filter(user=world.secretariat).delete()
    assert [w["name"] for w in permissions.writers(update)] == sorted([world.author.username, "secretariat"])
    with pytest.raises(PermissionDenied):
        services.approve_update(update=update, reviewer=reviewer(world))


def test_a_member_of_the_organisation_is_a_writer_even_without_touching_it(world):
    Membership.objects.create(user=world.secretariat, organisation=world.lead)
    update = services.submit_update(update=draft(world), user=world.author)
    assert not permissions.can(reviewer(world), permissions.APPROVE, update)
    assert not permissions.can(reviewer(world), permissions.RETURN, update)
    # A membership of another organisation changes nothing.
    Membership.objects.filter(user=world.secretariat).update(organisation=world.other)
    assert permissions.can(reviewer(world), permissions.APPROVE, update)


def test_returning_and_approving_do_not_make_a_reviewer_a_writer(world):
    update = services.submit_update(update=draft(world), user=world.author)
    update = services.return_update(update=update, reviewer=world.secretariat, reason="Add figures.")
    update = edit(update, world.colleague, "With figures.")
    update = services.submit_update(update=update, user=world.colleague)
    writers = [w["name"] for w in permissions.writers(update)]
    assert writers == ["author", "colleague"]
    update = services.approve_update(update=update, reviewer=world.secretariat, expected_version=update.version)
    # Withdrawing the approval (approved → submitted) is no submission either.
    update = services.withdraw_approval(update=update, reviewer=world.secretariat, reason="A typo.")
    assert [w["name"] for w in permissions.writers(update)] == ["author", "colleague"]
    assert permissions.can(reviewer(world), permissions.APPROVE, update)


def test_writers_are_named_by_their_full_name_when_they_have_one(world):
    world.colleague.first_name, world.colleague.last_name = "Chae-won", "Park"
    world.colleague.save()
    update = edit(draft(world), world.colleague, "Edited.")
    assert permissions.writers(update) == [
        {"id": world.author.pk, "name": "author"},
        {"id": world.colleague.pk, "name": "Chae-won Park"},
    ]


def test_the_api_shows_writers_to_members_and_the_secretariat_only(world):
    update = edit(draft(world), world.colleague, "Edited.")
    update = services.submit_update(update=update, user=world.colleague)
    services.approve_update(update=update, reviewer=world.secretariat)
    for user, expected in [
        (world.colleague, ["author", "colleague"]),
        (world.secretariat, ["author", "colleague"]),
        (world.outsider, None),
    ]:
        assert api_as(user).get(f"{UPDATES}{update.pk}/").json()["writers"] == expected
    assert APIClient().get(f"{UPDATES}{update.pk}/").json()["writers"] is None


@pytest.mark.parametrize("size", [2, 12])
def test_the_review_queue_reads_writers_in_a_fixed_number_of_queries(world, django_assert_max_num_queries, size):
    for _ in range(size):
        update = edit(draft(world), world.colleague, "Edited.")
        services.submit_update(update=update, user=world.author)
    client = api_as(world.secretariat)
    # token, secretariat check, memberships, count, page (with its writers), three prefetches
    with django_assert_max_num_queries(12):  # the page's writers: four queries (permissions.attach_writers)
        queue = client.get(f"{UPDATES}review-queue/").json()
    assert len(queue["results"]) == size
    assert all(item["writers"] == ["author", "colleague"] and item["allowed"]["approve"] for item in queue["results"])
