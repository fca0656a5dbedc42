"""Writes with rules for progress updates: one function per state change.

Each function is atomic, locks the update row, checks the source state and
the actor's right (through ``monitoring.permissions``), records the
transition (who, when, why) and queues its e-mail in the outbox in the
same transaction (``core.mail.queue_mail``: the notice is committed
with the state change or not at all). The web forms, the admin's actions
and the API call these functions and nothing else to change an update's state.

Reporting cycles: an update belongs to the cycle contributors report into
when it is created (``ReportingCycle.objects.current()``: its window, or its
late-submission allowance, runs today), or, for a draft started while none
did, when it is next saved while one does. Within a cycle the reporting
period must lie in the cycle's two years, and the update may report on the
cycle's work-plan items for its initiative.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.audit import record_decision
from core.exceptions import ConflictError, WorkflowError
from core.mail import queue_mail, site_link
from projects.models import Indicator, Milestone, MilestoneStatus, Project
from stakeholders.models import Organisation
from stakeholders.roles import secretariat_members

from . import permissions
from .models import (
    Evidence,
    IndicatorValue,
    MilestoneOutcome,
    MilestoneReport,
    ProgressRating,
    ProgressUpdate,
    ReportingCycle,
    UpdateStatus,
    UpdateTransition,
    WorkPlanItem,
    WorkPlanItemReport,
)
from .profile_services import MILESTONE_FIELDS

SAVED_SINCE = gettext_lazy(
    "Someone else saved this update since you opened it. Your text is kept below: compare it with the "
    "current version, then save again."
)
CHANGED_BEFORE_RETURN = gettext_lazy(
    "The update changed since you opened it: read the current version, then decide again."
)
CHANGED_BEFORE_APPROVAL = gettext_lazy(
    "The update changed since you opened it: read the current version before approving it."
)


@dataclass(kw_only=True)
class MilestoneReportData:
    milestone: Milestone
    outcome: str  # a MilestoneOutcome
    achieved_on: datetime.date | None = None  # kept when achieved
    new_date: datetime.date | None = None  # kept when delayed
    note: str = ""


@dataclass(kw_only=True)
class IndicatorValueData:
    indicator: Indicator
    value: Decimal
    as_of: datetime.date | None  # required: validate_content says so, by its field


@dataclass(kw_only=True)
class WorkPlanReportData:
    item: WorkPlanItem
    done: bool
    note: str = ""


@dataclass(kw_only=True)
class EvidenceLink:
    url: str
    title: str = ""


@dataclass(kw_only=True)
class EvidenceFile:
    file: File  # an uploaded file, checked by core.uploads.validate_evidence_file
    content_type: str
    title: str = ""


@dataclass(kw_only=True)
class UpdateContent:
    period_start: datetime.date
    period_end: datetime.date
    achievements: str = ""
    challenges: str = ""
    next_steps: str = ""
    nothing_to_report: bool = False  # the answer for the cycle when nothing happened, with its reason
    nothing_to_report_reason: str = ""
    self_assessment: str = ""  # a ProgressRating, or "" (not rated)
    initiative_status: str | None = None  # a ProjectStatus, as the contributor states it (required to submit)
    milestone_reports: tuple[MilestoneReportData, ...] = ()  # replace the update's milestone reports
    indicator_values: tuple[IndicatorValueData, ...] = ()  # replace the update's indicator values
    links: tuple[EvidenceLink, ...] = ()  # replace the update's links
    files: tuple[EvidenceFile, ...] = ()  # added to the update's files
    work_plan_reports: tuple[WorkPlanReportData, ...] = ()  # replace the update's work-plan reports


#: The states of an update still in progress. One initiative, organisation and period has at most one update in
#: these states (a database constraint, ``update_one_in_progress_per_period``): a second draft would split the
#: organisation's report in two, and reviewers would read two versions of the same period. An approved update
#: is the published record and does not count (withdrawing its approval checks, see withdraw_approval).
IN_PROGRESS = (UpdateStatus.DRAFT, UpdateStatus.RETURNED, UpdateStatus.SUBMITTED)


class UpdateInProgressError(WorkflowError):
    """An update for the same initiative, organisation and period is already in progress: ``existing``."""

    def __init__(self, existing: ProgressUpdate):
        self.existing = existing
        super().__init__(in_progress_message(existing))


def in_progress_message(update: ProgressUpdate) -> str:
    """What a person who starts a second update for a period is told about the first."""
    values = {
        "organisation": update.organisation,
        "start": date_format(update.period_start),
        "end": date_format(update.period_end),
        "status": update.get_status_display().lower(),
    }
    if update.status == UpdateStatus.SUBMITTED:
        message = _(
            "%(organisation)s already submitted an update on this initiative for %(start)s – %(end)s; it is "
            "waiting for the Secretariat's review."
        )
    else:
        message = _("%(organisation)s already has an update on this initiative for %(start)s – %(end)s (%(status)s).")
    return message % values


def update_in_progress(
    *, project: Project, organisations: Iterable[Organisation] | Iterable[int], period_start, period_end
) -> ProgressUpdate | None:
    """The update in progress (draft, returned or submitted) on ``project`` for that period by one of
    ``organisations``, if any: the one a second update for the same period leads to."""
    return (
        ProgressUpdate.objects.filter(
            project=project,
            organisation__in=organisations,
            period_start=period_start,
            period_end=period_end,
            status__in=IN_PROGRESS,
        )
        .select_related("organisation")
        .order_by("-updated_at", "-pk")
        .first()
    )


def cycle_for(update: ProgressUpdate | None) -> ReportingCycle | None:
    """The cycle an update is saved into: its own, or (a new one, or a draft started while no cycle took
    submissions) the one contributors report into today."""
    if update is not None and update.cycle_id is not None:
        return update.cycle
    return ReportingCycle.objects.current()


# An update's content rules ------------------------------------------------------------------------------------


def validate_content(
    *, project: Project, cycle: ReportingCycle | None, content: UpdateContent, today: datetime.date | None = None
) -> None:
    """Check ``content`` for an update on ``project`` in ``cycle``: the one place of these rules.

    Raises a ``ValidationError`` whose keys are the fields' paths: ``period_end``, or ``milestone_reports.2.new_date``
    for the third milestone report. The services call it before they write; the web form and the API's serializer
    call it too and show its messages by their own fields (the same messages through both).
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    start, end = content.period_start, content.period_end
    period_known = bool(start and end and start <= end)
    if start and end and end < start:
        errors["period_end"].append(_("The period cannot end before it starts."))
    if content.nothing_to_report and not content.nothing_to_report_reason.strip():
        errors["nothing_to_report_reason"].append(_("Say in a sentence why there is nothing to report."))
    if len(content.nothing_to_report_reason) > NOTHING_TO_REPORT_REASON_MAX_CHARS:
        errors["nothing_to_report_reason"].append(
            _("Keep it to %(count)s characters.") % {"count": NOTHING_TO_REPORT_REASON_MAX_CHARS}
        )
    if content.self_assessment not in ("", *ProgressRating.values):
        errors["self_assessment"].append(_("Choose one of the ratings offered."))
    if cycle is not None:
        outside = _("Choose a date within the reporting cycle, %(start)s – %(end)s.") % {
            "start": date_format(cycle.period_start),
            "end": date_format(cycle.period_end),
        }
        for name, value in (("period_start", start), ("period_end", end)):
            if value and not (cycle.period_start <= value <= cycle.period_end):
                errors[name].append(outside)

    reported: set[int] = set()
    for index, report in enumerate(content.milestone_reports):
        path = f"milestone_reports.{index}"
        milestone = report.milestone
        if milestone.project_id != project.pk:
            errors[f"{path}.milestone"].append(
                _("The initiative has no milestone with id %(id)s.") % {"id": milestone.pk}
            )
        elif milestone.pk in reported:
            errors[f"{path}.milestone"].append(_("The milestone %(id)s is reported twice.") % {"id": milestone.pk})
        reported.add(milestone.pk)
        for field, message in _milestone_dates_errors(project, milestone, report, today):
            errors[f"{path}.{field}"].append(message)

    reported = set()
    for index, value in enumerate(content.indicator_values):
        path = f"indicator_values.{index}"
        indicator = value.indicator
        if indicator.project_id != project.pk:
            errors[f"{path}.indicator"].append(
                _("The initiative has no indicator with id %(id)s.") % {"id": indicator.pk}
            )
        elif indicator.pk in reported:
            errors[f"{path}.indicator"].append(_("The indicator %(id)s is reported twice.") % {"id": indicator.pk})
        reported.add(indicator.pk)
        if value.value is not None and value.value < 0:
            errors[f"{path}.value"].append(_("A value cannot be negative."))
        if value.as_of is None:
            errors[f"{path}.as_of"].append(_("Give the date this value was measured on."))
        elif period_known and not (start <= value.as_of <= end):
            errors[f"{path}.as_of"].append(
                _("Give a date within the update's period, %(start)s – %(end)s: this value belongs to another one.")
                % {"start": date_format(start), "end": date_format(end)}
            )

    for index, link in enumerate(content.links):
        if UNSAFE_LINK_CHARACTERS.intersection(link.url):
            errors[f"links.{index}.url"].append(
                _(
                    "A web address cannot contain quotes or angle brackets (\" ' < >): write them as %22, %27, "
                    "%3C and %3E."
                )
            )

    reported = set()
    for index, answer in enumerate(content.work_plan_reports):
        item = answer.item
        # Only the work plan of the update's own cycle and initiative, each item once.
        if item.project_id != project.pk or cycle is None or item.cycle_id != cycle.pk:
            errors[f"work_plan_reports.{index}.item"].append(
                _("That work-plan item belongs to another initiative or cycle.")
            )
        elif item.pk in reported:
            errors[f"work_plan_reports.{index}.item"].append(_("That work-plan item is answered twice."))
        reported.add(item.pk)
    if errors:
        raise ValidationError(dict(errors))


