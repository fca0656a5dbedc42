"""Progress at a glance: how far the plan, an objective, a subgoal or an action has come, and each initiative in a
list. Every figure is an aggregate query (or one read of plain rows) whose number does not grow with the data.

What is counted (``templates/includes/progress_counting.html`` says it on every page that shows a figure):

- **Initiatives by status**: each initiative once in its scope, whatever the number of its rows there (an
  initiative under two actions counts once per action, once in an objective and once in the plan). Its status is
  the one its latest approved update states (``projects.models.ProjectStatus``); "not reported yet" until then.
- **Reported in a cycle**: an update of the initiative approved in that cycle (its ``cycle``). How recently each
  initiative reported (:class:`Recency`): in the reporting cycle, in the one before, earlier, or never.
- **Milestones by state**: the one definition, ``Milestone.objects.with_state()``, on today.
- **Indicators**: the one assessment of the stocktaking report (``report.initiatives.assess_indicator``) of the
  indicator's latest approved value against its baseline and target: target met; on track (on or above the straight
  line from the baseline to the target by the target year); behind (below that line, or, without a baseline year
  to draw it from, not met yet); no value reported yet; no target stated.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import (
    NOT_REPORTED_LABEL,
    ActionContribution,
    Indicator,
    Milestone,
    MilestoneState,
    Project,
    ProjectStatus,
)

from .models import ProgressUpdate, ReportingCycle, UpdateStatus
from .report.data import BEHIND, MET, NO_TARGET, NO_VALUE, OKABE_ITO, ON_TRACK
from .report.initiatives import assess_indicator

#: An initiative without a status: no approved update has stated one yet.
NOT_REPORTED = "not_reported"

#: The statuses in the order every bar and list shows them, with their colours (the Okabe–Ito palette, as the
#: report's charts; each badge and bar also says its status in words).
STATUSES = (
    (ProjectStatus.COMPLETED.value, ProjectStatus.COMPLETED.label, OKABE_ITO["bluish_green"]),
    (ProjectStatus.ONGOING.value, ProjectStatus.ONGOING.label, OKABE_ITO["blue"]),
    (ProjectStatus.PLANNED.value, ProjectStatus.PLANNED.label, OKABE_ITO["sky_blue"]),
    (ProjectStatus.DELAYED.value, ProjectStatus.DELAYED.label, OKABE_ITO["orange"]),
    (ProjectStatus.DISCONTINUED.value, ProjectStatus.DISCONTINUED.label, OKABE_ITO["reddish_purple"]),
    (NOT_REPORTED, NOT_REPORTED_LABEL, OKABE_ITO["grey"]),
)
#: A milestone's states, with the report's colours.
MILESTONE_STATES = (
    (MilestoneState.ACHIEVED.value, MilestoneState.ACHIEVED.label, OKABE_ITO["bluish_green"]),
    (MilestoneState.ON_TRACK.value, MilestoneState.ON_TRACK.label, OKABE_ITO["blue"]),
    (MilestoneState.DELAYED.value, MilestoneState.DELAYED.label, OKABE_ITO["orange"]),
    (MilestoneState.OVERDUE.value, MilestoneState.OVERDUE.label, OKABE_ITO["vermillion"]),
    (MilestoneState.CANCELLED.value, MilestoneState.CANCELLED.label, OKABE_ITO["grey"]),
)
#: An indicator's assessment against its target.
INDICATOR_ASSESSMENTS = (
    (MET, _("Target met"), OKABE_ITO["bluish_green"]),
    (ON_TRACK, _("On track"), OKABE_ITO["blue"]),
    (BEHIND, _("Behind"), OKABE_ITO["vermillion"]),
    (NO_VALUE, _("No value reported yet"), OKABE_ITO["grey"]),
    (NO_TARGET, _("No target stated"), OKABE_ITO["reddish_purple"]),
)


class Recency:
    """How recently an initiative reported: an update approved in the reporting cycle, in the one before, earlier
    (in an older cycle, or before cycles were kept), or never."""

    THIS_CYCLE, LAST_CYCLE, EARLIER, NEVER = "this_cycle", "last_cycle", "earlier", "never"
    CHOICES = (
        (THIS_CYCLE, _("This cycle"), OKABE_ITO["blue"]),
        (LAST_CYCLE, _("Last cycle"), OKABE_ITO["sky_blue"]),
        (EARLIER, _("Earlier"), OKABE_ITO["yellow"]),
        (NEVER, _("Never"), OKABE_ITO["grey"]),
    )


LABELS = {key: label for choices in (STATUSES, MILESTONE_STATES, INDICATOR_ASSESSMENTS, Recency.CHOICES)
          for key, label, _colour in choices}  # fmt: skip
COLOURS = {
    **{f"status-{key}": colour for key, _label, colour in STATUSES},
    **{f"milestone-{key}": colour for key, _label, colour in MILESTONE_STATES},
    **{f"indicator-{key}": colour for key, _label, colour in INDICATOR_ASSESSMENTS},
    **{f"recency-{key}": colour for key, _label, colour in Recency.CHOICES},
}


@dataclass(frozen=True)
class Bucket:
    """One part of a distribution: its key, label, count and colour (``kind`` names the palette: ``status``,
    ``milestone``, ``indicator``, ``recency``)."""

    kind: str
    key: str
    label: str
    count: int

    @property
    def colour(self) -> str:
        return COLOURS[f"{self.kind}-{self.key}"]


@dataclass(frozen=True)
class Distribution:
    """Counts by status (state, assessment…) in their fixed order, zeros included."""

    kind: str
    buckets: tuple[Bucket, ...]

    @classmethod
    def of(cls, kind: str, choices, counts: dict[str, int]) -> Distribution:
        return cls(kind, tuple(Bucket(kind, key, str(label), counts.get(key, 0)) for key, label, _c in choices))

    @property
    def total(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def shown(self) -> tuple[Bucket, ...]:
        """The buckets with something in them."""
        return tuple(bucket for bucket in self.buckets if bucket.count)

    def count(self, key: str) -> int:
        return next((bucket.count for bucket in self.buckets if bucket.key == key), 0)


# The reporting cycle -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycles:
    """The reporting cycle the figures count in, and the one before it (either may be None)."""

    current: ReportingCycle | None
    previous: ReportingCycle | None

    @classmethod
    def today(cls, today: datetime.date | None = None) -> Cycles:
        """The cycle taking updates today (its window or its late allowance runs: ``accepts_submissions``);
        else the latest whose submission window has opened (its figures stay until the next opens). One query:
        there is one cycle every two years."""
        today = today or timezone.localdate()
        cycles = list(ReportingCycle.objects.order_by("-number"))
        current = next((c for c in cycles if c.accepts_submissions(today)), None) or next(
            (c for c in cycles if c.submission_opens <= today), None
        )
        previous = next((c for c in cycles if current is not None and c.number < current.number), None)
        return cls(current, previous)


def _approved(project: str = "pk", **lookups) -> Exists:
    return Exists(
        ProgressUpdate.objects.filter(project=OuterRef(project), status=UpdateStatus.APPROVED, **lookups)
    )


#: A condition that holds for nothing (where there is no cycle to count in).
NOTHING = Value(False, output_field=BooleanField())


def _recency_counts(cycles: Cycles, project: str = "pk") -> dict[str, Count]:
    """Counts of initiatives (``project``: the path to them) by recency, for ``annotate()``."""
    this = _approved(project, cycle=cycles.current) if cycles.current else NOTHING
    last = _approved(project, cycle=cycles.previous) if cycles.previous else NOTHING
    ever = _approved(project)
    return {
        Recency.THIS_CYCLE: Count(project, distinct=True, filter=Q(this)),
        Recency.LAST_CYCLE: Count(project, distinct=True, filter=~Q(this) & Q(last)),
        Recency.EARLIER: Count(project, distinct=True, filter=~Q(this) & ~Q(last) & Q(ever)),
        Recency.NEVER: Count(project, distinct=True, filter=~Q(ever)),
    }


# Scopes: the whole plan, an objective, a subgoal or an action ------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which initiatives a rollup counts: those with a row of the plan matching ``rows`` (all of them if None)."""

    rows: Q | None = None

    @classmethod
    def of(cls, obj: StrategicObjective | Subgoal | Action | None) -> Scope:
        if obj is None:
            return cls()
        if isinstance(obj, StrategicObjective):
            return cls(Q(action__subgoals__objective=obj))
        if isinstance(obj, Subgoal):
            return cls(Q(action__subgoals=obj))
        return cls(Q(action=obj))

    def condition(self, project: str = "pk") -> Q:
        """Whether an initiative (``project``: the path to it from the model filtered) is in the scope: a
        semi-join, so an initiative under several of the scope's actions counts once."""
        if self.rows is None:
            return Q()
        return Q(Exists(ActionContribution.objects.filter(self.rows, project=OuterRef(project))))


