"""API of initiatives (filtered as the directory is) and progress updates (every change of state an ``@action``
calling the web forms' service), and the whole plan as one streamed, versioned download.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, prefetch_related_objects
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions as drf_permissions
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from actions.api import ActionViewSet, StrategicObjectiveViewSet, SubgoalViewSet
from actions.models import Subgoal
from actions.serializers import ActionSerializer, StrategicObjectiveSerializer, SubgoalSerializer
from core.api import (
    ConditionalGetMixin,
    Conflict,
    ExportRateThrottle,
    IgnoreClientContentNegotiation,
    KeyLookupMixin,
    read_only_schema,
)
from core.cache import cached_per_object
from core.csvutil import Echo, csv_safe
from stakeholders.api import OrganisationViewSet
from stakeholders.models import Organisation
from stakeholders.serializers import OrganisationSerializer

from . import permissions, services
from .filters import ProjectFilterSet
from .models import (
    ActionContribution,
    IndicatorValue,
    MilestoneReport,
    OrganisationRole,
    ProgressUpdate,
    Project,
    ProjectOrganisation,
    UpdateStatus,
)
from .serializers import (
    ApproveSerializer,
    InitiativeSerializer,
    ProgressUpdateSerializer,
    ProgressUpdateWriteSerializer,
    ReasonSerializer,
    ReturnSerializer,
    SubmitSerializer,
)

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
    "milestones",
    "indicators",
    "links",
)


@read_only_schema(
    "Initiatives, filtered as in the public directory",
    "One initiative: its rows per action, organisations and roles, milestones and indicators",
    "id_or_slug",
    "Its id or slug.",
    description="The same filters as the directory (`objective`, `subgoal`, `action`, `organisation`, "
    "`region`, `status`, `is_new`, `q`) and its `ordering`. An unknown value is a 400 naming the filter.",
    parameters=[
        OpenApiParameter("objective", int, description="An objective's number (1-4)."),
        OpenApiParameter("subgoal", str, description="A subgoal's code, such as 3.2."),
        OpenApiParameter("action", int, description="An action's number (1-17)."),
        OpenApiParameter("organisation", str, description="The slug of a lead or partner organisation."),
        OpenApiParameter("is_new", str, enum=["true", "false"], description="New in the plan, or not."),
        OpenApiParameter("q", str, description="Words from the title, summary, activities or outcomes."),
    ],
)
class InitiativeViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InitiativeSerializer
    filterset_class = ProjectFilterSet
    queryset = Project.objects.defer("search_vector").prefetch_related(*INITIATIVE_PREFETCHES)

    def list(self, request, *args, **kwargs):
        return self.conditional(self.cached_list, request, *args, **kwargs)

    def cached_list(self, request, *args, **kwargs):
        """A list page whose items are cached, serialized, per content version, language and host (as the
        directory's entries are). Only uncached ones are prefetched."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).prefetch_related(None))

        def serialize(missing: list[Project]) -> list:
            prefetch_related_objects(missing, *INITIATIVE_PREFETCHES)
            # Kept as plain JSON values: DRF's links hold their object (and its prefetches) otherwise.
            return json.loads(renderers.JSONRenderer().render(self.get_serializer(missing, many=True).data))

        prefix = f"api:initiative:{self.content_version}:{get_language()}:{request.build_absolute_uri('/')}:"
        return self.get_paginated_response(cached_per_object(prefix, page, serialize))


class UpdateFilterSet(filters.FilterSet):
    """Filters of the updates list. (Belongs in ``projects/filters.py``; kept here not to edit that module.)"""

    initiative = filters.ModelChoiceFilter(
        field_name="project", queryset=Project.objects.all(), to_field_name="slug", help_text="The initiative's slug."
    )
    organisation = filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), to_field_name="slug", help_text="The reporting organisation's slug."
    )
    status = filters.ChoiceFilter(choices=UpdateStatus.choices)
    ordering = filters.OrderingFilter(
        fields=(("period_end", "period_end"), ("updated_at", "updated"), ("reviewed_at", "reviewed")),
        help_text="period_end, updated or reviewed; a minus sign for descending.",
    )

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []


