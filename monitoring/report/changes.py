"""Changes since the previous cycle: from the initiatives' history (django-simple-history) and the updates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from projects.models import NOT_REPORTED_LABEL, Project, ProjectStatus

from ..models import MilestoneOutcome, MilestoneReport, ReportingCycle
from .data import Changes, IndicatorDelta, SlippedMilestone, StatusChange, translated
from .initiatives import Initiatives, approved_in, latest


@dataclass(kw_only=True)
class Baseline:
    """The initiatives' state at the end of the previous cycle (in the first cycle: at its start)."""

    date: datetime.date
    first_cycle: bool
    statuses: dict[int, str]  # initiative pk → its status then, for those that existed then
    history_available: bool  # the history reaches back to the baseline date
    removed: list[str]  # the titles of the initiatives deleted since

    def is_new(self, project: Project) -> bool:
        """New: in the first cycle, marked "(NEW)" by the plan; later, not there at the baseline."""
        if self.first_cycle:
            return project.is_new
        return self.history_available and project.pk not in self.statuses


def read_baseline(cycle: ReportingCycle, previous: ReportingCycle | None) -> Baseline:
    """Two queries: each initiative's latest history record at the baseline, and the removals since."""
    date = previous.period_end if previous is not None else cycle.period_start
    end_of_day = datetime.datetime.combine(date, datetime.time.max, tzinfo=datetime.UTC)
    history = Project.history.filter(history_date__lte=end_of_day)
    records = list(latest(history, "id", "history_date", "history_id").values("id", "status", "history_type"))
    removed = Project.history.filter(history_type="-", history_date__gt=end_of_day).order_by("title")
    return Baseline(
        date=date,
        first_cycle=previous is None,
        statuses={record["id"]: record["status"] for record in records if record["history_type"] != "-"},
        history_available=bool(records),
        removed=list(removed.values_list("title", flat=True)),
    )


def slipped_milestones(cycle: ReportingCycle) -> list[SlippedMilestone]:
    """The milestones an approved update of the cycle reported delayed to a later date, in the order approved."""
    delays = MilestoneReport.objects.filter(
        approved_in(cycle), outcome=MilestoneOutcome.DELAYED, new_date__isnull=False
    ).order_by("update__reviewed_at", "pk")
    slipped = []
    for delay in delays.values(
        "new_date", "previous_state", "milestone__title", "milestone__planned_start", "milestone__project__title"
    ):
        planned_end = (delay["previous_state"] or {}).get("planned_end")
        from_date = datetime.date.fromisoformat(planned_end) if planned_end else delay["milestone__planned_start"]
        if from_date is None or delay["new_date"] > from_date:
            initiative, milestone = delay["milestone__project__title"], delay["milestone__title"]
            slipped.append(
                SlippedMilestone(
                    initiative=initiative, milestone=milestone, from_date=from_date, to_date=delay["new_date"]
                )
            )
    return slipped


def build_changes(cycle: ReportingCycle, baseline: Baseline, initiatives: Initiatives) -> Changes:
    status_labels = {None: str(NOT_REPORTED_LABEL), **translated(ProjectStatus.choices)}
    # An initiative without a status now has had none stated ("not reported yet"): no change to report (before
    # statuses came from updates, every initiative read "ongoing", the old default, which the plan never stated).
    changed = [
        (project, baseline.statuses[project.pk])
        for project in initiatives.by_title
        if project.status and baseline.statuses.get(project.pk, project.status) != project.status
    ]
    status_changes = [
        StatusChange(
            slug=project.slug,
            title=project.title,
            before=status_labels.get(before, before),
            after=status_labels.get(project.status, project.status),
        )
        for project, before in changed
    ]
    completed = [project.status == ProjectStatus.COMPLETED for project, _before in changed]
    return Changes(
        has_previous_cycle=not baseline.first_cycle,
        baseline_date=baseline.date,
        history_available=baseline.history_available,
        new_basis="plan" if baseline.first_cycle else "history",
        new_initiatives=[initiatives.refs[pk] for pk, entry in initiatives.entries.items() if entry.is_new],
        ended=[change for change, ended in zip(status_changes, completed, strict=True) if ended],
        removed=baseline.removed,
        status_changes=status_changes,
        slipped_milestones=slipped_milestones(cycle),
        indicator_deltas=[
            IndicatorDelta(
                initiative=title,
                indicator=n.name,
                unit=n.unit,
                previous=n.previous_value,
                previous_basis=n.previous_basis,
                current=n.value,
                delta=n.delta,
            )
            for title, n in initiatives.indicators
            if n.value is not None
        ],
    )