#: ProgressUpdate.nothing_to_report_reason's max_length.
NOTHING_TO_REPORT_REASON_MAX_CHARS = 500

#: Never in an evidence link: each would end an HTML attribute or begin markup wherever a link is written out
#: unescaped (a feed reader, an export opened elsewhere), and no address needs them as they are (%22, %27, %3C,
#: %3E).
UNSAFE_LINK_CHARACTERS = frozenset("\"'<>")

#: Before this, a date reported for a milestone is a slip of the keyboard (a year typed as 0026 or 1026).
EARLIEST_REPORTED_DATE = datetime.date(2000, 1, 1)


def _milestone_dates_errors(
    project: Project, milestone: Milestone, report: MilestoneReportData, today: datetime.date
) -> list[tuple[str, str]]:
    """The dates of a milestone report against the outcome chosen: an achieved milestone has the date it was
    achieved (not in the future, not before the initiative started), a delayed one its new date (after the
    planned date), and neither has the other's; on track or cancelled has no date."""
    errors = []
    achieved, delayed = report.outcome == MilestoneOutcome.ACHIEVED, report.outcome == MilestoneOutcome.DELAYED
    if achieved:
        floor = max(filter(None, (project.start_date, EARLIEST_REPORTED_DATE)))
        if not report.achieved_on:
            errors.append(("achieved_on", _("Say when the milestone was achieved.")))
        elif report.achieved_on > today:
            errors.append(("achieved_on", _("A milestone cannot be achieved in the future.")))
        elif report.achieved_on < floor:
            if floor == EARLIEST_REPORTED_DATE:
                message = _("Check the date: it is before %(date)s.")
            else:
                message = _("Check the date: the initiative started on %(date)s.")
            errors.append(("achieved_on", message % {"date": date_format(floor)}))
    elif report.achieved_on:
        errors.append(("achieved_on", _("Only an achieved milestone has the date it was achieved: clear it.")))
    if delayed:
        planned = milestone.planned_end or milestone.planned_start
        if not report.new_date:
            errors.append(("new_date", _("Give the new date of a delayed milestone.")))
        elif planned and report.new_date <= planned:
            errors.append(
                (
                    "new_date",
                    _("A delayed milestone's new date comes after its planned date, %(date)s.")
                    % {"date": date_format(planned)},
                )
            )
        elif report.new_date < EARLIEST_REPORTED_DATE:
            earliest = date_format(EARLIEST_REPORTED_DATE)
            errors.append(("new_date", _("Check the date: it is before %(date)s.") % {"date": earliest}))
    elif report.new_date:
        errors.append(("new_date", _("Only a delayed milestone has a new date: clear it.")))
    return errors


