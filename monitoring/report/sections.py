"""The report's sections but the initiatives' and the changes: the plan's hierarchy with its counts per objective
and per action, the summary, coverage (who reported, who did not) and balance (lead organisations by region)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, F
from django.utils.translation import gettext as _

from projects.models import OrganisationRole, ProjectOrganisation
from stakeholders.models import Region

from ..models import ReportingCycle
from .data import (
    BEHIND,
    MET,
    MILESTONE_BUCKETS,
    NO_TARGET,
    NO_VALUE,
    ON_TRACK,
    WORK_PLAN_OUTCOMES,
    ActionSection,
    Balance,
    BalanceRow,
    CountRow,
    Coverage,
    ObjectiveSection,
    OrganisationCoverage,
    RegionCounts,
    StocktakingReportData,
    SubgoalSection,
    Summary,
)
from .initiatives import Initiatives, approved_updates
from .plan import Plan


def initiatives_of_objectives(plan: Plan, initiatives: Initiatives) -> dict[int, set[int]]:
    """Objective number → the pks of the initiatives under it (through their actions)."""
    return {
        objective.number: initiatives.ids(lambda entry, number=objective.number: number in entry.objectives)
        for objective in plan.objectives
    }


def count_row(key: str, label: str, ids: set[int], initiatives: Initiatives) -> CountRow:
    active, new, reported = ids & initiatives.active, ids & initiatives.new, ids & initiatives.reported
    return CountRow(
        key=key,
        label=label,
        initiatives=len(ids),
        active=len(active),
        new=len(new),
        reported=len(reported),
        not_reported=len(active - reported),
    )


def build_sections(plan: Plan, initiatives: Initiatives):
    """(objectives' sections, a ``CountRow`` per objective, per action); an action is under each of its subgoals."""
    under_objective = initiatives_of_objectives(plan, initiatives)

    def action_section(action) -> ActionSection:
        refs = [initiatives.refs[pk] for pk in initiatives.by_action.get(action.pk, [])]
        return ActionSection(number=action.number, description=action.description, initiatives=refs)

    sections = [
        ObjectiveSection(
            number=objective.number,
            title=objective.title,
            colour=objective.colour,
            initiatives=len(under_objective[objective.number]),
            reported=len(under_objective[objective.number] & initiatives.reported),
            subgoals=[
                SubgoalSection(
                    code=subgoal.code,
                    text=subgoal.text,
                    actions=[action_section(action) for action in subgoal.actions.all()],
                )
                for subgoal in objective.subgoals.all()
            ],
        )
        for objective in plan.objectives
    ]
    per_objective = [
        count_row(str(objective.number), str(objective.label), under_objective[objective.number], initiatives)
        for objective in plan.objectives
    ]
    per_action = [
        count_row(
            str(action.number),
            _("Action %(number)s") % {"number": action.number},
            set(initiatives.by_action.get(action.pk, [])),
            initiatives,
        )
        for action in plan.actions
    ]
    return sections, per_objective, per_action


def build_summary(
    cycle: ReportingCycle, initiatives: Initiatives, per_objective: list[CountRow], per_action: list[CountRow]
) -> Summary:
    updates = approved_updates(cycle).aggregate(updates=Count("pk"), organisations=Count("organisation", distinct=True))
    entries = initiatives.entries.values()
    milestones = Counter(m.bucket for entry in entries for m in entry.milestones)
    indicators = Counter(i.assessment for entry in entries for i in entry.indicators)
    work_plan = Counter(w.outcome for entry in entries for w in entry.work_plan)
    return Summary(
        initiatives=len(initiatives.entries),
        active_initiatives=len(initiatives.active),
        new_initiatives=len(initiatives.new),
        reported=len(initiatives.reported),
        not_reported=len(initiatives.active - initiatives.reported),
        approved_updates=updates["updates"],
        reporting_organisations=updates["organisations"],
        milestones=milestones.total(),
        **{f"milestones_{bucket}": milestones[bucket] for bucket in MILESTONE_BUCKETS},
        indicators=indicators.total(),
        indicators_with_value=sum(1 for entry in entries for i in entry.indicators if i.value is not None),
        **{f"indicators_{assessment}": indicators[assessment] for assessment in (MET, BEHIND, NO_VALUE, NO_TARGET)},
        indicators_on_track=indicators[MET] + indicators[ON_TRACK],  # met + on the trajectory
        work_plan_items=work_plan.total(),
        **{f"work_plan_{outcome}": work_plan[outcome] for outcome in WORK_PLAN_OUTCOMES},
        per_objective=per_objective,
        per_action=per_action,
    )


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
        ("milestones_overdue", _("Milestones with their date passed, no report yet"), s.milestones_overdue),
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


def build_coverage(cycle: ReportingCycle, initiatives: Initiatives) -> Coverage:
    """The initiatives by whether they reported, and each lead organisation with what it leads and reported."""
    updates_by_organisation = dict(
        approved_updates(cycle).order_by().values_list("organisation_id").annotate(updates=Count("pk"))
    )
    region_labels = dict(Region.choices)
    organisations: dict[int, OrganisationCoverage] = {}
    for pk, entry in initiatives.entries.items():
        if not (entry.active or entry.reported):
            continue
        for lead in initiatives.lead_organisations[pk]:
            organisation = organisations.setdefault(
                lead["organisation_id"],
                OrganisationCoverage(
                    slug=lead["slug"],
                    name=lead["name"],
                    region=lead["region"],
                    region_label=str(region_labels.get(lead["region"], lead["region"])),
                    approved_updates=updates_by_organisation.get(lead["organisation_id"], 0),
                ),
            )
            organisation.initiatives_led += 1
            if entry.reported:
                organisation.reported += 1
            else:
                organisation.not_reported.append(entry.title)
    refs, active, reported = initiatives.refs.items(), initiatives.active, initiatives.reported
    return Coverage(
        reported=[ref for pk, ref in refs if pk in reported],
        not_reported=[ref for pk, ref in refs if pk in active and pk not in reported],
        not_expected=[ref for pk, ref in refs if pk not in active and pk not in reported],
        organisations=sorted(organisations.values(), key=lambda o: (-len(o.not_reported), o.name.lower())),
    )


def region_counts(leads: dict[str, int]) -> RegionCounts:
    return RegionCounts(
        asia=leads.get(Region.ASIA, 0),
        europe=leads.get(Region.EUROPE, 0),
        international=leads.get(Region.INTERNATIONAL, 0),
    )


def build_balance(plan: Plan) -> Balance:
    """Two queries: lead organisations counted by region, over every initiative and per objective."""
    leads = ProjectOrganisation.objects.filter(role=OrganisationRole.LEAD).order_by()
    overall = leads.values_list("organisation__region").annotate(Count("organisation", distinct=True))
    per_objective: dict[int, dict[str, int]] = defaultdict(dict)
    for objective, region, count in leads.values_list(
        F("project__rows__action__subgoals__objective__number"), "organisation__region"
    ).annotate(Count("organisation", distinct=True)):
        per_objective[objective][region] = count
    return Balance(
        overall=region_counts(dict(overall)),
        per_objective=[
            BalanceRow(key=str(o.number), label=str(o.label), counts=region_counts(per_objective[o.number]))
            for o in plan.objectives
        ],
    )
