"""Initiatives (projects) of the plan, their rows per action, milestones and indicators."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.models import Action
from stakeholders.models import Organisation

from .excerpts import excerpt_parts, narrative_start


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


def leads_prefetch(lookup: str = "participations") -> models.Prefetch:
    """An initiative's leads (with their organisations, in their order) as ``lead_participations``; ``lookup``
    is the path to the initiative's participations from the model read (``project__participations``, say)."""
    return models.Prefetch(
        lookup,
        queryset=ProjectOrganisation.objects.filter(role=OrganisationRole.LEAD)
        .select_related("organisation")
        .order_by("position", "organisation__name"),
        to_attr="lead_participations",
    )


class ProjectQuerySet(models.QuerySet):
    def with_leads(self) -> ProjectQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "participations",
                queryset=ProjectOrganisation.objects.select_related("organisation").order_by(
                    "role", "position", "organisation__name"
                ),
            )
        )


class Project(models.Model):
    """An initiative of the plan. One initiative may stand under several actions."""

    title = models.CharField(_("title"), max_length=400)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    is_new = models.BooleanField(_("new"), default=False, help_text=_("Marked (NEW) in the plan."))
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    lead_note = models.TextField(
        _("note on the lead"),
        blank=True,
        help_text=_("Why the lead is what it is where the plan names none in brackets."),
    )
    actions = models.ManyToManyField(
        Action, through="ActionContribution", related_name="projects", verbose_name=_("actions")
    )
    organisations = models.ManyToManyField(
        Organisation, through="ProjectOrganisation", related_name="projects", verbose_name=_("organisations")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Title, summary and the rows' texts as one weighted full-text document, kept by
    # projects.search (PostgreSQL only; other databases search with LIKE).
    search_vector = SearchVectorField(null=True, editable=False)
    # The actions of its rows and the regions of its leads and partners as bit sets, kept by
    # projects.facets for the directory's filters.
    action_mask = models.BigIntegerField(_("actions (bit set)"), default=0, editable=False)
    region_mask = models.SmallIntegerField(_("regions (bit set)"), default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "action_mask", "region_mask"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [
            GinIndex(fields=["search_vector"], name="project_search_vector_idx"),
            # The directory's listing: its default order with what its filters read, so a filtered, counted
            # page is an index-only scan on PostgreSQL (``include`` is ignored elsewhere).
            models.Index(
                fields=["title", "slug"],
                include=["id", "action_mask", "region_mask", "status", "is_new"],
                name="project_listing_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project-detail", kwargs={"slug": self.slug})

    @property
    def action_numbers(self) -> list[int]:
        """The numbers of the actions it stands under, from its bit set (no query)."""
        from .facets import action_numbers

        return action_numbers(self.action_mask)


class OrganisationRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")


#: The roles that count as "taking part" for the organisation and region filters (funders do not).
TAKING_PART_ROLES = (OrganisationRole.LEAD, OrganisationRole.PARTNER)


class ProjectOrganisation(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="participations", verbose_name=_("initiative")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=10, choices=OrganisationRole.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "position"]
        verbose_name = _("organisation of an initiative")
        verbose_name_plural = _("organisations of initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"],
                name="project_organisation_role_unique",
                violation_error_message=_("This organisation already has this role in the initiative."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=OrganisationRole.values), name="project_organisation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.short_name} ({self.get_role_display()})"


class ActionContribution(models.Model):
    """One row of the plan's table: an initiative under an action."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rows", verbose_name=_("initiative"))
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="rows", verbose_name=_("action"))
    position = models.PositiveSmallIntegerField(
        _("position under the action"), default=0, help_text=_("The row's order in the plan.")
    )
    activities = models.TextField(_("activities and/or milestones"), blank=True)
    expected_outcomes = models.TextField(_("expected outcomes by 2030"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action__number", "position"]
        verbose_name = _("row of the plan")
        verbose_name_plural = _("rows of the plan")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "action"],
                name="row_per_project_and_action",
                violation_error_message=_("This initiative already has a row under this action."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(project)s under action %(number)s") % {
            "project": self.project,
            "number": self.action.number,
        }


class ProjectLink(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links", verbose_name=_("initiative"))
    url = models.URLField(_("address"), max_length=500)
    label = models.CharField(_("label"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(fields=["project", "url"], name="project_link_unique"),
        ]

    def __str__(self) -> str:
        return self.label or self.url


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACHIEVED = "achieved", _("Achieved")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class Milestone(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("initiative")
    )
    title = models.CharField(_("title"), max_length=300)
    planned_start = models.DateField(_("planned date"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    period_label = models.CharField(
        _("period as stated"), max_length=100, blank=True, help_text=_("e.g. 14-18 September 2020")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "planned_start", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="milestone_end_not_before_start",
                violation_error_message=_("The planned end cannot be before the planned date."),
            ),
            models.CheckConstraint(
                condition=(Q(status=MilestoneStatus.ACHIEVED) & Q(achieved_on__isnull=False))
                | (~Q(status=MilestoneStatus.ACHIEVED) & Q(achieved_on__isnull=True)),
                name="milestone_achieved_has_date",
                violation_error_message=_(
                    "An achieved milestone needs the date it was achieved on, and only an achieved one has it."
                ),
            ),
            models.CheckConstraint(condition=Q(status__in=MilestoneStatus.values), name="milestone_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The database constraints say an achieved milestone has its date and the
        # planned end is not before the start; only "not in the future" depends on
        # today, so it lives here, where the admin and the profile form both run it.
        super().clean()
        if self.status == MilestoneStatus.ACHIEVED and self.achieved_on and self.achieved_on > timezone.localdate():
            # Not keyed to the field: the coordinators' form shows the date read-only.
            raise ValidationError(_("A milestone cannot be achieved in the future."), code="achieved_in_future")

    @property
    def due_date(self):
        return self.planned_end or self.planned_start

    def is_overdue(self, today) -> bool:
        due = self.due_date
        return self.status in (MilestoneStatus.PLANNED, MilestoneStatus.DELAYED) and due is not None and due < today


class TargetComparator(models.TextChoices):
    GT = "gt", _("more than")
    GTE = "gte", _("at least")
    EQ = "eq", _("exactly")


class Indicator(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("initiative")
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=100)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty where the plan states a value but no target."),
    )
    target_comparator = models.CharField(
        _("target is"), max_length=3, choices=TargetComparator.choices, default=TargetComparator.GTE
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True, default=2030)
    note = models.TextField(_("note"), blank=True)
    # The latest value from an approved progress update (kept by the approval service).
    latest_value = models.DecimalField(_("latest value"), max_digits=14, decimal_places=2, null=True, blank=True)
    latest_value_on = models.DateField(_("latest value as of"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__isnull=True) | (Q(target_year__gte=2000) & Q(target_year__lte=2100)),
                name="indicator_target_year_range",
                violation_error_message=_("The target year must be between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | (Q(baseline_year__gte=1990) & (Q(target_year__isnull=True) | Q(baseline_year__lte=F("target_year")))),
                name="indicator_baseline_year_range",
                violation_error_message=_("The baseline year must be after 1990 and not after the target year."),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0), name="indicator_target_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(baseline__isnull=True) | Q(baseline__gte=0), name="indicator_baseline_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


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
        "monitoring.ReportingCycle",
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
    # The first words of the narrative, kept by save() (projects.excerpts): what reports quote.
    excerpt = models.TextField(_("excerpt"), blank=True, editable=False)
    excerpt_cut = models.BooleanField(_("excerpt cut short"), default=False, editable=False)
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

    history = HistoricalRecords(excluded_fields=["excerpt", "excerpt_cut"])
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
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
                condition=~Q(status=UpdateStatus.RETURNED) | ~Q(return_reason=""),
                name="update_returned_has_reason",
                violation_error_message=_("A returned update needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-period_end"], name="update_status_period_idx"),
            models.Index(fields=["project", "status"], name="update_project_status_idx"),
            # A cycle's approved updates (the stocktaking report, reminders, completeness): with the id and the
            # approval time, joins to their milestone reports and indicator values read the index alone.
            models.Index(fields=["cycle", "status"], include=["id", "reviewed_at"], name="update_cycle_status_idx"),
        ]

    def __str__(self) -> str:
        return _("%(project)s, %(start)s – %(end)s") % {
            "project": self.project,
            "start": self.period_start,
            "end": self.period_end,
        }

    def save(self, *args, **kwargs):
        self.refresh_excerpt()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"achievements", "challenges", "next_steps"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "excerpt", "excerpt_cut"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("updates:update-detail", kwargs={"pk": self.pk})

    def refresh_excerpt(self) -> None:
        """Derive ``excerpt`` and ``excerpt_cut`` from the narrative (save() does; bulk writers call it)."""
        self.excerpt, self.excerpt_cut = excerpt_parts(
            narrative_start(self.achievements, self.challenges, self.next_steps)
        )

    @property
    def is_editable(self) -> bool:
        return self.status in (UpdateStatus.DRAFT, UpdateStatus.RETURNED)


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
        ordering = ["at", "pk"]
        verbose_name = _("update transition")
        verbose_name_plural = _("update transitions")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.actor}, {self.at:%Y-%m-%d %H:%M})"
