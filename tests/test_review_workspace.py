"""The Secretariat's review workspace (issue 22, point 4): the queue with cycle, period, date and an excerpt, the
comparison with the previous approved update, approve and return one by one or in bulk, the same decisions in
the admin, and every notice of the workflow in the e-mail outbox."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, ReportingCycle, UpdateStatus
from tests.conftest import draft
from tests.factories import MembershipFactory, UserFactory
from tests.outbox import deliver, queued

pytestmark = pytest.mark.django_db

REVIEWERS = ["reviewer2@example.org", "secretariat@example.org"]


@pytest.fixture
def cycle(db) -> ReportingCycle:
    return ReportingCycle.objects.create(
        number=2,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        submission_opens=datetime.date(2026, 1, 1),
        submission_closes=datetime.date(2027, 12, 31),  # open today: a cycle's state follows its dates
    )


def submitted(world, **overrides) -> ProgressUpdate:
    return services.submit_update(update=draft(world, **overrides), user=world.author)


# --- Every notice of the workflow, in the outbox -------------------------------------------------------------------


def test_each_step_of_the_workflow_queues_its_notice(world):
    update = submitted(world)
    assert queued() == [(REVIEWERS, "Progress update submitted: DUO Fellowship")]
    [message] = deliver()
    assert "(DUO) submitted a progress update on DUO Fellowship (1 January 2026 – 30 June 2026)" in message.body
    assert f"/updates/{update.pk}/" in message.body and "/updates/review/" in message.body

    services.return_update(update=update, reviewer=world.secretariat, reason="Add the figures.")
    assert queued() == [(["author@example.org"], "Your progress update on DUO Fellowship was returned")]
    deliver()

    services.submit_update(update=update, user=world.author)
    assert queued() == [(REVIEWERS, "Progress update resubmitted: DUO Fellowship")]
    assert "again, after it was returned" in deliver()[-1].body

    services.approve_update(update=update, reviewer=world.reviewer2)
    assert queued() == [(["author@example.org"], "Your progress update on DUO Fellowship is published")]
    deliver()

    services.withdraw_approval(update=update, reviewer=world.secretariat, reason="The figures are disputed.")
    assert queued() == [
        (["author@example.org"], "The approval of your progress update on DUO Fellowship was withdrawn")
    ]
    message = deliver()[-1]
    assert "The figures are disputed." in message.body and f"/updates/{update.pk}/" in message.body


def test_a_reviewer_who_submits_is_not_told_of_their_own_submission_and_inactive_staff_never(world):
    MembershipFactory(user=world.reviewer2, organisation=world.lead)  # a reviewer who reports for DUO too
    UserFactory(username="gone", email="gone@example.org", is_staff=True, is_active=False).groups.add(
        *world.secretariat.groups.all()
    )
    UserFactory(username="helpdesk", email="helpdesk@example.org", is_staff=True)  # staff, not the Secretariat
    services.submit_update(update=draft(world), user=world.reviewer2)
    assert queued() == [(["secretariat@example.org"], "Progress update submitted: DUO Fellowship")]


# --- A return's reason, once answered ------------------------------------------------------------------------------


def test_a_return_reason_no_longer_shows_once_the_update_is_resubmitted(client, world):
    update = submitted(world)
    services.return_update(update=update, reviewer=world.secretariat, reason="Add the alumni figures.")
    client.force_login(world.author)
    assert "Add the alumni figures." in client.get(update.get_absolute_url()).content.decode()
    assert "Add the alumni figures." in client.get(reverse("updates:dashboard")).content.decode()

    services.submit_update(update=update, user=world.author)
    update.refresh_from_db()
    assert update.return_reason == ""
    page = client.get(update.get_absolute_url()).content.decode()
    # Still in the update's history, no longer as an open request.
    assert "Reason for returning" not in page and "<q>Add the alumni figures.</q>" in page
    assert "Add the alumni figures." not in client.get(reverse("updates:dashboard")).content.decode()
    client.force_login(world.secretariat)
    assert client.get(reverse("api:update-detail", args=[update.pk])).json()["return_reason"] == ""


# --- The queue ---------------------------------------------------------------------------------------------------


def test_the_queue_shows_cycle_period_date_and_an_excerpt_and_compares_with_the_previous_approval(client, world, cycle):
    earlier = submitted(world, achievements="Ninety pairs exchanged in Bangkok.")
    services.approve_update(update=earlier, reviewer=world.secretariat)
    long_text = "Pairs exchanged in Seoul and Bangkok. " + " ".join(f"word{n}" for n in range(200))
    update = submitted(world, achievements=long_text, period_start=datetime.date(2026, 2, 1))

    client.force_login(world.secretariat)
    page = client.get(reverse("updates:review-queue")).content.decode()
    assert "Cycle 2 (2026–2027)" in page
    assert "Period 1 February 2026 – 30 June 2026" in page
    assert f"Submitted on {datetime.date.today().day} " in page
    assert "Pairs exchanged in Seoul and Bangkok." in page and "word30" in page and "word150" not in page
    compare_url = reverse("updates:update-compare", args=[update.pk])
    assert compare_url in page

    compare = client.get(compare_url)
    assert compare.status_code == 200
    text = compare.content.decode()
    assert "<del>Ninety pairs</del> <ins>Pairs</ins> exchanged in <ins>Seoul and</ins> Bangkok." in text
    assert "1 January 2026 – 30 June 2026" in text  # the previous approved update's period

    # Only those who follow its workflow compare it: an outsider does not even see it.
    client.force_login(world.outsider)
    assert client.get(compare_url).status_code == 404


def test_the_first_update_of_an_initiative_has_nothing_to_compare_with(client, world):
    update = submitted(world)
    client.force_login(world.secretariat)
    page = client.get(reverse("updates:review-queue")).content.decode()
    assert reverse("updates:update-compare", args=[update.pk]) not in page
    assert "No earlier approved update to compare with." in page
    compare = client.get(reverse("updates:update-compare", args=[update.pk]))
    assert compare.status_code == 200 and "no earlier approved update" in compare.content.decode()


def test_approve_one_row_from_the_queue(client, world):
    first, second = submitted(world), submitted(world)
    client.force_login(world.secretariat)
    response = client.post(reverse("updates:review-queue"), {"approve_one": f"{second.pk}:{second.version}"})
    assert response.status_code == 302
    assert dict(ProgressUpdate.objects.values_list("pk", "status")) == {
        first.pk: UpdateStatus.SUBMITTED,
        second.pk: UpdateStatus.APPROVED,
    }
    # A row's button carries the version read: a stale one is refused, with the reason, and nothing changes.
    stale = client.post(
        reverse("updates:review-queue"), {"approve_one": f"{first.pk}:{first.version - 1}"}, follow=True
    )
    assert "changed since you opened it" in stale.content.decode()
    first.refresh_from_db()
    assert first.status == UpdateStatus.SUBMITTED


def test_returning_several_from_the_queue_needs_a_reason_and_mails_each_author(client, world):
    updates = [submitted(world), submitted(world)]
    chosen = [f"{u.pk}:{u.version}" for u in updates]
    client.force_login(world.secretariat)
    queued_before = len(queued())

    refused = client.post(reverse("updates:review-queue"), {"updates": chosen, "decision": "return", "reason": " "})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Say why the updates are returned" in text
    assert all(f'value="{value}" id="select-{value.split(":")[0]}" aria-label' in text for value in chosen)
    assert "checked>" in text  # the ticks are kept
    assert set(ProgressUpdate.objects.values_list("status", flat=True)) == {UpdateStatus.SUBMITTED}

    nothing = client.post(reverse("updates:review-queue"), {"decision": "approve"})
    assert nothing.status_code == 400 and "Select at least one update." in nothing.content.decode()

    done = client.post(
        reverse("updates:review-queue"), {"updates": chosen, "decision": "return", "reason": "Add the figures."}
    )
    assert done.status_code == 302
    assert set(ProgressUpdate.objects.values_list("status", "return_reason")) == {
        (UpdateStatus.RETURNED, "Add the figures.")
    }
    assert (
        queued()[queued_before:]
        == [(["author@example.org"], "Your progress update on DUO Fellowship was returned")] * 2
    )


# --- The same decisions in the admin ---------------------------------------------------------------------------


def test_the_admin_update_page_offers_approve_and_return_through_the_same_services(client, world):
    update = submitted(world)
    client.force_login(world.secretariat)
    change = client.get(reverse("admin:monitoring_progressupdate_change", args=[update.pk]))
    page = change.content.decode()
    approve_url = reverse("admin:monitoring_progressupdate_approve", args=[update.pk])
    return_url = reverse("admin:monitoring_progressupdate_return", args=[update.pk])
    assert f"{approve_url}?version={update.version}" in page and f"{return_url}?version={update.version}" in page
    assert "View on site" in page

    # A return needs its reason; with it, the site's service returns the update and mails the author.
    assert client.get(f"{return_url}?version={update.version}").status_code == 200
    empty = client.post(return_url, {"reason": "", "version": update.version})
    assert empty.status_code == 400
    assert client.post(return_url, {"reason": "Add the figures.", "version": update.version}).status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED and update.transitions.last().actor == world.secretariat
    assert queued()[-1] == (["author@example.org"], "Your progress update on DUO Fellowship was returned")

    # A returned update offers neither; approving it anyway is refused by the service's rule.
    page = client.get(reverse("admin:monitoring_progressupdate_change", args=[update.pk])).content.decode()
    assert approve_url not in page and return_url not in page
    refused = client.post(approve_url, {"version": update.version}, follow=True)
    assert "Only a submitted update can be approved." in refused.content.decode()

    services.submit_update(update=update, user=world.author)
    update.refresh_from_db()
    stale = client.post(approve_url, {"version": update.version - 1}, follow=True)
    assert "changed since you opened it" in stale.content.decode()
    assert client.post(approve_url, {"version": "²"}).status_code == 400
    assert client.post(approve_url, {"version": update.version}).status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED and update.reviewed_by == world.secretariat


def test_the_admin_decisions_follow_the_permission_rule(client, world):
    own = services.submit_update(update=draft(world), user=world.author)
    # A staff member outside the Secretariat is refused by the same rule as on the site.
    helpdesk = UserFactory(username="helpdesk", is_staff=True)
    client.force_login(helpdesk)
    approve_url = reverse("admin:monitoring_progressupdate_approve", args=[own.pk])
    assert client.post(approve_url, {"version": own.version}).status_code in (403, 404)
    own.refresh_from_db()
    assert own.status == UpdateStatus.SUBMITTED
    # Unknown and malformed ids are a 404, never a 500.
    client.force_login(world.secretariat)
    for bogus in ("999999", "abc", "²"):
        url = reverse("admin:monitoring_progressupdate_approve", args=[bogus])
        assert client.get(url).status_code == 404


# --- The Secretariat finds its way -----------------------------------------------------------------------------


def test_staff_see_an_admin_link_in_the_site_header_and_contributors_do_not(client, world):
    admin_link = f'href="{reverse("admin:index")}"'
    client.force_login(world.secretariat)
    assert admin_link in client.get(reverse("home")).content.decode()
    client.force_login(world.author)
    assert admin_link not in client.get(reverse("home")).content.decode()


def test_the_secretariat_landing_page_does_not_say_they_belong_to_no_organisation(client, world):
    client.force_login(world.secretariat)
    page = client.get(reverse("updates:dashboard")).content.decode()
    assert "not a member of an organisation" not in page and "You review the updates" in page
    client.force_login(UserFactory(username="newcomer"))
    assert "not a member of an organisation" in client.get(reverse("updates:dashboard")).content.decode()