def _record(update: ProgressUpdate, *, actor: User, from_status: str, reason: str = "") -> None:
    UpdateTransition.objects.create(
        update=update, from_status=from_status, to_status=update.status, actor=actor, reason=reason
    )
    # The Secretariat's decisions also go to the audit log beside its admin changes.
    if update.status == UpdateStatus.APPROVED:
        record_decision(user=actor, obj=update, message="Approved and published")
    elif update.status == UpdateStatus.RETURNED:
        record_decision(user=actor, obj=update, message=f"Returned: {reason}")
    elif from_status == UpdateStatus.APPROVED:
        record_decision(user=actor, obj=update, message=f"Approval withdrawn: {reason}")


def _locked(update: ProgressUpdate) -> ProgressUpdate:
    return ProgressUpdate.objects.select_for_update().get(pk=update.pk)


def _transition(update: ProgressUpdate, *, actor: User, to_status: str, reason: str = "", **fields) -> None:
    """Move the locked ``update`` to ``to_status`` with ``fields`` set, a new version and its history."""
    previous = update.status
    update.status = to_status
    for name, value in fields.items():
        setattr(update, name, value)
    update.version += 1
    update._history_user = actor  # its history names who did it, whatever the request (API, admin, command)
    update.save()
    _record(update, actor=actor, from_status=previous, reason=reason)


def _check_version(update: ProgressUpdate, expected_version: int | None, message: str) -> None:
    if expected_version is not None and update.version != expected_version:
        raise ConflictError(message)


#: Evidence.title's max_length.
EVIDENCE_TITLE_MAX_CHARS = 200
#: The stored file's own name, in characters and in UTF-8 bytes: with "evidence/<initiative>/<update>/" it
#: stays within Evidence.file's max_length (300), and within the 255 bytes most file systems allow a name.
EVIDENCE_FILE_NAME_MAX_CHARS = 150
EVIDENCE_FILE_NAME_MAX_BYTES = 200


