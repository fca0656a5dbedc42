"""The two-year cycle of the ASEM Education Process: meetings, reporting cycles, work plans, stocktaking reports.

An ASEMME's Chair's Conclusions annex the next two years' work plan (``WorkPlanItem``); progress updates report
on it in the cycle, and the Secretariat publishes the cycle's frozen ``StocktakingReport``.
"""

from __future__ import annotations

import datetime

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.models import Action
from projects.models import Indicator, Milestone, Project, ProjectStatus
from stakeholders.models import Country, Organisation


class MeetingKind(models.TextChoices):
    ASEMME = "asemme", _("ASEM Education Ministers' Meeting (ASEMME)")
    ISOM = "isom", _("Intermediate Senior Officials' Meeting (ISOM)")
    SOM = "som", _("Senior Officials' Meeting (SOM)")
    OTHER = "other", _("Other event (conference, seminar, workshop…)")


#: The meetings of the two-year cycle itself (section 3.1 of the plan): numbered, without a title of their own.
CYCLE_MEETING_KINDS = (MeetingKind.ASEMME, MeetingKind.ISOM, MeetingKind.SOM)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class MeetingQuerySet(models.QuerySet):
    def with_last_day(self) -> MeetingQuerySet:
        """``last_day``: the meeting's last day (its end, else its start; None while no date is set)."""
        return self.annotate(last_day=Coalesce("end_date", "start_date"))

    @staticmethod
    def _is_upcoming(today: datetime.date) -> Q:
        """Its last day is today or later; or, without a date yet, it is planned for this year or a later one."""
        undated = Q(last_day__isnull=True, status=MeetingStatus.PLANNED, year__gte=today.year)
        return Q(last_day__gte=today) | undated

    def upcoming(self, today: datetime.date) -> MeetingQuerySet:
        """Meetings still to come (``_is_upcoming``): the soonest first."""
        return (
            self.with_last_day()
            .filter(self._is_upcoming(today))
            .order_by("year", F("start_date").asc(nulls_last=True), "kind", "number", "pk")
        )

    def past(self, today: datetime.date) -> MeetingQuerySet:
        """Every other meeting (``_is_upcoming`` negated, written out for meetings without a date): latest first."""
        undated = Q(last_day__isnull=True) & (~Q(status=MeetingStatus.PLANNED) | Q(year__lt=today.year))
        return (
            self.with_last_day()
            .filter(Q(last_day__lt=today) | undated)
            .order_by("-year", F("start_date").desc(nulls_last=True), "-kind", "-number", "-pk")
        )


