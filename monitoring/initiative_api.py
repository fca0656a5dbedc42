"""API of initiatives (filtered as the directory is), and the whole plan as one streamed, versioned download."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import permissions as drf_permissions
from rest_framework import renderers, serializers, viewsets
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from actions.api import ActionViewSet, StrategicObjectiveViewSet, SubgoalViewSet
from actions.models import Subgoal
from actions.serializers import ActionSerializer, StrategicObjectiveSerializer, SubgoalSerializer
from core.api import (
    ConditionalGetMixin,
    ExportRateThrottle,
    IgnoreClientContentNegotiation,
    KeyLookupMixin,
    KnownQueryParametersMixin,
    read_only_schema,
)
from core.csvutil import Echo, csv_safe
from projects.api import OrganisationViewSet
from projects.models import (
    ActionContribution,
    Milestone,
    OrganisationRole,
    Project,
    ProjectOrganisation,
    ProjectStatus,
)
from stakeholders.models import Region
from stakeholders.serializers import OrganisationSerializer

from .filters import Ordering, ProjectFilterSet
from .models import IndicatorValue, UpdateStatus
from .progress import NOT_REPORTED, Cycles
from .progress_api import PROGRESS_PREFETCHES, InitiativeProgressSerializer

#: The version of the export's layout: raised when a field is renamed or removed (adding one keeps it).
EXPORT_SCHEMA_VERSION = "1"
#: Initiatives read (with their prefetches) per round trip while streaming the export.
EXPORT_CHUNK_SIZE = 500

#: What the API shows of an initiative besides its row: six queries for any number of initiatives.
INITIATIVE_PREFETCHES = (
    Prefetch(
        "participations",
        queryset=ProjectOrganisation.objects.select_related("organisation").order_by(
            "role", "position", "organisation__name"
        ),
    ),
    Prefetch(
        "rows",
        queryset=ActionContribution.objects.select_related("action")
        .prefetch_related(Prefetch("action__subgoals", queryset=Subgoal.objects.select_related("objective")))
        .order_by("action__number", "position"),
    ),
    Prefetch("milestones", queryset=Milestone.objects.with_state()),
    "links",
    *PROGRESS_PREFETCHES,  # the approved updates, the indicators with their approved values
)


@read_only_schema(
    "Initiatives, filtered as in the public directory",
    "One initiative: its rows per action, organisations and roles, milestones and indicators",
    "id_or_slug",
    "Its id or slug.",
    description="The same filters as the directory (`objective`, `subgoal`, `action`, `organisation`, `country`, "
    "`region`, `status`, `reported`, `late_milestones`, `is_new`, `q`) and its `ordering`, combined with AND. An "
    "unknown value is a 400 naming the filter; so is an unknown parameter, with the right one (`search=` → use "
    "`q`).",
    parameters=[
        OpenApiParameter("objective", int, description="An objective's number (1-4)."),
        OpenApiParameter("subgoal", str, description="A subgoal's code, such as 3.2."),
        OpenApiParameter("action", int, description="An action's number (1-17)."),
        OpenApiParameter(
            "organisation",
            str,
            description="A lead or partner organisation as a person types it: its slug, acronym or name (any "
            "case), or part of its name or acronym (`ASEF`, `Asia-Europe`). Exact matches win over partial ones; "
            "text matching no organisation taking part is a 400.",
        ),
        OpenApiParameter(
            "country", str, description="The ISO 3166-1 alpha-2 code (`DE`) of a lead or partner's country."
        ),
        OpenApiParameter("region", str, enum=list(Region.values), description="The region of a lead or partner."),
        OpenApiParameter("is_new", str, enum=["true", "false"], description="New in the plan, or not."),
        OpenApiParameter(
            "status",
            str,
            enum=[*ProjectStatus.values, NOT_REPORTED],
            description="The status stated in the initiative's latest approved update; `not_reported` for those "
            "without one yet.",
        ),
        OpenApiParameter(
            "reported",
            str,
            enum=["true", "false"],
            description="`true`: an update on it was approved in the current reporting cycle (as the pages count "
            "it); `false`: none yet.",
        ),
        OpenApiParameter(
            "late_milestones",
            str,
            enum=["true", "false"],
            description="`true`: it has a milestone that is delayed, or whose date passed with no report, today.",
        ),
        OpenApiParameter(
            "q",
            str,
            description='Search (at most 200 characters; `"a phrase"`, `or`, `-word`): words of the '
            "initiative's title, summary, activities and expected outcomes, of the objectives, subgoals and "
            "actions it serves, or of its approved progress updates. When the words are found nowhere, "
            "initiatives with similar words (a typo forgiven).",
        ),
        OpenApiParameter("ordering", str, enum=[value for value, _label in Ordering.CHOICES], description="The order."),
    ],
)
class InitiativeViewSet(KnownQueryParametersMixin, ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InitiativeProgressSerializer
    filterset_class = ProjectFilterSet
    queryset = Project.objects.defer("search_vector").prefetch_related(*INITIATIVE_PREFETCHES)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "cycles": Cycles.today()}


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data  # the view streams its own rows


#: The JSON export's sections: name, serializer, objects (each read as its viewset reads it).
EXPORT_SECTIONS = (
    ("objectives", StrategicObjectiveSerializer, StrategicObjectiveViewSet.queryset),
    ("subgoals", SubgoalSerializer, SubgoalViewSet.queryset),
    ("actions", ActionSerializer, ActionViewSet.queryset),
    ("organisations", OrganisationSerializer, OrganisationViewSet.queryset),
    ("initiatives", InitiativeProgressSerializer, InitiativeViewSet.queryset.order_by("title", "slug")),
)
PlanExportSchema = inline_serializer(
    name="PlanExport",
    fields={
        "schema_version": serializers.CharField(help_text=f"The layout's version, now {EXPORT_SCHEMA_VERSION}."),
        "generated_at": serializers.DateTimeField(),
        **{name: serializer_class(many=True) for name, serializer_class, _ in EXPORT_SECTIONS},
    },
)


def _subgoals(row: ActionContribution) -> list[Subgoal]:
    return sorted(row.action.subgoals.all(), key=lambda s: Subgoal.code_sort_key(s.code))


def _organisations(role: str):
    """A cell: the names of the initiative's organisations in ``role``."""

    def names(row: ActionContribution, request) -> str:
        return csv_safe("; ".join(p.organisation.name for p in row.project.participations.all() if p.role == role))

    return names


