"""Each initiative's entry: who leads it, its approved updates, milestones, indicators and work plan in the cycle."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, QuerySet, TextField, Value, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import pgettext

from projects.models import (
    NOT_REPORTED_LABEL,
    ActionContribution,
    Indicator,
    Milestone,
    OrganisationRole,
    Project,
    ProjectOrganisation,
    ProjectStatus,
    TargetComparator,
)

from .. import permissions
from ..models import (
    IndicatorValue,
    MilestoneReport,
    ProgressRating,
    ProgressUpdate,
    ReportingCycle,
    UpdateStatus,
    WorkPlanItem,
    WorkPlanItemReport,
)
from .data import (
    BEHIND,
    BUCKET_LABELS,
    DONE,
    MET,
    NO_REPORT,
    NO_TARGET,
    NO_VALUE,
    NOT_DONE,
    ON_TRACK,
    IndicatorEntry,
    InitiativeEntry,
    InitiativeRef,
    MilestoneEntry,
    UpdateEntry,
    WorkPlanEntry,
    translated,
)
from .plan import Plan


@dataclass(kw_only=True)
class Initiatives:
    """The plan's initiatives as the report's sections read them."""

    entries: dict[int, InitiativeEntry]  # by pk, in the plan's order
    refs: dict[int, InitiativeRef]  # the same, as referred to in the other sections
    by_title: list[Project]  # every initiative, in the order of their titles
    lead_organisations: dict[int, list[dict]]  # initiative pk → its leads (organisation_id, slug, name, region)
    by_action: dict[int, list[int]]  # action pk → its initiatives' pks, in the plan's order
    indicators: list[tuple[str, IndicatorEntry]]  # every indicator with its initiative's title, in their order

    def ids(self, wanted) -> set[int]:
        """The pks of the initiatives whose entry is ``wanted`` (a test of an ``InitiativeEntry``)."""
        return {pk for pk, entry in self.entries.items() if wanted(entry)}

    @functools.cached_property
    def active(self) -> set[int]:
        return self.ids(lambda entry: entry.active)

    @functools.cached_property
    def new(self) -> set[int]:
        return self.ids(lambda entry: entry.is_new)

    @functools.cached_property
    def reported(self) -> set[int]:
        return self.ids(lambda entry: entry.reported)


def short_name(organisation: str):
    """The short name (acronym, else name) of the organisation at the path ``organisation``, in SQL."""
    return Coalesce(NullIf(F(f"{organisation}__acronym"), Value("")), F(f"{organisation}__name"))


def latest(queryset: QuerySet, partition: str, *order: str) -> QuerySet:
    """The latest row of ``queryset`` for each ``partition``, by ``order`` (ending with a unique field)."""
    rank = Window(RowNumber(), partition_by=F(partition), order_by=[F(name).desc() for name in order])
    return queryset.order_by().annotate(rank=rank).filter(rank=1)


def approved_in(cycle: ReportingCycle, update: str = "update") -> Q:
    """Rows of an approved update of ``cycle`` (the update at the path ``update``)."""
    return Q(**{f"{update}__cycle": cycle, f"{update}__status": UpdateStatus.APPROVED})


def approved_updates(cycle: ReportingCycle) -> QuerySet:
    return ProgressUpdate.objects.filter(cycle=cycle, status=UpdateStatus.APPROVED)


#: Words of an update's narrative the report quotes.
EXCERPT_WORDS = 60


def narrative() -> Coalesce:
    """An update's narrative as the report quotes it: achievements, else challenges, else next steps (the first
    that is not empty), in SQL."""
    return Coalesce(
        NullIf(F("achievements"), Value("")),
        NullIf(F("challenges"), Value("")),
        F("next_steps"),
        output_field=TextField(),
    )


def truncation() -> str:
    """Django's own translated "…" of truncated text, looked up once for a report's tens of thousands of excerpts
    (docs/performance.md)."""
    return pgettext("String to return when truncating text", "%(truncated_text)s…")


def excerpt(text: str, truncate: str | None = None) -> str:
    """The first :data:`EXCERPT_WORDS` words of ``text`` on one line, with ``truncate`` (by default Django's
    translated "…") when it goes on."""
    return Truncator(text).words(EXCERPT_WORDS, truncate=truncate)


# --- Updates --------------------------------------------------------------------------------------------------


def updates_by_initiative(cycle: ReportingCycle) -> dict[int, list[UpdateEntry]]:
    """The cycle's approved updates, by initiative, in the report's order: period end, approval, id."""
    writers = permissions.writers_by_update(approved_updates(cycle))
    updates = approved_updates(cycle).annotate(
        organisation_name=short_name("organisation"),
        approved_on=TruncDate("reviewed_at", tzinfo=timezone.get_current_timezone()),
        narrative=narrative(),
    )
    rows = updates.order_by("period_end", F("reviewed_at").asc(nulls_last=True), "pk").values(
        "pk", "project_id", "organisation_name", "period_start", "period_end", "approved_on", "narrative",
        "nothing_to_report", "nothing_to_report_reason", "self_assessment", "secretariat_rating",
        "secretariat_comment",
    )  # fmt: skip
    truncate = truncation()
    labels = dict(ProgressRating.choices)
    entries = defaultdict(list)
    for row in rows:
        project_id, organisation = row.pop("project_id"), row.pop("organisation_name")
        quoted = excerpt(row.pop("narrative"), truncate)
        written_by = [person["name"] for person in writers.get(row["pk"], [])]
        url = reverse("updates:update-detail", kwargs={"pk": row["pk"]})
        entries[project_id].append(
            UpdateEntry(
                **row,
                url=url,
                organisation=organisation,
                excerpt=quoted,
                written_by=written_by,
                self_assessment_label=str(labels.get(row["self_assessment"], "")),
                secretariat_rating_label=str(labels.get(row["secretariat_rating"], "")),
            )
        )
    return entries


# --- Milestones -----------------------------------------------------------------------------------------------


def milestones_of(cycle: ReportingCycle, today: datetime.date) -> QuerySet:
    """The cycle's milestones (due, achieved or reported on in it), with their due date and state on ``today``."""
    period = (cycle.period_start, cycle.period_end)
    reported_on = MilestoneReport.objects.filter(approved_in(cycle)).values("milestone_id")
    return (
        Milestone.objects.filter(
            Q(planned_end__range=period)
            | Q(planned_end__isnull=True, planned_start__range=period)
            | Q(achieved_on__range=period)
            | Q(pk__in=reported_on)
        )
        .with_state(today)
        .order_by("planned_start", "pk")
    )


