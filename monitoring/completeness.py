"""Who still has to report in a cycle: the completeness dashboard and the reminder e-mails (fixed query counts).

An initiative is *reported* once an update of it is submitted or approved in the cycle; the dashboard shows
how far each initiative's best update got (approved > submitted > returned > draft > nothing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from projects.models import OrganisationRole, Project, ProjectOrganisation
from stakeholders.models import Membership, Organisation

from .models import ProgressUpdate, ReminderLog, ReportingCycle, UpdateStatus

RANK = {UpdateStatus.DRAFT: 1, UpdateStatus.RETURNED: 2, UpdateStatus.SUBMITTED: 3, UpdateStatus.APPROVED: 4}
NAME = {0: "nothing", 1: "draft", 2: "returned", 3: "submitted", 4: "approved"}


@dataclass(kw_only=True)
class OrganisationCompleteness:
    organisation: Organisation
    members: int
    initiatives: int = 0
    approved: int = 0
    submitted: int = 0
    returned: int = 0
    draft: int = 0
    nothing: int = 0
    # Active initiatives without an approved update, each with how far its best update got ("nothing", "draft"...)
    missing: list[tuple[Project, str]] = field(default_factory=list)
    # The reminders its members received in the cycle, newest first (a person in two organisations: in both).
    reminders: list[ReminderLog] = field(default_factory=list)

    @property
    def due(self) -> int:
        """Initiatives with nothing submitted yet: what a reminder names."""
        return self.initiatives - self.approved - self.submitted


@dataclass(kw_only=True)
class Totals:
    initiatives: int
    approved: int


def completeness(cycle: ReportingCycle) -> tuple[list[OrganisationCompleteness], Totals]:
    """Per lead or partner organisation, its active initiatives by the state of their best update, and the
    reminders its members received in the cycle (5 queries)."""
    projects = {p.pk: p for p in Project.objects.expected_to_report().order_by("title")}
    best: dict[int, int] = defaultdict(int)
    updates = ProgressUpdate.objects.filter(cycle=cycle, project_id__in=projects)
    for project_id, status in updates.values_list("project_id", "status"):
        best[project_id] = max(best[project_id], RANK[status])
    members_of: dict[int, set[int]] = defaultdict(set)
    for organisation_id, user_id in Membership.objects.values_list("organisation_id", "user_id"):
        members_of[organisation_id].add(user_id)
    rows: dict[int, OrganisationCompleteness] = {}
    seen: set[tuple[int, int]] = set()
    for part in (
        ProjectOrganisation.objects.filter(
            project_id__in=projects, role__in=[OrganisationRole.LEAD, OrganisationRole.PARTNER]
        )
        .select_related("organisation")
        .order_by("project__title")
    ):
        if (part.organisation_id, part.project_id) in seen:
            continue
        seen.add((part.organisation_id, part.project_id))
        row = rows.setdefault(
            part.organisation_id,
            OrganisationCompleteness(organisation=part.organisation, members=len(members_of[part.organisation_id])),
        )
        row.initiatives += 1
        state = NAME[best[part.project_id]]
        setattr(row, state, getattr(row, state) + 1)
        if state != "approved":
            row.missing.append((projects[part.project_id], state))
    organisations_of: dict[int, list[int]] = defaultdict(list)
    for organisation_id, users in members_of.items():
        for user_id in users:
            organisations_of[user_id].append(organisation_id)
    for reminder in ReminderLog.objects.filter(cycle=cycle).select_related("user").order_by("-sent_on", "-pk"):
        for organisation_id in organisations_of[reminder.user_id]:
            if organisation_id in rows:
                rows[organisation_id].reminders.append(reminder)
    ordered = sorted(rows.values(), key=lambda r: (-(r.initiatives - r.approved), r.organisation.short_name.lower()))
    totals = Totals(initiatives=len(projects), approved=sum(1 for pk in projects if best[pk] == RANK["approved"]))
    return ordered, totals


def contributors_to_remind(
    cycle: ReportingCycle, *, organisation: Organisation | None = None
) -> dict[int, tuple[object, list[Project]]]:
    """user id → (user, active initiatives of their organisations with no submitted update in the cycle). 3 queries.

    With ``organisation``: its members only, and its initiatives only."""
    reported = ProgressUpdate.objects.filter(
        project=OuterRef("pk"), cycle=cycle, status__in=[UpdateStatus.SUBMITTED, UpdateStatus.APPROVED]
    )
    projects = {
        p.pk: p for p in Project.objects.expected_to_report().exclude(Exists(reported)).order_by("title")
    }
    projects_of_org: dict[int, list[int]] = defaultdict(list)
    parts = ProjectOrganisation.objects.filter(
        project_id__in=projects, role__in=[OrganisationRole.LEAD, OrganisationRole.PARTNER]
    )
    if organisation is not None:
        parts = parts.filter(organisation=organisation)
    for organisation_id, project_id in parts.values_list("organisation_id", "project_id"):
        projects_of_org[organisation_id].append(project_id)
    result: dict[int, tuple[object, list[Project]]] = {}
    memberships = (
        Membership.objects.filter(organisation_id__in=projects_of_org, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        user = membership.user
        _user, titles = result.setdefault(user.pk, (user, []))
        for project_id in projects_of_org[membership.organisation_id]:
            if projects[project_id] not in titles:
                titles.append(projects[project_id])
    for _user, items in result.values():
        items.sort(key=lambda p: p.title)
    return result
