"""Initiatives (projects) of the plan, their rows per action, milestones and indicators."""

from __future__ import annotations

import datetime

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Now, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.models import Action
from stakeholders.models import Organisation


class ProjectStatus(models.TextChoices):
    """An initiative's status as a contributor states it in a progress update; the initiative takes it from its
    latest approved update (``monitoring.update_services``). Until one is approved it has none: "not reported
    yet" (``NOT_REPORTED_LABEL``), never a default."""

    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    DISCONTINUED = "discontinued", _("Discontinued")


#: What an initiative without a status (no approved update has stated one) shows.
NOT_REPORTED_LABEL = _("Not reported yet")
#: The statuses of initiatives that are not expected to report any more (the rest are, "not reported yet" too).
ENDED_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.DISCONTINUED)


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


def actions_prefetch(lookup: str = "actions") -> models.Prefetch:
    """An initiative's actions, their numbers only (what ``Project.action_numbers`` reads)."""
    return models.Prefetch(lookup, queryset=Action.objects.only("number"))


class ProjectQuerySet(models.QuerySet):
    def raise_version(self) -> None:
        """Record a change to these initiatives' profiles (their summary, status, dates, links, milestones or
        indicators): a profile form opened before it then conflicts (``monitoring.profile_services.save_profile``).
        Every writer of a profile calls it: that service, the admin, the approval of a delay and the plan's loader."""
        self.update(version=F("version") + 1)

    def expected_to_report(self) -> ProjectQuerySet:
        """Initiatives expected to report: all but those stated completed or discontinued ("not reported yet"
        included)."""
        return self.filter(Q(status__isnull=True) | ~Q(status__in=ENDED_STATUSES))

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
    # Null, not "": no status was ever stated ("not reported yet"), and nothing else may read as one.
    status = models.CharField(  # noqa: DJ001
        _("status"),
        max_length=20,
        choices=ProjectStatus.choices,
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "Set from the latest approved progress update, where the contributor states it; empty (\"not reported "
            "yet\") until then. Correct it here only if an update stated it wrongly."
        ),
    )
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
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Raised by every change to its profile.")
    )
    # Title, summary and the rows' texts as one weighted full-text document, written by the database's own
    # triggers (projects.search; PostgreSQL only: other databases search with LIKE).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "version"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [
            GinIndex(fields=["search_vector"], name="project_search_vector_idx"),
            # A search that finds nothing as typed looks for words like them in the titles (pg_trgm,
            # monitoring.filters): this keeps that an index read at any size (PostgreSQL; a plain index elsewhere).
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="project_title_trgm_idx"),
            # The directory's listing: its default order with what its own-row filters read, so a page is an
            # index scan and a count an index-only scan on PostgreSQL (``include`` is ignored elsewhere).
            models.Index(fields=["title", "slug"], include=["id", "status", "is_new"], name="project_listing_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(status__isnull=True) | Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:project-detail", kwargs={"slug": self.slug})

    @property
    def is_expected_to_report(self) -> bool:
        return self.status not in ENDED_STATUSES

    @property
    def status_label(self) -> str:
        """Its status as every page shows it: "Not reported yet" while it has none."""
        return self.get_status_display() if self.status else str(NOT_REPORTED_LABEL)

    @property
    def action_numbers(self) -> list[int]:
        """The numbers of the actions it stands under (prefetch them with ``actions_prefetch()`` for a list)."""
        return sorted(action.number for action in self.actions.all())


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
        indexes = [
            # The directory's organisation and region filters: the initiatives an organisation leads or partners,
            # read from the index alone.
            models.Index(
                fields=["organisation", "project"],
                condition=Q(role__in=TAKING_PART_ROLES),
                name="taking_part_idx",
            ),
        ]
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
        indexes = [
            # The directory's action, subgoal and objective filters: the initiatives under given actions, read
            # from the index alone.
            models.Index(fields=["action", "project"], name="row_action_project_idx"),
        ]
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


class MilestoneState(models.TextChoices):
    """A milestone's state on a given day: the one definition that the initiative page, the stocktaking report and
    the API read (``Milestone.objects.with_state(today)``), with the one label of each state."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")  # reported delayed; its due date is the new date, not passed yet
    OVERDUE = "overdue", _("Date passed, no report yet")  # neither achieved nor reported delayed to a later date
    CANCELLED = "cancelled", _("Cancelled")


class MilestoneQuerySet(models.QuerySet):
    def with_state(self, today: datetime.date | None = None) -> MilestoneQuerySet:
        """Each milestone with its ``due`` date (its planned end, else its planned date; a delay's approval moves
        the planned end to the new date) and its ``state`` (a :class:`MilestoneState`) on ``today``, by default
        the database's today in the site's time zone.

        The first that holds: achieved, cancelled, due date passed (overdue), reported delayed, else on track.
        Plain SQL, so it filters and aggregates: ``.values("project").annotate(late=Count("pk",
        filter=Q(state=MilestoneState.OVERDUE)))`` counts each initiative's in the same one query.
        """
        day = Value(today, output_field=models.DateField()) if today else TruncDate(Now())
        return self.annotate(due=Coalesce("planned_end", "planned_start")).annotate(
            state=Case(
                When(status=MilestoneStatus.ACHIEVED, then=Value(MilestoneState.ACHIEVED.value)),
                When(status=MilestoneStatus.CANCELLED, then=Value(MilestoneState.CANCELLED.value)),
                When(due__lt=day, then=Value(MilestoneState.OVERDUE.value)),
                When(status=MilestoneStatus.DELAYED, then=Value(MilestoneState.DELAYED.value)),
                default=Value(MilestoneState.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )


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
    objects = MilestoneQuerySet.as_manager()

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
    def state_label(self) -> str:
        """The label of its ``state`` (read with ``Milestone.objects.with_state()``)."""
        return MilestoneState(self.state).label


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
