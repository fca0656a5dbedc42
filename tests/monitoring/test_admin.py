"""The Secretariat's admin for cycles: changelists, the work plan inline, and actions that call the services."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.cycle_services import publish_report
from monitoring.models import CycleStatus, Meeting, ReportingCycle, StocktakingReport, WorkPlanItem

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "monitoring_meeting",
    "monitoring_reportingcycle",
    "monitoring_workplanitem",
    "monitoring_workplanitemreport",
    "monitoring_stocktakingreport",
    "monitoring_reminderlog",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_load_with_few_queries(client, world, name, django_assert_max_num_queries):
    client.force_login(world.secretariat)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_work_plan_items_are_edited_inline_under_their_cycle(client, world):
    client.force_login(world.secretariat)
    url = reverse("admin:monitoring_reportingcycle_change", args=[world.cycle.pk])
    page = client.get(url).content.decode()
    assert "w1 summer school" in page and "autocomplete" in page
    assert "Import the work plan (CSV, XLSX)" in page


def test_cycle_actions_go_through_the_services(client, world):
    client.force_login(world.secretariat)
    changelist = reverse("admin:monitoring_reportingcycle_changelist")
    today = timezone.localdate()
    second = ReportingCycle.objects.create(
        number=2,
        period_start="2024-01-01",
        period_end="2025-12-31",
        submission_opens=today + datetime.timedelta(days=200),
        submission_closes=today + datetime.timedelta(days=260),
    )
    assert second.status == CycleStatus.PLANNED
    # Opening a second cycle while the first takes submissions is refused with a message, not a crash.
    response = client.post(changelist, {"action": "open_submissions", "_selected_action": [second.pk]}, follow=True)
    assert "the windows of two cycles cannot overlap" in response.content.decode()
    # Publishing leads to the site's publish page, which checks what is left first.
    response = client.post(changelist, {"action": "publish_report", "_selected_action": [world.cycle.pk]})
    assert response["Location"] == reverse("reports:report-publish", args=[1])
    client.post(response["Location"], {"confirm_unresolved": "on"})
    assert StocktakingReport.objects.get(cycle=world.cycle).published_by == world.secretariat
    client.post(changelist, {"action": "open_submissions", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.status == CycleStatus.OPEN


def test_status_is_not_edited_by_hand(client, world):
    client.force_login(world.secretariat)
    page = client.get(reverse("admin:monitoring_reportingcycle_change", args=[world.cycle.pk])).content.decode()
    assert 'name="status"' not in page


def test_meetings_autocomplete_host_countries_and_name_themselves(client, world):
    client.force_login(world.secretariat)
    page = client.get(reverse("admin:monitoring_meeting_add")).content.decode()
    assert "admin-autocomplete" in page
    assert str(Meeting.objects.get(number=8)) == "ASEMME8 (2021)"


def test_frozen_reports_are_read_only(client, world):
    report = publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    client.force_login(world.secretariat)
    page = client.get(reverse("admin:monitoring_stocktakingreport_change", args=[report.pk]))
    assert page.status_code == 200
    response = client.post(reverse("admin:monitoring_stocktakingreport_change", args=[report.pk]), {"status": "draft"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "published"


def test_the_workplan_changelist_filters_by_cycle_and_initiative(client, world):
    client.force_login(world.secretariat)
    url = reverse("admin:monitoring_workplanitem_changelist")
    response = client.get(url, {"cycle__id__exact": world.cycle.pk, "project__id__exact": world.alpha.pk})
    assert response.status_code == 200
    assert [i.planned_activity for i in response.context["cl"].result_list] == ["w1 summer school", "w2 publish report"]
    assert WorkPlanItem.objects.count() == 4
