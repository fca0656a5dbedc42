"""The stocktaking report of a reporting cycle, built from the relational data by ONE function.

``build_report(cycle)`` is the only place where the report's numbers are computed. It reads the plan, the
cycle's approved progress updates, milestones, indicators, work plan and the initiatives' history with a
fixed number of queries (about twenty, whatever the size of the plan) and returns plain dataclasses. The
page, the PDF, the XLSX and the CSV only render them; a published report renders the same dataclasses
rebuilt from the JSON frozen at publication (``to_json`` / ``from_json``).

Definitions (the report's notes repeat them for readers):

- *Initiatives*: every initiative of the plan. *Active*: planned or ongoing; they are expected to report.
- *Reported*: at least one approved progress update in the cycle.
- *New*: in the plan's first cycle, the initiatives the plan marks "(NEW)"; in later cycles, those that did
  not exist at the end of the previous cycle (from the initiatives' history).
- *Milestones of the cycle*: due in the cycle's period (planned end, else planned date), achieved in it, or
  reported on by an approved update of the cycle. Each is in one bucket, as of the report's date: achieved,
  cancelled, overdue (due date passed, not achieved), delayed (reported delayed, new date not passed yet),
  on track (the rest).
- *Indicators*: the value is the latest approved value of the cycle. "Met" when it satisfies the target;
  "on track" when it is at least where a straight line from the baseline (baseline year) to the target
  (target year) stands in the value's year; "behind" otherwise. On track in the summary = met + on track.
- *Work-plan items*: done / not done as the latest approved update of the cycle reports them; "no report"
  when none does.
- *Changes since the previous cycle*: against the initiatives' state at the end of the previous cycle (or,
  in the first cycle, at its start) read from the django-simple-history records; slipped milestones are
  those an approved update of the cycle reported delayed to a later date; indicator deltas compare the
  cycle's value with the previous cycle's (or, failing that, the baseline).
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import (
    ActionContribution,
    Indicator,
    IndicatorValue,
    Milestone,
    MilestoneOutcome,
    MilestoneReport,
    MilestoneStatus,
    OrganisationRole,
    ProgressUpdate,
    Project,
    ProjectOrganisation,
    ProjectStatus,
    TargetComparator,
    UpdateStatus,
)
from stakeholders.models import Region

from .models import CycleStatus, Meeting, ReportingCycle, WorkPlanItem, WorkPlanItemReport

#: Bumped when the dataclasses change shape; stored with every frozen report.
SCHEMA_VERSION = 1
#: Words of an update's narrative quoted in the report.
EXCERPT_WORDS = 60

ACTIVE_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ONGOING)
REGIONS = (Region.ASIA, Region.EUROPE, Region.INTERNATIONAL)

# Milestone buckets, in the order the report shows them.
ACHIEVED, ON_TRACK, DELAYED, OVERDUE, CANCELLED = "achieved", "on_track", "delayed", "overdue", "cancelled"
MILESTONE_BUCKETS = (ACHIEVED, ON_TRACK, DELAYED, OVERDUE, CANCELLED)
# Indicator assessments.
MET, BEHIND, NO_VALUE, NO_TARGET = "met", "behind", "no_value", "no_target"
INDICATOR_ASSESSMENTS = (MET, ON_TRACK, BEHIND, NO_VALUE, NO_TARGET)
# Work-plan item outcomes.
DONE, NOT_DONE, NO_REPORT = "done", "not_done", "no_report"
WORK_PLAN_OUTCOMES = (DONE, NOT_DONE, NO_REPORT)

COLOURS = {
    "reported": "#1e6b2f",
    "not_reported": "#9b1c1c",
    ACHIEVED: "#1e6b2f",
    ON_TRACK: "#0a58a3",
    DELAYED: "#8a4b00",
    OVERDUE: "#9b1c1c",
    CANCELLED: "#4a5560",
    MET: "#1e6b2f",
    BEHIND: "#9b1c1c",
    NO_VALUE: "#4a5560",
    NO_TARGET: "#8c96a0",
    DONE: "#1e6b2f",
    NOT_DONE: "#9b1c1c",
    NO_REPORT: "#4a5560",
    Region.ASIA: "#b3541e",
    Region.EUROPE: "#0b3d6b",
    Region.INTERNATIONAL: "#5b4a8a",
}


def bucket_label(key: str) -> str:
    return {
        ACHIEVED: _("Achieved"),
        ON_TRACK: _("On track"),
        DELAYED: _("Delayed"),
        OVERDUE: _("Overdue"),
        CANCELLED: _("Cancelled"),
        MET: _("Target met"),
        BEHIND: _("Behind"),
        NO_VALUE: _("No value this cycle"),
        NO_TARGET: _("No target stated"),
        DONE: _("Done"),
        NOT_DONE: _("Not done"),
        NO_REPORT: _("No report"),
        "reported": _("Reported"),
        "not_reported": _("Not reported"),
        Region.ASIA: _("Asia"),
        Region.EUROPE: _("Europe"),
        Region.INTERNATIONAL: _("International"),
    }[key]


# --- The report's shape -----------------------------------------------------------------------------------------


@dataclass
class MeetingInfo:
    name: str  # "ASEMME8"
    kind_label: str
    status: str  # planned | held
    year: int
    start_date: datetime.date | None
    end_date: datetime.date | None
    host: str
    city: str
    is_online: bool
    conclusions_url: str


@dataclass
class CycleInfo:
    number: int
    label: str
    period_start: datetime.date
    period_end: datetime.date
    submission_opens: datetime.date
    submission_closes: datetime.date
    status: str
    status_label: str
    opening_meeting: MeetingInfo | None
    closing_meeting: MeetingInfo | None
    previous_number: int | None
    previous_label: str


@dataclass
class CountRow:
    """Initiatives of one objective or one action."""

    key: str  # "1" for objective 1 / action 1
    label: str
    initiatives: int
    active: int
    new: int
    reported: int
    not_reported: int  # active, without an approved update


@dataclass
class Summary:
    initiatives: int
    active_initiatives: int
    new_initiatives: int
    reported: int
    not_reported: int  # active, without an approved update in the cycle
    approved_updates: int
    reporting_organisations: int
    milestones: int
    milestones_achieved: int
    milestones_on_track: int
    milestones_delayed: int
    milestones_overdue: int
    milestones_cancelled: int
    indicators: int
    indicators_with_value: int
    indicators_met: int
    indicators_on_track: int  # met + on the trajectory
    indicators_behind: int
    indicators_no_value: int  # with a target, but no value in the cycle
    indicators_no_target: int
    work_plan_items: int
    work_plan_done: int
    work_plan_not_done: int
    work_plan_no_report: int
    per_objective: list[CountRow]
    per_action: list[CountRow]


@dataclass
class InitiativeRef:
    slug: str
    title: str
    url: str
    is_new: bool
    reported: bool
    leads: list[str]


@dataclass
class ActionSection:
    number: int
    description: str
    initiatives: list[InitiativeRef]


@dataclass
class SubgoalSection:
    code: str
    text: str
    actions: list[ActionSection]


@dataclass
class ObjectiveSection:
    number: int
    title: str
    colour: str
    initiatives: int
    reported: int
    subgoals: list[SubgoalSection]


@dataclass
class UpdateEntry:
    pk: int
    url: str
    organisation: str
    period_start: datetime.date
    period_end: datetime.date
    approved_on: datetime.date | None
    excerpt: str


@dataclass
class MilestoneEntry:
    title: str
    period_label: str
    due: datetime.date | None
    bucket: str
    bucket_label: str
    achieved_on: datetime.date | None


@dataclass
class IndicatorEntry:
    name: str
    unit: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal | None
    target_comparator: str
    target_comparator_label: str
    target_year: int | None
    value: Decimal | None
    value_as_of: datetime.date | None
    expected: Decimal | None  # where the straight line from baseline to target stands in the value's year
    assessment: str
    assessment_label: str
    previous_value: Decimal | None
    previous_basis: str  # "previous cycle", "baseline" or ""
    delta: Decimal | None


@dataclass
class WorkPlanEntry:
    planned_activity: str
    expected_output: str
    outcome: str
    outcome_label: str
    note: str
    reported_by: str


@dataclass
class InitiativeEntry:
    slug: str
    title: str
    url: str
    status: str
    status_label: str
    is_new: bool
    active: bool
    reported: bool
    leads: list[str]
    partners: list[str]
    actions: list[int]
    objectives: list[int]
    updates: list[UpdateEntry]
    milestones: list[MilestoneEntry]
    indicators: list[IndicatorEntry]
    work_plan: list[WorkPlanEntry]


@dataclass
class OrganisationCoverage:
    slug: str
    name: str
    region: str
    region_label: str
    initiatives_led: int  # active or reported
    reported: int
    approved_updates: int  # approved updates the organisation wrote in the cycle
    not_reported: list[str]  # titles of the initiatives it leads that have no approved update


@dataclass
class Coverage:
    reported: list[InitiativeRef]
    not_reported: list[InitiativeRef]
    not_expected: list[InitiativeRef]  # completed or suspended, without an update
    organisations: list[OrganisationCoverage]


@dataclass
class RegionCounts:
    asia: int
    europe: int
    international: int

    @property
    def total(self) -> int:
        return self.asia + self.europe + self.international


@dataclass
class BalanceRow:
    key: str
    label: str
    counts: RegionCounts


@dataclass
class Balance:
    overall: RegionCounts
    per_objective: list[BalanceRow]


@dataclass
class StatusChange:
    slug: str
    title: str
    before: str
    after: str


@dataclass
class SlippedMilestone:
    initiative: str
    milestone: str
    from_date: datetime.date | None
    to_date: datetime.date


@dataclass
class IndicatorDelta:
    initiative: str
    indicator: str
    unit: str
    previous: Decimal | None
    previous_basis: str
    current: Decimal
    delta: Decimal | None


@dataclass
class Changes:
    has_previous_cycle: bool
    baseline_date: datetime.date
    history_available: bool  # the initiatives' history reaches back to the baseline date
    new_basis: str  # "plan" (the plan's NEW) or "history"
    new_initiatives: list[InitiativeRef]
    ended: list[StatusChange]
    removed: list[str]
    status_changes: list[StatusChange]
    slipped_milestones: list[SlippedMilestone]
    indicator_deltas: list[IndicatorDelta]


@dataclass
class ChartSeries:
    key: str
    label: str
    colour: str
    values: list[int]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    categories: list[str]
    series: list[ChartSeries]
    stacked: bool = False


@dataclass
class StocktakingReportData:
    schema_version: int
    cycle: CycleInfo
    generated_at: datetime.datetime
    as_of: datetime.date
    published: bool
    summary: Summary
    objectives: list[ObjectiveSection]
    initiatives: list[InitiativeEntry]
    coverage: Coverage
    balance: Balance
    changes: Changes
    charts: list[Chart] = field(default_factory=list)

    def chart(self, chart_id: str) -> Chart | None:
        return next((c for c in self.charts if c.id == chart_id), None)


# --- Building it ------------------------------------------------------------------------------------------------


def _meeting_info(meeting: Meeting | None) -> MeetingInfo | None:
    if meeting is None:
        return None
    return MeetingInfo(
        name=meeting.short_name,
        kind_label=str(meeting.get_kind_display()),
        status=meeting.status,
        year=meeting.year,
        start_date=meeting.start_date,
        end_date=meeting.end_date,
        host=meeting.host_country.name if meeting.host_country else "",
        city=meeting.city,
        is_online=meeting.is_online,
        conclusions_url=meeting.conclusions_url,
    )


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


def _excerpt(update: ProgressUpdate) -> str:
    text = update.achievements.strip() or update.challenges.strip() or update.next_steps.strip()
    return Truncator(" ".join(text.split())).words(EXCERPT_WORDS)


def _target_met(value: Decimal, target: Decimal, comparator: str) -> bool:
    if comparator == TargetComparator.GT:
        return value > target
    if comparator == TargetComparator.EQ:
        return value == target
    return value >= target


def assess_indicator(indicator: Indicator, value: Decimal | None, as_of: datetime.date | None):
    """(assessment, expected value on the straight line from baseline to target in the value's year)."""
    if indicator.target is None:
        return NO_TARGET, None
    if value is None or as_of is None:
        return NO_VALUE, None
    expected = None
    baseline, target = indicator.baseline, indicator.target
    if (
        baseline is not None
        and indicator.baseline_year is not None
        and indicator.target_year is not None
        and indicator.target_year > indicator.baseline_year
    ):
        elapsed = min(max(as_of.year - indicator.baseline_year, 0), indicator.target_year - indicator.baseline_year)
        share = Decimal(elapsed) / Decimal(indicator.target_year - indicator.baseline_year)
        expected = (baseline + (target - baseline) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if _target_met(value, target, indicator.target_comparator):
        return MET, expected
    if expected is None:
        return BEHIND, None
    rising = target >= baseline
    on_track = value >= expected if rising else value <= expected
    return (ON_TRACK if on_track else BEHIND), expected


def _milestone_bucket(milestone: Milestone, today: datetime.date) -> str:
    if milestone.status == MilestoneStatus.ACHIEVED:
        return ACHIEVED
    if milestone.status == MilestoneStatus.CANCELLED:
        return CANCELLED
    if milestone.due_date is not None and milestone.due_date < today:
        return OVERDUE
    if milestone.status == MilestoneStatus.DELAYED:
        return DELAYED
    return ON_TRACK


def _in_period(day: datetime.date | None, cycle: ReportingCycle) -> bool:
    return day is not None and cycle.period_start <= day <= cycle.period_end


def _latest_history(at: datetime.datetime):
    """Each initiative's latest history record at ``at`` (one query)."""
    history = Project.history.model
    later = history.objects.filter(id=OuterRef("id"), history_date__lte=at, history_date__gt=OuterRef("history_date"))
    return history.objects.filter(history_date__lte=at).exclude(Exists(later)).values("id", "status", "history_type")


def build_report(
    cycle: ReportingCycle, *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> StocktakingReportData:
    """The stocktaking report of ``cycle`` as of ``today`` (default: today), from about 20 queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)

    # 1. The cycle, its meetings (and hosts); 2. the previous cycle.
    cycle = ReportingCycle.objects.select_related("opening_meeting__host_country", "closing_meeting__host_country").get(
        pk=cycle.pk
    )
    previous = ReportingCycle.objects.filter(number__lt=cycle.number).order_by("-number").first()

    # 3-4. Objectives and their subgoals; 5-6. actions and the subgoals they serve.
    objectives = list(
        StrategicObjective.objects.prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.order_by("position")))
    )
    actions = {a.pk: a for a in Action.objects.order_by("number")}
    action_subgoals: dict[int, set[int]] = defaultdict(set)
    for action_id, subgoal_id in Action.subgoals.through.objects.values_list("action_id", "subgoal_id"):
        action_subgoals[action_id].add(subgoal_id)
    subgoal_objective = {s.pk: o.number for o in objectives for s in o.subgoals.all()}

    # 7. Initiatives; 8. their lead and partner organisations; 9. their rows under actions.
    projects = {p.pk: p for p in Project.objects.order_by("title")}
    leads: dict[int, list] = defaultdict(list)
    partners: dict[int, list] = defaultdict(list)
    for part in (
        ProjectOrganisation.objects.filter(role__in=[OrganisationRole.LEAD, OrganisationRole.PARTNER])
        .select_related("organisation")
        .order_by("position", "organisation__name")
    ):
        (leads if part.role == OrganisationRole.LEAD else partners)[part.project_id].append(part.organisation)
    rows = list(
        ActionContribution.objects.order_by("action__number", "position", "project_id").values(
            "project_id", "action_id"
        )
    )
    rows_by_action: dict[int, list[int]] = defaultdict(list)
    actions_of: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        rows_by_action[row["action_id"]].append(row["project_id"])
        actions_of[row["project_id"]].append(actions[row["action_id"]].number)
    objectives_of: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        for subgoal_id in action_subgoals[row["action_id"]]:
            objectives_of[row["project_id"]].add(subgoal_objective[subgoal_id])

    # 10. The cycle's approved updates; 11-13. what they report on milestones, indicators and the work plan.
    approved = Q(update__cycle=cycle, update__status=UpdateStatus.APPROVED)
    updates = list(
        ProgressUpdate.objects.filter(cycle=cycle, status=UpdateStatus.APPROVED)
        .select_related("organisation")
        .order_by("period_end", "reviewed_at", "pk")
    )
    updates_of: dict[int, list[ProgressUpdate]] = defaultdict(list)
    for update in updates:
        updates_of[update.project_id].append(update)
    milestone_reports = list(
        MilestoneReport.objects.filter(approved).select_related("milestone").order_by("update__reviewed_at", "pk")
    )
    values = list(IndicatorValue.objects.filter(approved).order_by("as_of", "update__reviewed_at", "pk"))
    work_plan_reports = list(
        WorkPlanItemReport.objects.filter(approved)
        .select_related("update__organisation")
        .order_by("update__reviewed_at", "update_id", "pk")
    )

    # 14. The milestones of the cycle.
    reported_on = MilestoneReport.objects.filter(approved, milestone=OuterRef("pk"))
    period = (cycle.period_start, cycle.period_end)
    milestones = list(
        Milestone.objects.filter(
            Q(planned_end__range=period)
            | Q(planned_end__isnull=True, planned_start__range=period)
            | Q(achieved_on__range=period)
            | Exists(reported_on)
        ).order_by("planned_start", "pk")
    )
    # 15. Indicators; 16. their values in the previous cycle.
    indicators = list(Indicator.objects.order_by("pk"))
    previous_values: dict[int, IndicatorValue] = {}
    if previous is not None:
        for value in IndicatorValue.objects.filter(
            update__cycle=previous, update__status=UpdateStatus.APPROVED
        ).order_by("as_of", "update__reviewed_at", "pk"):
            previous_values[value.indicator_id] = value  # the latest wins
    # 17. The cycle's work plan.
    work_plan_items = list(WorkPlanItem.objects.filter(cycle=cycle).order_by("project_id", "position", "pk"))

    # 18-20. The initiatives' state at the baseline (history), and those removed since.
    baseline_date = previous.period_end if previous is not None else cycle.period_start
    baseline_at = _end_of_day(baseline_date)
    at_baseline = {record["id"]: record for record in _latest_history(baseline_at) if record["history_type"] != "-"}
    history_available = Project.history.filter(history_date__lte=baseline_at).exists()
    removed = list(
        Project.history.filter(history_type="-", history_date__gt=baseline_at)
        .order_by("title")
        .values_list("title", flat=True)
    )

    # --- Computation (no more queries below) ---------------------------------------------------------------
    reported_ids = set(updates_of)
    active_ids = {pk for pk, p in projects.items() if p.status in ACTIVE_STATUSES}
    if previous is None:
        new_basis = "plan"
        new_ids = {pk for pk, p in projects.items() if p.is_new}
    else:
        new_basis = "history"
        new_ids = {pk for pk in projects if pk not in at_baseline} if history_available else set()

    def ref(pk: int) -> InitiativeRef:
        project = projects[pk]
        return InitiativeRef(
            slug=project.slug,
            title=project.title,
            url=project.get_absolute_url(),
            is_new=pk in new_ids,
            reported=pk in reported_ids,
            leads=[o.short_name for o in leads[pk]],
        )

    # Milestones: buckets, by initiative.
    milestone_entries: dict[int, list[MilestoneEntry]] = defaultdict(list)
    bucket_counts = dict.fromkeys(MILESTONE_BUCKETS, 0)
    for milestone in milestones:
        bucket = _milestone_bucket(milestone, today)
        bucket_counts[bucket] += 1
        milestone_entries[milestone.project_id].append(
            MilestoneEntry(
                title=milestone.title,
                period_label=milestone.period_label,
                due=milestone.due_date,
                bucket=bucket,
                bucket_label=bucket_label(bucket),
                achieved_on=milestone.achieved_on,
            )
        )

    # Indicators: the cycle's latest value, assessment, delta.
    latest_values: dict[int, IndicatorValue] = {}
    for value in values:
        latest_values[value.indicator_id] = value  # ordered by as-of date: the latest wins
    indicator_entries: dict[int, list[IndicatorEntry]] = defaultdict(list)
    assessment_counts = dict.fromkeys(INDICATOR_ASSESSMENTS, 0)
    deltas: list[IndicatorDelta] = []
    for indicator in indicators:
        current = latest_values.get(indicator.pk)
        value = current.value if current else None
        as_of = current.as_of if current else None
        assessment, expected = assess_indicator(indicator, value, as_of)
        assessment_counts[assessment] += 1
        if indicator.pk in previous_values:
            previous_value, basis = previous_values[indicator.pk].value, "previous cycle"
        elif indicator.baseline is not None:
            previous_value, basis = indicator.baseline, "baseline"
        else:
            previous_value, basis = None, ""
        delta = value - previous_value if value is not None and previous_value is not None else None
        indicator_entries[indicator.project_id].append(
            IndicatorEntry(
                name=indicator.name,
                unit=indicator.unit,
                baseline=indicator.baseline,
                baseline_year=indicator.baseline_year,
                target=indicator.target,
                target_comparator=indicator.target_comparator,
                target_comparator_label=str(indicator.get_target_comparator_display()),
                target_year=indicator.target_year,
                value=value,
                value_as_of=as_of,
                expected=expected,
                assessment=assessment,
                assessment_label=bucket_label(assessment),
                previous_value=previous_value,
                previous_basis=basis,
                delta=delta,
            )
        )
        if value is not None:
            deltas.append(
                IndicatorDelta(
                    initiative=projects[indicator.project_id].title,
                    indicator=indicator.name,
                    unit=indicator.unit,
                    previous=previous_value,
                    previous_basis=basis,
                    current=value,
                    delta=delta,
                )
            )

    # Work plan: the latest approved report on each item.
    latest_item_report: dict[int, WorkPlanItemReport] = {}
    for report in work_plan_reports:
        latest_item_report[report.item_id] = report
    work_plan_entries: dict[int, list[WorkPlanEntry]] = defaultdict(list)
    work_plan_counts = dict.fromkeys(WORK_PLAN_OUTCOMES, 0)
    for item in work_plan_items:
        report = latest_item_report.get(item.pk)
        outcome = NO_REPORT if report is None else (DONE if report.done else NOT_DONE)
        work_plan_counts[outcome] += 1
        work_plan_entries[item.project_id].append(
            WorkPlanEntry(
                planned_activity=item.planned_activity,
                expected_output=item.expected_output,
                outcome=outcome,
                outcome_label=bucket_label(outcome),
                note=report.note if report else "",
                reported_by=report.update.organisation.short_name if report else "",
            )
        )

    # Initiatives in the plan's order (first action, then position); those without rows last.
    order = list(dict.fromkeys([row["project_id"] for row in rows] + list(projects)))
    initiative_entries = []
    for pk in order:
        project = projects[pk]
        initiative_entries.append(
            InitiativeEntry(
                slug=project.slug,
                title=project.title,
                url=project.get_absolute_url(),
                status=project.status,
                status_label=str(project.get_status_display()),
                is_new=pk in new_ids,
                active=pk in active_ids,
                reported=pk in reported_ids,
                leads=[o.short_name for o in leads[pk]],
                partners=[o.short_name for o in partners[pk]],
                actions=sorted(set(actions_of[pk])),
                objectives=sorted(objectives_of[pk]),
                updates=[
                    UpdateEntry(
                        pk=u.pk,
                        url=u.get_absolute_url(),
                        organisation=u.organisation.short_name,
                        period_start=u.period_start,
                        period_end=u.period_end,
                        approved_on=timezone.localdate(u.reviewed_at) if u.reviewed_at else None,
                        excerpt=_excerpt(u),
                    )
                    for u in updates_of[pk]
                ],
                milestones=milestone_entries[pk],
                indicators=indicator_entries[pk],
                work_plan=work_plan_entries[pk],
            )
        )

    # The plan's hierarchy, with counts per objective and per action.
    def count_row(key: str, label: str, ids: set[int]) -> CountRow:
        return CountRow(
            key=key,
            label=label,
            initiatives=len(ids),
            active=len(ids & active_ids),
            new=len(ids & new_ids),
            reported=len(ids & reported_ids),
            not_reported=len((ids & active_ids) - reported_ids),
        )

    objective_sections, per_objective, objective_projects = [], [], {}
    for objective in objectives:
        ids = {pk for pk in projects if objective.number in objectives_of[pk]}
        objective_projects[objective.number] = ids
        per_objective.append(count_row(str(objective.number), str(objective.label), ids))
        subgoal_sections = []
        for subgoal in objective.subgoals.all():
            action_sections = [
                ActionSection(
                    number=action.number,
                    description=action.description,
                    initiatives=[ref(pk) for pk in dict.fromkeys(rows_by_action[action.pk])],
                )
                for action in actions.values()
                if subgoal.pk in action_subgoals[action.pk]
            ]
            subgoal_sections.append(SubgoalSection(code=subgoal.code, text=subgoal.text, actions=action_sections))
        objective_sections.append(
            ObjectiveSection(
                number=objective.number,
                title=objective.title,
                colour=objective.colour,
                initiatives=len(ids),
                reported=len(ids & reported_ids),
                subgoals=subgoal_sections,
            )
        )
    per_action = [
        count_row(str(action.number), _("Action %(number)s") % {"number": action.number}, set(rows_by_action[pk]))
        for pk, action in actions.items()
    ]

    # Coverage: who reported, who did not (a list to act on), per lead organisation.
    organisations: dict[int, OrganisationCoverage] = {}
    updates_by_org: dict[int, int] = defaultdict(int)
    for update in updates:
        updates_by_org[update.organisation_id] += 1
    for pk in order:
        if pk not in active_ids and pk not in reported_ids:
            continue
        for organisation in leads[pk]:
            entry = organisations.setdefault(
                organisation.pk,
                OrganisationCoverage(
                    slug=organisation.slug,
                    name=organisation.short_name,
                    region=organisation.region,
                    region_label=str(organisation.get_region_display()),
                    initiatives_led=0,
                    reported=0,
                    approved_updates=updates_by_org[organisation.pk],
                    not_reported=[],
                ),
            )
            entry.initiatives_led += 1
            if pk in reported_ids:
                entry.reported += 1
            else:
                entry.not_reported.append(projects[pk].title)
    coverage = Coverage(
        reported=[ref(pk) for pk in order if pk in reported_ids],
        not_reported=[ref(pk) for pk in order if pk in active_ids and pk not in reported_ids],
        not_expected=[ref(pk) for pk in order if pk not in active_ids and pk not in reported_ids],
        organisations=sorted(organisations.values(), key=lambda o: (-len(o.not_reported), o.name.lower())),
    )

    # Balance: distinct lead organisations by region, overall and per objective.
    def region_counts(ids: set[int]) -> RegionCounts:
        seen = {o.pk: o.region for pk in ids for o in leads[pk]}
        tally = dict.fromkeys(REGIONS, 0)
        for region in seen.values():
            tally[region] = tally.get(region, 0) + 1
        return RegionCounts(
            asia=tally[Region.ASIA], europe=tally[Region.EUROPE], international=tally[Region.INTERNATIONAL]
        )

    balance = Balance(
        overall=region_counts(set(projects)),
        per_objective=[
            BalanceRow(key=str(o.number), label=str(o.label), counts=region_counts(objective_projects[o.number]))
            for o in objectives
        ],
    )

    # Changes since the previous cycle.
    status_labels = dict(ProjectStatus.choices)
    status_changes, ended = [], []
    for pk, project in projects.items():
        before = at_baseline.get(pk)
        if before is None or before["status"] == project.status:
            continue
        change = StatusChange(
            slug=project.slug,
            title=project.title,
            before=str(status_labels.get(before["status"], before["status"])),
            after=str(status_labels[project.status]),
        )
        status_changes.append(change)
        if project.status == ProjectStatus.COMPLETED:
            ended.append(change)
    slipped = []
    for report in milestone_reports:
        if report.outcome != MilestoneOutcome.DELAYED or report.new_date is None:
            continue
        state = report.previous_state or {}
        original = state.get("planned_end")
        from_date = datetime.date.fromisoformat(original) if original else report.milestone.planned_start
        if from_date is None or report.new_date > from_date:
            slipped.append(
                SlippedMilestone(
                    initiative=projects[report.milestone.project_id].title,
                    milestone=report.milestone.title,
                    from_date=from_date,
                    to_date=report.new_date,
                )
            )
    changes = Changes(
        has_previous_cycle=previous is not None,
        baseline_date=baseline_date,
        history_available=history_available,
        new_basis=new_basis,
        new_initiatives=[ref(pk) for pk in order if pk in new_ids],
        ended=ended,
        removed=removed,
        status_changes=status_changes,
        slipped_milestones=slipped,
        indicator_deltas=deltas,
    )

    summary = Summary(
        initiatives=len(projects),
        active_initiatives=len(active_ids),
        new_initiatives=len(new_ids),
        reported=len(reported_ids),
        not_reported=len(active_ids - reported_ids),
        approved_updates=len(updates),
        reporting_organisations=len({u.organisation_id for u in updates}),
        milestones=len(milestones),
        milestones_achieved=bucket_counts[ACHIEVED],
        milestones_on_track=bucket_counts[ON_TRACK],
        milestones_delayed=bucket_counts[DELAYED],
        milestones_overdue=bucket_counts[OVERDUE],
        milestones_cancelled=bucket_counts[CANCELLED],
        indicators=len(indicators),
        indicators_with_value=len(latest_values),
        indicators_met=assessment_counts[MET],
        indicators_on_track=assessment_counts[MET] + assessment_counts[ON_TRACK],
        indicators_behind=assessment_counts[BEHIND],
        indicators_no_value=assessment_counts[NO_VALUE],
        indicators_no_target=assessment_counts[NO_TARGET],
        work_plan_items=len(work_plan_items),
        work_plan_done=work_plan_counts[DONE],
        work_plan_not_done=work_plan_counts[NOT_DONE],
        work_plan_no_report=work_plan_counts[NO_REPORT],
        per_objective=per_objective,
        per_action=per_action,
    )

    data = StocktakingReportData(
        schema_version=SCHEMA_VERSION,
        cycle=CycleInfo(
            number=cycle.number,
            label=cycle.label,
            period_start=cycle.period_start,
            period_end=cycle.period_end,
            submission_opens=cycle.submission_opens,
            submission_closes=cycle.submission_closes,
            status=cycle.status,
            status_label=str(cycle.get_status_display()),
            opening_meeting=_meeting_info(cycle.opening_meeting),
            closing_meeting=_meeting_info(cycle.closing_meeting),
            previous_number=previous.number if previous else None,
            previous_label=previous.label if previous else "",
        ),
        generated_at=now,
        as_of=today,
        published=cycle.status == CycleStatus.PUBLISHED,
        summary=summary,
        objectives=objective_sections,
        initiatives=initiative_entries,
        coverage=coverage,
        balance=balance,
        changes=changes,
    )
    data.charts = build_charts(data)
    return data


def build_charts(data: StocktakingReportData) -> list[Chart]:
    """The charts' data, taken from the report's own numbers (nothing is counted again)."""
    s = data.summary
    objective_labels = [row.label for row in s.per_objective]
    return [
        Chart(
            id="coverage-by-objective",
            title=_("Reporting by strategic objective"),
            description=_(
                "For each objective, the active initiatives that reported in the cycle (an approved update) and "
                "those that did not."
            ),
            categories=objective_labels,
            series=[
                ChartSeries(
                    "reported", bucket_label("reported"), COLOURS["reported"], [r.reported for r in s.per_objective]
                ),
                ChartSeries(
                    "not_reported",
                    bucket_label("not_reported"),
                    COLOURS["not_reported"],
                    [r.not_reported for r in s.per_objective],
                ),
            ],
            stacked=True,
        ),
        Chart(
            id="milestones",
            title=_("Milestones of the cycle"),
            description=_("The milestones due or achieved in the cycle, by outcome as of the report's date."),
            categories=[bucket_label(b) for b in MILESTONE_BUCKETS],
            series=[
                ChartSeries(
                    "milestones",
                    _("Milestones"),
                    COLOURS[ON_TRACK],
                    [
                        s.milestones_achieved,
                        s.milestones_on_track,
                        s.milestones_delayed,
                        s.milestones_overdue,
                        s.milestones_cancelled,
                    ],
                )
            ],
        ),
        Chart(
            id="indicators",
            title=_("Indicators against their targets"),
            description=_("Each indicator's latest value in the cycle against its target and trajectory."),
            categories=[bucket_label(a) for a in (MET, ON_TRACK, BEHIND, NO_VALUE, NO_TARGET)],
            series=[
                ChartSeries(
                    "indicators",
                    _("Indicators"),
                    COLOURS[ON_TRACK],
                    [
                        s.indicators_met,
                        s.indicators_on_track - s.indicators_met,
                        s.indicators_behind,
                        s.indicators_no_value,
                        s.indicators_no_target,
                    ],
                )
            ],
        ),
        Chart(
            id="work-plan",
            title=_("Work plan of the cycle"),
            description=_("The cycle's planned activities, as the approved updates report them."),
            categories=[bucket_label(o) for o in WORK_PLAN_OUTCOMES],
            series=[
                ChartSeries(
                    "items",
                    _("Planned activities"),
                    COLOURS[ON_TRACK],
                    [s.work_plan_done, s.work_plan_not_done, s.work_plan_no_report],
                )
            ],
        ),
        Chart(
            id="balance",
            title=_("Lead organisations by region"),
            description=_("Distinct lead organisations of the initiatives, by region, overall and for each objective."),
            categories=[_("All initiatives")] + [row.label for row in data.balance.per_objective],
            series=[
                ChartSeries(
                    region,
                    bucket_label(region),
                    COLOURS[region],
                    [getattr(data.balance.overall, region)]
                    + [getattr(row.counts, region) for row in data.balance.per_objective],
                )
                for region in REGIONS
            ],
            stacked=True,
        ),
    ]


# --- Labels shared by every rendering --------------------------------------------------------------------------


def summary_rows(data: StocktakingReportData) -> list[tuple[str, str, int]]:
    """The summary's figures as (key, label, value), in the order every rendering shows them."""
    s = data.summary
    new_label = (
        _("New initiatives (marked NEW in the plan)")
        if data.changes.new_basis == "plan"
        else _("New initiatives since the previous cycle")
    )
    return [
        ("initiatives", _("Initiatives in the plan"), s.initiatives),
        ("active_initiatives", _("Active initiatives (planned or ongoing)"), s.active_initiatives),
        ("new_initiatives", new_label, s.new_initiatives),
        ("reported", _("Initiatives that reported"), s.reported),
        ("not_reported", _("Active initiatives that did not report"), s.not_reported),
        ("approved_updates", _("Approved progress updates"), s.approved_updates),
        ("reporting_organisations", _("Organisations that reported"), s.reporting_organisations),
        ("milestones", _("Milestones of the cycle"), s.milestones),
        ("milestones_achieved", _("Milestones achieved"), s.milestones_achieved),
        ("milestones_on_track", _("Milestones on track"), s.milestones_on_track),
        ("milestones_delayed", _("Milestones delayed"), s.milestones_delayed),
        ("milestones_overdue", _("Milestones overdue"), s.milestones_overdue),
        ("milestones_cancelled", _("Milestones cancelled"), s.milestones_cancelled),
        ("indicators", _("Indicators"), s.indicators),
        ("indicators_with_value", _("Indicators with a value this cycle"), s.indicators_with_value),
        ("indicators_met", _("Indicators that met their target"), s.indicators_met),
        ("indicators_on_track", _("Indicators on track (target met or on the trajectory)"), s.indicators_on_track),
        ("indicators_behind", _("Indicators behind their trajectory"), s.indicators_behind),
        ("work_plan_items", _("Work-plan items"), s.work_plan_items),
        ("work_plan_done", _("Work-plan items done"), s.work_plan_done),
        ("work_plan_not_done", _("Work-plan items not done"), s.work_plan_not_done),
        ("work_plan_no_report", _("Work-plan items without a report"), s.work_plan_no_report),
    ]


# --- Freezing and thawing ---------------------------------------------------------------------------------------


def _encode(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(kind, value):
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        return _decode(kind, value)
    if origin in (list, tuple):
        (item_kind,) = typing.get_args(kind)
        return [_decode(item_kind, v) for v in value]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(kind) if f.name in value}
        )
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if kind is datetime.date:
        return datetime.date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


def to_json(data: StocktakingReportData) -> dict:
    """The report as JSON-ready data (dates as ISO strings, decimals as strings: nothing is rounded)."""
    return _encode(data)


def from_json(content: dict) -> StocktakingReportData:
    """The report as frozen at publication, as the same dataclasses the builder returns."""
    return _decode(StocktakingReportData, content)
