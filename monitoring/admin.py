"""The Secretariat runs cycles in the admin: a cycle's status changes only through the services (its actions);
its work plan is edited inline or imported from a spreadsheet on the cycle's import page."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin_inlines import LabelledTabularInline
from stakeholders.admin import ReadOnlyAdmin

from . import cycle_services, permissions, update_services
from .forms import WINDOW_FIELDS, DocumentForm, ReportingCycleForm, WorkPlanImportForm
from .models import (
    Document,
    Evidence,
    IndicatorValue,
    Meeting,
    MilestoneReport,
    NewsItem,
    ProgressUpdate,
    ReminderLog,
    ReportingCycle,
    StocktakingReport,
    UpdateTransition,
    WorkPlanItem,
    WorkPlanItemReport,
)
from .update_forms import AdminApproveForm, AdminReturnForm
from .workplan_import import WorkPlanFileError, import_work_plan, read_rows


class DocumentInline(admin.StackedInline):
    """A meeting's documents (its agenda, papers, Chair's Conclusions), added where the meeting is edited."""

    model = Document
    form = DocumentForm
    extra = 0
    fields = (("title", "slug"), ("kind", "date", "language"), ("file", "url"), "description")
    prepopulated_fields = {"slug": ("title",)}
    verbose_name_plural = _("documents of this meeting (agenda, papers, Chair's Conclusions)")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "kind", "status", "start_date", "host_country", "city", "is_online", "cycle")
    list_filter = ("kind", "status", ("host_country", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "city", "host_country__name", "note")
    autocomplete_fields = ("host_country",)
    list_select_related = ("host_country", "cycle")
    fields = (
        ("kind", "number"),
        "title",
        "status",
        "cycle",
        ("year", "start_date", "end_date"),
        ("host_country", "city", "is_online"),
        "note",
    )
    inlines = [DocumentInline]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    form = DocumentForm
    list_display = ("title", "kind", "date", "language", "meeting", "file_or_link")
    list_filter = ("kind", "language", ("meeting", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "slug")
    autocomplete_fields = ("meeting", "actions", "initiatives")
    list_select_related = ("meeting",)
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "date"
    fields = (
        "title",
        "slug",
        ("kind", "date", "language"),
        "meeting",
        "description",
        "file",
        "url",
        ("content_type", "size"),
        "actions",
        "initiatives",
    )
    readonly_fields = ("content_type", "size")

    @admin.display(description=_("file or link"))
    def file_or_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.download_url, obj.filename or _("link"))


@admin.register(NewsItem)
class NewsItemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "date", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title", "text", "slug")
    autocomplete_fields = ("actions", "initiatives")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "date"
    fields = ("title", "slug", "date", "text", "is_published", "actions", "initiatives")


class WorkPlanItemInline(LabelledTabularInline):
    model = WorkPlanItem
    extra = 0
    autocomplete_fields = ("project",)
    fields = ("project", "position", "planned_activity", "expected_output")
    ordering = ("project__title", "position")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


class MeetingInline(admin.StackedInline):
    """Ten fields: stacked, in rows of a few, rather than one row past the right edge of a laptop's screen."""

    model = Meeting
    fk_name = "cycle"
    extra = 0
    autocomplete_fields = ("host_country",)
    fields = (
        ("kind", "number", "status"),
        "title",
        ("year", "start_date", "end_date"),
        ("host_country", "city", "is_online"),
    )
    verbose_name = _("meeting or event of the cycle")
    verbose_name_plural = _("meetings preparing the next ASEMME (ISOM, SOMs) and other events of the cycle")