def _indicator(i) -> str:
    latest = f"{i.latest_value} ({i.latest_value_on})" if i.latest_value is not None else "no value yet"
    target = f"; target {i.get_target_comparator_display()} {i.target} by {i.target_year}"
    return f"{i.name} [{i.unit}]: {latest}" + (target if i.target is not None else "")


#: plan.csv, one line per row of the plan (an initiative under an action): each column's header and its value
#: for a row (read with the prefetches of ``_PlanExportView._csv``) and the request.
CSV_COLUMNS = (
    ("schema_version", lambda row, request: EXPORT_SCHEMA_VERSION),
    ("action", lambda row, request: str(row.action.number)),
    ("action_description", lambda row, request: csv_safe(row.action.description)),
    ("objectives", lambda row, request: " ".join(str(n) for n in sorted({s.objective.number for s in _subgoals(row)}))),
    ("subgoals", lambda row, request: " ".join(s.code for s in _subgoals(row))),
    ("initiative", lambda row, request: row.project.slug),
    ("initiative_title", lambda row, request: csv_safe(row.project.title)),
    ("is_new", lambda row, request: "true" if row.project.is_new else "false"),
    ("status", lambda row, request: row.project.status),
    ("leads", _organisations(OrganisationRole.LEAD)),
    ("partners", _organisations(OrganisationRole.PARTNER)),
    ("funders", _organisations(OrganisationRole.FUNDER)),
    ("activities", lambda row, request: csv_safe(row.activities)),
    ("expected_outcomes", lambda row, request: csv_safe(row.expected_outcomes)),
    (
        "milestones",
        lambda row, request: csv_safe(
            " | ".join(f"{m.title} ({m.get_status_display()})" for m in row.project.milestones.all())
        ),
    ),
    ("indicators", lambda row, request: csv_safe(" | ".join(_indicator(i) for i in row.project.indicators.all()))),
    ("links", lambda row, request: " ".join(link.url for link in row.project.links.all())),
    ("initiative_url", lambda row, request: request.build_absolute_uri(row.project.get_absolute_url())),
)
CSV_HEADER = tuple(header for header, _value in CSV_COLUMNS)


