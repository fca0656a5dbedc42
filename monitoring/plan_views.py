"""Objective, subgoal and action pages. Listings show the first ``ROWS_PER_ACTION`` initiatives of each action
(with a link to all of them in the directory) and an action's page pages through its rows: the pages stay
small as the plan grows.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.views.generic import DetailView, ListView

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import ActionContribution, leads_prefetch

from .initiative_views import entry_queryset

#: Initiatives listed under each action on objective, subgoal and action-list pages.
ROWS_PER_ACTION = 12
#: Rows (with their texts) per page of an action's page.
ROWS_PER_PAGE = 20
#: Initiatives listed on an objective's page (each once; the rest in the directory, filtered by the objective).
OBJECTIVE_INITIATIVES = 25


def rows_with_projects():
    """The plan's rows with what a listing shows: the initiative and its leads."""
    return (
        ActionContribution.objects.select_related("project")
        .prefetch_related(leads_prefetch("project__participations"))
        .defer("project__search_vector")
        .order_by("position", "pk")
    )


def actions_with_first_rows():
    """Actions with their subgoals, their number of rows and their first rows (one sliced prefetch)."""
    return (
        Action.objects.annotate(row_total=Count("rows"))
        .with_subgoals()
        .prefetch_related(Prefetch("rows", queryset=rows_with_projects()[:ROWS_PER_ACTION], to_attr="first_rows"))
        .order_by("number")
    )


class ObjectiveDetailView(DetailView):
    """An objective: its subgoals, then each action serving it once (an action may serve two of its subgoals) and
    each initiative under those actions once (an initiative may stand under two of them)."""

    context_object_name = "objective"
    queryset = StrategicObjective.objects.prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.all()))

    def get_context_data(self, **kwargs):
        objective = self.object
        serving = Exists(Subgoal.actions.through.objects.filter(action=OuterRef("pk"), subgoal__objective=objective))
        actions = (
            Action.objects.filter(serving)
            .annotate(row_total=Count("rows"))
            .prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.filter(objective=objective)))
            .order_by("number")
        )
        under = Exists(
            ActionContribution.objects.filter(project=OuterRef("pk"), action__subgoals__objective=objective)
        )
        initiatives = entry_queryset().filter(under).order_by("title", "slug")
        initiative_total = initiatives.count()
        return super().get_context_data(
            **kwargs,
            actions=actions,
            initiatives=initiatives[:OBJECTIVE_INITIATIVES],
            initiative_total=initiative_total,
        )


class SubgoalDetailView(DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"
    queryset = Subgoal.objects.select_related("objective").prefetch_related(
        Prefetch("actions", queryset=actions_with_first_rows())
    )


class ActionListView(ListView):
    context_object_name = "actions"
    queryset = actions_with_first_rows()


class ActionDetailView(DetailView):
    slug_field = "number"
    slug_url_kwarg = "number"
    queryset = Action.objects.with_subgoals()

    def get_object(self, queryset=None):
        # A number beyond the column's range cannot exist (and PostgreSQL would reject it).
        if self.kwargs["number"] > 32767:
            raise Http404
        return super().get_object(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(rows_with_projects().filter(action=self.object), ROWS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(rows=page.object_list, page_obj=page, paginator=paginator, is_paginated=page.has_other_pages())
        return context