def shorten_file_name(name: str, *, max_chars: int, max_bytes: int | None = None) -> str:
    """``name`` cut to ``max_chars`` characters (and ``max_bytes`` bytes of UTF-8), keeping its extension."""
    name = PurePath(name or "").name
    suffix = PurePath(name).suffix
    if len(suffix) > 16:  # not an extension worth keeping
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    stem = stem[: max(max_chars - len(suffix), 1)]
    while max_bytes is not None and stem and len((stem + suffix).encode("utf-8")) > max_bytes:
        stem = stem[:-1]
    return (stem or "evidence") + suffix


def _write_content(update: ProgressUpdate, content: UpdateContent) -> None:
    """Write ``content`` (checked by :func:`validate_content`) to ``update``, replacing its parts."""
    for name in (
        "period_start", "period_end", "achievements", "challenges", "next_steps", "initiative_status",
        "self_assessment",
    ):  # fmt: skip
        setattr(update, name, getattr(content, name))
    update.nothing_to_report = content.nothing_to_report
    update.nothing_to_report_reason = content.nothing_to_report_reason.strip() if content.nothing_to_report else ""
    update.full_clean(exclude=["project", "organisation", "author", "reviewed_by", "cycle"])
    update.save()
    update.milestone_reports.all().delete()
    MilestoneReport.objects.bulk_create(
        MilestoneReport(
            update=update,
            milestone=report.milestone,
            outcome=report.outcome,
            achieved_on=report.achieved_on if report.outcome == MilestoneOutcome.ACHIEVED else None,
            new_date=report.new_date if report.outcome == MilestoneOutcome.DELAYED else None,
            note=report.note,
        )
        for report in content.milestone_reports
    )
    update.indicator_values.all().delete()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(update=update, indicator=value.indicator, value=value.value, as_of=value.as_of)
        for value in content.indicator_values
    )
    update.evidence.filter(file="").delete()
    for link in content.links:
        Evidence.objects.create(update=update, title=link.title[:EVIDENCE_TITLE_MAX_CHARS], url=link.url)
    for evidence in content.files:
        # A browser sends names of up to 255 characters, in any script: the title keeps what fits its column,
        # the stored file a shorter name (same extension) that fits both the column and the file system.
        stored_name = shorten_file_name(
            evidence.file.name, max_chars=EVIDENCE_FILE_NAME_MAX_CHARS, max_bytes=EVIDENCE_FILE_NAME_MAX_BYTES
        )
        Evidence.objects.create(
            update=update,
            title=shorten_file_name(evidence.title, max_chars=EVIDENCE_TITLE_MAX_CHARS) if evidence.title else "",
            file=File(evidence.file, name=stored_name),
            content_type=evidence.content_type,
            size=getattr(evidence.file, "size", None),
        )
    update.work_plan_reports.all().delete()
    WorkPlanItemReport.objects.bulk_create(
        WorkPlanItemReport(update=update, item=answer.item, done=answer.done, note=answer.note)
        for answer in content.work_plan_reports
    )


@transaction.atomic
def create_update(
    *, project: Project, organisation: Organisation, author: User, content: UpdateContent
) -> ProgressUpdate:
    """Start a draft on ``project`` for one of the author's organisations."""
    permissions.require(author, permissions.REPORT, project)
    if not permissions.reporting_organisations(author, project).filter(pk=organisation.pk).exists():
        raise PermissionDenied(
            _("Report for one of your organisations that is the initiative's lead or one of its partners.")
        )
    period = {"period_start": content.period_start, "period_end": content.period_end}
    existing = update_in_progress(project=project, organisations=[organisation], **period)
    if existing is not None:
        raise UpdateInProgressError(existing)
    cycle = ReportingCycle.objects.current()
    validate_content(project=project, cycle=cycle, content=content)
    try:
        with transaction.atomic():  # a savepoint: another request may have started the same period meanwhile
            update = ProgressUpdate.objects.create(
                project=project,
                organisation=organisation,
                author=author,
                status=UpdateStatus.DRAFT,
                cycle=cycle,
                **period,
            )
    except IntegrityError:
        existing = update_in_progress(project=project, organisations=[organisation], **period)
        if existing is None:
            raise
        raise UpdateInProgressError(existing) from None
    update._history_user = author
    _write_content(update, content)
    _record(update, actor=author, from_status="")
    return update