TRANSITION_RESPONSES = {
    200: ProgressUpdateSerializer,
    403: OpenApiResponse(description="You may see the update but not do this to it."),
    404: OpenApiResponse(description="No such update, or not one you may see."),
    409: OpenApiResponse(description="Not in a state that allows this, or a stale `version`."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Progress updates you may see",
        description="Everyone sees the published (approved) ones; members also see their organisations' "
        "drafts, submitted and returned updates; the Secretariat every update that is not a draft.",
    ),
    retrieve=extend_schema(summary="One progress update"),
    create=extend_schema(
        summary="Start a draft (contributors)",
        request=ProgressUpdateWriteSerializer,
        responses={201: ProgressUpdateSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a draft or a returned update (its organisation's members)",
        description="Send the `version` you read: if someone saved since, the answer is 409 and nothing "
        "changes. Lists you send replace the update's; lists you leave out are kept.",
        request=ProgressUpdateWriteSerializer,
        responses={200: ProgressUpdateSerializer},
    ),
)
class ProgressUpdateViewSet(ConditionalGetMixin, viewsets.ModelViewSet):
    serializer_class = ProgressUpdateSerializer
    filterset_class = UpdateFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"
    conditional_per_user = True
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        # What the user may not see is a 404.
        return (
            permissions.updates_visible_to(self.request.user)
            .select_related("project", "organisation", "author")
            .prefetch_related(
                Prefetch("milestone_reports", queryset=MilestoneReport.objects.select_related("milestone")),
                Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
                "evidence",
            )
        )

    def conditional_user_key(self, request) -> str:
        user = request.user
        if not user.is_authenticated:
            return "anonymous"
        orgs = ",".join(str(pk) for pk in sorted(permissions.organisation_ids(user)))
        return f"{user.pk}:{permissions.is_secretariat(user)}:{orgs}"

    def _read(self, update: ProgressUpdate, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=update.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        write = ProgressUpdateWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        project = write.validated_data["initiative"]
        if not permissions.can(request.user, permissions.REPORT, project):
            raise PermissionDenied(_("You may only report on your organisation's initiatives."))
        organisation = write.reporting_organisation(request.user)
        update = services.create_update(
            project=project, organisation=organisation, author=request.user, content=write.content()
        )
        return self._read(update, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        update = self.get_object()
        if not permissions.can(request.user, permissions.EDIT, update):
            if update.is_editable:
                raise PermissionDenied(_("You may not edit this update."))
            raise Conflict(
                _("This update is %(status)s and can no longer be edited.")
                % {"status": update.get_status_display().lower()},
                code="invalid_transition",
                current_version=update.version,
            )
        write = ProgressUpdateWriteSerializer(
            data=request.data, project=update.project, update=update, context=self.get_serializer_context()
        )
        write.is_valid(raise_exception=True)
        try:
            saved = services.save_draft(
                update=update,
                user=request.user,
                content=write.content(),
                expected_version=write.validated_data["version"],
            )
        except services.ConflictError as error:
            raise self._stale(update, error) from None
        return self._read(saved)

    @staticmethod
    def _stale(update: ProgressUpdate, error: Exception) -> Conflict:
        current = ProgressUpdate.objects.filter(pk=update.pk).values_list("version", flat=True).first()
        return Conflict(
            _("%(error)s (the current version is %(current)s: read the update again, then send your changes with it.)")
            % {"error": error, "current": current},
            code="stale_version",
            current_version=current,
        )

    def transition(self, request, body_class, service, **arguments) -> Response:
        """The body checked by ``body_class``, then ``service`` (``version`` passed as ``expected_version``)."""
        update = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        if "version" in fields:
            fields["expected_version"] = fields.pop("version")
        try:
            changed = service(update=update, **fields, **arguments)
        except services.ConflictError as error:
            raise self._stale(update, error) from None
        return self._read(changed)

    @extend_schema(
        summary="Submit to the Secretariat (members)", request=SubmitSerializer, responses=TRANSITION_RESPONSES
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.transition(request, SubmitSerializer, services.submit_update, user=request.user)

    @extend_schema(
        summary="Approve and publish (the Secretariat; never one's own)",
        description="Send the `version` you read: if the update changed since, the answer is 409 and nothing "
        "is published.",
        request=ApproveSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.transition(request, ApproveSerializer, services.approve_update, reviewer=request.user)

    @extend_schema(
        summary="Return to the author with a reason (the Secretariat)",
        description="Send the `version` you read: if the update changed since, the answer is 409 and it is "
        "not returned.",
        request=ReturnSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.transition(request, ReturnSerializer, services.return_update, reviewer=request.user)

    @extend_schema(
        summary="Withdraw an approval, with a reason (the Secretariat)",
        request=ReasonSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="withdraw-approval", url_name="withdraw-approval")
    def withdraw_approval(self, request, pk=None):
        return self.transition(request, ReasonSerializer, services.withdraw_approval, reviewer=request.user)

    @extend_schema(summary="The review queue: submitted updates, oldest first (the Secretariat)")
    @action(
        detail=False,
        url_path="review-queue",
        url_name="review-queue",
        filterset_class=None,
        permission_classes=[drf_permissions.IsAuthenticated],
    )
    def review_queue(self, request):
        if not permissions.is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat reviews updates."))
        queue = self.get_queryset().filter(status=UpdateStatus.SUBMITTED).order_by("submitted_at", "pk")
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


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
    ("initiatives", InitiativeSerializer, InitiativeViewSet.queryset.order_by("title", "slug")),
)
PlanExportSchema = inline_serializer(
    name="PlanExport",
    fields={
        "schema_version": serializers.CharField(help_text=f"The layout's version, now {EXPORT_SCHEMA_VERSION}."),
        "generated_at": serializers.DateTimeField(),
        **{name: serializer_class(many=True) for name, serializer_class, _ in EXPORT_SECTIONS},
    },
)

CSV_COLUMNS = tuple(
    "schema_version action action_description objectives subgoals initiative initiative_title is_new status leads "
    "partners funders activities expected_outcomes milestones indicators links initiative_url".split()
)


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
        context = {"request": request, "view": self}

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
        yield writer.writerow(CSV_COLUMNS)
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
            yield writer.writerow(self._csv_row(request, row))

    @staticmethod
    def _csv_row(request, row: ActionContribution) -> list[str]:
        project = row.project
        subgoals = sorted(row.action.subgoals.all(), key=lambda s: Subgoal.code_sort_key(s.code))

        def names(role: str) -> str:
            return "; ".join(p.organisation.name for p in project.participations.all() if p.role == role)

        def indicator(i) -> str:
            latest = f"{i.latest_value} ({i.latest_value_on})" if i.latest_value is not None else "no value yet"
            target = f"; target {i.get_target_comparator_display()} {i.target} by {i.target_year}"
            return f"{i.name} [{i.unit}]: {latest}" + (target if i.target is not None else "")

        return [
            EXPORT_SCHEMA_VERSION,
            str(row.action.number),
            csv_safe(row.action.description),
            " ".join(str(n) for n in sorted({s.objective.number for s in subgoals})),
            " ".join(s.code for s in subgoals),
            project.slug,
            csv_safe(project.title),
            "true" if project.is_new else "false",
            project.status,
            csv_safe(names(OrganisationRole.LEAD)),
            csv_safe(names(OrganisationRole.PARTNER)),
            csv_safe(names(OrganisationRole.FUNDER)),
            csv_safe(row.activities),
            csv_safe(row.expected_outcomes),
            csv_safe(" | ".join(f"{m.title} ({m.get_status_display()})" for m in project.milestones.all())),
            csv_safe(" | ".join(indicator(i) for i in project.indicators.all())),
            " ".join(link.url for link in project.links.all()),
            request.build_absolute_uri(project.get_absolute_url()),
        ]


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
    + ", ".join(f"`{name}`" for name in CSV_COLUMNS)
    + ". Lists inside a cell are separated by spaces (numbers, codes, addresses), `; ` (organisations) "
    "or ` | ` (milestones, indicators)."
)


@extend_schema(
    summary="The whole plan as CSV (versioned by the `schema_version` column)",
    description=CSV_DESCRIPTION,
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class PlanExportCSVView(_PlanExportView):
    format = "csv"