class Meeting(models.Model):
    """A meeting of the two-year cycle (ASEMME, ISOM, SOM) or another event of the process (a conference, a
    seminar). Only what is known is filled in; the rest stays empty."""

    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"),
        null=True,
        blank=True,
        help_text=_(
            "ASEMMEs are numbered since 2008 (ASEMME8); ISOM and SOMs within their cycle. Other events have none."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("The name of another event (a conference, a seminar); ASEMMEs, ISOMs and SOMs have none."),
    )
    cycle = models.ForeignKey(
        "ReportingCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("cycle"),
        help_text=_(
            "For an ISOM or a SOM: the cycle whose closing ASEMME it prepares. For another event: the cycle in "
            "which it takes place. An ASEMME opens and closes cycles (see the cycle)."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    year = models.PositiveSmallIntegerField(_("year"))
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("to"), null=True, blank=True)
    host_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host country"),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_online = models.BooleanField(_("held online"), default=False)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Where the facts come from, and what is not known or only planned.")
    )

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["year", "kind", "number", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=Q(year__gte=2008) & Q(year__lte=2100),
                name="meeting_year_range",
                violation_error_message=_("The ASEM Education Process started in 2008."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | (Q(start_date__isnull=False) & Q(end_date__gte=F("start_date"))),
                name="meeting_end_not_before_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(kind=MeetingKind.ASEMME),
                name="asemme_number_unique",
                violation_error_message=_("There is already an ASEMME with this number."),
            ),
            models.UniqueConstraint(
                fields=["cycle", "kind", "number"],
                condition=Q(kind__in=[MeetingKind.ISOM, MeetingKind.SOM]),
                name="officials_meeting_number_unique_in_cycle",
                violation_error_message=_("This cycle already has an officials' meeting of this kind and number."),
            ),
            # The cycle's meetings are known by their kind and number; another event by its title.
            models.CheckConstraint(
                condition=(Q(kind__in=CYCLE_MEETING_KINDS) & Q(number__isnull=False) & Q(title=""))
                | (Q(kind=MeetingKind.OTHER) & Q(number__isnull=True) & ~Q(title="")),
                name="meeting_named_by_number_or_title",
                violation_error_message=_(
                    "An ASEMME, ISOM or SOM has a number and no title; another event has a title and no number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", kwargs={"pk": self.pk})

    @property
    def short_name(self) -> str:
        if self.kind == MeetingKind.OTHER:
            return self.title
        return f"{self.kind.upper()}{self.number}"  # ASEMME8, ISOM1, SOM2

    @property
    def is_cycle_meeting(self) -> bool:
        return self.kind != MeetingKind.OTHER

    def clean(self) -> None:
        errors = {}
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if value and self.year and value.year != self.year:
                errors[name] = _("The date is not in the meeting's year.")
        if self.kind == MeetingKind.ASEMME and self.cycle_id:
            errors["cycle"] = _("An ASEMME opens and closes cycles; only an ISOM, a SOM or another event has one.")
        if self.kind == MeetingKind.OTHER:
            if not self.title.strip():
                errors["title"] = _("Name the event.")
            if self.number is not None:
                errors["number"] = _("Only an ASEMME, an ISOM or a SOM has a number.")
        elif self.kind:
            if self.number is None:
                errors["number"] = _("Give the meeting's number (ASEMME8, SOM2).")
            if self.title:
                errors["title"] = _("An ASEMME, ISOM or SOM is named by its kind and number: leave the title empty.")
        if errors:
            raise ValidationError(errors)


class CycleStatus(models.TextChoices):
    """A reporting cycle's state on a given day: the one label table, read through ``ReportingCycle.status_on``."""

    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class ReportingCycleQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> ReportingCycle | None:
        """The cycle contributors report into today: the one whose submission window (or late-submission allowance)
        runs today, or None. The windows of two cycles never overlap (``cycle_services.window_problems``); should
        they, the latest window wins. One query over the unpublished cycles (a handful: one every two years), each
        judged by the one definition, :meth:`ReportingCycle.status_on`."""
        today = today or timezone.localdate()
        candidates = self.filter(published_on__isnull=True, submission_opens__lte=today).order_by("-submission_opens")
        return next((cycle for cycle in candidates if cycle.accepts_submissions(today)), None)

    def where_reporting_stands(self, today: datetime.date | None = None) -> ReportingCycle | None:
        """The cycle that says where reporting stands today: the one taking updates, else the next planned one,
        else the latest (one query over the cycles, a handful)."""
        today = today or timezone.localdate()
        cycles = list(self.order_by("number"))
        taking = [c for c in cycles if c.accepts_submissions(today)]
        planned = [c for c in cycles if c.status_on(today) == CycleStatus.PLANNED]
        if taking:
            return max(taking, key=lambda c: c.submission_opens)
        if planned:
            return min(planned, key=lambda c: c.submission_opens)
        return cycles[-1] if cycles else None

    def next_planned(self, today: datetime.date | None = None) -> ReportingCycle | None:
        """The planned cycle whose window opens soonest, or None."""
        today = today or timezone.localdate()
        candidates = self.filter(published_on__isnull=True, submission_opens__gt=today).order_by("submission_opens")
        return next((cycle for cycle in candidates if cycle.status_on(today) == CycleStatus.PLANNED), None)


class ReportingCycle(models.Model):
    """The two years between two ASEMMEs: the work plan, the updates on it and the stocktaking report.

    Its state is never stored: it follows from its dates (``status_on``). Planned until the submission window
    opens, open until the window's last day, then closed (late submissions still accepted until
    ``late_submissions_until``, when the Secretariat allows them), published once its report is
    (``published_on``, set by ``cycle_services.publish_report``).
    """

    number = models.PositiveSmallIntegerField(_("number"), unique=True, help_text=_("1 is the plan's first cycle."))
    opening_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opened_cycles",
        verbose_name=_("opened by"),
        help_text=_("The ASEMME whose Chair's Conclusions set the cycle's work plan."),
    )
    closing_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_cycles",
        verbose_name=_("closed by"),
        help_text=_("The next ASEMME, which receives the stocktaking report."),
    )
    period_start = models.DateField(_("reporting period from"))
    period_end = models.DateField(_("reporting period to"))
    submission_opens = models.DateField(_("submissions open"), help_text=_("The window's first day."))
    submission_closes = models.DateField(_("submissions close"), help_text=_("The window's last day."))
    late_submissions_until = models.DateField(
        _("late submissions accepted until"),
        null=True,
        blank=True,
        help_text=_("Optional: after the window closes, updates may still be submitted until this day (included)."),
    )
    published_on = models.DateField(
        _("report published on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the stocktaking report is published: the cycle is then frozen."),
    )
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        editable=False,
        help_text=_("Added by create_demo_updates to show a cycle at work; removed by remove_demo_data."),
    )
    executive_summary = models.TextField(
        _("executive summary"),
        blank=True,
        help_text=_(
            "The Secretariat's summary of the cycle, opening the stocktaking report; written on the report's "
            "publish page and frozen with the report when it is published."
        ),
    )

    history = HistoricalRecords()
    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="cycle_period_end_after_start",
                violation_error_message=_("The reporting period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(submission_closes__gte=F("submission_opens")),
                name="cycle_window_end_not_before_start",
                violation_error_message=_("The submission window cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(late_submissions_until__isnull=True)
                | Q(late_submissions_until__gt=F("submission_closes")),
                name="cycle_late_submissions_after_window",
                violation_error_message=_("Late submissions are accepted after the window closes: choose a later day."),
            ),
            models.CheckConstraint(
                condition=Q(opening_meeting__isnull=True)
                | Q(closing_meeting__isnull=True)
                | ~Q(opening_meeting=F("closing_meeting")),
                name="cycle_opened_and_closed_by_different_meetings",
                violation_error_message=_("One meeting cannot both open and close a cycle."),
            ),
        ]

    def __str__(self) -> str:
        return _("Cycle %(number)s (%(label)s)") % {"number": self.number, "label": self.label}

    def get_absolute_url(self) -> str:
        return reverse("reports:report-detail", kwargs={"number": self.number})

    @property
    def label(self) -> str:
        if self.period_start.year == self.period_end.year:
            return str(self.period_start.year)
        return f"{self.period_start.year}–{self.period_end.year}"

    # The cycle's state: one definition ------------------------------------------------------------------------

    def status_on(self, today: datetime.date) -> CycleStatus:
        """Its state on ``today``: published once its report is; else planned before the window opens, open until
        the window's last day (included), closed after it."""
        if self.published_on is not None:
            return CycleStatus.PUBLISHED
        if today < self.submission_opens:
            return CycleStatus.PLANNED
        if today <= self.submission_closes:
            return CycleStatus.OPEN
        return CycleStatus.CLOSED

    @property
    def status(self) -> CycleStatus:
        """Its state today (in the site's time zone)."""
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.status.label

    def takes_late_submissions(self, today: datetime.date) -> bool:
        """Closed, but the Secretariat still accepts late submissions today."""
        late = self.late_submissions_until
        return self.status_on(today) == CycleStatus.CLOSED and late is not None and today <= late

    def accepts_submissions(self, today: datetime.date) -> bool:
        """Updates may be written into it and submitted to it today: its window or its late allowance runs."""
        return self.status_on(today) == CycleStatus.OPEN or self.takes_late_submissions(today)

    def last_submission_day(self) -> datetime.date:
        """The last day anything may be submitted to it: the late allowance's, else the window's."""
        return self.late_submissions_until or self.submission_closes

    def days_until_close(self, today: datetime.date) -> int:
        return (self.submission_closes - today).days

    def mandate(self) -> Document | None:
        """The Chair's Conclusions that adopted the cycle's work plan: those of its opening ASEMME (one query;
        None while the Secretariat has not added them)."""
        if self.opening_meeting_id is None:
            return None
        return Document.objects.chairs_conclusions().filter(meeting_id=self.opening_meeting_id).first()

    def clean(self) -> None:
        errors = {}
        for name in ("opening_meeting", "closing_meeting"):
            meeting = getattr(self, name)
            if meeting is not None and meeting.kind != MeetingKind.ASEMME:
                errors[name] = _("A cycle is opened and closed by Ministers' Meetings (ASEMMEs).")
        if errors:
            raise ValidationError(errors)