@transaction.atomic
def save_draft(*, update: ProgressUpdate, user: User, content: UpdateContent, expected_version: int) -> ProgressUpdate:
    """Save a draft (or a returned update) if nobody saved it since ``expected_version``."""
    update = _locked(update)
    permissions.require(user, permissions.EDIT, update)
    _check_version(update, expected_version, SAVED_SINCE)
    update.cycle = cycle_for(update)  # a draft started before any cycle opened joins the open one
    if (content.period_start, content.period_end) != (update.period_start, update.period_end):
        other = (
            update_in_progress(
                project=update.project,
                organisations=[update.organisation_id],
                period_start=content.period_start,
                period_end=content.period_end,
            )
            if content.period_start and content.period_end
            else None
        )
        if other is not None and other.pk != update.pk:
            raise UpdateInProgressError(other)
    validate_content(project=update.project, cycle=update.cycle, content=content)
    update.version += 1
    update._history_user = user  # who edited it, read by permissions.writers (four eyes)
    _write_content(update, content)
    return update


def _check_has_narrative(text: UpdateContent | ProgressUpdate) -> None:
    """Something to read: a narrative, or "nothing to report this cycle" with its reason."""
    if text.nothing_to_report and text.nothing_to_report_reason.strip():
        return
    if not (text.achievements.strip() or text.challenges.strip() or text.next_steps.strip()):
        raise WorkflowError(
            _(
                "Write at least the achievements, challenges or next steps before submitting, or answer "
                "\"Nothing to report this cycle\" with its reason."
            )
        )


class StatusNotStatedError(WorkflowError):
    """Submitting an update that does not state the initiative's status (the form shows it by that field)."""


def _check_states_status(text: UpdateContent | ProgressUpdate) -> None:
    """An update states the initiative's status: the initiative takes it when the update is approved."""
    if not text.initiative_status:
        raise StatusNotStatedError(_("Say what the initiative's status is before submitting."))


def _check_submittable(text: UpdateContent | ProgressUpdate) -> None:
    _check_has_narrative(text)
    _check_states_status(text)


@transaction.atomic
def submit_update(*, update: ProgressUpdate, user: User, expected_version: int | None = None) -> ProgressUpdate:
    """draft / returned → submitted. A second click finds it submitted and changes nothing."""
    update = _locked(update)
    permissions.require(user, permissions.SUBMIT, update)
    _check_version(
        update, expected_version, _("Someone else saved this update since you opened it. Review it, then submit again.")
    )
    _check_submittable(update)
    resubmitted = update.status == UpdateStatus.RETURNED
    # The return's reason was answered: it stays in the history, no longer on the update.
    _transition(update, actor=user, to_status=UpdateStatus.SUBMITTED, submitted_at=timezone.now(), return_reason="")
    _notify_reviewers(update, submitter=user, resubmitted=resubmitted)
    return update


@transaction.atomic
def create_and_submit(
    *, project: Project, organisation: Organisation, author: User, content: UpdateContent
) -> ProgressUpdate:
    """Start an update and submit it at once: both or neither (a refused submission leaves no draft)."""
    # Checked before anything is written, so that a refusal leaves no uploaded file behind either.
    _check_submittable(content)
    update = create_update(project=project, organisation=organisation, author=author, content=content)
    return submit_update(update=update, user=author, expected_version=update.version)


@transaction.atomic
def save_and_submit(
    *, update: ProgressUpdate, user: User, content: UpdateContent, expected_version: int
) -> ProgressUpdate:
    """Save a draft and submit it: both or neither (a refused submission leaves the draft and its version)."""
    _check_submittable(content)
    saved = save_draft(update=update, user=user, content=content, expected_version=expected_version)
    return submit_update(update=saved, user=user, expected_version=saved.version)


@transaction.atomic
def move_to_current_cycle(
    *, update: ProgressUpdate, user: User, today: datetime.date | None = None
) -> tuple[ProgressUpdate, list[str]]:
    """A draft or returned update left in a cycle that takes no more submissions (closed, or published) → the
    cycle contributors report into today, for that cycle's period (a new update's default). What belonged to
    the old cycle goes: its work-plan answers, and indicator values measured outside the new period. Returns
    the update and what went, in words (also kept in the transition's reason)."""
    update = _locked(update)
    permissions.require(user, permissions.MOVE_TO_CURRENT_CYCLE, update)
    target = ReportingCycle.objects.current(today)
    if target is None:
        raise WorkflowError(_("No reporting cycle takes updates today: the update can move once the next one opens."))
    start, end = target.period_start, target.period_end
    other = update_in_progress(
        project=update.project, organisations=[update.organisation_id], period_start=start, period_end=end
    )
    if other is not None and other.pk != update.pk:
        raise UpdateInProgressError(other)
    previous = update.cycle
    removed = []
    answers = update.work_plan_reports.count()
    if answers:
        update.work_plan_reports.all().delete()
        removed.append(
            ngettext(
                "%(count)s answer on cycle %(number)s's work plan",
                "%(count)s answers on cycle %(number)s's work plan",
                answers,
            )
            % {"count": answers, "number": previous.number}
        )
    outside = update.indicator_values.exclude(as_of__range=(start, end)).select_related("indicator")
    for value in outside:
        removed.append(
            _("the value of %(indicator)s as of %(date)s")
            % {"indicator": value.indicator.name, "date": date_format(value.as_of)}
        )
    outside.delete()
    update.cycle, update.period_start, update.period_end = target, start, end
    update.version += 1
    update.save()
    reason = _("Moved from cycle %(old)s (%(old_label)s) to cycle %(new)s (%(new_label)s).") % {
        "old": previous.number,
        "old_label": previous.label,
        "new": target.number,
        "new_label": target.label,
    }
    if removed:
        reason += " " + _("Removed, as they belonged to the old cycle: %(list)s.") % {"list": "; ".join(removed)}
    UpdateTransition.objects.create(
        update=update, from_status=update.status, to_status=update.status, actor=user, reason=reason
    )
    return update, removed