@admin.register(ReportingCycle)
class ReportingCycleAdmin(SimpleHistoryAdmin):
    list_display = (
        "number", "label", "period_start", "period_end", "submission_opens", "submission_closes", "status_message",
        "item_count", "report_link",
    )  # fmt: skip
    search_fields = ("note",)
    list_select_related = ("opening_meeting", "closing_meeting")
    readonly_fields = ("status_message", "published_on", "report_link")
    fields = (
        "number",
        "status_message",
        ("opening_meeting", "closing_meeting"),
        ("period_start", "period_end"),
        ("submission_opens", "submission_closes", "late_submissions_until"),
        "published_on",
        "note",
        "report_link",
    )
    inlines = [MeetingInline, WorkPlanItemInline]
    actions = ["open_submissions", "publish_report", "import_work_plan"]
    change_form_template = "admin/monitoring/reportingcycle/change_form.html"
    form = ReportingCycleForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("work_plan_items"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("opening_meeting", "closing_meeting"):
            kwargs["queryset"] = Meeting.objects.filter(kind="asemme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("work-plan items"), ordering="item_total")
    def item_count(self, obj):
        return obj.item_total

    @admin.display(description=_("status"))
    def status_message(self, obj):
        return cycle_services.cycle_status_message(obj) if obj is not None and obj.pk else "—"

    def save_model(self, request, obj, form, change):
        """The window's dates through the service (checked, locked, in the audit log); the rest as the admin does."""
        window = {name: form.cleaned_data.get(name) for name in WINDOW_FIELDS}
        if change and any(name in form.changed_data for name in WINDOW_FIELDS):
            saved = ReportingCycle.objects.get(pk=obj.pk)
            for name in WINDOW_FIELDS:
                setattr(obj, name, getattr(saved, name))
            super().save_model(request, obj, form, change)
            cycle_services.set_submission_window(
                cycle=obj,
                user=request.user,
                opens=window["submission_opens"],
                closes=window["submission_closes"],
                late_until=window["late_submissions_until"],
            )
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description=_("report"))
    def report_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("the stocktaking report"))

    def _run(self, request, queryset, service, done):
        for cycle in queryset:
            try:
                service(cycle=cycle, user=request.user)
            except (cycle_services.MonitoringError, PermissionDenied) as error:
                self.message_user(request, f"{cycle}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{cycle}: {done}", messages.SUCCESS)

    @admin.action(description=_("Open the selected planned cycle for updates today"), permissions=["change"])
    def open_submissions(self, request, queryset):
        self._run(request, queryset, cycle_services.open_submissions, _("open for updates."))

    @admin.action(description=_("Publish (freeze) the selected cycle's stocktaking report…"), permissions=["change"])
    def publish_report(self, request, queryset):
        """To the site's publish page: what is unresolved is listed there, and confirmed, before publishing."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one cycle to publish its report."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("reports:report-publish", args=[queryset.get().number]))

    @admin.action(description=_("Import a work plan (CSV, XLSX) into the selected cycle"), permissions=["change"])
    def import_work_plan(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one cycle to import its work plan."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:monitoring_reportingcycle_import", args=[queryset.get().pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-work-plan/",
                self.admin_site.admin_view(self.import_work_plan_view),
                name="monitoring_reportingcycle_import",
            )
        ] + super().get_urls()

    def import_work_plan_view(self, request, object_id):
        cycle = self.get_object(request, unquote(object_id))  # None for a malformed or unknown id
        if cycle is None:
            raise Http404
        if not self.has_change_permission(request, cycle):
            raise PermissionDenied
        result = None
        form = WorkPlanImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                rows = read_rows(uploaded.read(), uploaded.name)
            except WorkPlanFileError as error:
                form.add_error("file", str(error))
            else:
                result = import_work_plan(
                    cycle=cycle, rows=rows, replace=form.cleaned_data["replace"], dry_run=form.cleaned_data["dry_run"]
                )
                if result.ok and not result.dry_run:
                    self.message_user(request, result.summary(), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:monitoring_reportingcycle_change", args=[cycle.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cycle": cycle,
            "form": form,
            "result": result,
            "title": _("Import the work plan of %(cycle)s") % {"cycle": cycle},
        }
        status = 400 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
        return TemplateResponse(request, "monitoring/admin/import_work_plan.html", context, status=status)


@admin.register(WorkPlanItem)
class WorkPlanItemAdmin(SimpleHistoryAdmin):
    list_display = ("planned_activity", "project", "cycle", "position", "report_count")
    list_filter = ("cycle", ("project", admin.RelatedOnlyFieldListFilter), "project__status")
    search_fields = ("planned_activity", "expected_output", "project__title", "project__slug")
    autocomplete_fields = ("project",)
    list_select_related = ("project", "cycle")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_total=Count("reports"))

    def has_delete_permission(self, request, obj=None):
        # An item reported on is part of submitted updates: deleting it would rewrite them.
        if obj is not None and obj.reports.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("reports"), ordering="report_total")
    def report_count(self, obj):
        return obj.report_total


@admin.register(WorkPlanItemReport)
class WorkPlanItemReportAdmin(ReadOnlyAdmin):
    """Part of a contributor's update: changed only through the update's workflow."""

    list_display = ("item", "update", "done", "note")
    list_filter = ("done", "item__cycle")
    search_fields = ("item__planned_activity", "update__project__title", "note")
    list_select_related = ("item", "update__project")


@admin.register(StocktakingReport)
class StocktakingReportAdmin(ReadOnlyAdmin):
    """Frozen reports: published through the cycle's action, read here; never edited."""

    list_display = ("cycle", "status", "published_at", "published_by", "view_link")
    list_filter = ("status",)
    list_select_related = ("cycle", "published_by")
    exclude = ("content",)

    @admin.display(description=_("report"))
    def view_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.cycle.get_absolute_url(), _("view"))


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    has_delete_permission = admin.ModelAdmin.has_delete_permission  # a log the Secretariat may clear

    list_display = ("sent_on", "user", "cycle", "days_before_close")
    list_filter = ("cycle", "sent_on")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "cycle")
    date_hierarchy = "sent_on"


