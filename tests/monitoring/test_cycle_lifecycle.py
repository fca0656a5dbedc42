"""A reporting cycle's lifecycle: a published cycle refuses submit, approve and withdraw through the web, the API
and the admin (one rule, in monitoring.permissions); a closed one takes no more drafts, and what was left in it
moves to the current cycle in one click; after publishing, the next cycle is proposed from the two-year rhythm.

The world (tests/monitoring/conftest.py): cycle 1 (2022–2023) open; alpha approved (EUR), beta submitted (ASI),
delta approved (ASI).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring import cycle_services
from monitoring import update_services as services
from monitoring.models import CycleStatus, ProgressUpdate, ReportingCycle, UpdateStatus, WorkPlanItemReport

from .conftest import make_cycle, set_status

pytestmark = pytest.mark.django_db

PUBLISHED = "was published on"
DAY = datetime.timedelta(days=1)


def draft_on(world, project, organisation, author, **content) -> ProgressUpdate:
    values = {"period_start": datetime.date(2023, 1, 1), "period_end": datetime.date(2023, 6, 30)}
    return services.create_update(
        project=project,
        organisation=organisation,
        author=author,
        content=services.UpdateContent(
            **{**values, "achievements": "Written, never submitted.", "initiative_status": "ongoing", **content}
        ),
    )


@pytest.fixture
def published(world):
    """Cycle 1 published with a draft on alpha (EUR), beta's update submitted and alpha's approved in it."""
    draft = draft_on(world, world.alpha, world.eur, world.author_eur)
    cycle_services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    world.cycle.refresh_from_db()
    return {
        "draft": draft,
        "submitted": ProgressUpdate.objects.get(project=world.beta, status=UpdateStatus.SUBMITTED),
        "approved": ProgressUpdate.objects.get(project=world.alpha, status=UpdateStatus.APPROVED),
    }


def statuses(*updates):
    return [ProgressUpdate.objects.get(pk=u.pk).status for u in updates]


def test_the_services_refuse_each_verb_with_a_clear_message(world, published):
    with pytest.raises(services.WorkflowError, match="nothing more can be submitted to it"):
        services.submit_update(update=published["draft"], user=world.author_eur)
    with pytest.raises(services.WorkflowError, match="nothing more can be approved into it"):
        services.approve_update(update=published["submitted"], reviewer=world.secretariat)
    with pytest.raises(services.WorkflowError, match="can no longer be withdrawn"):
        services.withdraw_approval(update=published["approved"], reviewer=world.secretariat, reason="Disputed.")
    assert statuses(published["draft"], published["submitted"], published["approved"]) == [
        "draft",
        "submitted",
        "approved",
    ]


def test_the_web_refuses_them(client, world, published):
    draft, submitted, approved = published["draft"], published["submitted"], published["approved"]
    client.force_login(world.author_eur)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Submit to the Secretariat" not in page  # the button is not offered…
    response = client.post(reverse("updates:update-submit", args=[draft.pk]), {"version": draft.version})
    assert PUBLISHED in str(list(get_messages(response.wsgi_request))[0])  # …and the request is refused
    client.force_login(world.secretariat)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Approve and publish" not in page
    response = client.post(reverse("updates:update-approve", args=[submitted.pk]), {"version": submitted.version})
    assert PUBLISHED in str(list(get_messages(response.wsgi_request))[0])
    response = client.post(reverse("updates:update-withdraw", args=[approved.pk]), {"reason": "Disputed."})
    assert response.status_code == 400 and PUBLISHED in response.content.decode()
    queue = client.post(
        reverse("updates:review-queue"), {"updates": [f"{submitted.pk}:{submitted.version}"]}, follow=True
    )
    assert PUBLISHED in queue.content.decode()
    assert statuses(draft, submitted, approved) == ["draft", "submitted", "approved"]


def test_the_api_refuses_them(world, published):
    draft, submitted, approved = published["draft"], published["submitted"], published["approved"]
    author, secretariat = APIClient(), APIClient()
    author.force_login(world.author_eur)
    secretariat.force_login(world.secretariat)
    answers = [
        author.post(f"/api/v1/updates/{draft.pk}/submit/", {"version": draft.version}, format="json"),
        secretariat.post(f"/api/v1/updates/{submitted.pk}/approve/", {"version": submitted.version}, format="json"),
        secretariat.post(f"/api/v1/updates/{approved.pk}/withdraw-approval/", {"reason": "Disputed."}, format="json"),
    ]
    assert [answer.status_code for answer in answers] == [409, 409, 409]
    assert all(PUBLISHED in answer.json()["detail"] for answer in answers)
    allowed = author.get(f"/api/v1/updates/{draft.pk}/").json()["allowed"]
    assert allowed["submit"] is False
    assert statuses(draft, submitted, approved) == ["draft", "submitted", "approved"]


def test_the_admin_refuses_them(client, world, published):
    submitted = published["submitted"]
    client.force_login(world.secretariat)
    change = client.get(reverse("admin:monitoring_progressupdate_change", args=[submitted.pk])).content.decode()
    assert reverse("admin:monitoring_progressupdate_approve", args=[submitted.pk]) not in change
    page = client.post(
        reverse("admin:monitoring_progressupdate_approve", args=[submitted.pk]),
        {"version": submitted.version},
        follow=True,
    )
    assert PUBLISHED in page.content.decode()
    assert statuses(submitted) == ["submitted"]


def test_a_submitted_update_left_in_a_published_cycle_can_still_go_back_to_its_author(world, published):
    returned = services.return_update(update=published["submitted"], reviewer=world.secretariat, reason="Next cycle.")
    assert returned.status == UpdateStatus.RETURNED


# --- A closed cycle, and what was left in it ------------------------------------------------------------------


def test_a_closed_cycle_takes_no_more_drafts_but_a_returned_update_may_come_back(world):
    draft = draft_on(world, world.alpha, world.eur, world.author_eur)
    returned = services.return_update(
        update=ProgressUpdate.objects.get(project=world.beta, status="submitted"),
        reviewer=world.secretariat,
        reason="Add figures.",
    )
    set_status(world.cycle, CycleStatus.CLOSED)
    with pytest.raises(services.WorkflowError, match="took its last submissions on"):
        services.submit_update(update=draft, user=world.author_eur)
    assert services.submit_update(update=returned, user=world.author_asi).status == UpdateStatus.SUBMITTED
    # With a late-submission allowance, the draft may still be submitted.
    today = timezone.localdate()
    cycle_services.set_submission_window(
        cycle=world.cycle,
        user=world.secretariat,
        opens=world.cycle.submission_opens,
        closes=today - DAY,
        late_until=today + DAY,
    )
    assert services.submit_update(update=draft, user=world.author_eur).status == UpdateStatus.SUBMITTED


def test_a_draft_left_in_a_closed_cycle_moves_to_the_current_one_in_one_click(client, world):
    draft = draft_on(
        world,
        world.alpha,
        world.eur,
        world.author_eur,
        work_plan_reports=(services.WorkPlanReportData(item=world.items["w1"], done=True),),
    )
    set_status(world.cycle, CycleStatus.CLOSED)
    client.force_login(world.author_eur)
    dashboard = client.get(reverse("updates:dashboard"))
    assert [u.pk for u in dashboard.context["left_behind"]] == [draft.pk]
    assert "No reporting cycle takes updates today" in dashboard.content.decode()
    assert "They can move to the next cycle once it opens." in dashboard.content.decode()

    second = make_cycle(number=2, start=(2024, 1, 1), end=(2025, 12, 31), status=CycleStatus.OPEN)
    dashboard = client.get(reverse("updates:dashboard")).content.decode()
    assert "Move to cycle 2" in dashboard
    response = client.post(reverse("updates:update-move", args=[draft.pk]))
    assert response["Location"] == reverse("updates:update-edit", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.cycle, draft.status) == (second, UpdateStatus.DRAFT)
    assert (draft.period_start, draft.period_end) == (second.period_start, second.period_end)
    assert not WorkPlanItemReport.objects.filter(update=draft).exists()  # cycle 1's work plan stays there
    move = draft.transitions.last()
    assert "Moved from cycle 1 (2022–2023) to cycle 2 (2024–2025)" in move.reason
    assert "1 answer on cycle 1's work plan" in move.reason
    assert client.get(reverse("updates:dashboard")).context["left_behind"] == []
    assert services.submit_update(update=draft, user=world.author_eur).status == UpdateStatus.SUBMITTED


def test_only_what_is_left_behind_moves_and_only_by_its_organisation(world):
    draft = draft_on(world, world.alpha, world.eur, world.author_eur)
    with pytest.raises(services.WorkflowError, match="still takes submissions"):
        services.move_to_current_cycle(update=draft, user=world.author_eur)
    set_status(world.cycle, CycleStatus.CLOSED)
    with pytest.raises(services.WorkflowError, match="No reporting cycle takes updates today"):
        services.move_to_current_cycle(update=draft, user=world.author_eur)
    make_cycle(number=2, start=(2024, 1, 1), end=(2025, 12, 31), status=CycleStatus.OPEN)
    with pytest.raises(services.PermissionDenied):
        services.move_to_current_cycle(update=draft, user=world.author_asi)
    approved = ProgressUpdate.objects.get(project=world.alpha, status=UpdateStatus.APPROVED)
    with pytest.raises(services.WorkflowError, match="Only a draft or a returned update"):
        services.move_to_current_cycle(update=approved, user=world.author_eur)
    moved, _removed = services.move_to_current_cycle(update=draft, user=world.author_eur)
    assert moved.cycle.number == 2


# --- After publishing: the next cycle ---------------------------------------------------------------------------


def test_after_publishing_the_next_cycle_is_proposed_and_dashboards_point_to_it(client, world):
    set_status(world.cycle, CycleStatus.CLOSED)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("reports:report-publish", args=[1]), {"executive_summary": "", "confirm_unresolved": "on"}
    )
    assert response["Location"] == reverse("reports:next-cycle", args=[1])
    page = client.get(response["Location"])
    today = timezone.localdate()
    # The two years after cycle 1; its window two years later has passed, so one from today.
    assert page.context["form"].initial == {
        "period_start": datetime.date(2024, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        "submission_opens": today,
        "submission_closes": today + datetime.timedelta(days=cycle_services.DEFAULT_WINDOW_DAYS),
    }
    closes = today + 30 * DAY
    form = {
        "period_start": "2024-01-01",
        "period_end": "2025-12-31",
        "submission_opens": today.isoformat(),
        "submission_closes": closes.isoformat(),
    }
    assert client.post(reverse("reports:next-cycle", args=[1]), {**form, "period_end": "2023-01-01"}).status_code == 400
    assert client.post(reverse("reports:next-cycle", args=[1]), form).status_code == 302
    second = ReportingCycle.objects.get(number=2)
    assert second.status == CycleStatus.OPEN and second.opening_meeting == world.cycle.closing_meeting
    assert ReportingCycle.objects.current() == second
    assert client.get(reverse("reports:next-cycle", args=[1])).status_code == 302  # only once
    client.force_login(world.author_eur)
    dashboard = client.get(reverse("updates:dashboard")).content.decode()
    assert "Reporting cycle 2 (2024–2025)</strong> — Open: submissions close on" in dashboard
    assert "(30 days left)" in dashboard


def test_the_next_cycle_is_the_secretariats_to_plan(client, world):
    cycle_services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    client.force_login(world.author_eur)
    assert client.get(reverse("reports:next-cycle", args=[1])).status_code == 403
    with pytest.raises(services.PermissionDenied):
        cycle_services.plan_next_cycle(
            previous=world.cycle,
            user=world.author_eur,
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            opens=timezone.localdate(),
            closes=timezone.localdate(),
        )


def test_the_proposal_follows_the_previous_window_two_years_later_when_it_is_still_to_come(world):
    world.cycle.submission_opens, world.cycle.submission_closes = datetime.date(2023, 10, 1), datetime.date(2024, 1, 31)
    proposal = cycle_services.propose_next_cycle(world.cycle, today=datetime.date(2024, 3, 1))
    assert (proposal.number, proposal.period_start, proposal.period_end) == (
        2,
        datetime.date(2024, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert (proposal.submission_opens, proposal.submission_closes) == (
        datetime.date(2025, 10, 1),
        datetime.date(2026, 1, 31),
    )


def test_the_dashboard_never_says_nothing_is_due_while_an_update_is_returned(client, world):
    beta = ProgressUpdate.objects.get(project=world.beta, status=UpdateStatus.SUBMITTED)
    client.force_login(world.author_asi)
    assert "Nothing is due" in client.get(reverse("updates:dashboard")).content.decode()
    services.return_update(update=beta, reviewer=world.secretariat, reason="Add the seminar's date.")
    page = client.get(reverse("updates:dashboard"))
    assert [p.slug for p in page.context["due"]] == ["beta"] and "Nothing is due" not in page.content.decode()
