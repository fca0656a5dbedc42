"""Progress in the API: each initiative's status, last approved update, how recently it reported and its
indicators' approved values over time; and the figures of the whole plan, an objective, a subgoal or an action
(``/api/v1/progress/``), counted as the pages count them (``monitoring.progress``)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from actions.models import Action, StrategicObjective, Subgoal
from core.api import KnownQueryParametersMixin
from projects.models import Indicator, Project, ProjectStatus
from projects.serializers import DECIMAL_FIELD, IndicatorSerializer, InitiativeSerializer

from .models import IndicatorValue, ProgressUpdate, UpdateStatus
from .progress import (
    INDICATOR_ASSESSMENTS,
    MILESTONE_STATES,
    STATUSES,
    Cycles,
    Distribution,
    Recency,
    Scope,
    assessment_of,
    rollup,
)

#: What the API reads of each initiative's approved updates and indicator values, besides its own prefetches.
PROGRESS_PREFETCHES = (
    Prefetch(
        "updates",
        queryset=ProgressUpdate.objects.published().only("id", "project_id", "cycle_id", "reviewed_at"),
        to_attr="approved_updates",
    ),
    Prefetch(
        "indicators",
        queryset=Indicator.objects.prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.filter(applied=True, update__status=UpdateStatus.APPROVED)
                .select_related("update__organisation")
                .order_by("as_of", "update__reviewed_at", "pk"),
                to_attr="approved_values",
            )
        ),
    ),
)


class ApprovedValueSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**DECIMAL_FIELD)
    organisation = serializers.SlugField(source="update.organisation.slug", help_text="Who reported it.")
    update = serializers.HyperlinkedRelatedField(
        view_name="api:update-detail", read_only=True, help_text="The approved update that reported it."
    )

    class Meta:
        model = IndicatorValue
        fields = ["value", "as_of", "organisation", "update"]


class IndicatorOverTimeSerializer(IndicatorSerializer):
    assessment = serializers.SerializerMethodField(
        help_text="Its latest approved value against its baseline and target: "
        + ", ".join(f"`{key}` ({label})" for key, label, _colour in INDICATOR_ASSESSMENTS)
        + ". On track: on or beyond the straight line from the baseline to the target by the target year."
    )
    values = ApprovedValueSerializer(
        source="approved_values", many=True, read_only=True, help_text="Its approved values over time, oldest first."
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "assessment", "values"]

    @extend_schema_field(serializers.ChoiceField(choices=[key for key, _label, _colour in INDICATOR_ASSESSMENTS]))
    def get_assessment(self, indicator: Indicator) -> str:
        return assessment_of(indicator)


class InitiativeProgressSerializer(InitiativeSerializer):
    """An initiative as ``InitiativeSerializer`` shows it, with its progress (read from ``PROGRESS_PREFETCHES`` and
    the ``cycles`` of the serializer's context)."""

    status = serializers.ChoiceField(
        choices=ProjectStatus.choices,
        allow_null=True,
        help_text="As stated in its latest approved progress update; null: not reported yet.",
    )
    last_update_on = serializers.SerializerMethodField(help_text="When its latest progress update was approved.")
    reporting = serializers.SerializerMethodField(
        help_text="How recently it reported: `this_cycle` (an update approved in the current reporting cycle), "
        "`last_cycle`, `earlier` or `never`."
    )
    indicators = IndicatorOverTimeSerializer(many=True, read_only=True)

    class Meta(InitiativeSerializer.Meta):
        fields = [*InitiativeSerializer.Meta.fields, "last_update_on", "reporting"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_update_on(self, project: Project):
        approved = [update.reviewed_at for update in project.approved_updates if update.reviewed_at]
        return max(approved).date().isoformat() if approved else None

    @extend_schema_field(serializers.ChoiceField(choices=[key for key, _label, _colour in Recency.CHOICES]))
    def get_reporting(self, project: Project) -> str:
        cycles: Cycles = self.context["cycles"]
        cycle_ids = {update.cycle_id for update in project.approved_updates}
        if not project.approved_updates:
            return Recency.NEVER
        if cycles.current and cycles.current.pk in cycle_ids:
            return Recency.THIS_CYCLE
        if cycles.previous and cycles.previous.pk in cycle_ids:
            return Recency.LAST_CYCLE
        return Recency.EARLIER


# The figures of a scope ------------------------------------------------------------------------------------


def _counts(name: str, choices) -> serializers.Serializer:
    return inline_serializer(name=name, fields={key: serializers.IntegerField() for key, _l, _c in choices})


ProgressSchema = inline_serializer(
    name="Progress",
    fields={
        "scope": serializers.CharField(help_text="`plan`, `objective 1`, `subgoal 3.2` or `action 7`."),
        "cycle": serializers.IntegerField(allow_null=True, help_text="The reporting cycle counted in (its number)."),
        "initiatives": serializers.IntegerField(),
        "reported": serializers.IntegerField(help_text="Initiatives with an update approved in the cycle."),
        "statuses": _counts("StatusCounts", STATUSES),
        "reporting": _counts("ReportingCounts", Recency.CHOICES),
        "milestones": _counts("MilestoneCounts", MILESTONE_STATES),
        "indicators": _counts("IndicatorCounts", INDICATOR_ASSESSMENTS),
    },
)


def _by_key(distribution: Distribution) -> dict[str, int]:
    return {bucket.key: bucket.count for bucket in distribution.buckets}


@extend_schema(
    summary="Progress of the whole plan, an objective, a subgoal or an action",
    description="Initiatives by status (`not_reported`: none stated yet) and by how recently they reported, "
    "milestones by state today, indicators against their targets: the figures of the home, objective, subgoal "
    "and action pages. An initiative counts once however many of its rows fall in the scope. Give at most one "
    "of `objective`, `subgoal`, `action`; none for the whole plan.",
    parameters=[
        OpenApiParameter("objective", int, description="An objective's number (1-4)."),
        OpenApiParameter("subgoal", str, description="A subgoal's code, such as 3.2."),
        OpenApiParameter("action", int, description="An action's number (1-17)."),
    ],
    responses={200: ProgressSchema},
)
class ProgressView(KnownQueryParametersMixin, APIView):
    """Served through the page cache (``asem_portal/api_urls.py``): JSON only, so one cached answer fits every
    client; the same figures for everyone."""

    renderer_classes = [JSONRenderer]
    SCOPES = (
        ("objective", StrategicObjective, "number"),
        ("subgoal", Subgoal, "code"),
        ("action", Action, "number"),
    )

    def known_query_parameters(self) -> list[str]:
        return sorted([name for name, _model, _field in self.SCOPES] + [api_settings.URL_FORMAT_OVERRIDE])

    def get(self, request):
        errors = self.unknown_query_parameter_errors(request)
        if errors:
            raise ValidationError(errors)
        given = [(name, model, field) for name, model, field in self.SCOPES if request.query_params.get(name)]
        if len(given) > 1:
            raise ValidationError({given[1][0]: ["Give one of objective, subgoal or action, not several."]})
        obj, label = None, "plan"
        if given:
            name, model, field = given[0]
            value = request.query_params[name].strip()
            if field == "number" and not (value.isascii() and value.isdigit() and len(value) < 6):
                raise ValidationError({name: [f"Give the {name}'s number."]})
            if len(value) > 20 or not value.isprintable():
                raise ValidationError({name: [f"There is no {name} like this."]})
            obj = model.objects.filter(**{field: value}).first()
            if obj is None:
                raise ValidationError({name: [f"There is no {name} {value}."]})
            label = f"{name} {value}"
        cycles = Cycles.today()
        figures = rollup(Scope.of(obj), cycles)
        return Response(
            {
                "scope": label,
                "cycle": cycles.current.number if cycles.current else None,
                "initiatives": figures.initiatives,
                "reported": figures.reported,
                "statuses": _by_key(figures.statuses),
                "reporting": _by_key(figures.recency),
                "milestones": _by_key(figures.milestones),
                "indicators": _by_key(figures.indicators),
            }
        )