@transaction.atomic
def return_update(
    *, update: ProgressUpdate, reviewer: User, reason: str, expected_version: int | None = None
) -> ProgressUpdate:
    """submitted → returned, with a reason e-mailed to the author; not unread (see :func:`approve_update`)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the update is returned: the author reads it."))
    update = _locked(update)
    permissions.require(reviewer, permissions.RETURN, update)
    _check_version(update, expected_version, CHANGED_BEFORE_RETURN)
    _transition(
        update,
        actor=reviewer,
        to_status=UpdateStatus.RETURNED,
        reason=reason,
        return_reason=reason,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )
    queue_mail(
        _("Your progress update on %(project)s was returned") % {"project": update.project.title},
        _(
            "The ASEM Education Secretariat returned your progress update with this reason:\n\n%(reason)s\n\n"
            "Edit and submit it again: %(url)s"
        )
        % {"reason": reason, "url": site_link(update.get_absolute_url())},
        [update.author.email],
    )
    return update


#: What approving a milestone report may change on the milestone, and withdrawing the approval restores.
MILESTONE_STATE_FIELDS = ("status", "achieved_on", "planned_start", "planned_end")
#: Of those, what the initiative's profile form edits too (a delay's new date): changing one raises the
#: initiative's version, so that a profile form opened before does not save over it.
MILESTONE_PROFILE_FIELDS = tuple(field for field in MILESTONE_STATE_FIELDS if field in MILESTONE_FIELDS)


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _milestone_state(milestone: Milestone) -> dict[str, str | None]:
    return {"status": str(milestone.status), **{f: _iso(getattr(milestone, f)) for f in MILESTONE_STATE_FIELDS[1:]}}


def _set_milestone_state(milestone: Milestone, state: dict[str, str | None]) -> None:
    for field in MILESTONE_STATE_FIELDS:
        if field in state:  # states recorded before planned_start was recorded have no planned_start
            value = state[field]
            if field != "status":
                value = datetime.date.fromisoformat(value) if value else None
            setattr(milestone, field, value)


def _state_after(report: MilestoneReport, before: dict[str, str | None]) -> dict[str, str | None]:
    """The milestone's state once ``report`` is applied to the state ``before``."""
    after = dict(before)
    if report.outcome == MilestoneOutcome.ACHIEVED:
        after.update(status=MilestoneStatus.ACHIEVED.value, achieved_on=_iso(report.achieved_on))
    elif report.outcome == MilestoneOutcome.DELAYED:
        after.update(status=MilestoneStatus.DELAYED.value, achieved_on=None, planned_end=_iso(report.new_date))
        start = after.get("planned_start")
        if start and report.new_date < datetime.date.fromisoformat(start):
            after["planned_start"] = _iso(report.new_date)  # the constraint: the end is not before the start
    elif report.outcome == MilestoneOutcome.CANCELLED:
        after.update(status=MilestoneStatus.CANCELLED.value, achieved_on=None)
    else:  # on track
        after.update(status=MilestoneStatus.PLANNED.value, achieved_on=None)
    return after


def _moves_the_profile(before: dict[str, str | None], after: dict[str, str | None]) -> bool:
    return any(before.get(field) != after.get(field) for field in MILESTONE_PROFILE_FIELDS)


def _apply(update: ProgressUpdate) -> None:
    """Make the initiative show what the approved update reports.

    Each milestone report keeps the milestone's state before (to restore it if the approval is withdrawn)
    and the state this approval gave it (``applied``: to see, then, whether anything changed it since).
    """
    for report in update.milestone_reports.select_related("milestone"):
        milestone = report.milestone
        before = _milestone_state(milestone)
        after = _state_after(report, before)
        _set_milestone_state(milestone, after)
        milestone.save()
        if _moves_the_profile(before, after):
            Project.objects.filter(pk=milestone.project_id).raise_version()
        report.previous_state = {**before, "applied": after}
        report.save(update_fields=["previous_state"])
    update.indicator_values.update(applied=True)
    _refresh_indicators(update)


