"""Objective, subgoal and action pages. Listings show the first ``ROWS_PER_ACTION`` initiatives of each action
(with a link to all of them in the directory) and an action's page pages through its rows: the pages stay
small as the plan grows.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import ActionContribution, leads_prefetch

from .initiative_views import entry_queryset
from .progress import Cycles, Scope, attach_progress, recency_by_action, rollup

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


def actions_of(subgoals) -> list[Action]:
    """The actions serving ``subgoals`` (prefetched), each once, by number."""
    actions = {action.pk: action for subgoal in subgoals for action in subgoal.actions.all()}
    return sorted(actions.values(), key=lambda action: action.number)


class ProgressMixin:
    """The page's progress: its scope's rollup (``show_rollup``), and each listed initiative's progress
    (``listed_projects``)."""

    show_rollup = True

    @cached_property
    def cycles(self) -> Cycles:
        return Cycles.today()

    def listed_rows(self, context) -> list[ActionContribution]:
        return []

    def listed_projects(self, context) -> list:
        """The initiatives the page lists (by default, those of its ``listed_rows``)."""
        return [row.project for row in self.listed_rows(context)]

    def recency_actions(self) -> list[Action]:
        """The actions whose initiatives' reporting is tabled on the page (none by default)."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cycles"] = self.cycles
        if self.show_rollup:
            context["rollup"] = rollup(Scope.of(self.object), self.cycles)
        attach_progress(self.listed_projects(context), self.cycles)
        actions = self.recency_actions()
        context["recency_rows"] = recency_by_action(actions, self.cycles) if actions else []
        return context


class ObjectiveDetailView(ProgressMixin, DetailView):
    """An objective: its subgoals, then each action serving it once (an action may serve two of its subgoals) and
    each initiative under those actions once (an initiative may stand under two of them)."""

    context_object_name = "objective"
    queryset = StrategicObjective.objects.prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.all()))

    @cached_property
    def serving_actions(self) -> list[Action]:
        objective = self.object
        serving = Exists(Subgoal.actions.through.objects.filter(action=OuterRef("pk"), subgoal__objective=objective))
        return list(
            Action.objects.filter(serving)
            .annotate(row_total=Count("rows"))
            .prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.filter(objective=objective)))
            .order_by("number")
        )

    def get_context_data(self, **kwargs):
        under = Exists(
            ActionContribution.objects.filter(project=OuterRef("pk"), action__subgoals__objective=self.object)
        )
        initiatives = entry_queryset().filter(under).order_by("title", "slug")
        return super().get_context_data(
            **kwargs,
            actions=self.serving_actions,
            initiatives=list(initiatives[:OBJECTIVE_INITIATIVES]),
            initiative_total=initiatives.count(),
        )

    def recency_actions(self):
        return self.serving_actions

    def listed_projects(self, context):
        return context["initiatives"]


class SubgoalDetailView(ProgressMixin, DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"
    queryset = Subgoal.objects.select_related("objective").prefetch_related(
        Prefetch("actions", queryset=actions_with_first_rows())
    )

    def recency_actions(self):
        return actions_of([self.object])

    def listed_rows(self, context):
        return [row for action in self.object.actions.all() for row in action.first_rows]


class ActionListView(ProgressMixin, ListView):
    context_object_name = "actions"
    queryset = actions_with_first_rows()
    show_rollup = False  # the whole plan's is on the home page; here, each action's reporting

    def recency_actions(self):
        return list(self.object_list)

    def listed_rows(self, context):
        return [row for action in self.object_list for row in action.first_rows]


class ActionDetailView(ProgressMixin, DetailView):
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
        attach_progress([row.project for row in page.object_list], self.cycles)
        return context