class WorkPlanItem(models.Model):
    """One line of the cycle's work plan (the annex of the Chair's Conclusions) for an initiative."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, related_name="work_plan_items", verbose_name=_("cycle")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="work_plan_items", verbose_name=_("initiative")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    planned_activity = models.CharField(_("planned activity"), max_length=500)
    expected_output = models.TextField(_("expected output and results"), blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        editable=False,
        help_text=_("Made up by create_demo_updates to show the portal; removed by remove_demo_data."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "project__title", "position", "pk"]
        verbose_name = _("work-plan item")
        verbose_name_plural = _("work-plan items")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "project", "planned_activity"],
                name="work_plan_item_unique_activity",
                violation_error_message=_("This initiative already has this planned activity in the cycle."),
            ),
            models.CheckConstraint(
                condition=~Q(planned_activity=""),
                name="work_plan_item_has_activity",
                violation_error_message=_("Name the planned activity."),
            ),
        ]

    def __str__(self) -> str:
        return self.planned_activity


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class ProgressRating(models.TextChoices):
    """How far an initiative's work went in the period: the contributor's own rating, and the Secretariat's."""

    ON_TRACK = "on_track", _("On track")
    MINOR_DELAYS = "minor_delays", _("Minor delays")
    MAJOR_DELAYS = "major_delays", _("Major delays")
    NOT_STARTED = "not_started", _("Not started")


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self) -> ProgressUpdateQuerySet:
        return self.filter(status=UpdateStatus.APPROVED)


