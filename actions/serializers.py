"""Objectives, subgoals and actions as the API shows them, from their viewset's prefetches (no query of their own)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import WebUrlField, api_url, detail_link

from .models import Action, StrategicObjective, Subgoal


class SubgoalBriefSerializer(serializers.ModelSerializer):
    url = detail_link("api:subgoal-detail", "code", "id_or_code")

    class Meta:
        model = Subgoal
        fields = ["code", "text", "url"]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    url = detail_link("api:objective-detail")
    label = serializers.CharField(read_only=True, help_text="An accessible label that does not rely on the colour.")
    subgoals = SubgoalBriefSerializer(many=True, read_only=True)
    web_url = WebUrlField()

    class Meta:
        model = StrategicObjective
        fields = ["id", "url", "number", "slug", "title", "short_title", "colour", "label", "subgoals", "web_url"]


class SubgoalSerializer(serializers.ModelSerializer):
    url = detail_link("api:subgoal-detail", "code", "id_or_code")
    objective = serializers.IntegerField(source="objective.number", read_only=True, help_text="Its objective's number.")
    actions = serializers.SlugRelatedField(
        slug_field="number", many=True, read_only=True, help_text="The numbers of the actions that serve this subgoal."
    )
    web_url = WebUrlField()

    class Meta:
        model = Subgoal
        fields = ["id", "url", "code", "text", "objective", "actions", "web_url"]


class ActionSerializer(serializers.ModelSerializer):
    url = detail_link("api:action-detail", "number", "number")
    subgoals = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="The codes of the subgoals the action serves."
    )
    objectives = serializers.SerializerMethodField(help_text="The numbers of the objectives the action serves.")
    initiatives = serializers.SerializerMethodField(
        help_text="The initiatives under this action (the initiatives list filtered by action)."
    )
    web_url = WebUrlField()

    class Meta:
        model = Action
        fields = [
            "id", "url", "number", "description", "serves_all_objectives", "subgoals", "objectives",
            "mapping_rationale", "initiatives", "web_url",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_initiatives(self, action: Action) -> str:
        return api_url(self.context, "api:initiative-list", {"action": action.number})

    def get_objectives(self, action: Action) -> list[int]:
        return sorted({subgoal.objective.number for subgoal in action.subgoals.all()})