class ReadOnlyInline(admin.TabularInline):
    """What an update reports and its history: shown, never changed here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneReportInline(ReadOnlyInline):
    model = MilestoneReport
    fields = ("milestone", "outcome", "achieved_on", "new_date", "note")


class IndicatorValueInline(ReadOnlyInline):
    model = IndicatorValue
    fields = ("indicator", "value", "as_of", "applied")


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("title", "url", "download", "content_type", "size")

    @admin.display(description=_("file"))
    def download(self, obj):
        # Through the permission-checked download view, never a public media URL.
        if not obj.file:
            return ""
        url = reverse("updates:evidence-download", args=[obj.update_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file.name.rsplit("/", 1)[-1])


class UpdateTransitionInline(ReadOnlyInline):
    model = UpdateTransition
    fields = ("at", "actor", "from_status", "to_status", "reason")


class ViewOnlyAdmin(admin.ModelAdmin):
    """Updates are written through the site's form and change state only through the services (the actions):
    adding, editing or deleting here would bypass them (an approved update's effects would stay behind)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ViewOnlyAdmin, SimpleHistoryAdmin):
    """Review in the admin: the state changes only through the workflow's services (the actions)."""

    list_display = (
        "project", "organisation", "author", "period_start", "period_end", "status", "initiative_status", "submitted_at"
    )  # fmt: skip
    list_filter = ("status", "initiative_status", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "project__title",
        "organisation__name",
        "organisation__acronym",
        "author__username",
        "achievements",
    )
    list_select_related = ("project", "organisation", "author")
    date_hierarchy = "period_end"
    readonly_fields = (
        "project", "organisation", "author", "status", "version", "return_reason", "submitted_at",
        "reviewed_by", "reviewed_at", "created_at", "updated_at",
    )  # fmt: skip
    fields = (
        readonly_fields[:3]
        + ("period_start", "period_end", "initiative_status", "achievements", "challenges", "next_steps")
        + ("nothing_to_report", "nothing_to_report_reason", "self_assessment", "secretariat_rating")
        + ("secretariat_comment",)
        + (readonly_fields[3:])
    )
    inlines = [MilestoneReportInline, IndicatorValueInline, EvidenceInline, UpdateTransitionInline]
    # No "approve the selected updates" action: it would approve updates at whatever version they have now, read
    # or not. The review queue approves several at once, each at the version the reviewer saw (#25).
    change_form_template = "admin/monitoring/progressupdate/change_form.html"

    def get_queryset(self, request):
        # The same rule as the site: nobody sees another organisation's drafts, not even here.
        return super().get_queryset(request).filter(pk__in=permissions.updates_visible_to(request.user).values("pk"))

    # Approve and Return on the update's page: the site's services, and the permission rule they ask.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="monitoring_progressupdate_approve",
            ),
            path(
                "<path:object_id>/return/",
                self.admin_site.admin_view(self.return_view),
                name="monitoring_progressupdate_return",
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        update = self.get_object(request, unquote(object_id))
        decisions = {
            "can_approve": update is not None and permissions.can(request.user, permissions.APPROVE, update),
            "can_return": update is not None and permissions.can(request.user, permissions.RETURN, update),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **decisions})

    def _decision_page(self, request, object_id, *, form, title, template):
        update = self.get_object(request, unquote(object_id))  # None for a malformed, unknown or unseen id
        if update is None:
            raise Http404
        change_url = reverse("admin:monitoring_progressupdate_change", args=[update.pk])
        if request.method == "POST" and form.is_valid():
            try:
                message = form.decide(update, request.user)
            except (update_services.WorkflowError, PermissionDenied) as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:monitoring_progressupdate_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "update": update,
            "form": form,
            "title": title,
            "change_url": change_url,
        }
        return TemplateResponse(request, template, context, status=400 if form.errors else 200)

    def approve_view(self, request, object_id):
        form = AdminApproveForm(request.POST or None, initial={"version": request.GET.get("version", "")})
        return self._decision_page(
            request,
            object_id,
            form=form,
            title=_("Approve and publish the update"),
            template="monitoring/admin/approve_update.html",
        )

    def return_view(self, request, object_id):
        form = AdminReturnForm(request.POST or None, initial={"version": request.GET.get("version", "")})
        return self._decision_page(
            request,
            object_id,
            form=form,
            title=_("Return the update to its author"),
            template="monitoring/admin/return_update.html",
        )


@admin.register(UpdateTransition)
class UpdateTransitionAdmin(ViewOnlyAdmin):
    """The audit log of the workflow: who moved which update, when and why."""

    list_display = ("at", "actor", "update", "from_status", "to_status", "reason")
    list_filter = ("to_status",)
    search_fields = ("actor__username", "update__project__title", "reason")
    list_select_related = ("actor", "update__project")
    date_hierarchy = "at"
