"""The report is built from a fixed number of queries, whatever the size of the plan (measured at two sizes)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import ProgressUpdate, WorkPlanItem
from monitoring.report import build_report
from tests.factories import build_plan

from .conftest import make_cycle

pytestmark = pytest.mark.django_db

SIZES = [4, 40]


def grow(cycle, size: int) -> None:
    """Add ``size`` initiatives with milestones, indicators and updates (half approved) to the plan and the cycle."""
    projects = build_plan(size)
    ProgressUpdate.objects.filter(cycle=None).update(cycle=cycle)
    for project in projects:
        WorkPlanItem.objects.create(cycle=cycle, project=project, planned_activity=f"Plan of {project.slug}")


def plan_in_a_cycle(size: int):
    cycle = make_cycle(start=(2026, 1, 1), end=(2027, 12, 31))
    grow(cycle, size)
    return cycle


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_builder_needs_the_same_queries_at_both_sizes(db):
    cycle = make_cycle(start=(2026, 1, 1), end=(2027, 12, 31))
    counts, sizes = [], []
    for added in (SIZES[0], SIZES[1] - SIZES[0]):
        grow(cycle, added)
        counts.append(count_queries(lambda: build_report(cycle)))
        report = build_report(cycle)
        sizes.append(report.summary.initiatives)
        assert report.summary.approved_updates and report.summary.work_plan_items == report.summary.initiatives
    assert sizes == SIZES
    # cycle, previous cycle, objectives, subgoals, the actions serving them, every action (4), initiatives, leads
    # and partners, rows, approved updates, milestones of the cycle, indicators, their values (of this cycle only:
    # it is the first), work plan, work-plan reports, history at the baseline, removals, delayed milestones,
    # coverage's updates per organisation, the summary's updates and organisations, balance overall and per
    # objective, the Chair's Conclusions of the cycle's meetings; the approved updates' writers (their authors,
    # history saves, submissions and names: permissions.writers_by_update): 27
    assert counts[0] == counts[1] <= 27, counts


@pytest.mark.parametrize("size", SIZES)
def test_report_page_and_exports_have_a_fixed_query_budget(
    client, secretariat_user, django_assert_max_num_queries, size
):
    cycle = plan_in_a_cycle(size)
    client.force_login(secretariat_user)
    # session, user, groups (Secretariat?), the cycle, its frozen report (none), the builder's 27 queries
    with django_assert_max_num_queries(34):
        assert client.get(reverse("reports:report-detail", args=[cycle.number])).status_code == 200
    with django_assert_max_num_queries(34):
        assert client.get(reverse("reports:report-csv", args=[cycle.number])).status_code == 200
    with django_assert_max_num_queries(34):
        assert client.get(reverse("reports:report-xlsx", args=[cycle.number])).status_code == 200
    # session, user, groups, the cycles, then completeness: initiatives, updates, members, organisations, reminders;
    # the demo-data banner
    with django_assert_max_num_queries(11):
        assert client.get(reverse("reports:completeness")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("reports:report-list")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_a_published_report_is_read_from_one_row(client, secretariat_user, django_assert_max_num_queries, size):
    from monitoring.cycle_services import publish_report

    cycle = plan_in_a_cycle(size)
    publish_report(cycle=cycle, user=secretariat_user, confirmed=True)
    # the content version (the page cache), the cycle, its frozen report's row and its report, whether
    # demonstration data is loaded (the banner)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("reports:report-detail", args=[cycle.number])).status_code == 200
    # then, for an anonymous visitor, the page from the cache: the content version alone
    with django_assert_max_num_queries(1):
        assert client.get(reverse("reports:report-detail", args=[cycle.number])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("reports:report-csv", args=[cycle.number])).status_code == 200
