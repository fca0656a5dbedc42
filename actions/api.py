"""Read-only API of the plan's structure: ``/api/v1/objectives/``, ``/subgoals/``, ``/actions/``."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import viewsets

from core.api import ConditionalGetMixin, KeyLookupMixin, read_only_schema

from .models import Action, StrategicObjective, Subgoal
from .serializers import ActionSerializer, StrategicObjectiveSerializer, SubgoalSerializer


@read_only_schema(
    "The strategic objectives, with their subgoals", "One strategic objective", "id_or_slug", "Its id or its slug."
)
class StrategicObjectiveViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StrategicObjectiveSerializer
    pagination_class = None  # four objectives
    queryset = StrategicObjective.objects.order_by("number").prefetch_related(
        Prefetch("subgoals", queryset=Subgoal.objects.order_by("position"))
    )


@read_only_schema("The subgoals of the objectives", "One subgoal", "id_or_code", "Its id or its code (such as 3.2).")
class SubgoalViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SubgoalSerializer
    pagination_class = None  # ten subgoals
    key_field = "code"
    lookup_url_kwarg = "id_or_code"
    queryset = (
        Subgoal.objects.select_related("objective")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.only("id", "number")))
        .order_by("objective__number", "position")
    )


@read_only_schema("The plan's 17 actions", "One action", "number", "The action's number.", int)
class ActionViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    # Actions are known by their number (as on the site, /actions/4/), never by id.
    serializer_class = ActionSerializer
    pagination_class = None  # seventeen actions
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,4}"
    queryset = Action.objects.order_by("number").prefetch_related(
        Prefetch("subgoals", queryset=Subgoal.objects.select_related("objective").order_by("code"))
    )
