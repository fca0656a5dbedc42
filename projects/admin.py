import re

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.models import StrategicObjective
from core.admin_inlines import LabelledTabularInline
from stakeholders.models import Region

from .models import (
    ActionContribution,
    Indicator,
    Milestone,
    Project,
    ProjectLink,
    ProjectOrganisation,
    leads_prefetch,
)


class ObjectiveFilter(admin.SimpleListFilter):
    title = _("strategic objective")
    parameter_name = "objective"

    def lookups(self, request, model_admin):
        return [(str(o.number), o.label) for o in StrategicObjective.objects.all()]

    def queryset(self, request, queryset):
        number = self.value()
        if number and re.fullmatch(r"[0-9]{1,4}", number):
            return queryset.filter(rows__action__subgoals__objective__number=int(number)).distinct()
        return queryset


class OrganisationRegionFilter(admin.SimpleListFilter):
    title = _("organisation region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return Region.choices

    def queryset(self, request, queryset):
        if self.value() in Region.values:
            return queryset.filter(participations__organisation__region=self.value()).distinct()
        return queryset


class ProjectOrganisationInline(LabelledTabularInline):
    model = ProjectOrganisation
    extra = 0
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "role", "position")


class ActionContributionInline(admin.StackedInline):
    model = ActionContribution
    extra = 0
    fields = ("action", "position", "activities", "expected_outcomes")


class RaisesProfileVersion:
    """An admin page that changes an initiative's profile (the initiative, its milestones, indicators or links)
    raises the initiative's version, as every writer of a profile does (``ProjectQuerySet.raise_version``): a
    coordinator's profile form opened before the change then conflicts instead of saving over it."""

    @staticmethod
    def profile_ids(obj, form=None) -> set[int]:
        """The initiatives whose profile ``obj`` is part of (before and after a change of initiative)."""
        if isinstance(obj, Project):
            return {obj.pk}
        ids = {obj.project_id}
        if form is not None and form.initial.get("project"):
            ids.add(form.initial["project"])
        return ids

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change or not isinstance(obj, Project):
            Project.objects.filter(pk__in=self.profile_ids(obj, form)).raise_version()

    def delete_model(self, request, obj):
        ids = self.profile_ids(obj)
        super().delete_model(request, obj)
        Project.objects.filter(pk__in=ids).raise_version()

    def delete_queryset(self, request, queryset):
        ids = set() if queryset.model is Project else set(queryset.values_list("project_id", flat=True))
        super().delete_queryset(request, queryset)
        Project.objects.filter(pk__in=ids).raise_version()


class MilestoneInline(admin.StackedInline):
    """Seven fields: stacked, in rows of a few, rather than one row past the right edge of a laptop's screen."""

    model = Milestone
    extra = 0
    fields = ("title", ("planned_start", "planned_end", "period_label"), ("status", "achieved_on"), "note")


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    fields = (("name", "unit"), ("baseline", "baseline_year"), ("target_comparator", "target", "target_year"))


class ProjectLinkInline(LabelledTabularInline):
    model = ProjectLink
    extra = 0
    fields = ("url", "label", "position")


@admin.register(Project)
class ProjectAdmin(RaisesProfileVersion, SimpleHistoryAdmin):
    list_display = ("title", "lead_names", "action_numbers", "is_new", "status", "updated_at")
    list_filter = (
        ObjectiveFilter,
        ("actions", admin.RelatedOnlyFieldListFilter),
        "status",
        "is_new",
        ("organisations", admin.RelatedOnlyFieldListFilter),
        OrganisationRegionFilter,
    )
    search_fields = (
        "title",
        "summary",
        "participations__organisation__name",
        "participations__organisation__acronym",
        "rows__activities",
        "rows__expected_outcomes",
    )
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ProjectOrganisationInline, ActionContributionInline, MilestoneInline, IndicatorInline, ProjectLinkInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "is_new", "status", ("start_date", "end_date"))}),
        (_("Profile"), {"fields": ("summary", "lead_note")}),
    )

    def get_queryset(self, request):
        rows = Prefetch("rows", queryset=ActionContribution.objects.select_related("action"))
        return super().get_queryset(request).prefetch_related(leads_prefetch(), rows)

    @admin.display(description=_("leads"))
    def lead_names(self, obj):
        return ", ".join(p.organisation.short_name for p in obj.lead_participations)

    @admin.display(description=_("actions"))
    def action_numbers(self, obj):
        return ", ".join(str(row.action.number) for row in sorted(obj.rows.all(), key=lambda r: r.action.number))


@admin.register(ActionContribution)
class ActionContributionAdmin(SimpleHistoryAdmin):
    list_display = ("project", "action_number", "position")
    list_filter = ("action",)
    search_fields = ("project__title", "activities", "expected_outcomes")
    autocomplete_fields = ("project",)
    list_select_related = ("project", "action")

    @admin.display(description=_("action"), ordering="action__number")
    def action_number(self, obj):
        return obj.action.number


@admin.register(ProjectOrganisation)
class ProjectOrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("project", "organisation", "role")
    list_filter = ("role", "organisation__region")
    search_fields = ("project__title", "organisation__name", "organisation__acronym")
    autocomplete_fields = ("project", "organisation")
    list_select_related = ("project", "organisation")


@admin.register(Milestone)
class MilestoneAdmin(RaisesProfileVersion, SimpleHistoryAdmin):
    list_display = ("title", "project", "planned_start", "planned_end", "status", "achieved_on")
    list_filter = ("status",)
    search_fields = ("title", "project__title", "note")
    autocomplete_fields = ("project",)
    list_select_related = ("project",)
    date_hierarchy = "planned_start"


@admin.register(Indicator)
class IndicatorAdmin(RaisesProfileVersion, SimpleHistoryAdmin):
    list_display = ("name", "project", "unit", "baseline", "target_comparator", "target", "target_year")
    search_fields = ("name", "project__title")
    autocomplete_fields = ("project",)
    list_select_related = ("project",)


@admin.register(ProjectLink)
class ProjectLinkAdmin(RaisesProfileVersion, SimpleHistoryAdmin):
    list_display = ("url", "label", "project")
    search_fields = ("url", "label", "project__title")
    autocomplete_fields = ("project",)
    list_select_related = ("project",)
