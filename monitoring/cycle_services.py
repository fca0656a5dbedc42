"""A reporting cycle's lifecycle, and its stocktaking report's publication: for the site, the admin and the commands.

A cycle's state is never stored: it follows from its dates (``ReportingCycle.status_on``, the one definition).
Planned until its submission window opens; open until the window's last day; then closed (with late submissions
still accepted until the day the Secretariat chose, if any); published once its report is, and then frozen:
nothing is submitted to it, approved into it or withdrawn from it any more (``monitoring.permissions``). The
clock moves a cycle from planned to open to closed; the Secretariat moves its dates and publishes it, each
through one function here: atomic, locking the cycle, checking the state and that the actor is the Secretariat,
recorded in the cycle's history and in the audit log. ``cycle_status_message`` says the state in words, the same
on every page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import record_decision
from monitoring.permissions import is_secretariat
from projects.models import Project

from . import exporters
from .models import CycleStatus, ProgressUpdate, ReportingCycle, ReportStatus, StocktakingReport, UpdateStatus
from .report import StocktakingReportData, build_report, from_json, to_json


class MonitoringError(Exception):
    """The cycle is not in a state that allows this change."""


# The state in words -------------------------------------------------------------------------------------------


def _days_left(days: int) -> str:
    if days == 0:
        return _("last day today")
    return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}


def cycle_status_message(cycle: ReportingCycle | None, today: datetime.date | None = None) -> str:
    """The cycle's state on ``today`` in one sentence, the same on every page: "Open: submissions close on
    31 March 2027 (24 days left)", "Closed on 31 March 2027: late submissions accepted until 15 April 2027 (8 days
    left)", "Published on 2 May 2027" (no full stop: the page adds its own). A date in the past is never said as
    if it were to come."""
    today = today or timezone.localdate()
    if cycle is None:
        return _("No reporting cycle takes updates today")
    status = cycle.status_on(today)
    closes = date_format(cycle.submission_closes)
    if status == CycleStatus.PUBLISHED:
        return _("Published on %(date)s") % {"date": date_format(cycle.published_on)}
    if status == CycleStatus.PLANNED:
        return _("Planned: submissions open on %(opens)s and close on %(closes)s") % {
            "opens": date_format(cycle.submission_opens),
            "closes": closes,
        }
    if status == CycleStatus.OPEN:
        return _("Open: submissions close on %(date)s (%(left)s)") % {
            "date": closes,
            "left": _days_left(cycle.days_until_close(today)),
        }
    late = cycle.late_submissions_until
    if cycle.takes_late_submissions(today):
        return _("Closed on %(date)s: late submissions accepted until %(late)s (%(left)s)") % {
            "date": closes,
            "late": date_format(late),
            "left": _days_left((late - today).days),
        }
    if late is not None:
        return _("Closed on %(date)s; late submissions were accepted until %(late)s") % {
            "date": closes,
            "late": date_format(late),
        }
    return _("Closed on %(date)s") % {"date": closes}


# The window's dates -------------------------------------------------------------------------------------------


def window_problems(
    *,
    cycle: ReportingCycle | None,
    opens: datetime.date | None,
    closes: datetime.date | None,
    late_until: datetime.date | None,
) -> dict[str, str]:
    """What is wrong with these dates of ``cycle``'s submission window (None: a cycle being added), by field: the
    one rule for the admin's form and the services. Two cycles never take submissions on the same day, so that
    "the cycle contributors report into" is always one."""
    problems: dict[str, str] = {}
    if opens is None or closes is None:
        return problems  # the form says the dates are required
    if closes < opens:
        problems["submission_closes"] = _("The submission window cannot close before it opens.")
    if late_until is not None and late_until <= closes:
        problems["late_submissions_until"] = _(
            "Late submissions are accepted after the window closes: choose a day after %(date)s."
        ) % {"date": date_format(closes)}
    last = late_until or closes
    # A published cycle takes nothing any more, whatever its dates said.
    others = ReportingCycle.objects.filter(published_on__isnull=True).exclude(pk=cycle.pk if cycle else None)
    for other in others.filter(submission_opens__lte=last).order_by("number"):
        if other.last_submission_day() >= opens:
            problems["submission_opens"] = _(
                "Cycle %(number)s takes submissions from %(opens)s to %(last)s: the windows of two cycles cannot "
                "overlap."
            ) % {
                "number": other.number,
                "opens": date_format(other.submission_opens),
                "last": date_format(other.last_submission_day()),
            }
            break
    return problems


def _require_secretariat(user: User | None) -> None:
    # ``user=None`` is the system itself (a management command run by an operator).
    if user is not None and not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat runs reporting cycles."))


def _locked(cycle: ReportingCycle) -> ReportingCycle:
    # Every cycle is locked, in one order: the windows of all of them are checked against each other.
    cycles = {c.pk: c for c in ReportingCycle.objects.select_for_update().order_by("pk")}
    return cycles[cycle.pk]


def _refuse_if_published(cycle: ReportingCycle) -> None:
    if cycle.published_on is not None:
        raise MonitoringError(
            _("The report of cycle %(number)s was published on %(date)s: the cycle is frozen.")
            % {"number": cycle.number, "date": date_format(cycle.published_on)}
        )


def _check_window(cycle: ReportingCycle) -> None:
    problems = window_problems(
        cycle=cycle,
        opens=cycle.submission_opens,
        closes=cycle.submission_closes,
        late_until=cycle.late_submissions_until,
    )
    if problems:
        raise MonitoringError(" ".join(problems.values()))


def _window_words(cycle: ReportingCycle) -> str:
    words = f"{cycle.submission_opens.isoformat()} – {cycle.submission_closes.isoformat()}"
    if cycle.late_submissions_until:
        words += f", late submissions until {cycle.late_submissions_until.isoformat()}"
    return words


@transaction.atomic
def set_submission_window(
    *,
    cycle: ReportingCycle,
    user: User | None,
    opens: datetime.date,
    closes: datetime.date,
    late_until: datetime.date | None = None,
) -> ReportingCycle:
    """Set the window's first and last day, and the day late submissions are accepted until (None: no late
    submissions). The clock then opens and closes the cycle: an earlier last day closes it sooner, a later one
    reopens a closed cycle. A published cycle's dates are frozen."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    _refuse_if_published(cycle)
    before = _window_words(cycle)
    cycle.submission_opens, cycle.submission_closes, cycle.late_submissions_until = opens, closes, late_until
    _check_window(cycle)
    cycle.save(update_fields=["submission_opens", "submission_closes", "late_submissions_until"])
    if _window_words(cycle) != before:
        record_decision(user=user, obj=cycle, message=f"Submission window: {_window_words(cycle)} (was {before})")
    return cycle