class ProgressUpdate(models.Model):
    """A stakeholder's report on an initiative for a period; public once approved."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="updates", verbose_name=_("initiative"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        verbose_name=_("organisation"),
        help_text=_("The organisation reporting; its members share the draft."),
    )
    author = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="progress_updates", verbose_name=_("author")
    )
    status = models.CharField(_("status"), max_length=20, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT)
    cycle = models.ForeignKey(
        "ReportingCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("reporting cycle"),
        help_text=_("The cycle open when the update was written (set by the services); empty before cycles."),
    )
    period_start = models.DateField(_("reporting period from"))
    period_end = models.DateField(_("reporting period to"))
    achievements = models.TextField(_("achievements"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    nothing_to_report = models.BooleanField(
        _("nothing to report this cycle"),
        default=False,
        help_text=_("The organisation's answer for the cycle when nothing happened: it counts as reported."),
    )
    nothing_to_report_reason = models.CharField(_("why there is nothing to report"), max_length=500, blank=True)
    self_assessment = models.CharField(
        _("own assessment of progress"), max_length=20, choices=ProgressRating.choices, blank=True
    )
    secretariat_rating = models.CharField(
        _("the Secretariat's assessment"), max_length=20, choices=ProgressRating.choices, blank=True
    )
    secretariat_comment = models.TextField(_("the Secretariat's comment"), blank=True)
    initiative_status = models.CharField(  # noqa: DJ001 - null: not stated (as the initiative's own status)
        _("status of the initiative"),
        max_length=20,
        choices=ProjectStatus.choices,
        null=True,
        blank=True,
        help_text=_(
            "The initiative's status as the contributor states it (required to submit); approving the update "
            "makes it the initiative's status. Empty in updates written before it was asked."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised by every save."))
    return_reason = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_updates",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        editable=False,
        help_text=_("Made up by create_demo_updates to show the portal; removed by remove_demo_data."),
    )

    history = HistoricalRecords(table_name="projects_historicalprogressupdate")
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        db_table = "projects_progressupdate"  # made by the projects app, where updates lived until 2026-12
        ordering = ["-period_end", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="update_period_end_not_before_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(status__in=UpdateStatus.values), name="update_status_valid"),
            models.CheckConstraint(
                condition=Q(nothing_to_report=False) | ~Q(nothing_to_report_reason=""),
                name="update_nothing_to_report_has_reason",
                violation_error_message=_("Say in a sentence why there is nothing to report."),
            ),
            models.CheckConstraint(
                condition=Q(self_assessment__in=["", *ProgressRating.values])
                & Q(secretariat_rating__in=["", *ProgressRating.values]),
                name="update_ratings_valid",
            ),
            models.CheckConstraint(
                condition=Q(initiative_status__isnull=True) | Q(initiative_status__in=ProjectStatus.values),
                name="update_initiative_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=UpdateStatus.RETURNED) | ~Q(return_reason=""),
                name="update_returned_has_reason",
                violation_error_message=_("A returned update needs a reason."),
            ),
            # One update in progress per initiative, organisation and period (update_services.IN_PROGRESS says
            # why; the services check it first and lead to the existing one, this stops two requests at once).
            models.UniqueConstraint(
                fields=["project", "organisation", "period_start", "period_end"],
                condition=Q(status__in=[UpdateStatus.DRAFT, UpdateStatus.RETURNED, UpdateStatus.SUBMITTED]),
                name="update_one_in_progress_per_period",
                violation_error_message=_(
                    "The organisation already has an update in progress on this initiative for this period."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-period_end"], name="update_status_period_idx"),
            models.Index(fields=["project", "status"], name="update_project_status_idx"),
            # A cycle's approved updates (the stocktaking report, reminders, completeness): with the id and the
            # approval time, joins to their milestone reports and indicator values read the index alone.
            models.Index(fields=["cycle", "status"], include=["id", "reviewed_at"], name="update_cycle_status_idx"),
            # "Is any demonstration data loaded?", asked by every page's banner: a read of a tiny index.
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="update_demo_idx"),
        ]

    def __str__(self) -> str:
        return _("%(project)s, %(start)s – %(end)s") % {
            "project": self.project,
            "start": date_format(self.period_start),
            "end": date_format(self.period_end),
        }

    def get_absolute_url(self) -> str:
        return reverse("updates:update-detail", kwargs={"pk": self.pk})



class MilestoneOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class MilestoneReport(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="milestone_reports", verbose_name=_("update")
    )
    # PROTECT: a milestone that updates report on is marked cancelled, not deleted
    # (deleting it would delete other organisations' reports, approved ones included).
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="reports", verbose_name=_("milestone")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=MilestoneOutcome.choices)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    new_date = models.DateField(_("delayed to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The milestone as it was before approval applied this report, so that the
    # Secretariat can withdraw the approval and restore it.
    previous_state = models.JSONField(_("state before approval"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "projects_milestonereport"  # made by the projects app, where updates lived until 2026-12
        ordering = ["milestone__planned_start", "pk"]
        verbose_name = _("milestone report")
        verbose_name_plural = _("milestone reports")
        constraints = [
            models.UniqueConstraint(fields=["update", "milestone"], name="milestone_report_once_per_update"),
            models.CheckConstraint(
                condition=~Q(outcome=MilestoneOutcome.ACHIEVED) | Q(achieved_on__isnull=False),
                name="milestone_report_achieved_has_date",
                violation_error_message=_("Say when the milestone was achieved."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=MilestoneOutcome.DELAYED) | Q(new_date__isnull=False),
                name="milestone_report_delayed_has_date",
                violation_error_message=_("Give the new date of a delayed milestone."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.get_outcome_display()}"


class IndicatorValue(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("update")
    )
    # PROTECT, as for milestone reports: reported values outlive a coordinator's edit.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    as_of = models.DateField(_("as of"))
    applied = models.BooleanField(_("applied to the initiative"), default=False, editable=False)

    class Meta:
        db_table = "projects_indicatorvalue"  # made by the projects app, where updates lived until 2026-12
        ordering = ["indicator__pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["update", "indicator"], name="indicator_value_once_per_update"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]
        indexes = [models.Index(fields=["indicator", "-as_of"], name="indicator_value_latest_idx")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.as_of})"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.update.project_id}/{instance.update_id}/{filename}"


class Evidence(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("update")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=300, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        db_table = "projects_evidence"  # made by the projects app, where updates lived until 2026-12
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_link_or_a_file",
                violation_error_message=_("Evidence is either a link or a file."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.file.name


class UpdateTransition(models.Model):
    """The workflow's own record: who moved an update from which state to which, when and why."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("update")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=UpdateStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=UpdateStatus.choices)
    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        db_table = "projects_updatetransition"  # made by the projects app, where updates lived until 2026-12
        ordering = ["at", "pk"]
        verbose_name = _("update transition")
        verbose_name_plural = _("update transitions")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.actor}, {self.at:%Y-%m-%d %H:%M})"


