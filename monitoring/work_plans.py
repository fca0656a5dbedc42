"""The cycles' work plans as the public reads them: what an initiative plans in its latest cycle, and the mandate
for it (the Chair's Conclusions of the cycle's opening ASEMME, ``ReportingCycle.mandate``)."""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import Project

from .models import Document, ReportingCycle, WorkPlanItem


@dataclass(frozen=True)
class InitiativeWorkPlan:
    cycle: ReportingCycle
    mandate: Document | None
    items: list[WorkPlanItem]


def latest_work_plan(project: Project) -> InitiativeWorkPlan | None:
    """The initiative's items in the latest cycle that has any, with their mandate (two or three queries)."""
    cycle = (
        ReportingCycle.objects.filter(work_plan_items__project=project)
        .select_related("opening_meeting")
        .order_by("-number")
        .first()
    )
    if cycle is None:
        return None
    items = list(cycle.work_plan_items.filter(project=project).order_by("position", "pk"))
    return InitiativeWorkPlan(cycle=cycle, mandate=cycle.mandate(), items=items)
