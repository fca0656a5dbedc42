"""Initiatives and progress updates as the API shows them (from their viewset's prefetches: no query of
their own) and takes them (checked as ``ProgressUpdateForm`` checks the web form, for the same services).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Subgoal
from core.serializers import WebUrlField, api_url, detail_link

from .models import (
    ActionContribution,
    Indicator,
    Milestone,
    MilestoneState,
    Project,
    ProjectLink,
    ProjectOrganisation,
)

#: The largest value an indicator takes (the model's 14 digits, 2 after the point).
DECIMAL_FIELD = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": False}


class InitiativeOrganisationSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    acronym = serializers.CharField(source="organisation.acronym")
    region = serializers.CharField(source="organisation.region")
    url = detail_link("api:organisation-detail", source="organisation")

    class Meta:
        model = ProjectOrganisation
        fields = ["slug", "name", "acronym", "region", "role", "position", "url"]


class PlanRowSerializer(serializers.ModelSerializer):
    """One row of the plan's table: the initiative under one action."""

    action = serializers.IntegerField(source="action.number", help_text="The action's number (1-17).")
    subgoals = serializers.SerializerMethodField(help_text="Codes of the subgoals the action serves.")

    class Meta:
        model = ActionContribution
        fields = ["action", "position", "activities", "expected_outcomes", "subgoals"]

    def get_subgoals(self, row: ActionContribution) -> list[str]:
        return sorted((subgoal.code for subgoal in row.action.subgoals.all()), key=Subgoal.code_sort_key)


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone; read from ``Milestone.objects.with_state()``, which gives its ``state`` today."""

    state = serializers.ChoiceField(
        choices=MilestoneState.choices,
        read_only=True,
        help_text="Its state today: achieved, on track, delayed (to its planned end), overdue (its date passed and "
        "no report says it was achieved or delayed), or cancelled. `status` is what was last reported.",
    )

    class Meta:
        model = Milestone
        fields = ("id title planned_start planned_end period_label status state achieved_on note").split()


class IndicatorSerializer(serializers.ModelSerializer):
    baseline = serializers.DecimalField(**DECIMAL_FIELD, allow_null=True)
    target = serializers.DecimalField(**DECIMAL_FIELD, allow_null=True)
    latest_value = serializers.DecimalField(
        **DECIMAL_FIELD, allow_null=True, help_text="From the latest approved progress update."
    )

    class Meta:
        model = Indicator
        fields = (
            "id name unit baseline baseline_year target target_comparator target_year latest_value latest_value_on note"
        ).split()


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectLink
        fields = ["url", "label"]


class InitiativeSerializer(serializers.ModelSerializer):
    url = detail_link("api:initiative-detail")
    organisations = InitiativeOrganisationSerializer(source="participations", many=True, read_only=True)
    rows = PlanRowSerializer(many=True, read_only=True, help_text="Its rows of the plan, one per action.")
    actions = serializers.SerializerMethodField(help_text="Numbers of the actions it stands under.")
    subgoals = serializers.SerializerMethodField(help_text="Codes of the subgoals its actions serve.")
    objectives = serializers.SerializerMethodField(help_text="Numbers of the objectives its actions serve.")
    milestones = MilestoneSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, read_only=True)
    updates = serializers.SerializerMethodField(help_text="Its published progress updates.")
    web_url = WebUrlField()

    class Meta:
        model = Project
        fields = (
            "id url slug title summary is_new status start_date end_date lead_note organisations rows actions "
            "subgoals objectives milestones indicators links updates web_url updated_at"
        ).split()

    def get_actions(self, project: Project) -> list[int]:
        return sorted(row.action.number for row in project.rows.all())

    def get_subgoals(self, project: Project) -> list[str]:
        codes = {subgoal.code for row in project.rows.all() for subgoal in row.action.subgoals.all()}
        return sorted(codes, key=Subgoal.code_sort_key)

    def get_objectives(self, project: Project) -> list[int]:
        return sorted({subgoal.objective.number for row in project.rows.all() for subgoal in row.action.subgoals.all()})

    @extend_schema_field(OpenApiTypes.URI)
    def get_updates(self, project: Project) -> str:
        return api_url(self.context, "api:update-list", {"initiative": project.slug})


class InitiativeBriefSerializer(serializers.ModelSerializer):
    url = detail_link("api:initiative-detail")

    class Meta:
        model = Project
        fields = ["slug", "title", "url"]
