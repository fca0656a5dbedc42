"""Writes with rules for reporting cycles and stocktaking reports: one function per state change.

Each is atomic, locks the cycle, checks the source state and that the actor belongs to the Secretariat, and
is used by the site's views, the admin's actions and the management commands alike.

A cycle goes planned → open (contributors report to it) → closed (the window is over) → published (the
stocktaking report is frozen and public). Closed may be reopened; published is final.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from asem_portal.audit import record_decision
from projects.permissions import is_secretariat

from .models import CycleStatus, ReportingCycle, ReportStatus, StocktakingReport
from .report import StocktakingReportData, build_report, from_json, to_json


class MonitoringError(Exception):
    """The cycle is not in a state that allows this change."""


def _require_secretariat(user: User | None) -> None:
    # ``user=None`` is the system itself (a management command run by an operator).
    if user is not None and not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat runs reporting cycles."))


def _locked(cycle: ReportingCycle) -> ReportingCycle:
    return ReportingCycle.objects.select_for_update().get(pk=cycle.pk)


@transaction.atomic
def open_submissions(*, cycle: ReportingCycle, user: User | None) -> ReportingCycle:
    """planned / closed → open: contributors' updates now report to this cycle."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.status not in (CycleStatus.PLANNED, CycleStatus.CLOSED):
        raise MonitoringError(
            _("Cycle %(number)s is %(status)s: only a planned or closed cycle can be opened.")
            % {"number": cycle.number, "status": cycle.get_status_display().lower()}
        )
    other = ReportingCycle.objects.select_for_update().filter(status=CycleStatus.OPEN).exclude(pk=cycle.pk).first()
    if other is not None:
        raise MonitoringError(
            _("Cycle %(number)s is open: close it before opening another.") % {"number": other.number}
        )
    cycle.status = CycleStatus.OPEN
    cycle.save(update_fields=["status"])
    return cycle


@transaction.atomic
def close_submissions(*, cycle: ReportingCycle, user: User | None) -> ReportingCycle:
    """open → closed: no new updates report to this cycle; returned ones may still be resubmitted."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.status != CycleStatus.OPEN:
        raise MonitoringError(_("Only an open cycle can be closed."))
    cycle.status = CycleStatus.CLOSED
    cycle.save(update_fields=["status"])
    return cycle


@transaction.atomic
def publish_report(
    *, cycle: ReportingCycle, user: User | None, today: datetime.date | None = None
) -> StocktakingReport:
    """open / closed → published: build the report once more and freeze it; from now on it is public.

    The frozen content is the builder's output as JSON: later edits of initiatives, milestones, indicators
    or updates do not change a published report.
    """
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.status == CycleStatus.PUBLISHED:
        raise MonitoringError(_("The report of cycle %(number)s is already published.") % {"number": cycle.number})
    if cycle.status not in (CycleStatus.OPEN, CycleStatus.CLOSED):
        raise MonitoringError(_("A planned cycle has nothing to report yet: open it first."))
    cycle.status = CycleStatus.PUBLISHED
    cycle.save(update_fields=["status"])
    now = timezone.now()
    content = to_json(build_report(cycle, today=today, now=now))
    report, _created = StocktakingReport.objects.update_or_create(
        cycle=cycle,
        defaults={"status": ReportStatus.PUBLISHED, "content": content, "published_at": now, "published_by": user},
    )
    record_decision(user=user, obj=cycle, message="Stocktaking report published")
    return report


def report_data(cycle: ReportingCycle) -> tuple[StocktakingReportData, StocktakingReport | None]:
    """The report to show: the frozen one once published, else built live from the data."""
    report = StocktakingReport.objects.filter(cycle=cycle, status=ReportStatus.PUBLISHED).first()
    if report is not None:
        return from_json(report.content), report
    return build_report(cycle), None
