from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin_inlines import LabelledTabularInline

from .models import Action, StrategicObjective, Subgoal


class SubgoalInline(LabelledTabularInline):
    model = Subgoal
    extra = 0
    fields = ("code", "position", "text")


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "colour", "subgoal_count")
    list_display_links = ("number", "title")
    search_fields = ("title", "short_title")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [SubgoalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(subgoal_total=Count("subgoals"))

    @admin.display(description=_("subgoals"), ordering="subgoal_total")
    def subgoal_count(self, obj):
        return obj.subgoal_total


@admin.register(Subgoal)
class SubgoalAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "objective")
    list_filter = ("objective",)
    search_fields = ("code", "text")
    list_select_related = ("objective",)


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("number", "description", "subgoal_codes", "serves_all_objectives", "initiative_count")
    list_display_links = ("number", "description")
    list_filter = ("subgoals__objective", "serves_all_objectives")
    search_fields = ("description",)
    filter_horizontal = ("subgoals",)

    def get_queryset(self, request):
        initiatives = Count("rows", distinct=True)
        return super().get_queryset(request).prefetch_related("subgoals").annotate(initiative_total=initiatives)

    @admin.display(description=_("subgoals"))
    def subgoal_codes(self, obj):
        return ", ".join(s.code for s in obj.subgoals.all())

    @admin.display(description=_("initiatives"), ordering="initiative_total")
    def initiative_count(self, obj):
        return obj.initiative_total
