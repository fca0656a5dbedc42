from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from core.admin_inlines import LabelledTabularInline

from .contacts import ContactResource
from .models import Country, Membership, Organisation
from .roles import is_secretariat
from .services import sign_out_everywhere


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records changed only through their own workflow, or never: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class PortalUserAdmin(UserAdmin):
    """Django's user admin; deactivating an account also ends its API tokens and sessions at once (Django and DRF
    would refuse them from then on anyway, but a reactivation must not bring an old token back)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            sign_out_everywhere(obj)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "iso_code", "region", "is_asem_partner")
    list_filter = ("region", "is_asem_partner")
    search_fields = ("name", "iso_code")


class MembershipInline(LabelledTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "acronym", "kind", "region", "country", "parent", "initiative_count")
    list_filter = ("kind", "region", ("country", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "acronym", "slug")
    autocomplete_fields = ("country", "parent")
    prepopulated_fields = {"slug": ("acronym",)}
    list_select_related = ("country", "parent")
    inlines = [MembershipInline]

    def get_queryset(self, request):
        # An annotated (grouped) queryset loses Meta.ordering: order it again for stable pages.
        initiatives = Count("participations__project", distinct=True)
        return super().get_queryset(request).annotate(initiative_total=initiatives).order_by("name")

    @admin.display(description=_("initiatives"), ordering="initiative_total")
    def initiative_count(self, obj):
        return obj.initiative_total


@admin.register(Membership)
class MembershipAdmin(ImportMixin, admin.ModelAdmin):
    """Memberships, and the contacts file's import (stakeholders/contacts.py): a dry run first, then the import,
    all of the file or nothing."""

    resource_classes = [ContactResource]
    import_formats = [CSV, XLSX]
    import_template_name = "admin/stakeholders/membership/import.html"
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "organisation__name", "organisation__acronym")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")

    def get_import_data_kwargs(self, **kwargs):
        # A bad row rolls the whole file back, at the confirmation too (not only in the dry run).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The file changed between the dry run and the confirmation: nothing was written.
            self.message_user(request, _("Nothing was imported: import the file again to see why."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:stakeholders_membership_import"))
        return super().process_result(result, request)


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log of admin changes and review decisions; read-only: nobody edits the record of what was done."""

    list_display = ("action_time", "user", "action_label", "content_type", "object_repr", "change_message_text")
    list_filter = (
        "action_flag",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    @admin.display(description=_("action"), ordering="action_flag")
    def action_label(self, obj):
        return {ADDITION: _("Added"), CHANGE: _("Changed"), DELETION: _("Deleted")}.get(obj.action_flag, "")

    @admin.display(description=_("what was done"))
    def change_message_text(self, obj):
        return obj.get_change_message()

    def has_view_permission(self, request, obj=None):
        # The Secretariat (and superusers), not every staff account.
        return is_secretariat(request.user) or request.user.has_perm("admin.view_logentry")
