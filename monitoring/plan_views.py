"""Objective, subgoal and action pages. Listings show the first ``ROWS_PER_ACTION`` initiatives of each action
(with a link to all of them in the directory) and an action's page pages through its rows: the pages stay
small as the plan grows.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import ActionContribution, leads_prefetch

from .progress import Cycles, Scope, attach_progress, recency_by_action, rollup

#: Initiatives listed under each action on objective, subgoal and action-list pages.
ROWS_PER_ACTION = 12
#: Rows (with their texts) per page of an action's page.
ROWS_PER_PAGE = 20


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
    (``listed_rows``)."""

    show_rollup = True

    @cached_property
    def cycles(self) -> Cycles:
        return Cycles.today()

    def listed_rows(self, context) -> list[ActionContribution]:
        return []

    def recency_actions(self) -> list[Action]:
        """The actions whose initiatives' reporting is tabled on the page (none by default)."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cycles"] = self.cycles
        if self.show_rollup:
            context["rollup"] = rollup(Scope.of(self.object), self.cycles)
        attach_progress([row.project for row in self.listed_rows(context)], self.cycles)
        actions = self.recency_actions()
        context["recency_rows"] = recency_by_action(actions, self.cycles) if actions else []
        return context


class ObjectiveDetailView(ProgressMixin, DetailView):
    context_object_name = "objective"
    queryset = StrategicObjective.objects.prefetch_related(
        Prefetch(
            "subgoals",
            queryset=Subgoal.objects.prefetch_related(Prefetch("actions", queryset=actions_with_first_rows())),
        )
    )

    def recency_actions(self):
        return actions_of(self.object.subgoals.all())

    def listed_rows(self, context):
        return [row for action in self.recency_actions() for row in action.first_rows]


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
