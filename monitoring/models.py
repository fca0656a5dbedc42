"""The two-year cycle of the ASEM Education Process: meetings, reporting cycles, work plans, stocktaking reports.

An ASEMME's Chair's Conclusions annex the next two years' work plan (``WorkPlanItem``); progress updates report
on it in the cycle, and the Secretariat publishes the cycle's frozen ``StocktakingReport``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.models import ProgressUpdate, Project
from stakeholders.models import Country


class MeetingKind(models.TextChoices):
    ASEMME = "asemme", _("ASEM Education Ministers' Meeting (ASEMME)")
    ISOM = "isom", _("Intermediate Senior Officials' Meeting (ISOM)")
    SOM = "som", _("Senior Officials' Meeting (SOM)")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class Meeting(models.Model):
    """A meeting of the two-year cycle. Only what is known is filled in; the rest stays empty."""

    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("ASEMMEs are numbered since 2008 (ASEMME8); ISOM and SOMs within their cycle.")
    )
    cycle = models.ForeignKey(
        "ReportingCycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("prepares the cycle"),
        help_text=_("For an ISOM or a SOM: the cycle whose closing ASEMME it prepares."),
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
    conclusions_url = models.URLField(_("Chair's Conclusions"), max_length=500, blank=True)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Where the facts come from, and what is not known or only planned.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "kind", "number"]
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
                condition=~Q(kind=MeetingKind.ASEMME),
                name="officials_meeting_number_unique_in_cycle",
                violation_error_message=_("This cycle already has an officials' meeting of this kind and number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.year})"

    @property
    def short_name(self) -> str:
        return f"{self.kind.upper()}{self.number}"  # ASEMME8, ISOM1, SOM2

    def clean(self) -> None:
        errors = {}
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if value and self.year and value.year != self.year:
                errors[name] = _("The date is not in the meeting's year.")
        if self.kind == MeetingKind.ASEMME and self.cycle_id:
            errors["cycle"] = _("An ASEMME opens and closes cycles; only an ISOM or a SOM prepares one.")
        if errors:
            raise ValidationError(errors)


class CycleStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for updates")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Report published")


class ReportingCycleQuerySet(models.QuerySet):
    def open(self) -> ReportingCycleQuerySet:
        return self.filter(status=CycleStatus.OPEN)


class ReportingCycle(models.Model):
    """The two years between two ASEMMEs: the work plan, the updates on it and the stocktaking report."""

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
    submission_opens = models.DateField(_("submissions open"))
    submission_closes = models.DateField(_("submissions close"))
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.PLANNED)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()
    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CycleStatus.values), name="cycle_status_valid"),
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
                condition=Q(opening_meeting__isnull=True)
                | Q(closing_meeting__isnull=True)
                | ~Q(opening_meeting=F("closing_meeting")),
                name="cycle_opened_and_closed_by_different_meetings",
                violation_error_message=_("One meeting cannot both open and close a cycle."),
            ),
            # Contributors report to "the" open cycle: there is at most one.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=CycleStatus.OPEN),
                name="at_most_one_open_cycle",
                violation_error_message=_("Another reporting cycle is open: close it first."),
            ),
        ]

    def __str__(self) -> str:
        return _("Cycle %(number)s (%(label)s)") % {"number": self.number, "label": self.label}

    def get_absolute_url(self) -> str:
        return reverse("monitoring:report-detail", kwargs={"number": self.number})

    @property
    def label(self) -> str:
        if self.period_start.year == self.period_end.year:
            return str(self.period_start.year)
        return f"{self.period_start.year}–{self.period_end.year}"

    def days_until_close(self, today: datetime.date) -> int:
        return (self.submission_closes - today).days

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