@dataclass(frozen=True)
class Rollup:
    """The figures of one scope."""

    initiatives: int
    statuses: Distribution
    recency: Distribution
    cycles: Cycles
    milestones: Distribution
    indicators: Distribution

    @property
    def reported(self) -> int:
        """Initiatives with an update approved in the reporting cycle."""
        return self.recency.count(Recency.THIS_CYCLE)


def rollup(scope: Scope, cycles: Cycles, today: datetime.date | None = None) -> Rollup:
    """The scope's figures: three queries whatever the number of initiatives, milestones and indicators (the
    indicators' assessment reads their plain rows)."""
    statuses: dict[str, int] = {}
    recency: dict[str, int] = defaultdict(int)
    rows = (
        Project.objects.filter(scope.condition())
        .order_by()
        .values("status")
        .annotate(total=Count("pk"), **_recency_counts(cycles))
    )
    for row in rows:
        statuses[row["status"] or NOT_REPORTED] = row["total"]
        for key, _label, _colour in Recency.CHOICES:
            recency[key] += row[key]
    return Rollup(
        initiatives=sum(statuses.values()),
        statuses=Distribution.of("status", STATUSES, statuses),
        recency=Distribution.of("recency", Recency.CHOICES, recency),
        cycles=cycles,
        milestones=Distribution.of("milestone", MILESTONE_STATES, _milestone_counts(scope, today)),
        indicators=Distribution.of("indicator", INDICATOR_ASSESSMENTS, _indicator_counts(scope)),
    )


