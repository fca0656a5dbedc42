"""The report builder's numbers against the hand-computed expectations of ``conftest.World``."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from monitoring import update_services as services
from monitoring.models import CycleStatus, IndicatorValue
from monitoring.report import build_report, from_json, to_json
from projects.models import Project, ProjectStatus
from tests.factories import ProjectFactory, ProjectOrganisationFactory

from .conftest import AS_OF, make_cycle, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    return build_report(world.cycle, today=AS_OF)


def test_summary(report):
    s = report.summary
    assert (s.initiatives, s.active_initiatives, s.new_initiatives) == (4, 3, 2)
    assert (s.reported, s.not_reported, s.approved_updates, s.reporting_organisations) == (2, 1, 2, 2)
    assert (s.milestones, s.milestones_achieved, s.milestones_on_track) == (5, 1, 1)
    assert (s.milestones_delayed, s.milestones_overdue, s.milestones_cancelled) == (1, 1, 1)
    assert (s.indicators, s.indicators_with_value, s.indicators_met, s.indicators_on_track) == (4, 2, 1, 2)
    assert (s.indicators_behind, s.indicators_no_value, s.indicators_no_target) == (0, 1, 1)
    assert (s.work_plan_items, s.work_plan_done, s.work_plan_not_done, s.work_plan_no_report) == (4, 2, 1, 1)


def test_per_objective_and_per_action(report):
    rows = {(r.label, r.initiatives, r.active, r.new, r.reported, r.not_reported) for r in report.summary.per_objective}
    assert rows == {("Strategic objective 1", 3, 3, 2, 2, 1), ("Strategic objective 2", 3, 2, 1, 1, 1)}
    actions = [(r.key, r.initiatives, r.active, r.new, r.reported, r.not_reported) for r in report.summary.per_action]
    assert actions == [("1", 2, 2, 2, 2, 0), ("2", 1, 1, 0, 0, 1), ("3", 2, 1, 1, 1, 0)]


def test_hierarchy_objective_subgoal_action_initiative(report):
    tree = {
        o.number: {s.code: {a.number: [i.slug for i in a.initiatives] for a in s.actions} for s in o.subgoals}
        for o in report.objectives
    }
    assert tree == {
        1: {"1.1": {1: ["alpha", "delta"]}, "1.2": {2: ["beta"]}},
        2: {"2.1": {2: ["beta"], 3: ["gamma", "delta"]}},
    }
    alpha_ref = report.objectives[0].subgoals[0].actions[0].initiatives[0]
    assert (alpha_ref.reported, alpha_ref.is_new, alpha_ref.leads) == (True, True, ["EUR"])


def test_initiative_details(report):
    by_slug = {i.slug: i for i in report.initiatives}
    assert [i.slug for i in report.initiatives] == ["alpha", "delta", "beta", "gamma"]  # the plan's order
    alpha = by_slug["alpha"]
    assert [u.organisation for u in alpha.updates] == ["EUR"]
    assert alpha.updates[0].excerpt == "Alpha did well in the first cycle."
    assert [(m.title, m.bucket) for m in alpha.milestones] == [("m1 summer school", "achieved")]
    (i1,) = alpha.indicators
    assert (i1.value, i1.expected, i1.assessment) == (Decimal("150.00"), Decimal("144.44"), "on_track")
    assert (i1.previous_value, i1.previous_basis, i1.delta) == (Decimal("100.00"), "baseline", Decimal("50.00"))
    assert [(w.planned_activity, w.outcome, w.note) for w in alpha.work_plan] == [
        ("w1 summer school", "done", "Held in Seoul."),
        ("w2 publish report", "not_done", "Next year."),
    ]
    assert by_slug["beta"].updates == []  # submitted, not approved; the cycle-less approved one is elsewhere
    assert [(w.outcome) for w in by_slug["beta"].work_plan] == ["no_report"]
    assert {m.title: m.bucket for m in by_slug["beta"].milestones} == {
        "m6 dropped": "cancelled",
        "m2 seminar": "overdue",
    }
    assert [(m.title, m.bucket) for m in by_slug["delta"].milestones] == [("m3 launch", "delayed")]
    assert by_slug["delta"].indicators[0].assessment == "met"
    assert [i.assessment for i in by_slug["beta"].indicators] == ["no_value"]
    assert [i.assessment for i in by_slug["gamma"].indicators] == ["no_target"]
    assert by_slug["delta"].objectives == [1, 2] and by_slug["delta"].actions == [1, 3]


def test_coverage_lists_who_did_not_report(report):
    coverage = report.coverage
    assert [r.slug for r in coverage.reported] == ["alpha", "delta"]
    assert [(r.slug, r.leads) for r in coverage.not_reported] == [("beta", ["ASI"])]
    assert [r.slug for r in coverage.not_expected] == ["gamma"]
    orgs = [(o.slug, o.initiatives_led, o.reported, o.approved_updates, o.not_reported) for o in coverage.organisations]
    assert orgs == [("asi", 2, 1, 1, ["Beta"]), ("eur", 2, 2, 1, [])]


def test_regional_balance_of_lead_organisations(report):
    overall = report.balance.overall
    assert (overall.asia, overall.europe, overall.international, overall.total) == (1, 1, 1, 3)
    per_objective = {
        r.key: (r.counts.asia, r.counts.europe, r.counts.international) for r in report.balance.per_objective
    }
    assert per_objective == {"1": (1, 1, 0), "2": (1, 1, 1)}


def test_changes_in_the_first_cycle(report):
    changes = report.changes
    assert not changes.has_previous_cycle and changes.new_basis == "plan"
    assert changes.baseline_date == datetime.date(2022, 1, 1)
    assert not changes.history_available  # the records were made today, long after 2022
    assert [r.slug for r in changes.new_initiatives] == ["alpha", "delta"]
    assert changes.status_changes == [] and changes.ended == [] and changes.removed == []
    assert [(m.milestone, m.from_date, m.to_date) for m in changes.slipped_milestones] == [
        ("m3 launch", datetime.date(2023, 9, 1), datetime.date(2023, 10, 1))
    ]
    assert [(d.indicator, d.previous, d.current, d.delta) for d in changes.indicator_deltas] == [
        ("i1 pairs", Decimal("100.00"), Decimal("150.00"), Decimal("50.00")),
        ("i2 courses", Decimal("10.00"), Decimal("25.00"), Decimal("15.00")),
    ]


def test_charts_carry_the_reports_own_numbers(report):
    charts = {c.id: c for c in report.charts}
    coverage = charts["coverage-by-objective"]
    assert [s.values for s in coverage.series] == [[2, 1], [1, 1]]
    assert charts["milestones"].series[0].values == [1, 1, 1, 1, 1]
    assert charts["indicators"].series[0].values == [1, 1, 0, 1, 1]
    assert charts["work-plan"].series[0].values == [2, 1, 1]
    assert [s.values for s in charts["balance"].series] == [[1, 1, 1], [1, 1, 1], [1, 0, 1]]


def test_changes_since_the_previous_cycle_come_from_the_history(world, secretariat_user):
    """Cycle 2 compares with the initiatives' state at the end of cycle 1, read from django-simple-history."""
    history = Project.history.model
    history.objects.update(history_date=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC))
    zeta = ProjectFactory(slug="zeta", title="Zeta")
    history.objects.filter(id=zeta.pk).update(history_date=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC))
    set_status(world.cycle, CycleStatus.CLOSED)
    cycle2 = make_cycle(number=2, start=(2024, 1, 1), end=(2025, 12, 31))
    # Since the end of cycle 1: beta completed, delta started, zeta removed, epsilon added.
    for project, status in ((world.beta, ProjectStatus.COMPLETED), (world.delta, ProjectStatus.ONGOING)):
        project.status = status
        project.save()
    zeta.delete()
    epsilon = ProjectFactory(slug="epsilon", title="Epsilon", is_new=False)
    ProjectOrganisationFactory(project=epsilon, organisation=world.par, role="lead")
    # Alpha reports again: 200 pairs, +50 since cycle 1's 150.
    update = services.create_update(
        project=world.alpha,
        organisation=world.eur,
        author=world.author_eur,
        content=services.UpdateContent(
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2024, 12, 31),
            achievements="More pairs.",
            initiative_status="ongoing",
            indicator_values=(
                services.IndicatorValueData(
                    indicator=world.indicators["i1"], value=Decimal("200"), as_of=datetime.date(2024, 12, 31)
                ),
            ),
        ),
    )
    assert update.cycle == cycle2
    services.submit_update(update=update, user=world.author_eur)
    services.approve_update(update=update, reviewer=secretariat_user)

    changes = build_report(cycle2, today=datetime.date(2025, 6, 30)).changes
    assert changes.has_previous_cycle and changes.history_available and changes.new_basis == "history"
    assert changes.baseline_date == datetime.date(2023, 12, 31)
    assert [r.slug for r in changes.new_initiatives] == ["epsilon"]
    assert [(c.slug, c.before, c.after) for c in changes.status_changes] == [
        ("beta", "Ongoing", "Completed"),
        ("delta", "Planned", "Ongoing"),
    ]
    assert [c.slug for c in changes.ended] == ["beta"]
    assert changes.removed == ["Zeta"]
    assert [(d.indicator, d.previous, d.previous_basis, d.delta) for d in changes.indicator_deltas] == [
        ("i1 pairs", Decimal("150.00"), "previous cycle", Decimal("50.00"))
    ]
    assert IndicatorValue.objects.count() == 3


def test_the_json_snapshot_round_trips_exactly(report):
    thawed = from_json(json.loads(json.dumps(to_json(report))))
    assert thawed == report
    assert isinstance(thawed.initiatives[0].indicators[0].value, Decimal)
    assert isinstance(thawed.cycle.period_start, datetime.date)
