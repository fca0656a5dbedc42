from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.views.generic import DetailView, ListView

from projects.models import ActionContribution

from .models import Action, StrategicObjective, Subgoal


def rows_with_projects():
    """The plan's rows with what a listing shows: the initiative and its leads."""
    return (
        ActionContribution.objects.select_related("project")
        .prefetch_related("project__participations__organisation")
        .order_by("position")
    )


class ObjectiveDetailView(DetailView):
    model = StrategicObjective
    context_object_name = "objective"

    def get_queryset(self):
        actions = Action.objects.prefetch_related(Prefetch("rows", queryset=rows_with_projects()), "subgoals")
        return StrategicObjective.objects.prefetch_related(
            Prefetch("subgoals", queryset=Subgoal.objects.prefetch_related(Prefetch("actions", queryset=actions)))
        )


class SubgoalDetailView(DetailView):
    model = Subgoal
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "subgoal"

    def get_queryset(self):
        actions = Action.objects.prefetch_related(Prefetch("rows", queryset=rows_with_projects()), "subgoals")
        return Subgoal.objects.select_related("objective").prefetch_related(Prefetch("actions", queryset=actions))


class ActionListView(ListView):
    model = Action
    context_object_name = "actions"

    def get_queryset(self):
        return Action.objects.with_subgoals().prefetch_related(Prefetch("rows", queryset=rows_with_projects()))


class ActionDetailView(DetailView):
    model = Action
    slug_field = "number"
    slug_url_kwarg = "number"
    context_object_name = "action"

    def get_object(self, queryset=None):
        # A number beyond the column's range cannot exist (and PostgreSQL would reject it).
        if self.kwargs["number"] > 32767:
            raise Http404
        return super().get_object(queryset)

    def get_queryset(self):
        return Action.objects.with_subgoals().prefetch_related(Prefetch("rows", queryset=rows_with_projects()))