@transaction.atomic
def open_submissions(
    *, cycle: ReportingCycle, user: User | None, today: datetime.date | None = None
) -> ReportingCycle:
    """planned → open, now: the window opens today instead of its planned first day."""
    _require_secretariat(user)
    today = today or timezone.localdate()
    cycle = _locked(cycle)
    _refuse_if_published(cycle)
    status = cycle.status_on(today)
    if status != CycleStatus.PLANNED:
        raise MonitoringError(
            _("Cycle %(number)s is %(status)s: only a planned cycle can be opened.")
            % {"number": cycle.number, "status": status.label.lower()}
        )
    cycle.submission_opens = today
    _check_window(cycle)
    cycle.save(update_fields=["submission_opens"])
    record_decision(user=user, obj=cycle, message=f"Submissions opened (window {_window_words(cycle)})")
    return cycle


# The next cycle ------------------------------------------------------------------------------------------------

#: A window proposed from today when the rhythm's own has already passed: three months.
DEFAULT_WINDOW_DAYS = 90


def _two_years_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


@dataclass(kw_only=True)
class NextCycle:
    """The dates proposed for the cycle after ``previous``, for the Secretariat to confirm or change."""

    previous: ReportingCycle
    number: int
    period_start: datetime.date
    period_end: datetime.date
    submission_opens: datetime.date
    submission_closes: datetime.date


def propose_next_cycle(previous: ReportingCycle, today: datetime.date | None = None) -> NextCycle:
    """The cycle after ``previous`` in the two-year rhythm (section 3.1 of the plan: the Ministers meet every two
    years): the next two years, and ``previous``'s window two years later. If that window has already passed,
    one of ``DEFAULT_WINDOW_DAYS`` from today; never before ``previous`` takes its last submission."""
    today = today or timezone.localdate()
    start = previous.period_end + datetime.timedelta(days=1)
    end = _two_years_after(start) - datetime.timedelta(days=1)
    opens, closes = _two_years_after(previous.submission_opens), _two_years_after(previous.submission_closes)
    if closes < today:
        opens, closes = today, today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)
    after_previous = previous.last_submission_day() + datetime.timedelta(days=1)
    if previous.published_on is None and opens < after_previous:
        opens = after_previous
        closes = max(closes, opens)
    return NextCycle(
        previous=previous,
        number=previous.number + 1,
        period_start=start,
        period_end=end,
        submission_opens=opens,
        submission_closes=closes,
    )


@transaction.atomic
def plan_next_cycle(
    *,
    previous: ReportingCycle,
    user: User | None,
    period_start: datetime.date,
    period_end: datetime.date,
    opens: datetime.date,
    closes: datetime.date,
    late_until: datetime.date | None = None,
    note: str = "",
) -> ReportingCycle:
    """Add the cycle after ``previous``, with the dates chosen: it is planned, or open at once if its window has
    started (contributors' dashboards then point to it), or closed if it has passed (a cycle recorded late).
    Its work plan is adopted by the ASEMME that closes ``previous``."""
    _require_secretariat(user)
    _locked(previous)
    if ReportingCycle.objects.filter(number=previous.number + 1).exists():
        raise MonitoringError(_("Cycle %(number)s already exists.") % {"number": previous.number + 1})
    if period_end <= period_start:
        raise MonitoringError(_("The reporting period must end after it starts."))
    cycle = ReportingCycle(
        number=previous.number + 1,
        opening_meeting=previous.closing_meeting,
        period_start=period_start,
        period_end=period_end,
        submission_opens=opens,
        submission_closes=closes,
        late_submissions_until=late_until,
        note=note,
    )
    _check_window(cycle)
    cycle.save()
    message = f"Cycle {cycle.number} planned after cycle {previous.number} (window {_window_words(cycle)})"
    record_decision(user=user, obj=cycle, message=message)
    return cycle