def milestones_by_initiative(cycle: ReportingCycle, today: datetime.date) -> dict[int, list[MilestoneEntry]]:
    labels, entries = translated(BUCKET_LABELS.items()), defaultdict(list)
    rows = milestones_of(cycle, today).values("project_id", "title", "period_label", "due", "state", "achieved_on")
    for row in rows:
        project_id, state = row.pop("project_id"), row.pop("state")
        entries[project_id].append(MilestoneEntry(**row, bucket=state, bucket_label=labels[state]))
    return entries


# --- Indicators -----------------------------------------------------------------------------------------------


def latest_values(cycle: ReportingCycle | None) -> dict[int, dict]:
    """``{"value", "as_of"}`` by indicator pk: its latest approved value in ``cycle``."""
    if cycle is None:
        return {}
    values = IndicatorValue.objects.filter(approved_in(cycle))
    latest_ones = latest(values, "indicator_id", "as_of", "update__reviewed_at", "pk")
    return {row["indicator_id"]: row for row in latest_ones.values("indicator_id", "value", "as_of")}


def target_met(value: Decimal, target: Decimal, comparator: str) -> bool:
    if comparator == TargetComparator.GT:
        return value > target
    if comparator == TargetComparator.EQ:
        return value == target
    return value >= target


#: What an indicator is assessed by.
ASSESSED_FIELDS = ("baseline", "baseline_year", "target", "target_comparator", "target_year")