def _refresh_indicators(update: ProgressUpdate) -> None:
    """The latest value of each indicator ``update`` reports on is its latest approved value (by as-of date)."""
    for indicator in Indicator.objects.filter(values__update=update).distinct():
        latest = (
            IndicatorValue.objects.filter(indicator=indicator, applied=True, update__status=UpdateStatus.APPROVED)
            .order_by("-as_of", "-pk")
            .first()
        )
        indicator.latest_value = latest.value if latest else None
        indicator.latest_value_on = latest.as_of if latest else None
        indicator.save(update_fields=["latest_value", "latest_value_on"])


def _stated_status(project_id: int) -> str | None:
    """The status the initiative's newest approved update states (by the end of its period, then approval): what
    the initiative shows. None while no approved update states one ("not reported yet")."""
    newest = (
        ProgressUpdate.objects.published()
        .filter(project_id=project_id, initiative_status__isnull=False)
        .order_by("-period_end", "-reviewed_at", "-pk")
        .values_list("initiative_status", flat=True)
        .first()
    )
    return newest


def _set_status(project_id: int, status: str | None, *, actor: User) -> None:
    """Give the initiative ``status`` (its row locked, its history recording who)."""
    project = Project.objects.select_for_update().defer("search_vector").get(pk=project_id)
    if project.status != status:
        project.status = status
        project._history_user = actor  # django-simple-history's way to name who made the change
        project.save(update_fields=["status", "updated_at"])


@transaction.atomic
def approve_update(
    *,
    update: ProgressUpdate,
    reviewer: User,
    expected_version: int | None = None,
    rating: str = "",
    comment: str = "",
) -> ProgressUpdate:
    """submitted → approved (= published), by a Secretariat member who is not the author. With ``expected_version``
    (the version the reviewer read), an update changed since is refused (:class:`ConflictError`). The reviewer may
    add the Secretariat's own ``rating`` of progress (a ProgressRating) and a ``comment``, published with it."""
    if rating not in ("", *ProgressRating.values):
        raise WorkflowError(_("Choose one of the ratings offered."))
    update = _locked(update)
    permissions.require(reviewer, permissions.APPROVE, update)
    _check_version(update, expected_version, CHANGED_BEFORE_APPROVAL)
    _transition(
        update,
        actor=reviewer,
        to_status=UpdateStatus.APPROVED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        return_reason="",
        secretariat_rating=rating,
        secretariat_comment=(comment or "").strip(),
    )
    _apply(update)
    if update.initiative_status and _stated_status(update.project_id) == update.initiative_status:
        # The newest statement now (an update of an earlier period approved late does not override a later one).
        _set_status(update.project_id, update.initiative_status, actor=reviewer)
    queue_mail(
        _("Your progress update on %(project)s is published") % {"project": update.project.title},
        _("The ASEM Education Secretariat approved your progress update. It is public now: %(url)s")
        % {"url": site_link(update.project.get_absolute_url())},
        [update.author.email],
    )
    return update


def approve_updates(
    *, updates: Iterable[ProgressUpdate], reviewer: User, expected_versions: Mapping[int, int | None] | None = None
) -> tuple[list[ProgressUpdate], list[str]]:
    """Approve several updates (``expected_versions``: id → version read), each in its own transaction;
    report the ones that could not be."""
    expected_versions = expected_versions or {}
    approved, problems = [], []
    for update in updates:
        expected = expected_versions.get(update.pk)
        try:
            approved.append(approve_update(update=update, reviewer=reviewer, expected_version=expected))
        except (WorkflowError, PermissionDenied) as exc:
            problems.append(f"{update}: {exc}")
    return approved, problems


def return_updates(
    *, updates: Iterable[ProgressUpdate], reviewer: User, reason: str, expected_versions: Mapping[int, int | None]
) -> tuple[list[ProgressUpdate], list[str]]:
    """Return several updates with one reason (``expected_versions``: id → version read), each in its own
    transaction; report the ones that could not be."""
    if not (reason or "").strip():
        raise WorkflowError(_("Say why the update is returned: the author reads it."))
    returned, problems = [], []
    for update in updates:
        try:
            returned.append(
                return_update(
                    update=update, reviewer=reviewer, reason=reason, expected_version=expected_versions.get(update.pk)
                )
            )
        except (WorkflowError, PermissionDenied) as exc:
            problems.append(f"{update}: {exc}")
    return returned, problems


def _next_approval_on(milestone: Milestone, update: ProgressUpdate) -> MilestoneReport | None:
    """The report of the first update approved after ``update`` that applied itself to ``milestone``."""
    later = Q(update__reviewed_at__gt=update.reviewed_at) | Q(
        update__reviewed_at=update.reviewed_at, update__pk__gt=update.pk
    )
    return (
        MilestoneReport.objects.select_for_update(of=("self",))
        .filter(later, milestone=milestone, update__status=UpdateStatus.APPROVED, previous_state__isnull=False)
        .exclude(update=update)
        .order_by("update__reviewed_at", "update__pk")
        .first()
    )


