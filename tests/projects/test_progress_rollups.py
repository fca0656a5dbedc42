"""Progress at every level (#21): the rollups of the plan, an objective and an action, each initiative's progress in
lists, the directory's and the API's progress filters, the API's figures and the indicators over time; every figure
from a fixed number of queries, asserted at two sizes."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action, StrategicObjective
from monitoring.models import IndicatorValue, ProgressUpdate, ReportingCycle, UpdateStatus
from monitoring.progress import Cycles, Scope, attach_progress, rollup
from projects.models import Milestone, MilestoneStatus, Project, ProjectStatus
from tests.factories import IndicatorFactory, MilestoneFactory, ProgressUpdateFactory, build_plan

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def cycle(number: int, start: int, **extra) -> ReportingCycle:
    return ReportingCycle.objects.create(
        number=number,
        period_start=datetime.date(start, 1, 1),
        period_end=datetime.date(start + 1, 12, 31),
        submission_opens=datetime.date(start + 1, 10, 1),
        submission_closes=datetime.date(start + 2, 1, 31),
        **extra,
    )


def approved(project, in_cycle=None, **fields):
    lead = project.participations.first().organisation
    return ProgressUpdateFactory(
        project=project,
        organisation=lead,
        status=UpdateStatus.APPROVED,
        cycle=in_cycle,
        reviewed_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def plan(db):
    """Five initiatives of build_plan (0, 3 under action 1; 1 under actions 2 and 3; 2 under 3; 4 under 2 and 1),
    with two cycles, the second current, and statuses, milestones and indicators of every kind."""
    projects = build_plan(5)
    Project.objects.update(status=None)
    Milestone.objects.update(planned_start=TODAY + datetime.timedelta(days=100), planned_end=None)  # on track
    ProgressUpdate.objects.all().delete()
    first, second = cycle(1, 2022), cycle(2, 2024)  # cycle 2's window opened last (the latest)
    p0, p1, p2, p3, _p4 = projects
    approved(p0, second)
    approved(p1, first)
    approved(p2, None)  # before cycles were kept
    Project.objects.filter(pk=p0.pk).update(status=ProjectStatus.ONGOING)
    Project.objects.filter(pk=p1.pk).update(status=ProjectStatus.COMPLETED)
    Project.objects.filter(pk=p2.pk).update(status=ProjectStatus.DELAYED)
    MilestoneFactory(project=p3, planned_start=TODAY - datetime.timedelta(days=3))  # date passed
    MilestoneFactory(project=p3, planned_start=TODAY + datetime.timedelta(days=3), status=MilestoneStatus.DELAYED)
    MilestoneFactory(
        project=p0, planned_start=TODAY - datetime.timedelta(days=30), status=MilestoneStatus.ACHIEVED,
        achieved_on=TODAY - datetime.timedelta(days=31),
    )  # fmt: skip
    IndicatorFactory(project=p0, baseline=0, target=10, latest_value=12, latest_value_on=TODAY)  # met
    IndicatorFactory(project=p1, target=None)  # no target
    return projects, first, second


def test_the_plan_rollup_counts_each_initiative_once_by_status_recency_milestones_and_indicators(plan):
    projects, first, second = plan
    cycles = Cycles.today(TODAY)
    assert (cycles.current, cycles.previous) == (second, first)
    figures = rollup(Scope(), cycles, TODAY)
    assert figures.initiatives == 5 and figures.reported == 1
    assert {b.key: b.count for b in figures.statuses.shown} == {
        "ongoing": 1, "completed": 1, "delayed": 1, "not_reported": 2,
    }  # fmt: skip
    assert {b.key: b.count for b in figures.recency.buckets} == {
        "this_cycle": 1, "last_cycle": 1, "earlier": 1, "never": 2,
    }  # fmt: skip
    # build_plan gives each a milestone (on track here) and an indicator with a target and no value.
    assert {b.key: b.count for b in figures.milestones.shown} == {"on_track": 5, "achieved": 1, "delayed": 1,
                                                                  "overdue": 1}  # fmt: skip
    assert {b.key: b.count for b in figures.indicators.shown} == {"met": 1, "no_target": 1, "no_value": 5}


def test_an_initiative_under_two_actions_counts_once_in_the_objective_and_once_per_action(plan):
    projects, _first, _second = plan
    cycles = Cycles.today(TODAY)
    objective = StrategicObjective.objects.get(number=1)  # actions 1 and 3 (3 serves 1.2 and 2.1)
    in_objective = Project.objects.filter(rows__action__subgoals__objective=objective).distinct().count()
    assert rollup(Scope.of(objective), cycles, TODAY).initiatives == in_objective
    by_action = {a.number: rollup(Scope.of(a), cycles, TODAY).initiatives for a in Action.objects.all()}
    assert sum(by_action.values()) == Project.objects.count() + 2  # initiatives 1 and 3 stand under two actions


def test_each_listed_initiative_shows_status_last_update_milestones_and_indicators(client, plan):
    projects, _first, _second = plan
    page = client.get("/initiatives/").content.decode()
    first = page[page.index(f'href="/initiatives/{projects[0].slug}/"') :]
    first = first[: first.index("</li>")]
    assert ">Ongoing</span>" in first
    assert f"last update {timezone.localdate():%-d %B %Y}".lower() in first.lower() and "(this cycle)" in first
    assert "2 milestones:" in first and "1 achieved" in first and "1 on track" in first
    assert "2 indicators:" in first and "1 target met" in first
    never = page[page.index(f'href="/initiatives/{projects[4].slug}/"') :]
    assert ">Not reported yet</span>" in never[:2000] and "no approved update yet" in never[:2000]


def test_the_objective_and_action_pages_show_their_rollup_and_how_it_is_counted(client, plan):
    for url in ("/", StrategicObjective.objects.get(number=1).get_absolute_url(), "/actions/1/", "/subgoals/1.1/"):
        page = client.get(url).content.decode()
        assert "Initiatives by status" in page and "Milestones by state" in page, url
        assert "Indicators against their targets" in page and "How this is counted" in page, url
        assert "Not reported yet" in page, url
    home = client.get("/").content.decode()
    assert "<strong>1 of 5</strong> initiatives have reported in cycle 2" in home
    assert "Reporting cycle 2 (2024–2025)" in home


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=not_reported", {3, 4}),
        ("status=delayed", {2}),
        ("reported=true", {0}),
        ("reported=false", {1, 2, 3, 4}),
        ("late_milestones=true", {3}),
        ("late_milestones=false", {0, 1, 2, 4}),
        ("status=not_reported&late_milestones=true", {3}),
    ],
)
def test_the_directory_and_the_api_filter_by_status_reporting_and_late_milestones(client, plan, query, expected):
    projects, _first, _second = plan
    slugs = {projects[i].slug for i in expected}
    page = client.get(f"/initiatives/?{query}")
    assert page.status_code == 200
    assert {p.slug for p in page.context["projects"]} == slugs
    api = client.get(f"/api/v1/initiatives/?{query}&page_size=100").json()
    assert {item["slug"] for item in api["results"]} == slugs


def test_unknown_progress_filter_values_are_400(client, plan):
    for query in ("status=suspended", "reported=maybe", "late_milestones=1"):
        assert client.get(f"/initiatives/?{query}").status_code == 400, query
        assert client.get(f"/api/v1/initiatives/?{query}").status_code == 400, query


def test_the_api_gives_the_figures_the_pages_show(client, plan):
    figures = client.get("/api/v1/progress/").json()
    assert figures["scope"] == "plan" and figures["cycle"] == 2
    assert (figures["initiatives"], figures["reported"]) == (5, 1)
    assert figures["statuses"]["not_reported"] == 2 and figures["reporting"]["last_cycle"] == 1
    assert figures["milestones"]["overdue"] == 1 and figures["indicators"]["met"] == 1
    assert client.get("/api/v1/progress/?action=2").json()["initiatives"] == rollup(
        Scope.of(Action.objects.get(number=2)), Cycles.today()
    ).initiatives
    for query in ("objective=x", "objective=9", "subgoal=9.9", "objective=1&action=1", "action=99999999999", "obj=1",
                  "subgoal=%00", "subgoal=" + "9" * 300):
        response = client.get(f"/api/v1/progress/?{query}")
        assert response.status_code == 400 and response.json()["errors"], query


def test_indicator_values_over_time_in_the_api_the_export_and_the_page(client, plan):
    projects, _first, second = plan
    project = projects[0]
    indicator = project.indicators.get(target=10)
    for value, month in ((Decimal("4"), 3), (Decimal("12"), 9)):
        update = approved(project, second, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, month, 28))
        IndicatorValue.objects.create(update=update, indicator=indicator, value=value, as_of=update.period_end,
                                      applied=True)  # fmt: skip
    withdrawn = approved(project, second)
    IndicatorValue.objects.create(update=withdrawn, indicator=indicator, value=99, as_of=TODAY, applied=False)

    item = client.get(f"/api/v1/initiatives/{project.slug}/").json()
    entry = next(i for i in item["indicators"] if i["id"] == indicator.pk)
    assert [(v["value"], v["as_of"]) for v in entry["values"]] == [(4.0, "2025-03-28"), (12.0, "2025-09-28")]
    assert entry["assessment"] == "met" and item["reporting"] == "this_cycle" and item["status"] == "ongoing"

    response = client.get("/api/v1/export/indicator-values.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    mine = [(r["value"], r["as_of"]) for r in rows if r["indicator"] == str(indicator.pk)]
    assert mine == [("4.00", "2025-03-28"), ("12.00", "2025-09-28")]

    page = client.get(project.get_absolute_url()).content.decode()
    chart = page[page.index(f'id="indicator-{indicator.pk}-heading"') :]
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in chart
    assert "Approved values: 4 (28 March 2025); 12 (28 September 2025)." in chart
    assert "<td>28 September 2025</td>" in chart and "99" not in chart[: chart.index("</table>")]


@pytest.mark.parametrize("size", [5, 60])
def test_rollups_and_list_progress_have_a_fixed_number_of_queries(size):
    build_plan(size)
    cycle(1, 2024)
    scopes = (Scope(), Scope.of(StrategicObjective.objects.first()), Scope.of(Action.objects.first()))
    with CaptureQueriesContext(connection) as queries:
        cycles = Cycles.today()
        for scope in scopes:
            rollup(scope, cycles)
    with CaptureQueriesContext(connection) as listing:
        attach_progress(list(Project.objects.all()), cycles)
    # The cycles; three per rollup. The initiatives; their updates, milestones and indicators.
    assert (len(queries), len(listing)) == (1 + 3 * 3, 1 + 3)


@pytest.mark.django_db(transaction=True)
def test_the_migration_empties_the_default_status_and_keeps_a_chosen_one():
    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    before = migrate([("projects", "0014_trigram_search")])
    Old = before.get_model("projects", "Project")
    for slug, status in (("shipped", "ongoing"), ("chosen", "completed"), ("paused", "suspended")):
        Old.objects.create(slug=slug, title=slug, status=status)
    after = migrate([("projects", "0015_initiative_status_from_updates")])
    statuses = dict(after.get_model("projects", "Project").objects.values_list("slug", "status"))
    assert statuses == {"shipped": None, "chosen": "completed", "paused": "discontinued"}
    back = migrate([("projects", "0014_trigram_search")])
    statuses = dict(back.get_model("projects", "Project").objects.values_list("slug", "status"))
    assert statuses == {"shipped": "ongoing", "chosen": "completed", "paused": "suspended"}
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
