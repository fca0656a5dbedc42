"""State changes of reporting cycles and stocktaking reports, for the site, the admin and the commands.

Each is atomic, locks the cycle, checks its state and that the actor is the Secretariat. A cycle goes planned →
open → closed (may be reopened) → published (final: the report's JSON and its files are frozen and stored).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_decision
from monitoring.permissions import is_secretariat

from . import exporters
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
def set_executive_summary(*, cycle: ReportingCycle, user: User | None, text: str) -> ReportingCycle:
    """The Secretariat's executive summary of a cycle's report, kept until the report is published (then frozen
    with it: a published cycle's summary no longer changes)."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.status == CycleStatus.PUBLISHED:
        raise MonitoringError(_("The report is published: its executive summary is frozen with it."))
    text = text.strip()
    if text != cycle.executive_summary:
        cycle.executive_summary = text
        cycle.save(update_fields=["executive_summary"])
    return cycle


@transaction.atomic
def publish_report(
    *, cycle: ReportingCycle, user: User | None, today: datetime.date | None = None
) -> StocktakingReport:
    """open / closed → published: the report built once more and frozen (JSON and files), now public."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.status == CycleStatus.PUBLISHED:
        raise MonitoringError(_("The report of cycle %(number)s is already published.") % {"number": cycle.number})
    if cycle.status not in (CycleStatus.OPEN, CycleStatus.CLOSED):
        raise MonitoringError(_("A planned cycle has nothing to report yet: open it first."))
    cycle.status = CycleStatus.PUBLISHED
    cycle.save(update_fields=["status"])
    now = timezone.now()
    data = build_report(cycle, today=today, now=now)
    frozen = {"status": ReportStatus.PUBLISHED, "content": to_json(data), "published_at": now, "published_by": user}
    report, _created = StocktakingReport.objects.update_or_create(cycle=cycle, defaults=frozen)
    store_exports(report, data)
    record_decision(user=user, obj=cycle, message="Stocktaking report published")
    return report


def store_exports(report: StocktakingReport, data: StocktakingReportData) -> None:
    """Store the report's PDF, XLSX and CSV; an earlier publication's files go once the new ones are committed."""
    replaced = []
    for extension in exporters.FORMATS:
        stored = report.export_file(extension)
        previous_name = stored.name
        name = exporters.filename(data.cycle.number, extension, published=True)
        stored.save(name, ContentFile(exporters.render(data, extension)), save=False)
        if previous_name and previous_name != stored.name:  # (a storage that overwrites keeps the same name)
            replaced.append(previous_name)
    report.save(update_fields=[f"{extension}_file" for extension in exporters.FORMATS])
    storage = report.pdf_file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in replaced])


def published_export(cycle: ReportingCycle, extension: str) -> FieldFile | None:
    """The published report's stored file of ``extension`` (stored now if missing), or None if unpublished."""
    report = StocktakingReport.objects.published().filter(cycle=cycle).only("pk", f"{extension}_file").first()
    if report is None:
        return None
    if not report.export_file(extension):
        with transaction.atomic():
            report = StocktakingReport.objects.select_for_update().get(pk=report.pk)
            if not report.export_file(extension):
                store_exports(report, from_json(report.content))
    return report.export_file(extension)


def report_data(cycle: ReportingCycle) -> tuple[StocktakingReportData, StocktakingReport | None]:
    """The report to show: the frozen one once published, else built live from the data."""
    report = StocktakingReport.objects.filter(cycle=cycle, status=ReportStatus.PUBLISHED).first()
    if report is not None:
        return from_json(report.content), report
    return build_report(cycle), None
