"""The stocktaking report of a reporting cycle, built from the relational data by ONE function.

``build_report(cycle)`` is the only place where the report's numbers are computed. It reads the plan, the
cycle's approved progress updates, milestones, indicators, work plan and the initiatives' history with a
fixed number of queries (twenty or so, whatever the size of the plan) and returns plain dataclasses. The
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
- *Excerpts*: an approved update is quoted by the first 60 words of its achievements, else of its challenges,
  else of its next steps (the first that is not empty), read from their first 800 characters.
- *Changes since the previous cycle*: against the initiatives' state at the end of the previous cycle (or,
  in the first cycle, at its start) read from the django-simple-history records; slipped milestones are
  those an approved update of the cycle reported delayed to a later date; indicator deltas compare the
  cycle's value with the previous cycle's (or, failing that, the baseline).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import types
import typing
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, connections
from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.db.models.query import ValuesListIterable
from django.utils import timezone
from django.utils.text import add_truncation_text
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from actions.models import Action, StrategicObjective, Subgoal
from asem_portal.reversing import url_maker
from projects.excerpts import EXCERPT_CHARS, EXCERPT_WORDS, excerpt_parts  # noqa: F401 - EXCERPT_* re-exported
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
from stakeholders.models import Organisation, Region

from .models import CycleStatus, Meeting, ReportingCycle, WorkPlanItem, WorkPlanItemReport

#: Bumped when the dataclasses change shape; stored with every frozen report.
SCHEMA_VERSION = 1

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


def _bucket_labels() -> dict[str, str]:
    """Every bucket's label, translated once (the builder labels thousands of rows)."""
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
    }


def bucket_label(key: str) -> str:
    return _bucket_labels()[key]


# --- The report's shape -----------------------------------------------------------------------------------------


@dataclass(slots=True)
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


@dataclass(slots=True)
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


@dataclass(slots=True)
class CountRow:
    """Initiatives of one objective or one action."""

    key: str  # "1" for objective 1 / action 1
    label: str
    initiatives: int
    active: int
    new: int
    reported: int
    not_reported: int  # active, without an approved update


@dataclass(slots=True)
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


@dataclass(slots=True)
class InitiativeRef:
    slug: str
    title: str
    url: str
    is_new: bool
    reported: bool
    leads: list[str]


@dataclass(slots=True)
class ActionSection:
    number: int
    description: str
    initiatives: list[InitiativeRef]


@dataclass(slots=True)
class SubgoalSection:
    code: str
    text: str
    actions: list[ActionSection]


@dataclass(slots=True)
class ObjectiveSection:
    number: int
    title: str
    colour: str
    initiatives: int
    reported: int
    subgoals: list[SubgoalSection]


@dataclass(slots=True)
class UpdateEntry:
    pk: int
    url: str
    organisation: str
    period_start: datetime.date
    period_end: datetime.date
    approved_on: datetime.date | None
    excerpt: str


@dataclass(slots=True)
class MilestoneEntry:
    title: str
    period_label: str
    due: datetime.date | None
    bucket: str
    bucket_label: str
    achieved_on: datetime.date | None


@dataclass(slots=True)
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


@dataclass(slots=True)
class WorkPlanEntry:
    planned_activity: str
    expected_output: str
    outcome: str
    outcome_label: str
    note: str
    reported_by: str


@dataclass(slots=True)
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


@dataclass(slots=True)
class OrganisationCoverage:
    slug: str
    name: str
    region: str
    region_label: str
    initiatives_led: int  # active or reported
    reported: int
    approved_updates: int  # approved updates the organisation wrote in the cycle
    not_reported: list[str]  # titles of the initiatives it leads that have no approved update


@dataclass(slots=True)
class Coverage:
    reported: list[InitiativeRef]
    not_reported: list[InitiativeRef]
    not_expected: list[InitiativeRef]  # completed or suspended, without an update
    organisations: list[OrganisationCoverage]


@dataclass(slots=True)
class RegionCounts:
    asia: int
    europe: int
    international: int

    @property
    def total(self) -> int:
        return self.asia + self.europe + self.international


@dataclass(slots=True)
class BalanceRow:
    key: str
    label: str
    counts: RegionCounts


@dataclass(slots=True)
class Balance:
    overall: RegionCounts
    per_objective: list[BalanceRow]


@dataclass(slots=True)
class StatusChange:
    slug: str
    title: str
    before: str
    after: str


@dataclass(slots=True)
class SlippedMilestone:
    initiative: str
    milestone: str
    from_date: datetime.date | None
    to_date: datetime.date