class _PlanExportView(APIView):
    """The whole plan in one call: ``plan.json`` (nested) or ``plan.csv`` (one line per row of the plan)."""

    format = "json"
    throttle_classes = [ExportRateThrottle]
    content_negotiation_class = IgnoreClientContentNegotiation
    permission_classes = [drf_permissions.AllowAny]

    def get_renderers(self):
        return [CSVRenderer()] if self.format == "csv" else [renderers.JSONRenderer()]

    def handle_exception(self, exc):
        # Errors (a throttled client, a wrong token) are JSON, as everywhere else in the API.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return response

    def get(self, request):
        if self.format == "csv":
            response = StreamingHttpResponse(self._csv(request), content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(self._json(request, timezone.now()), content_type="application/json")
        filename = f"asem-education-action-plan-v{EXPORT_SCHEMA_VERSION}.{self.format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Schema-Version"] = EXPORT_SCHEMA_VERSION
        return response

    def _json(self, request, stamp) -> Iterator[str]:
        context = {"request": request, "view": self, "cycles": Cycles.today()}

        def dump(value) -> str:
            # DRF's encoder, so that numbers and dates read exactly as in the other endpoints.
            return json.dumps(value, cls=JSONEncoder, ensure_ascii=False)

        def many(serializer_class, objects: Iterable) -> Iterator[str]:
            separator = "\n"
            for obj in objects:
                yield separator + dump(serializer_class(obj, context=context).data)
                separator = ",\n"

        yield "{" + f'"schema_version": {dump(EXPORT_SCHEMA_VERSION)}, "generated_at": {dump(stamp)}'
        for name, serializer_class, objects in EXPORT_SECTIONS:
            yield f', "{name}": ['
            yield from many(serializer_class, objects.iterator(chunk_size=EXPORT_CHUNK_SIZE))
            yield "\n]"
        yield "}\n"

    def _csv(self, request) -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow(CSV_HEADER)
        rows = (
            ActionContribution.objects.select_related("action", "project")
            .prefetch_related(
                Prefetch("action__subgoals", queryset=Subgoal.objects.select_related("objective")),
                Prefetch(
                    "project__participations",
                    queryset=ProjectOrganisation.objects.select_related("organisation").order_by(
                        "position", "organisation__name"
                    ),
                ),
                "project__milestones",
                "project__indicators",
                "project__links",
            )
            .order_by("action__number", "position", "project__title")
        )
        for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            yield writer.writerow([value(row, request) for _header, value in CSV_COLUMNS])


@extend_schema(
    summary="The whole plan as JSON (versioned by `schema_version`)",
    description="Objectives, subgoals, actions, organisations and initiatives (with their rows, "
    "organisations and roles, milestones and indicators), each as in its own endpoint.",
    responses={(200, "application/json"): PlanExportSchema},
)
class PlanExportJSONView(_PlanExportView):
    pass


CSV_DESCRIPTION = (
    "One line per row of the plan (an initiative under an action), the columns: "
    + ", ".join(f"`{name}`" for name in CSV_HEADER)
    + ". Lists inside a cell are separated by spaces (numbers, codes, addresses), `; ` (organisations) "
    "or ` | ` (milestones, indicators)."
)


#: indicator-values.csv, one line per approved value of an indicator: each column's header and its value.
INDICATOR_VALUE_COLUMNS = (
    ("schema_version", lambda v, request: EXPORT_SCHEMA_VERSION),
    ("initiative", lambda v, request: v.indicator.project.slug),
    ("initiative_title", lambda v, request: csv_safe(v.indicator.project.title)),
    ("indicator", lambda v, request: str(v.indicator.pk)),
    ("indicator_name", lambda v, request: csv_safe(v.indicator.name)),
    ("unit", lambda v, request: csv_safe(v.indicator.unit)),
    ("baseline", lambda v, request: "" if v.indicator.baseline is None else str(v.indicator.baseline)),
    ("baseline_year", lambda v, request: str(v.indicator.baseline_year or "")),
    ("target_comparator", lambda v, request: v.indicator.target_comparator if v.indicator.target is not None else ""),
    ("target", lambda v, request: "" if v.indicator.target is None else str(v.indicator.target)),
    ("target_year", lambda v, request: str(v.indicator.target_year or "")),
    ("value", lambda v, request: str(v.value)),
    ("as_of", lambda v, request: v.as_of.isoformat()),
    ("organisation", lambda v, request: v.update.organisation.slug),
    ("update_url", lambda v, request: request.build_absolute_uri(v.update.get_absolute_url())),
)


@extend_schema(
    summary="The indicators' approved values over time, as CSV (versioned by the `schema_version` column)",
    description="One line per value reported in an approved progress update, with its indicator's baseline and "
    "target: " + ", ".join(f"`{header}`" for header, _value in INDICATOR_VALUE_COLUMNS) + ".",
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class IndicatorValuesExportView(_PlanExportView):
    """Every approved value of every indicator, oldest first per indicator: the indicators over time."""

    format = "csv"

    def _csv(self, request) -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow([header for header, _value in INDICATOR_VALUE_COLUMNS])
        values = (
            IndicatorValue.objects.filter(applied=True, update__status=UpdateStatus.APPROVED)
            .select_related("indicator__project", "update__organisation")
            .defer("indicator__project__search_vector", "indicator__project__summary")
            .order_by("indicator__project__title", "indicator__project__slug", "indicator_id", "as_of", "pk")
        )
        for value in values.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            yield writer.writerow([column(value, request) for _header, column in INDICATOR_VALUE_COLUMNS])

    def get(self, request):
        response = super().get(request)
        response["Content-Disposition"] = f'attachment; filename="asem-indicator-values-v{EXPORT_SCHEMA_VERSION}.csv"'
        return response


@extend_schema(
    summary="The whole plan as CSV (versioned by the `schema_version` column)",
    description=CSV_DESCRIPTION,
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class PlanExportCSVView(_PlanExportView):
    format = "csv"
