"""A milestone's state has one definition (``Milestone.objects.with_state``): each case, its labels, its cost, and
the pages, the report and the API that read it."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, Q

from projects.models import Milestone, MilestoneState, MilestoneStatus
from tests.factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
YESTERDAY, TOMORROW = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)
LAST_WEEK = TODAY - datetime.timedelta(days=7)

# title: (status, planned date, planned end, achieved on, its state on TODAY)
CASES = {
    "achieved long after its date": (MilestoneStatus.ACHIEVED, YESTERDAY, None, YESTERDAY, MilestoneState.ACHIEVED),
    "cancelled, its date passed": (MilestoneStatus.CANCELLED, YESTERDAY, None, None, MilestoneState.CANCELLED),
    "planned, its date passed": (MilestoneStatus.PLANNED, YESTERDAY, None, None, MilestoneState.OVERDUE),
    "planned, its end passed": (MilestoneStatus.PLANNED, LAST_WEEK, YESTERDAY, None, MilestoneState.OVERDUE),
    "planned, ends later": (MilestoneStatus.PLANNED, YESTERDAY, TOMORROW, None, MilestoneState.ON_TRACK),
    "planned, due today": (MilestoneStatus.PLANNED, TODAY, None, None, MilestoneState.ON_TRACK),
    "planned, no date": (MilestoneStatus.PLANNED, None, None, None, MilestoneState.ON_TRACK),
    "delayed to tomorrow": (MilestoneStatus.DELAYED, YESTERDAY, TOMORROW, None, MilestoneState.DELAYED),
    "delayed, its new date passed": (MilestoneStatus.DELAYED, None, YESTERDAY, None, MilestoneState.OVERDUE),
    "delayed, no date": (MilestoneStatus.DELAYED, None, None, None, MilestoneState.DELAYED),
}


@pytest.fixture
def milestones(db) -> dict[str, MilestoneState]:
    project = ProjectFactory()
    expected = {}
    for title, (status, start, end, achieved_on, state) in CASES.items():
        MilestoneFactory(
            project=project, title=title, status=status, planned_start=start, planned_end=end, achieved_on=achieved_on
        )
        expected[title] = state
    return expected


def test_each_case_has_one_state(milestones, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = {m.title: m.state for m in Milestone.objects.with_state(TODAY)}
    assert found == milestones


def test_each_state_has_one_label(milestones):
    labels = {m.title: m.state_label for m in Milestone.objects.with_state(TODAY)}
    assert labels["planned, its date passed"] == "Date passed, no report yet"
    assert labels["delayed to tomorrow"] == "Delayed"
    assert {str(label) for label in MilestoneState.labels} == {
        "Achieved",
        "On track",
        "Delayed",
        "Date passed, no report yet",
        "Cancelled",
    }


def test_the_state_without_a_day_is_the_databases_today(milestones):
    """Module-level querysets (the API's prefetches) read today when they run, not when they were made."""
    today = datetime.date.today()
    late = MilestoneFactory(planned_start=today - datetime.timedelta(days=1))
    soon = MilestoneFactory(planned_start=today)
    states = dict(Milestone.objects.with_state().filter(pk__in=[late.pk, soon.pk]).values_list("pk", "state"))
    assert states == {late.pk: MilestoneState.OVERDUE, soon.pk: MilestoneState.ON_TRACK}


@pytest.mark.parametrize("initiatives", [3, 30])
def test_the_state_counts_by_initiative_in_one_query(milestones, django_assert_num_queries, initiatives):
    """What the roll-up pages need: each initiative's milestones by state, one query at any size."""
    for _ in range(initiatives):
        project = ProjectFactory()
        MilestoneFactory(project=project, planned_start=YESTERDAY)
        MilestoneFactory(project=project, planned_start=TOMORROW)
    counts = {state: Count("pk", filter=Q(state=state)) for state in MilestoneState.values}
    with django_assert_num_queries(1):
        rows = list(Milestone.objects.with_state(TODAY).values("project").annotate(**counts).order_by("project"))
    assert len(rows) == initiatives + 1
    first = rows[0]  # the cases' initiative
    assert {state: first[state] for state in MilestoneState.values} == {
        "achieved": 1,
        "on_track": 3,
        "delayed": 2,
        "overdue": 3,
        "cancelled": 1,
    }
    assert all((row["overdue"], row["on_track"]) == (1, 1) for row in rows[1:])
    with django_assert_num_queries(1):
        total = Milestone.objects.with_state(TODAY).aggregate(**counts)
    assert total["overdue"] == 3 + initiatives


def test_the_api_and_the_initiative_page_show_the_same_state(client, milestones):
    project = Milestone.objects.get(title="planned, its date passed").project
    # The API and the page read today's state; the cases were made for TODAY, so compare them with each other.
    expected = {m.title: m.state for m in Milestone.objects.with_state().filter(project=project)}
    api = client.get(f"/api/v1/initiatives/{project.slug}/").json()
    assert {m["title"]: m["state"] for m in api["milestones"]} == expected
    page = client.get(project.get_absolute_url())
    assert {m.title: m.state for m in page.context["milestones"]} == expected
