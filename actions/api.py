"""Read-only API of the plan's structure: ``/api/v1/objectives/``, ``/subgoals/``, ``/actions/``."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from asem_portal.api import ConditionalGetMixin, KeyLookupMixin

from .models import Action, StrategicObjective, Subgoal
from .serializers import ActionSerializer, StrategicObjectiveSerializer, SubgoalSerializer


@extend_schema_view(
    list=extend_schema(summary="The strategic objectives, with their subgoals"),
    retrieve=extend_schema(
        summary="One strategic objective",
        parameters=[OpenApiParameter("id_or_slug", str, OpenApiParameter.PATH, description="Its id or its slug.")],
    ),
)
class StrategicObjectiveViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StrategicObjectiveSerializer
    pagination_class = None  # four objectives
    queryset = StrategicObjective.objects.order_by("number").prefetch_related(
        Prefetch("subgoals", queryset=Subgoal.objects.order_by("position"))
    )


@extend_schema_view(
    list=extend_schema(summary="The subgoals of the objectives"),
    retrieve=extend_schema(
        summary="One subgoal",
        parameters=[
            OpenApiParameter("id_or_code", str, OpenApiParameter.PATH, description="Its id or its code (such as 3.2).")
        ],
    ),
)
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


@extend_schema_view(
    list=extend_schema(summary="The plan's 17 actions"),
    retrieve=extend_schema(
        summary="One action",
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH, description="The action's number.")],
    ),
)
class ActionViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    # Actions are known by their number (as on the site, /actions/4/), never by id.
    serializer_class = ActionSerializer
    pagination_class = None  # seventeen actions
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,4}"
    queryset = Action.objects.order_by("number").prefetch_related(
        Prefetch("subgoals", queryset=Subgoal.objects.select_related("objective").order_by("code"))
    )