def assess_indicator(indicator, value: Decimal | None, as_of: datetime.date | None):
    """(assessment, expected value on the line from baseline to target) of an ``Indicator`` or row."""
    target, baseline = indicator.target, indicator.baseline
    if target is None:
        return NO_TARGET, None
    if value is None or as_of is None:
        return NO_VALUE, None
    expected = None
    start, end = indicator.baseline_year, indicator.target_year
    if baseline is not None and start is not None and end is not None and end > start:
        share = Decimal(min(max(as_of.year - start, 0), end - start)) / Decimal(end - start)
        expected = (baseline + (target - baseline) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if target_met(value, target, indicator.target_comparator):
        return MET, expected
    if expected is None:
        return BEHIND, None
    on_track = value >= expected if target >= baseline else value <= expected
    return (ON_TRACK if on_track else BEHIND), expected


def indicator_entries(cycle: ReportingCycle, previous: ReportingCycle | None) -> list[tuple]:
    """Every indicator with its value, assessment and change since the previous cycle (or the baseline)."""
    current, before = latest_values(cycle), latest_values(previous)
    labels, comparators = translated(BUCKET_LABELS.items()), translated(TargetComparator.choices)
    entries = []
    indicators = Indicator.objects.order_by("pk").values_list(
        "pk", "project_id", *ASSESSED_FIELDS, "name", "unit", named=True
    )
    for indicator in indicators:
        latest_value = current.get(indicator.pk, {})
        value, as_of = latest_value.get("value"), latest_value.get("as_of")
        assessment, expected = assess_indicator(indicator, value, as_of)
        if indicator.pk in before:
            previous_value, basis = before[indicator.pk]["value"], "previous cycle"
        elif indicator.baseline is not None:
            previous_value, basis = indicator.baseline, "baseline"
        else:
            previous_value, basis = None, ""
        entry = IndicatorEntry(
            **{name: getattr(indicator, name) for name in (*ASSESSED_FIELDS, "name", "unit")},
            target_comparator_label=comparators.get(indicator.target_comparator, indicator.target_comparator),
            value=value,
            value_as_of=as_of,
            expected=expected,
            assessment=assessment,
            assessment_label=labels[assessment],
            previous_value=previous_value,
            previous_basis=basis,
            delta=value - previous_value if value is not None and previous_value is not None else None,
        )
        entries.append((indicator, entry))
    return entries


# --- Work plan ------------------------------------------------------------------------------------------------


def work_plan_by_initiative(cycle: ReportingCycle) -> dict[int, list[WorkPlanEntry]]:
    """The cycle's work-plan items, each as the latest approved update of the cycle reports it."""
    reports = WorkPlanItemReport.objects.filter(approved_in(cycle)).annotate(
        reported_by=short_name("update__organisation")
    )
    latest_reports = latest(reports, "item_id", "update__reviewed_at", "update_id", "pk")
    report_of = {row["item_id"]: row for row in latest_reports.values("item_id", "done", "note", "reported_by")}
    labels, entries = translated(BUCKET_LABELS.items()), defaultdict(list)
    for item in WorkPlanItem.objects.filter(cycle=cycle).order_by("project_id", "position", "pk"):
        report = report_of.get(item.pk)
        outcome = NO_REPORT if report is None else DONE if report["done"] else NOT_DONE
        note, reported_by = (report["note"], report["reported_by"]) if report else ("", "")
        entries[item.project_id].append(
            WorkPlanEntry(
                planned_activity=item.planned_activity,
                expected_output=item.expected_output,
                outcome=outcome,
                outcome_label=labels[outcome],
                note=note,
                reported_by=reported_by,
            )
        )
    return entries


# --- The initiatives ------------------------------------------------------------------------------------------


def read_roles() -> tuple[dict[int, list[dict]], dict[int, list[str]]]:
    """Each initiative's lead organisations, and its partners' short names, in their order (position, name)."""
    leads, partners = defaultdict(list), defaultdict(list)
    roles = (
        ProjectOrganisation.objects.filter(role__in=[OrganisationRole.LEAD, OrganisationRole.PARTNER])
        .annotate(name=short_name("organisation"), slug=F("organisation__slug"), region=F("organisation__region"))
        .order_by("position", "organisation__name", "pk")
        .values("project_id", "role", "organisation_id", "name", "slug", "region")
    )
    for role in roles:
        if role["role"] == OrganisationRole.LEAD:
            leads[role["project_id"]].append(role)
        else:
            partners[role["project_id"]].append(role["name"])
    return leads, partners


def build_initiatives(
    cycle: ReportingCycle, previous: ReportingCycle | None, today: datetime.date, plan: Plan, is_new
) -> Initiatives:
    """Every initiative's entry, in the plan's order (those under no action last)."""
    projects = list(Project.objects.order_by("title", "pk").only("slug", "title", "status", "is_new"))
    leads, partners = read_roles()
    action_numbers = {action.pk: action.number for action in plan.actions}
    rows = ActionContribution.objects.order_by("action__number", "position", "pk")
    rows = rows.values_list("project_id", "action_id")
    by_action: dict[int, list[int]] = defaultdict(list)
    actions_of: dict[int, set[int]] = defaultdict(set)
    objectives_of: dict[int, set[int]] = defaultdict(set)
    for project_id, action_id in rows:
        by_action[action_id].append(project_id)
        actions_of[project_id].add(action_numbers[action_id])
        objectives_of[project_id] |= plan.objectives_of_action.get(action_id, set())
    updates = updates_by_initiative(cycle)
    milestones = milestones_by_initiative(cycle, today)
    indicators = indicator_entries(cycle, previous)
    indicators_of = defaultdict(list)
    for indicator, entry in indicators:
        indicators_of[indicator.project_id].append(entry)
    work_plan = work_plan_by_initiative(cycle)

    by_pk = {project.pk: project for project in projects}
    statuses = translated(ProjectStatus.choices)
    order = dict.fromkeys([pk for pks in by_action.values() for pk in pks] + list(by_pk))
    entries, refs = {}, {}
    for pk in order:
        project = by_pk[pk]
        url = reverse("initiatives:project-detail", kwargs={"slug": project.slug})
        lead_names = [lead["name"] for lead in leads[pk]]
        entries[pk] = InitiativeEntry(
            slug=project.slug,
            title=project.title,
            url=url,
            status=project.status or "",  # empty: not reported yet
            status_label=statuses[project.status] if project.status else str(NOT_REPORTED_LABEL),
            is_new=is_new(project),
            active=project.is_expected_to_report,
            reported=bool(updates[pk]),
            leads=lead_names,
            partners=partners[pk],
            actions=sorted(actions_of[pk]),
            objectives=sorted(objectives_of[pk]),
            updates=updates[pk],
            milestones=milestones[pk],
            indicators=indicators_of[pk],
            work_plan=work_plan[pk],
        )
        entry = entries[pk]
        refs[pk] = InitiativeRef(
            slug=entry.slug,
            title=entry.title,
            url=url,
            is_new=entry.is_new,
            reported=entry.reported,
            leads=list(lead_names),
        )
    return Initiatives(
        entries=entries,
        refs=refs,
        by_title=projects,
        lead_organisations=leads,
        by_action={action_id: list(dict.fromkeys(pks)) for action_id, pks in by_action.items()},
        indicators=[(by_pk[indicator.project_id].title, entry) for indicator, entry in indicators],
    )