@dataclass(slots=True)
class IndicatorDelta:
    initiative: str
    indicator: str
    unit: str
    previous: Decimal | None
    previous_basis: str
    current: Decimal
    delta: Decimal | None


@dataclass(slots=True)
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


@dataclass(slots=True)
class ChartSeries:
    key: str
    label: str
    colour: str
    values: list[int]


@dataclass(slots=True)
class Chart:
    id: str
    title: str
    description: str
    categories: list[str]
    series: list[ChartSeries]
    stacked: bool = False


@dataclass(slots=True)
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


def _excerpt(text: str | None, truncated: str | None = None) -> str:
    """The first ``EXCERPT_WORDS`` words of a narrative, on one line, with "…" when the narrative goes on.
    ``truncated`` is the translated "%(truncated_text)s…" (looked up once)."""
    quoted, cut = excerpt_parts(text)
    return add_truncation_text(quoted, truncated) if cut else quoted


# Plain strings of the choices the builder compares in its loops: reading a member of a Django choices class
# costs several times a comparison, tens of thousands of times per report.
_GT, _EQ = TargetComparator.GT.value, TargetComparator.EQ.value
_MILESTONE_ACHIEVED, _MILESTONE_CANCELLED = MilestoneStatus.ACHIEVED.value, MilestoneStatus.CANCELLED.value
_MILESTONE_DELAYED = MilestoneStatus.DELAYED.value
_LEAD = OrganisationRole.LEAD.value


def _target_met(value: Decimal, target: Decimal, comparator: str) -> bool:
    if comparator == _GT:
        return value > target
    if comparator == _EQ:
        return value == target
    return value >= target


def assess_indicator(indicator, value: Decimal | None, as_of: datetime.date | None):
    """(assessment, expected value on the straight line from baseline to target in the value's year).

    ``indicator`` is an ``Indicator`` or any row with its ``baseline``, ``baseline_year``, ``target``,
    ``target_comparator`` and ``target_year``."""
    return _assessment(
        indicator.baseline,
        indicator.baseline_year,
        indicator.target,
        indicator.target_comparator,
        indicator.target_year,
        value,
        as_of,
    )


_CENT = Decimal("0.01")


def _assessment(
    baseline: Decimal | None,
    baseline_year: int | None,
    target: Decimal | None,
    comparator: str,
    target_year: int | None,
    value: Decimal | None,
    as_of: datetime.date | None,
):
    """``assess_indicator`` of an indicator given by its fields (the builder assesses thousands of rows)."""
    if target is None:
        return NO_TARGET, None
    if value is None or as_of is None:
        return NO_VALUE, None
    expected = None
    if baseline is not None and baseline_year is not None and target_year is not None and target_year > baseline_year:
        elapsed = min(max(as_of.year - baseline_year, 0), target_year - baseline_year)
        share = Decimal(elapsed) / Decimal(target_year - baseline_year)
        expected = (baseline + (target - baseline) * share).quantize(_CENT, rounding=ROUND_HALF_UP)
    if _target_met(value, target, comparator):
        return MET, expected
    if expected is None:
        return BEHIND, None
    rising = target >= baseline
    on_track = value >= expected if rising else value <= expected
    return (ON_TRACK if on_track else BEHIND), expected


def _milestone_bucket(status: str, due: datetime.date | None, today: datetime.date) -> str:
    if status == _MILESTONE_ACHIEVED:
        return ACHIEVED
    if status == _MILESTONE_CANCELLED:
        return CANCELLED
    if due is not None and due < today:
        return OVERDUE
    if status == _MILESTONE_DELAYED:
        return DELAYED
    return ON_TRACK


def _in_period(day: datetime.date | None, cycle: ReportingCycle) -> bool:
    return day is not None and cycle.period_start <= day <= cycle.period_end


def _latest(queryset: QuerySet, partition: tuple[str, ...], order: tuple[str, ...]) -> QuerySet:
    """Only the latest row of ``queryset`` for each value of the ``partition`` fields: the last one in
    ``order`` (ascending), chosen by the database. On PostgreSQL with DISTINCT ON (one sort, the first row of
    each partition kept as the sort goes: a third cheaper than a window over the same sort); elsewhere with a
    window (ROW_NUMBER over the reversed order). ``order`` ends with a unique field: both pick the same row."""
    descending = [F(name).desc() for name in order]
    if connections[queryset.db].vendor == "postgresql":
        return queryset.order_by(*partition, *descending).distinct(*partition)
    rank = Window(
        RowNumber(),
        partition_by=[F(name) for name in partition],
        order_by=descending,
    )
    return queryset.order_by().annotate(latest_rank=rank).filter(latest_rank=1)


