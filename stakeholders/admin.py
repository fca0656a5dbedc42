from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Country, Membership, Organisation


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "iso_code", "region", "is_asem_partner")
    list_filter = ("region", "is_asem_partner")
    search_fields = ("name", "iso_code")


class MembershipInline(admin.TabularInline):
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
        return (
            super()
            .get_queryset(request)
            .annotate(initiative_total=Count("participations__project", distinct=True))
            .order_by("name")
        )

    @admin.display(description=_("initiatives"), ordering="initiative_total")
    def initiative_count(self, obj):
        return obj.initiative_total


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "organisation__name", "organisation__acronym")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")
