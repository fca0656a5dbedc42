"""The summary: the report's figures, and their labels as every rendering shows them."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext as _

from ..models import ReportingCycle
from .data import (
    ACHIEVED,
    BEHIND,
    CANCELLED,
    DELAYED,
    DONE,
    MET,
    NO_REPORT,
    NO_TARGET,
    NO_VALUE,
    NOT_DONE,
    ON_TRACK,
    OVERDUE,
    CountRow,
    StocktakingReportData,
    Summary,
)
from .initiatives import Initiatives, approved_updates


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
        milestones_achieved=milestones[ACHIEVED],
        milestones_on_track=milestones[ON_TRACK],
        milestones_delayed=milestones[DELAYED],
        milestones_overdue=milestones[OVERDUE],
        milestones_cancelled=milestones[CANCELLED],
        indicators=indicators.total(),
        indicators_with_value=sum(1 for entry in entries for i in entry.indicators if i.value is not None),
        indicators_met=indicators[MET],
        indicators_on_track=indicators[MET] + indicators[ON_TRACK],
        indicators_behind=indicators[BEHIND],
        indicators_no_value=indicators[NO_VALUE],
        indicators_no_target=indicators[NO_TARGET],
        work_plan_items=work_plan.total(),
        work_plan_done=work_plan[DONE],
        work_plan_not_done=work_plan[NOT_DONE],
        work_plan_no_report=work_plan[NO_REPORT],
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
