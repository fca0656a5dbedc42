"""The report's shape: the dataclasses every rendering reads, the names of its buckets, and their freezing.

Frozen, dates are ISO strings and decimals strings (nothing is rounded); ``from_json`` reads the types back from
the dataclasses' annotations.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from projects.models import MilestoneState
from stakeholders.models import Region

#: Bumped when the dataclasses change shape; stored with every frozen report.
SCHEMA_VERSION = 1

REGIONS = (Region.ASIA, Region.EUROPE, Region.INTERNATIONAL)

# Milestone buckets: the milestones' states (projects.models.MilestoneState), in the order the report shows them.
ACHIEVED, ON_TRACK, DELAYED, OVERDUE, CANCELLED = (
    MilestoneState.ACHIEVED.value,
    MilestoneState.ON_TRACK.value,
    MilestoneState.DELAYED.value,
    MilestoneState.OVERDUE.value,
    MilestoneState.CANCELLED.value,
)
MILESTONE_BUCKETS = (ACHIEVED, ON_TRACK, DELAYED, OVERDUE, CANCELLED)
# Indicator assessments.
MET, BEHIND, NO_VALUE, NO_TARGET = "met", "behind", "no_value", "no_target"
INDICATOR_ASSESSMENTS = (MET, ON_TRACK, BEHIND, NO_VALUE, NO_TARGET)
# Work-plan item outcomes.
DONE, NOT_DONE, NO_REPORT = "done", "not_done", "no_report"
WORK_PLAN_OUTCOMES = (DONE, NOT_DONE, NO_REPORT)

#: The Okabe–Ito palette, told apart by people with any common colour-vision deficiency; every chart also gives
#: each series a pattern and a text label (``charts.render_svg``), so no meaning rests on colour alone.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",  # not one of the eight: for "no report" and "no value", the absence of something
}

#: Each bucket's label and colour, as every rendering shows them (a milestone's state, with its own label).
BUCKETS = {
    ACHIEVED: (MilestoneState.ACHIEVED.label, OKABE_ITO["bluish_green"]),
    ON_TRACK: (MilestoneState.ON_TRACK.label, OKABE_ITO["blue"]),
    DELAYED: (MilestoneState.DELAYED.label, OKABE_ITO["orange"]),
    OVERDUE: (MilestoneState.OVERDUE.label, OKABE_ITO["vermillion"]),
    CANCELLED: (MilestoneState.CANCELLED.label, OKABE_ITO["grey"]),
    MET: (_("Target met"), OKABE_ITO["bluish_green"]),
    BEHIND: (_("Behind"), OKABE_ITO["vermillion"]),
    NO_VALUE: (_("No value this cycle"), OKABE_ITO["grey"]),
    NO_TARGET: (_("No target stated"), OKABE_ITO["reddish_purple"]),
    DONE: (_("Done"), OKABE_ITO["bluish_green"]),
    NOT_DONE: (_("Not done"), OKABE_ITO["vermillion"]),
    NO_REPORT: (_("No report"), OKABE_ITO["grey"]),
    "reported": (_("Reported"), OKABE_ITO["blue"]),
    "not_reported": (_("Not reported"), OKABE_ITO["orange"]),
    Region.ASIA: (_("Asia"), OKABE_ITO["vermillion"]),
    Region.EUROPE: (_("Europe"), OKABE_ITO["blue"]),
    Region.INTERNATIONAL: (_("International"), OKABE_ITO["yellow"]),
}
BUCKET_LABELS = {key: label for key, (label, _colour) in BUCKETS.items()}
COLOURS = {key: colour for key, (_label, colour) in BUCKETS.items()}


def bucket_label(key: str) -> str:
    return str(BUCKET_LABELS[key])


def translated(labels) -> dict[str, str]:
    """``{key: label}`` from (key, label) pairs, translated once for all the entries that show them."""
    return {key: str(label) for key, label in labels}


# --- The report's shape -----------------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
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
    # The page of its Chair's Conclusions in the document repository (reports frozen before the repository
    # existed hold the address the meeting had then).
    conclusions_url: str


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class CountRow:
    """Initiatives of one objective or one action."""

    key: str  # "1" for objective 1 / action 1
    label: str
    initiatives: int
    active: int
    new: int
    reported: int
    not_reported: int  # active, without an approved update


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class InitiativeRef:
    slug: str
    title: str
    url: str
    is_new: bool
    reported: bool
    leads: list[str]


@dataclass(slots=True, kw_only=True)
class ActionSection:
    number: int
    description: str
    initiatives: list[InitiativeRef]


@dataclass(slots=True, kw_only=True)
class SubgoalSection:
    code: str
    text: str
    actions: list[ActionSection]


@dataclass(slots=True, kw_only=True)
class ObjectiveSection:
    number: int
    title: str
    colour: str
    initiatives: int
    reported: int
    subgoals: list[SubgoalSection]


@dataclass(slots=True, kw_only=True)
class UpdateEntry:
    pk: int
    url: str
    organisation: str
    period_start: datetime.date
    period_end: datetime.date
    approved_on: datetime.date | None
    excerpt: str
    # Added after the first reports were frozen: those read as "not given".
    nothing_to_report: bool = False
    nothing_to_report_reason: str = ""
    self_assessment: str = ""  # a ProgressRating value, and its label as published
    self_assessment_label: str = ""
    secretariat_rating: str = ""
    secretariat_rating_label: str = ""
    secretariat_comment: str = ""
    # Everyone who wrote it (permissions.writers), by name; reports published before 2026-12 do not say.
    written_by: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class MilestoneEntry:
    title: str
    period_label: str
    due: datetime.date | None
    bucket: str
    bucket_label: str
    achieved_on: datetime.date | None


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class WorkPlanEntry:
    planned_activity: str
    expected_output: str
    outcome: str
    outcome_label: str
    note: str
    reported_by: str


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class OrganisationCoverage:
    slug: str
    name: str
    region: str
    region_label: str
    initiatives_led: int = 0  # active or reported
    reported: int = 0
    approved_updates: int = 0  # approved updates the organisation wrote in the cycle
    not_reported: list[str] = field(default_factory=list)  # its initiatives without an approved update (titles)


@dataclass(slots=True, kw_only=True)
class Coverage:
    reported: list[InitiativeRef]
    not_reported: list[InitiativeRef]
    not_expected: list[InitiativeRef]  # completed or discontinued, without an update
    organisations: list[OrganisationCoverage]


@dataclass(slots=True, kw_only=True)
class RegionCounts:
    asia: int
    europe: int
    international: int

    @property
    def total(self) -> int:
        return self.asia + self.europe + self.international


@dataclass(slots=True, kw_only=True)
class BalanceRow:
    key: str
    label: str
    counts: RegionCounts


@dataclass(slots=True, kw_only=True)
class Balance:
    overall: RegionCounts
    per_objective: list[BalanceRow]


@dataclass(slots=True, kw_only=True)
class StatusChange:
    slug: str
    title: str
    before: str
    after: str


@dataclass(slots=True, kw_only=True)
class SlippedMilestone:
    initiative: str
    milestone: str
    from_date: datetime.date | None
    to_date: datetime.date


@dataclass(slots=True, kw_only=True)
class IndicatorDelta:
    initiative: str
    indicator: str
    unit: str
    previous: Decimal | None
    previous_basis: str
    current: Decimal
    delta: Decimal | None


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class ChartSeries:
    key: str
    label: str
    colour: str
    values: list[int]


@dataclass(slots=True, kw_only=True)
class Chart:
    id: str
    title: str
    description: str
    categories: list[str]
    series: list[ChartSeries]
    stacked: bool = False


@dataclass(slots=True, kw_only=True)
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
    # The Secretariat's words before the figures (plain text; empty in reports frozen before it existed).
    executive_summary: str = ""


# --- Freezing and thawing ----------------------------------------------------------------------------------------


def from_json(content: dict) -> StocktakingReportData:
    """The report as frozen at publication, as the same dataclasses the builder returns."""
    return _decode(StocktakingReportData, content)


def to_json(value):
    """The report (or any part of it) as JSON-ready data."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, datetime.date):  # and datetime.datetime
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_hints = functools.cache(typing.get_type_hints)


def _decode(kind, value):
    if value is None:
        return None
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # "X | None"
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _decode(inner, value)
    if typing.get_origin(kind) is list:
        (item_kind,) = typing.get_args(kind)
        return [_decode(item_kind, item) for item in value]
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        fields = dataclasses.fields(kind)
        return kind(**{f.name: _decode(hints[f.name], value[f.name]) for f in fields if f.name in value})
    if kind in (datetime.date, datetime.datetime):
        return kind.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value