def _milestone_counts(scope: Scope, today: datetime.date | None) -> dict[str, int]:
    milestones = Milestone.objects.with_state(today).filter(scope.condition("project"))
    return dict(milestones.order_by().values_list("state").annotate(total=Count("pk")))


#: What an indicator's assessment reads.
ASSESSED = (
    "baseline", "baseline_year", "target", "target_comparator", "target_year", "latest_value", "latest_value_on"
)  # fmt: skip


def assessment_of(indicator) -> str:
    return assess_indicator(indicator, indicator.latest_value, indicator.latest_value_on)[0]


def _indicator_counts(scope: Scope) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for indicator in Indicator.objects.filter(scope.condition("project")).order_by().values_list(*ASSESSED, named=True):
        counts[assessment_of(indicator)] += 1
    return counts


@dataclass(frozen=True)
class RecencyRow:
    """How recently the initiatives of one objective or action reported."""

    key: str  # the objective's or action's number
    label: str
    url: str
    recency: Distribution


def recency_by_objective(objectives: Iterable[StrategicObjective], cycles: Cycles) -> list[RecencyRow]:
    """Each of ``objectives``' initiatives by how recently they reported (one query)."""
    path = "rows__action__subgoals__objective"
    counts = {
        row["group"]: row
        for row in Project.objects.order_by()
        .values(group=F(f"{path}__number"))
        .annotate(**_recency_counts(cycles))
        .filter(group__isnull=False)
    }
    return [
        RecencyRow(
            key=str(objective.number),
            label=f"{objective.number}. {objective.short_title or objective.title}",
            url=objective.get_absolute_url(),
            recency=Distribution.of("recency", Recency.CHOICES, counts.get(objective.number, {})),
        )
        for objective in objectives
    ]


def recency_by_action(actions: Iterable[Action], cycles: Cycles) -> list[RecencyRow]:
    """Each of ``actions``' initiatives by how recently they reported (one query)."""
    actions = list(actions)
    counts = {
        row["action_id"]: row
        for row in ActionContribution.objects.filter(action__in=actions)
        .order_by()
        .values("action_id")
        .annotate(**_recency_counts(cycles, "project"))
    }
    return [
        RecencyRow(
            key=str(action.number),
            label=str(_("Action %(number)s") % {"number": action.number}),
            url=action.get_absolute_url(),
            recency=Distribution.of("recency", Recency.CHOICES, counts.get(action.pk, {})),
        )
        for action in actions
    ]


