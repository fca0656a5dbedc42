"""Objectives, subgoals and actions as the API shows them, from their viewset's prefetches (no query of their own)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Action, StrategicObjective, Subgoal


@extend_schema_field(OpenApiTypes.URI)
class WebUrlField(serializers.Field):
    """The object's page on the public site, as an absolute address."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The page on the public site.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        url = value.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


def api_url(context: dict, view_name: str, query: dict) -> str:
    """An absolute API address with a query string, from the serializer's request."""
    url = f"{reverse(view_name)}?{urlencode(query)}"
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def detail_link(view_name: str, key: str = "slug", kwarg: str = "id_or_slug", source: str | None = None):
    """The address of the object's detail endpoint (of the related object ``source`` when given), by ``key``."""
    if source is None:
        return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field=key, lookup_url_kwarg=kwarg)
    return serializers.HyperlinkedRelatedField(
        source=source, view_name=view_name, lookup_field=key, lookup_url_kwarg=kwarg, read_only=True
    )


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