class WorkPlanItemReport(models.Model):
    """What a progress update says about one work-plan item of its cycle: done or not, and a note."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="work_plan_reports", verbose_name=_("update")
    )
    item = models.ForeignKey(
        WorkPlanItem, on_delete=models.PROTECT, related_name="reports", verbose_name=_("work-plan item")
    )
    done = models.BooleanField(_("done"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["item__position", "pk"]
        verbose_name = _("work-plan item report")
        verbose_name_plural = _("work-plan item reports")
        constraints = [models.UniqueConstraint(fields=["update", "item"], name="work_plan_report_once_per_update")]

    def __str__(self) -> str:
        return f"{self.item}: {_('done') if self.done else _('not done')}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


#: Where a published report's files are stored (in the default storage).
EXPORTS_DIRECTORY = "stocktaking-reports/"


class StocktakingReportQuerySet(models.QuerySet):
    def published(self) -> StocktakingReportQuerySet:
        return self.filter(status=ReportStatus.PUBLISHED)


class StocktakingReport(models.Model):
    """A cycle's stocktaking report, built live until publishing freezes its JSON and its files here."""

    cycle = models.OneToOneField(
        ReportingCycle, on_delete=models.PROTECT, related_name="stocktaking_report", verbose_name=_("cycle")
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    content = models.JSONField(
        _("frozen content"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The report builder's output at publication (monitoring.report), rendered as it was."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
        editable=False,
    )
    pdf_file = models.FileField(_("PDF"), upload_to=EXPORTS_DIRECTORY, max_length=200, blank=True, editable=False)
    xlsx_file = models.FileField(_("XLSX"), upload_to=EXPORTS_DIRECTORY, max_length=200, blank=True, editable=False)
    csv_file = models.FileField(_("CSV"), upload_to=EXPORTS_DIRECTORY, max_length=200, blank=True, editable=False)

    objects = StocktakingReportQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__number"]
        verbose_name = _("stocktaking report")
        verbose_name_plural = _("stocktaking reports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.PUBLISHED)
                | (Q(content__isnull=False) & Q(published_at__isnull=False)),
                name="published_report_is_frozen",
                violation_error_message=_("A published report keeps its content and the date it was published."),
            ),
        ]

    def __str__(self) -> str:
        return _("Stocktaking report, %(cycle)s") % {"cycle": self.cycle}

    def export_file(self, extension: str) -> models.fields.files.FieldFile:
        """The stored file of one of the published report's exports ("pdf", "xlsx" or "csv"; empty if none)."""
        return getattr(self, f"{extension}_file")


class ReminderLog(models.Model):
    """One reminder e-mail sent to one person on one day: what makes the reminder command idempotent per day."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))
    days_before_close = models.IntegerField(_("days before the window closes"))
    projects = models.JSONField(_("initiatives named"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "user_id"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user", "sent_on"], name="one_reminder_per_person_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.sent_on}"


class DocumentKind(models.TextChoices):
    CHAIRS_CONCLUSIONS = "chairs_conclusions", _("Chair's Conclusions")
    MEETING_PAPER = "meeting_paper", _("Meeting paper")
    STUDY = "study", _("Study")
    STOCKTAKING_REPORT = "stocktaking_report", _("Stocktaking report")
    OTHER = "other", _("Other document")


class DocumentQuerySet(models.QuerySet):
    def chairs_conclusions(self) -> DocumentQuerySet:
        """Chair's Conclusions, English first (the process's working language), then by date of addition."""
        english_first = Case(When(language="en", then=Value(0)), default=Value(1))
        return self.filter(kind=DocumentKind.CHAIRS_CONCLUSIONS).order_by(english_first, "pk")


def document_upload_to(instance: Document, filename: str) -> str:
    return f"documents/{timezone.now():%Y}/{filename}"


class Document(models.Model):
    """A document of the ASEM Education Process in the public repository (action 17 of the plan): a file the
    Secretariat uploaded (checked as evidence files are: type read from the content, size capped) or a link."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("address"), max_length=120, unique=True, help_text=_("Its web address: /documents/…/"))
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("The date the document bears."))
    language = models.CharField(_("language"), max_length=10, choices=global_settings.LANGUAGES, default="en")
    description = models.TextField(_("description"), blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("meeting"),
        help_text=_("The meeting that adopted, discussed or produced it (Chair's Conclusions: their ASEMME)."),
    )
    actions = models.ManyToManyField(
        Action, blank=True, related_name="documents", verbose_name=_("actions of the plan it concerns")
    )
    initiatives = models.ManyToManyField(
        Project, blank=True, related_name="documents", verbose_name=_("initiatives it concerns")
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True, editable=False)
    url = models.URLField(_("link"), max_length=500, blank=True, help_text=_("Instead of a file: where it is."))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords()
    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = [F("date").desc(nulls_last=True), "title", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="document_is_a_file_or_a_link",
                violation_error_message=_("A document is either an uploaded file or a link, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=DocumentKind.CHAIRS_CONCLUSIONS) | Q(meeting__isnull=False),
                name="chairs_conclusions_have_a_meeting",
                violation_error_message=_("Chair's Conclusions conclude a meeting: choose it."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "language"],
                condition=Q(kind=DocumentKind.CHAIRS_CONCLUSIONS),
                name="one_chairs_conclusions_per_meeting_and_language",
                violation_error_message=_("This meeting already has its Chair's Conclusions in this language."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "-date"], name="document_kind_date_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document-detail", kwargs={"slug": self.slug})

    @property
    def download_url(self) -> str:
        """Where a reader gets it: the portal's download of the file, or the link."""
        if self.file:
            return reverse("documents:document-download", kwargs={"slug": self.slug})
        return self.url

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class NewsItemQuerySet(models.QuerySet):
    def published(self) -> NewsItemQuerySet:
        return self.filter(is_published=True)


class NewsItem(models.Model):
    """A short announcement by the Secretariat ("news articles on ASEM Education", action 17). Plain text."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=120, unique=True, help_text=_("Its web address: /news/…/"))
    date = models.DateField(_("date"), default=datetime.date.today)
    text = models.TextField(_("text"), help_text=_("Plain text; a blank line starts a new paragraph."))
    actions = models.ManyToManyField(Action, blank=True, related_name="news", verbose_name=_("related actions"))
    initiatives = models.ManyToManyField(
        Project, blank=True, related_name="news", verbose_name=_("related initiatives")
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the site and in the feed only once published.")
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords()
    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [models.Index(fields=["is_published", "-date"], name="news_published_date_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:news-detail", kwargs={"slug": self.slug})