# Milestones around today ------------------------------------------------------------------------------------


def milestones_due(
    today: datetime.date, *, days: int, limit: int
) -> tuple[list[Milestone], list[Milestone]]:
    """The milestones due in the next ``days`` days that are neither achieved nor cancelled, soonest first, and
    those whose date passed in the last ``days`` days, latest first (whatever their state: achieved, or not
    reported yet): at most ``limit`` of each, with their initiatives. Two queries."""
    milestones = Milestone.objects.with_state(today).select_related("project").defer("project__search_vector")
    soon = milestones.filter(
        due__gte=today,
        due__lte=today + datetime.timedelta(days=days),
        state__in=[MilestoneState.ON_TRACK, MilestoneState.DELAYED],
    ).order_by("due", "pk")
    passed = milestones.filter(due__lt=today, due__gte=today - datetime.timedelta(days=days)).order_by("-due", "-pk")
    return list(soon[:limit]), list(passed[:limit])


# Each initiative in a list -----------------------------------------------------------------------------------


@dataclass
class InitiativeProgress:
    """What a list shows of an initiative's progress besides its status."""

    last_update_on: datetime.date | None = None
    recency: str = Recency.NEVER
    milestones: Distribution = field(default_factory=lambda: Distribution.of("milestone", MILESTONE_STATES, {}))
    indicators: Distribution = field(
        default_factory=lambda: Distribution.of("indicator", INDICATOR_ASSESSMENTS, {})
    )

    @property
    def recency_label(self) -> str:
        return str(LABELS[self.recency])


def attach_progress(projects: Iterable[Project], cycles: Cycles, today: datetime.date | None = None) -> None:
    """Give each of ``projects`` its ``progress`` (:class:`InitiativeProgress`): three queries for any number (an
    initiative listed twice, under two actions, is read once)."""
    by_pk: dict[int, list[Project]] = defaultdict(list)
    for project in projects:
        by_pk[project.pk].append(project)
    if not by_pk:
        return
    updates = (
        ProgressUpdate.objects.published()
        .filter(project__in=by_pk)
        .order_by()
        .values("project_id")
        .annotate(
            last=Max(TruncDate("reviewed_at")),
            this=Count("pk", filter=Q(cycle=cycles.current) if cycles.current else NOTHING),
            before=Count("pk", filter=Q(cycle=cycles.previous) if cycles.previous else NOTHING),
        )
    )
    progress = {pk: InitiativeProgress() for pk in by_pk}
    for row in updates:
        entry = progress[row["project_id"]]
        entry.last_update_on = row["last"]
        if row["this"]:
            entry.recency = Recency.THIS_CYCLE
        elif row["before"]:
            entry.recency = Recency.LAST_CYCLE
        else:
            entry.recency = Recency.EARLIER
    milestones: dict[int, dict[str, int]] = defaultdict(dict)
    for project_id, state, total in (
        Milestone.objects.with_state(today)
        .filter(project__in=by_pk)
        .order_by()
        .values_list("project_id", "state")
        .annotate(total=Count("pk"))
    ):
        milestones[project_id][state] = total
    indicators: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for indicator in Indicator.objects.filter(project__in=by_pk).order_by().values_list(
        "project_id", *ASSESSED, named=True
    ):
        indicators[indicator.project_id][assessment_of(indicator)] += 1
    for pk, listed in by_pk.items():
        entry = progress[pk]
        entry.milestones = Distribution.of("milestone", MILESTONE_STATES, milestones[pk])
        entry.indicators = Distribution.of("indicator", INDICATOR_ASSESSMENTS, indicators[pk])
        for project in listed:
            project.progress = entry


def with_progress(queryset: QuerySet[Project], cycles: Cycles) -> list[Project]:
    """The initiatives of ``queryset`` with their ``progress``."""
    projects = list(queryset)
    attach_progress(projects, cycles)
    return projects