@transaction.atomic
def withdraw_approval(*, update: ProgressUpdate, reviewer: User, reason: str) -> ProgressUpdate:
    """approved → submitted: unpublish and undo what the approval applied to the initiative.

    A milestone is restored only if it still shows what this approval made it. If a later approved update
    reported on it, it keeps that update's state, and that update's record of "the state before" becomes
    this one's (so withdrawing it too restores the state before both). If anything else changed it since,
    it is left as it is. The transition's reason names the milestones left as they are.
    """
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the approval is withdrawn."))
    update = _locked(update)
    permissions.require(reviewer, permissions.WITHDRAW_APPROVAL, update)
    # Back in review, it would be a second update in progress for its period (the database refuses that).
    other = update_in_progress(
        project=update.project,
        organisations=[update.organisation_id],
        period_start=update.period_start,
        period_end=update.period_end,
    )
    if other is not None:
        raise WorkflowError(
            _(
                "%(organisation)s has another update in progress for this period (%(status)s): it must be "
                "approved, or its period changed, before this approval can be withdrawn."
            )
            % {"organisation": other.organisation, "status": other.get_status_display().lower()}
        )
    shown_before = _stated_status(update.project_id)
    left_as_they_are = []
    for report in update.milestone_reports.select_related("milestone"):
        state = report.previous_state
        if not state:
            continue
        milestone = report.milestone
        before = {field: state[field] for field in MILESTONE_STATE_FIELDS if field in state}
        applied = state.get("applied") or _state_after(report, before)
        following = _next_approval_on(milestone, update) if update.reviewed_at else None
        if following is not None:
            following.previous_state = {**following.previous_state, **before}
            following.save(update_fields=["previous_state"])
            left_as_they_are.append(milestone.title)
        elif all(_milestone_state(milestone)[field] == applied.get(field) for field in before):
            _set_milestone_state(milestone, before)
            milestone.save()
            if _moves_the_profile(applied, before):
                Project.objects.filter(pk=milestone.project_id).raise_version()
        else:
            left_as_they_are.append(milestone.title)
        report.previous_state = None
        report.save(update_fields=["previous_state"])
    if left_as_they_are:
        note = _("Milestones left as they are, because they changed after this approval: %(milestones)s.")
        reason += "\n" + note % {"milestones": "; ".join(left_as_they_are)}
    _transition(
        update, actor=reviewer, to_status=UpdateStatus.SUBMITTED, reason=reason, reviewed_by=None, reviewed_at=None
    )
    update.indicator_values.update(applied=False)
    _refresh_indicators(update)
    # The initiative's status goes back to what the remaining approved updates state, unless the Secretariat
    # corrected it since (then it no longer shows what the updates stated, and is left as it is).
    if Project.objects.filter(pk=update.project_id).values_list("status", flat=True).get() == shown_before:
        _set_status(update.project_id, _stated_status(update.project_id), actor=reviewer)
    queue_mail(
        _("The approval of your progress update on %(project)s was withdrawn") % {"project": update.project.title},
        _(
            "The ASEM Education Secretariat withdrew the approval of your progress update: it is no longer public "
            "and is back in review. The reason:\n\n%(reason)s\n\nThe update: %(url)s"
        )
        % {"reason": reason, "url": site_link(update.get_absolute_url())},
        [update.author.email],
    )
    return update


def _notify_reviewers(update: ProgressUpdate, *, submitter: User, resubmitted: bool) -> None:
    """E-mail the Secretariat's reviewers (but the submitter) that ``update`` waits for their review."""
    values = {
        "project": update.project.title,
        "organisation": update.organisation,
        "start": date_format(update.period_start),
        "end": date_format(update.period_end),
        "url": site_link(update.get_absolute_url()),
        "queue": site_link(reverse("updates:review-queue")),
    }
    if resubmitted:
        subject = _("Progress update resubmitted: %(project)s") % values
        opening = (
            _(
                "%(organisation)s submitted its progress update on %(project)s (%(start)s – %(end)s) again, "
                "after it was returned."
            )
            % values
        )
    else:
        subject = _("Progress update submitted: %(project)s") % values
        opening = _("%(organisation)s submitted a progress update on %(project)s (%(start)s – %(end)s).") % values
    body = opening + "\n\n" + _("Review it: %(url)s\nThe review queue: %(queue)s") % values
    reviewers = secretariat_members().exclude(pk=submitter.pk).exclude(email="").order_by("email")
    recipients = reviewers.values_list("email", flat=True)
    queue_mail(subject, body, recipients)