@transaction.atomic
def set_executive_summary(*, cycle: ReportingCycle, user: User | None, text: str) -> ReportingCycle:
    """The Secretariat's executive summary of a cycle's report, kept until the report is published (then frozen
    with it: a published cycle's summary no longer changes)."""
    _require_secretariat(user)
    cycle = _locked(cycle)
    if cycle.published_on is not None:
        raise MonitoringError(_("The report is published: its executive summary is frozen with it."))
    text = text.strip()
    if text != cycle.executive_summary:
        cycle.executive_summary = text
        cycle.save(update_fields=["executive_summary"])
    return cycle


# Publishing ---------------------------------------------------------------------------------------------------

#: At most this many initiatives and updates are named on the publish page (the counts are always whole).
CHECK_NAMES = 50


@dataclass(kw_only=True)
class PublicationCheck:
    """What is unresolved in a cycle before its report is published: the publish page lists it, and publishing
    with any of it left needs an explicit confirmation."""

    cycle: ReportingCycle
    takes_submissions: bool  # the window (or a late allowance) still runs
    last_submission_day: datetime.date
    without_approved: list[Project]  # active initiatives with no approved update in the cycle (first CHECK_NAMES)
    without_approved_count: int
    submitted: list[ProgressUpdate]  # waiting for review (first CHECK_NAMES of each state)
    submitted_count: int
    returned: list[ProgressUpdate]
    returned_count: int
    drafts: list[ProgressUpdate]
    drafts_count: int

    @property
    def unresolved(self) -> bool:
        counts = (self.without_approved_count, self.submitted_count, self.returned_count, self.drafts_count)
        return self.takes_submissions or any(counts)


def publication_check(cycle: ReportingCycle, today: datetime.date | None = None) -> PublicationCheck:
    """What is left in ``cycle`` (a fixed number of queries)."""
    today = today or timezone.localdate()
    updates = ProgressUpdate.objects.filter(cycle=cycle)
    approved = updates.filter(project=OuterRef("pk"), status=UpdateStatus.APPROVED)
    missing = Project.objects.expected_to_report().exclude(Exists(approved)).order_by("title")
    by_state = {}
    for state in (UpdateStatus.SUBMITTED, UpdateStatus.RETURNED, UpdateStatus.DRAFT):
        in_state = updates.filter(status=state)
        listed = list(in_state.select_related("project", "organisation").order_by("project__title", "pk")[:CHECK_NAMES])
        by_state[state] = (listed, len(listed) if len(listed) < CHECK_NAMES else in_state.count())
    listed = list(missing[:CHECK_NAMES])
    return PublicationCheck(
        cycle=cycle,
        takes_submissions=cycle.accepts_submissions(today),
        last_submission_day=cycle.last_submission_day(),
        without_approved=listed,
        without_approved_count=len(listed) if len(listed) < CHECK_NAMES else missing.count(),
        submitted=by_state[UpdateStatus.SUBMITTED][0],
        submitted_count=by_state[UpdateStatus.SUBMITTED][1],
        returned=by_state[UpdateStatus.RETURNED][0],
        returned_count=by_state[UpdateStatus.RETURNED][1],
        drafts=by_state[UpdateStatus.DRAFT][0],
        drafts_count=by_state[UpdateStatus.DRAFT][1],
    )


@transaction.atomic
def publish_report(
    *, cycle: ReportingCycle, user: User | None, today: datetime.date | None = None, confirmed: bool = False
) -> StocktakingReport:
    """open / closed → published: the report built once more and frozen (JSON and files), now public; the cycle
    is frozen with it. With anything unresolved (``publication_check``), only when ``confirmed``."""
    _require_secretariat(user)
    today = today or timezone.localdate()
    cycle = _locked(cycle)
    status = cycle.status_on(today)
    if status == CycleStatus.PUBLISHED:
        raise MonitoringError(_("The report of cycle %(number)s is already published.") % {"number": cycle.number})
    if status == CycleStatus.PLANNED:
        raise MonitoringError(_("A planned cycle has nothing to report yet: open it first."))
    if not confirmed and publication_check(cycle, today).unresolved:
        raise MonitoringError(
            _(
                "Cycle %(number)s has unresolved items (see its publish page): confirm that the report is to be "
                "published with them."
            )
            % {"number": cycle.number}
        )
    cycle.published_on = today
    cycle.save(update_fields=["published_on"])
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