def _latest_history(at: datetime.datetime) -> QuerySet:
    """Each initiative's latest history record at ``at``: (id, status, history_type), one query."""
    history = Project.history.model.objects.filter(history_date__lte=at)
    return _latest(history, ("id",), ("history_date", "history_id")).values_list("id", "status", "history_type")


def _update_order(row: tuple) -> tuple:
    """The report's order of updates: period end, approval (none last, as in SQL), id."""
    return (row[0], row[1] is None, row[1], row[2])


class _LocalDate(TruncDate):
    """``TruncDate`` without Django's per-row conversion on PostgreSQL, which returns a date already."""

    def get_db_converters(self, connection):
        return [] if connection.vendor == "postgresql" else super().get_db_converters(connection)


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list()`` as the database driver returns them (tuples), for the reads of tens of
    thousands of rows: Django's per-row iteration costs about as much as the reading itself. Only where it
    changes nothing: no column needs a conversion (the compiler's converters are checked) and the columns come
    in the order asked; otherwise the queryset's own iteration."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    query = queryset.query
    selected = [*query.extra_select, *query.values_select, *query.annotation_select]
    if (
        queryset._iterable_class is not ValuesListIterable  # flat, named, values(), instances: not tuples
        or list(queryset._fields) != selected
        or compiler.has_extra_select  # columns added for ORDER BY with DISTINCT: Django drops them
        or compiler.col_count != len(selected)
        or compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    ):
        return list(queryset)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _truncation(truncated: str):
    """``f(text)``: Django's ``add_truncation_text(text, truncated)``, with the translated pattern split once
    (tens of thousands of excerpts)."""
    head, found, tail = truncated.partition("%(truncated_text)s")
    if found:
        return lambda text: f"{head}{text}{tail}"
    return lambda text: add_truncation_text(text, truncated)


def _approved_updates(cycle_id: int, zone) -> list[tuple]:
    """The cycle's approved updates in the report's order (period end, approval, id), as rows ``(pk, project_id,
    organisation_id, period_start, period_end, excerpt, excerpt_cut, approved_on)``: one query. The excerpt is
    stored with the update (see ``projects.excerpts``). The organisation's name is not joined: the builder has
    every organisation's name already, and one string shared by all the entries of an organisation costs less
    than tens of thousands of copies sent, decoded and kept. The builder makes the entries, on its own thread
    (their URLs need ``reverse``), in the same pass that files them by initiative."""
    return _rows(
        ProgressUpdate.objects.filter(cycle_id=cycle_id, status=UpdateStatus.APPROVED)
        .annotate(approved_on=_LocalDate("reviewed_at", tzinfo=zone))
        .order_by("period_end", F("reviewed_at").asc(nulls_last=True), "pk")
        .values_list(
            "pk",
            "project_id",
            "organisation_id",
            "period_start",
            "period_end",
            "excerpt",
            "excerpt_cut",
            "approved_on",
        )
    )


def _latest_values(cycle_id: int, *fields: str) -> QuerySet:
    """The latest approved value of each indicator in one cycle (latest as of, then approval, then id), as rows
    of ``fields``. One cycle per query: two smaller sorts cost less than one sort of both cycles' values."""
    approved_values = IndicatorValue.objects.filter(update__cycle_id=cycle_id, update__status=UpdateStatus.APPROVED)
    return _latest(approved_values, ("indicator_id",), ("as_of", "update__reviewed_at", "pk")).values_list(*fields)


def _indicator_values(cycle_id: int, previous_id: int | None) -> tuple[dict, dict]:
    """The latest approved value of each indicator in the cycle (rows ``(indicator_id, value, as_of)`` by
    indicator) and in the previous one (values by indicator): two queries."""
    latest_values = {row[0]: row for row in _rows(_latest_values(cycle_id, "indicator_id", "value", "as_of"))}
    previous_values = (
        dict(_rows(_latest_values(previous_id, "indicator_id", "value"))) if previous_id is not None else {}
    )
    return latest_values, previous_values


def _initiative_reads() -> tuple[list, list, list]:
    """Who leads and who is a partner (rows ``(position, organisation_id, pk, project_id, role)``, unsorted);
    the initiatives' rows under actions (``(project_id, action_id)``, in the plan's order); the indicators
    (``(id, project_id, name, unit, baseline, baseline_year, target, comparator, target_year)``): three
    queries, none of them about the cycle."""
    roles = ProjectOrganisation.objects.filter(role__in=[OrganisationRole.LEAD, OrganisationRole.PARTNER]).order_by()
    return (
        _rows(roles.values_list("position", "organisation_id", "pk", "project_id", "role")),
        _rows(
            ActionContribution.objects.order_by("action__number", "position", "pk").values_list(
                "project_id", "action_id"
            )
        ),
        _rows(
            Indicator.objects.order_by("pk").values_list(
                "id", "project_id", "name", "unit", "baseline", "baseline_year", "target", "target_comparator",
                "target_year",
            )
        ),
    )  # fmt: skip


def _cycle_reads(cycle_id: int, period: tuple[datetime.date, datetime.date]) -> tuple:
    """What else joins the cycle's approved updates, in three queries: the milestones the updates delayed; the
    milestones of the cycle; the latest approved report on each work-plan item."""
    approved = Q(update__cycle_id=cycle_id, update__status=UpdateStatus.APPROVED)
    delays = list(
        MilestoneReport.objects.filter(approved, outcome=MilestoneOutcome.DELAYED, new_date__isnull=False)
        .order_by("update__reviewed_at", "pk")
        .values_list(
            "new_date", "previous_state", "milestone__title", "milestone__planned_start", "milestone__project_id"
        )
    )
    # Due in the period (planned end, else planned date), achieved in it, or reported on by an approved update
    # of the cycle. (IN, not EXISTS: PostgreSQL hashes the subquery once, and estimates it so.)
    reported_on = MilestoneReport.objects.filter(approved).values("milestone_id")
    milestones = _rows(
        Milestone.objects.filter(
            Q(planned_end__range=period)
            | Q(planned_end__isnull=True, planned_start__range=period)
            | Q(achieved_on__range=period)
            | Q(pk__in=reported_on)
        )
        .order_by("planned_start", "pk")
        .values_list("project_id", "title", "period_label", "planned_start", "planned_end", "status", "achieved_on")
    )
    latest_item_report = {
        item_id: (done, note, organisation_id)
        for item_id, done, note, organisation_id in _latest(
            WorkPlanItemReport.objects.filter(approved), ("item_id",), ("update__reviewed_at", "update_id", "pk")
        ).values_list("item_id", "done", "note", "update__organisation_id")
    }
    return delays, milestones, latest_item_report


def _parallel_reads() -> bool:
    """Whether the builder may read on other connections, alongside its own: on PostgreSQL, outside a
    transaction (inside one, another connection would not see the same data: publishing, tests), unless the
    setting ``STOCKTAKING_PARALLEL_READS`` is False."""
    return (
        getattr(settings, "STOCKTAKING_PARALLEL_READS", True)
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


class _Read:
    """A read the builder starts early and takes the result of later. With ``parallel``, it runs at once in a
    thread, on that thread's own connection (closed after); otherwise, or if no second connection can be had,
    on this thread's connection when ``result()`` is first called."""

    def __init__(self, parallel: bool, function, *args):
        self.function, self.args, self.future = function, args, None
        if parallel:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stocktaking-report")
            self.future = executor.submit(_on_own_connection, function, *args)
            executor.shutdown(wait=False)

    def result(self):
        if self.future is not None:
            try:
                return self.future.result()
            except OperationalError:  # no second connection to be had (or it broke): read on this one
                self.future = None
        return self.function(*self.args)


#: Memory PostgreSQL may use per sort for the builder's reads on their own connections: the latest indicator
#: values of two cycles sort about 100,000 rows at scale, which the default 4 MB sends to disk.
READ_WORK_MEM = "64MB"


def _on_own_connection(function, *args):
    try:
        with connection.cursor() as cursor:  # this thread's own connection
            cursor.execute("SET work_mem = %s", [READ_WORK_MEM])
        return function(*args)
    finally:
        connections.close_all()  # this thread's connections only


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for a moment. The builder makes a few hundred thousand small
    objects (rows, dataclasses; no reference cycles): each automatic collection would walk them all again, a
    third of the builder's time at 9,000 initiatives. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _to_oldest_generation()
            gc.enable()


def _to_oldest_generation() -> None:
    """Move every object the collector tracks to its oldest generation. Re-enabled with the builder's objects
    still in the youngest generation, the collector would walk them all at its next young collection, at once
    (a fifth of the builder's time at 9,000 initiatives), only to find that the report they make is still in
    use; the oldest generation is where it ends up anyway, walked only by the rare full collections.
    ``gc.freeze()`` then ``gc.unfreeze()`` does exactly that (both only relink lists). Not if the process froze
    objects of its own (a server that freezes what it loaded before forking): unfreezing would release them."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def build_report(
    cycle: ReportingCycle, *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> StocktakingReportData:
    """The stocktaking report of ``cycle`` as of ``today`` (default: today), from about 20 queries."""
    with _cyclic_gc_paused():
        return _build_report(cycle, today=today, now=now)


def _build_report(
    cycle: ReportingCycle, *, today: datetime.date | None, now: datetime.datetime | None
) -> StocktakingReportData:
    """``build_report``.

    The queries read plain values (no model instances), only the cycle's approved updates and only the
    start of their narratives, and let the database pick the latest indicator value, work-plan report and
    history record; the Python below only sorts the rows into the report. 12 queries on this connection and 9
    alongside (on PostgreSQL outside a transaction, in four threads on their own connections; otherwise here):
    21 in all, whatever the size of the plan.

    The Python makes about 100,000 small objects at scale: it makes each once (an initiative's reference and
    entry together, an action's list of references once for all the subgoals it serves), reads rows as plain
    tuples, and shares one string per organisation name and per label among the entries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    labels = _bucket_labels()
    truncated = pgettext("String to return when truncating text", "%(truncated_text)s…")
    zone = timezone.get_current_timezone()
    parallel = _parallel_reads()
    # Alongside (see _Read): A. the cycle's approved updates with the start of their narratives (the heaviest
    # read); B. the indicators' values and C. what else joins the updates (started below).
    updates_read = _Read(parallel, _approved_updates, cycle.pk, zone)
    # D. The initiatives' leads and partners, rows under actions and indicators (3 queries; needed first).
    initiatives_read = _Read(parallel, _initiative_reads)

    # 1. The cycle, its meetings (and hosts); 2. the previous cycle.
    cycle = ReportingCycle.objects.select_related("opening_meeting__host_country", "closing_meeting__host_country").get(
        pk=cycle.pk
    )
    previous = ReportingCycle.objects.filter(number__lt=cycle.number).order_by("-number").first()
    # B. Indicator values (2 queries); C. delayed milestones, milestones of the cycle, work-plan reports (3).
    values_read = _Read(parallel, _indicator_values, cycle.pk, previous.pk if previous else None)
    cycle_read = _Read(parallel, _cycle_reads, cycle.pk, (cycle.period_start, cycle.period_end))

    # 3-4. Objectives and their subgoals; 5-6. actions and the subgoals they serve.
    objectives = list(
        StrategicObjective.objects.prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.order_by("position")))
    )
    actions = {a.pk: a for a in Action.objects.order_by("number")}
    action_subgoals: dict[int, set[int]] = defaultdict(set)
    for action_id, subgoal_id in Action.subgoals.through.objects.values_list("action_id", "subgoal_id"):
        action_subgoals[action_id].add(subgoal_id)
    subgoal_objective = {s.pk: o.number for o in objectives for s in o.subgoals.all()}

    # 7. Initiatives; 8. organisations; then (D, read alongside) who leads and who is a partner, the initiatives'
    # rows under actions and their indicators.
    projects = {
        row.id: row
        for row in Project.objects.order_by("title", "pk").values_list(
            "id", "slug", "title", "status", "is_new", named=True
        )
    }
    region_labels = {key: str(label) for key, label in Region.choices}
    # Organisations in the database's order of their names, so that the leads and partners can be put in that
    # order here: sorting the 18,000 roles by the names' collation in SQL took longer than all the rest of their read.
    organisations: dict[int, tuple[str, str, str]] = {}  # (short name, slug, region)
    name_rank: dict[int, int] = {}  # equal names, equal ranks
    rank, previous_name = -1, None
    for pk, acronym, name, slug, region in Organisation.objects.order_by("name").values_list(
        "pk", "acronym", "name", "slug", "region"
    ):
        if rank < 0 or name != previous_name:
            rank, previous_name = rank + 1, name
        name_rank[pk] = rank
        organisations[pk] = (acronym or name, slug, region)
    short_names = {pk: short_name for pk, (short_name, _slug, _region) in organisations.items()}
    leads: dict[int, list[int]] = defaultdict(list)
    partners: dict[int, list[int]] = defaultdict(list)
    role_rows, rows, indicators = initiatives_read.result()
    for _position, organisation_id, _pk, project_id, role in sorted(
        role_rows,
        key=lambda row: (row[0], name_rank[row[1]], row[2]),  # position, organisation's name, pk
    ):
        (leads if role == _LEAD else partners)[project_id].append(organisation_id)
    action_numbers = {pk: action.number for pk, action in actions.items()}
    action_objectives = {
        action_id: {subgoal_objective[subgoal_id] for subgoal_id in subgoal_ids}
        for action_id, subgoal_ids in action_subgoals.items()
    }
    rows_by_action: dict[int, list[int]] = defaultdict(list)
    actions_of: dict[int, set[int]] = defaultdict(set)
    objectives_of: dict[int, set[int]] = defaultdict(set)
    for project_id, action_id in rows:
        rows_by_action[action_id].append(project_id)
        actions_of[project_id].add(action_numbers[action_id])
        objectives_of[project_id].update(action_objectives.get(action_id, ()))

    # 9. The cycle's work plan.
    work_plan_items = list(
        WorkPlanItem.objects.filter(cycle=cycle)
        .order_by("project_id", "position", "pk")
        .values_list("pk", "project_id", "planned_activity", "expected_output")
    )

    # 10-12. The initiatives' state at the baseline (history), and those removed since.
    baseline_date = previous.period_end if previous is not None else cycle.period_start
    baseline_at = _end_of_day(baseline_date)
    at_baseline = {pk: status for pk, status, history_type in _latest_history(baseline_at) if history_type != "-"}
    history_available = Project.history.filter(history_date__lte=baseline_at).exists()
    removed = list(
        Project.history.filter(history_type="-", history_date__gt=baseline_at)
        .order_by("title")
        .values_list("title", flat=True)
    )

    # --- Computation (no more queries below, only the results of the reads alongside) ----------------------
    project_url = url_maker("projects:project-detail", "slug", "report-initiative-slug")
    status_labels = {key: str(label) for key, label in ProjectStatus.choices}
    comparator_labels = {key: str(label) for key, label in TargetComparator.choices}

    active_ids = {pk for pk, p in projects.items() if p.status in ACTIVE_STATUSES}
    if previous is None:
        new_basis = "plan"
        new_ids = {pk for pk, p in projects.items() if p.is_new}
    else:
        new_basis = "history"
        new_ids = {pk for pk in projects if pk not in at_baseline} if history_available else set()

    lead_names = {pk: [short_names[o] for o in orgs] for pk, orgs in leads.items()}
    objective_projects: dict[int, set[int]] = {o.number: set() for o in objectives}
    for pk, numbers in objectives_of.items():
        if pk in projects:
            for number in numbers:
                objective_projects.setdefault(number, set()).add(pk)

    # Balance: distinct lead organisations by region, overall and per objective.
    def region_counts(ids) -> RegionCounts:
        tally = dict.fromkeys(REGIONS, 0)
        for organisation_id in {o for pk in ids for o in leads.get(pk, ())}:
            region = organisations[organisation_id][2]
            tally[region] = tally.get(region, 0) + 1
        return RegionCounts(
            asia=tally[Region.ASIA], europe=tally[Region.EUROPE], international=tally[Region.INTERNATIONAL]
        )

    balance = Balance(
        overall=region_counts(projects),
        per_objective=[
            BalanceRow(key=str(o.number), label=str(o.label), counts=region_counts(objective_projects[o.number]))
            for o in objectives
        ],
    )

    # Changes since the previous cycle.
    status_changes, ended = [], []
    for pk, project in projects.items():
        before = at_baseline.get(pk)
        if before is None or before == project.status:
            continue
        change = StatusChange(
            slug=project.slug,
            title=project.title,
            before=status_labels.get(before, before),
            after=status_labels[project.status],
        )
        status_changes.append(change)
        if project.status == ProjectStatus.COMPLETED:
            ended.append(change)
    # What the reads alongside bring: first the milestones and the indicators' values,
    delays, milestones, latest_item_report = cycle_read.result()

    # Milestones: buckets, by initiative.
    milestone_entries: dict[int, list[MilestoneEntry]] = defaultdict(list)
    bucket_counts = dict.fromkeys(MILESTONE_BUCKETS, 0)
    for project_id, title, period_label, planned_start, planned_end, status, achieved_on in milestones:
        due = planned_end or planned_start
        bucket = _milestone_bucket(status, due, today)
        bucket_counts[bucket] += 1
        # Positional, in the fields' order (title, period_label, due, bucket, bucket_label, achieved_on): the
        # report makes tens of thousands of entries, and keywords cost twice as much as the rest of a call.
        milestone_entries[project_id].append(
            MilestoneEntry(title, period_label, due, bucket, labels[bucket], achieved_on)
        )

    # Indicators: the cycle's latest value, assessment, delta.
    latest_values, previous_values = values_read.result()
    indicator_entries: dict[int, list[IndicatorEntry]] = defaultdict(list)
    assessment_counts = dict.fromkeys(INDICATOR_ASSESSMENTS, 0)
    deltas: list[IndicatorDelta] = []
    no_value = (None, None, None)  # as a row of latest_values: (indicator_id, value, as_of)
    for indicator_id, project_id, name, unit, baseline, baseline_year, target, comparator, target_year in indicators:
        _indicator_id, value, as_of = latest_values.get(indicator_id, no_value)
        assessment, expected = _assessment(baseline, baseline_year, target, comparator, target_year, value, as_of)
        assessment_counts[assessment] += 1
        if indicator_id in previous_values:
            previous_value, basis = previous_values[indicator_id], "previous cycle"
        elif baseline is not None:
            previous_value, basis = baseline, "baseline"
        else:
            previous_value, basis = None, ""
        delta = value - previous_value if value is not None and previous_value is not None else None
        indicator_entries[project_id].append(
            IndicatorEntry(  # positional, in the fields' order (as the milestones')
                name,
                unit,
                baseline,
                baseline_year,
                target,
                comparator,  # target_comparator
                comparator_labels.get(comparator, comparator),  # target_comparator_label
                target_year,
                value,
                as_of,  # value_as_of
                expected,
                assessment,
                labels[assessment],  # assessment_label
                previous_value,
                basis,  # previous_basis
                delta,
            )
        )
        if value is not None:
            deltas.append(
                # (initiative, indicator, unit, previous, previous_basis, current, delta)
                IndicatorDelta(projects[project_id].title, name, unit, previous_value, basis, value, delta)
            )

    # Work plan: the latest approved report on each item.
    work_plan_entries: dict[int, list[WorkPlanEntry]] = defaultdict(list)
    work_plan_counts = dict.fromkeys(WORK_PLAN_OUTCOMES, 0)
    for item_id, project_id, planned_activity, expected_output in work_plan_items:
        report = latest_item_report.get(item_id)
        outcome = NO_REPORT if report is None else (DONE if report[0] else NOT_DONE)
        work_plan_counts[outcome] += 1
        work_plan_entries[project_id].append(
            WorkPlanEntry(
                planned_activity=planned_activity,
                expected_output=expected_output,
                outcome=outcome,
                outcome_label=labels[outcome],
                note=report[1] if report else "",
                reported_by=short_names[report[2]] if report else "",
            )
        )

    slipped = []
    for new_date, previous_state, title, planned_start, project_id in delays:
        original = (previous_state or {}).get("planned_end")
        from_date = datetime.date.fromisoformat(original) if original else planned_start
        if from_date is None or new_date > from_date:
            slipped.append(
                SlippedMilestone(
                    initiative=projects[project_id].title, milestone=title, from_date=from_date, to_date=new_date
                )
            )
    # then the updates (in the report's order: each initiative's in that order).
    updates = updates_read.result()
    updates_of: dict[int, list[UpdateEntry]] = defaultdict(list)
    update_url = url_maker("updates:update-detail", "pk", 2147483647)
    truncate = _truncation(truncated)
    for pk, project_id, organisation_id, start, end, excerpt, cut, approved_on in updates:
        updates_of[project_id].append(
            # (positional, as named: pk, url, organisation, period_start, period_end, approved_on, excerpt)
            UpdateEntry(
                pk,
                update_url(pk),
                short_names[organisation_id],
                start,
                end,
                approved_on,
                truncate(excerpt) if cut else excerpt,
            )
        )
    updates_by_org = Counter(map(itemgetter(2), updates))  # approved updates by organisation_id

    # Initiatives in the plan's order (first action, then position); those without rows last. Each one's
    # reference (in the plan's hierarchy, coverage and changes) is made once, with its entry.
    reported_ids = set(updates_of)
    order = list(dict.fromkeys([project_id for project_id, _action_id in rows] + list(projects)))
    refs: dict[int, InitiativeRef] = {}
    initiative_entries = []
    no_entries: list = []  # read only: .get() defaults below, copied where an entry keeps a list
    for pk in order:
        project = projects[pk]
        url = project_url(project.slug)
        is_new, reported = pk in new_ids, pk in reported_ids
        # Positional, in the fields' order (as the milestones').
        refs[pk] = InitiativeRef(project.slug, project.title, url, is_new, reported, lead_names.get(pk) or [])
        initiative_entries.append(
            InitiativeEntry(
                project.slug,
                project.title,
                url,
                project.status,
                status_labels.get(project.status, project.status),  # status_label
                is_new,
                pk in active_ids,  # active
                reported,
                list(lead_names.get(pk, no_entries)),  # leads
                [short_names[o] for o in partners.get(pk, no_entries)],  # partners
                sorted(actions_of.get(pk, ())),  # actions
                sorted(objectives_of.get(pk, ())),  # objectives
                updates_of.get(pk) or [],  # updates
                milestone_entries.get(pk) or [],  # milestones
                indicator_entries.get(pk) or [],  # indicators
                work_plan_entries.get(pk) or [],  # work_plan
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

    # Each action's initiatives (once each, in the plan's order), listed again under every subgoal it serves.
    action_refs = {pk: [refs[p] for p in dict.fromkeys(rows_by_action[pk])] for pk in actions}
    objective_sections, per_objective = [], []
    for objective in objectives:
        ids = objective_projects[objective.number]
        per_objective.append(count_row(str(objective.number), str(objective.label), ids))
        subgoal_sections = []
        for subgoal in objective.subgoals.all():
            action_sections = [
                ActionSection(
                    number=action.number,
                    description=action.description,
                    initiatives=list(action_refs[action.pk]),
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
    reported_refs, not_reported_refs, not_expected_refs = [], [], []
    coverage_of: dict[int, OrganisationCoverage] = {}
    for pk in order:
        reported, active = pk in reported_ids, pk in active_ids
        (reported_refs if reported else not_reported_refs if active else not_expected_refs).append(refs[pk])
        if not active and not reported:
            continue
        for organisation_id in leads.get(pk, ()):
            entry = coverage_of.get(organisation_id)
            if entry is None:
                short_name, slug, region = organisations[organisation_id]
                entry = coverage_of[organisation_id] = OrganisationCoverage(
                    slug=slug,
                    name=short_name,
                    region=region,
                    region_label=region_labels.get(region, region),
                    initiatives_led=0,
                    reported=0,
                    approved_updates=updates_by_org.get(organisation_id, 0),
                    not_reported=[],
                )
            entry.initiatives_led += 1
            if reported:
                entry.reported += 1
            else:
                entry.not_reported.append(projects[pk].title)
    coverage = Coverage(
        reported=reported_refs,
        not_reported=not_reported_refs,
        not_expected=not_expected_refs,
        organisations=sorted(coverage_of.values(), key=lambda o: (-len(o.not_reported), o.name.lower())),
    )

    changes = Changes(
        has_previous_cycle=previous is not None,
        baseline_date=baseline_date,
        history_available=history_available,
        new_basis=new_basis,
        new_initiatives=[refs[pk] for pk in order if pk in new_ids],
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
        reporting_organisations=len(updates_by_org),
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


# Both walk a hundred thousand objects for a large plan: what to do with each class or type hint is worked out once
# (``dataclasses.fields`` and ``typing.get_type_hints`` are slow), not for each object.
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}
_PLAIN = (str, int, float, bool, type(None))
_DECODERS: dict = {}


def _encode(value):
    kind = type(value)
    if kind in _PLAIN:
        return value
    names = _FIELD_NAMES.get(kind, ())
    if names == ():
        names = _FIELD_NAMES[kind] = (
            tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None
        )
    if names is not None:
        return {name: _encode(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(kind):
    """A function from the JSON of a ``kind`` (a type hint) to the value (None stays None)."""
    if kind in _DECODERS:
        return _DECODERS[kind]
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(arg for arg in typing.get_args(kind) if arg is not type(None)))

        def decode(value):
            return None if value is None else inner(value)

    elif origin in (list, tuple):
        (item_kind,) = typing.get_args(kind)
        item = _decoder(item_kind)

        def decode(value):
            return None if value is None else [item(v) for v in value]

    elif dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind)]

        def decode(value):
            if value is None:
                return None
            return kind(**{name: field(value[name]) for name, field in fields if name in value})

    elif kind in (datetime.datetime, datetime.date, Decimal):
        parse = kind.fromisoformat if kind is not Decimal else Decimal

        def decode(value):
            return None if value is None else parse(value)

    else:

        def decode(value):
            return value

    _DECODERS[kind] = decode
    return decode


def _decode(kind, value):
    return _decoder(kind)(value)


def to_json(data: StocktakingReportData) -> dict:
    """The report as JSON-ready data (dates as ISO strings, decimals as strings: nothing is rounded)."""
    return _encode(data)


def from_json(content: dict) -> StocktakingReportData:
    """The report as frozen at publication, as the same dataclasses the builder returns."""
    return _decode(StocktakingReportData, content)
