"""Read-only API of the monitoring process: meetings, cycles and each published cycle's stocktaking report as
data (``/api/v1/cycles/<number>/report/``), the frozen content its page and files are rendered from."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin, Conflict, KeyLookupMixin, read_only_schema
from core.exceptions import ConflictError, WorkflowError
from stakeholders.models import Membership

from . import permissions
from . import update_services as services
from .filters import UpdateFilterSet
from .models import (
    Document,
    IndicatorValue,
    Meeting,
    MilestoneReport,
    ProgressUpdate,
    ReportingCycle,
    ReportStatus,
    UpdateStatus,
)
from .serializers import (
    ApproveSerializer,
    MeetingSerializer,
    ProgressUpdateSerializer,
    ProgressUpdateWriteSerializer,
    ReasonSerializer,
    ReportingCycleSerializer,
    ReturnSerializer,
    SubmitSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="ASEM Education Ministers' and Senior Officials' meetings, and other events"),
    retrieve=extend_schema(summary="One meeting"),
)
class MeetingViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    queryset = (
        Meeting.objects.select_related("host_country", "cycle")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("kind", "date", "pk")))
        .order_by("year", "kind", "number", "pk")
    )


@read_only_schema(
    "Reporting cycles (the two years between two ASEMMEs)", "One reporting cycle", "id_or_number", "Its id or number."
)
class ReportingCycleViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportingCycleSerializer
    queryset = ReportingCycle.objects.select_related(
        "opening_meeting", "closing_meeting", "stocktaking_report"
    ).order_by("number")
    key_field = "number"
    lookup_url_kwarg = "id_or_number"
    lookup_value_regex = r"[0-9]{1,18}"

    def get_object(self):
        # A number first (what people use), then an id.
        value = self.kwargs[self.lookup_url_kwarg]
        obj = self.get_queryset().filter(number=int(value)).first() if len(value) <= 4 else None
        return obj or super().get_object()

    @extend_schema(
        summary="The published stocktaking report of a cycle, as data",
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("id_or_number", str, OpenApiParameter.PATH, description="Its id or number.")],
    )
    @action(detail=True, methods=["get"])
    def report(self, request, *args, **kwargs):
        cycle = self.get_object()
        report = getattr(cycle, "stocktaking_report", None)
        if report is None or report.status != ReportStatus.PUBLISHED:
            raise Http404
        return Response({"cycle": cycle.number, "published_at": report.published_at, "content": report.content})


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
        description="One update in progress (draft, returned or submitted) per initiative, organisation and "
        "period: if there is one already, the answer is 409 with code `update_in_progress` and the existing "
        "update's `id`, `url`, `status` and `version` under `existing`; continue that one.",
        request=ProgressUpdateWriteSerializer,
        responses={
            201: ProgressUpdateSerializer,
            409: OpenApiResponse(description="An update for this initiative, organisation and period is in progress."),
        },
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
            .select_related("project", "organisation", "author", "cycle")  # the cycle: what it still allows
            .prefetch_related(
                Prefetch("milestone_reports", queryset=MilestoneReport.objects.select_related("milestone")),
                Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
                "evidence",
            )
        )

    def paginate_queryset(self, queryset):
        # The writers of the listed updates whose workflow the user may see, in four queries for the page (the
        # serializer's ``writers`` reads them); none for a reader who may see no one's, such as a visitor.
        page = super().paginate_queryset(queryset)
        user = self.request.user
        shown = [
            update
            for update in (page if page is not None else queryset)
            if permissions.can(user, permissions.VIEW_WORKFLOW, update)
        ]
        permissions.attach_writers(shown)
        return page

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
        permissions.require(request.user, permissions.REPORT, project)
        organisation = write.reporting_organisation(request.user)
        try:
            update = services.create_update(
                project=project, organisation=organisation, author=request.user, content=write.content()
            )
        except services.UpdateInProgressError as error:
            raise self._in_progress(error) from None
        return self._read(update, status_code=status.HTTP_201_CREATED)

    def _in_progress(self, error: services.UpdateInProgressError) -> Conflict:
        """409 naming the update already in progress for the period: the client continues that one."""
        existing = error.existing
        return Conflict(
            _("%(error)s Continue that one (PATCH it with its version) rather than starting another.")
            % {"error": error},
            code="update_in_progress",
            existing={
                "id": existing.pk,
                "url": self.request.build_absolute_uri(reverse("api:update-detail", args=[existing.pk])),
                "status": existing.status,
                "version": existing.version,
            },
        )

    def update(self, request, *args, **kwargs):
        update = self.get_object()
        try:
            permissions.require(request.user, permissions.EDIT, update)
        except WorkflowError as error:
            raise Conflict(str(error), code="invalid_transition", current_version=update.version) from None
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
        except services.UpdateInProgressError as error:
            raise self._in_progress(error) from None
        except ConflictError as error:
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
        except ConflictError as error:
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

    @extend_schema(
        summary="The review queue: submitted updates, oldest first (the Secretariat)",
        responses=ProgressUpdateSerializer(many=True),  # a page of them, as the list is
    )
    @action(
        detail=False,
        url_path="review-queue",
        url_name="review-queue",
        filterset_class=None,
        permission_classes=[drf_permissions.IsAuthenticated],
    )
    def review_queue(self, request):
        permissions.require(request.user, permissions.REVIEW)
        queue = self.get_queryset().filter(status=UpdateStatus.SUBMITTED).order_by("submitted_at", "pk")
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


MeSerializer = inline_serializer(
    name="Me",
    fields={
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "is_secretariat": serializers.BooleanField(),
        "organisations": inline_serializer(
            name="MyMembership",
            fields={"slug": serializers.SlugField(), "name": serializers.CharField(), "role": serializers.CharField()},
            many=True,
        ),
        "initiatives": inline_serializer(
            name="MyInitiative",
            fields={"slug": serializers.SlugField(), "title": serializers.CharField()},
            many=True,
            help_text="The initiatives you may report on.",
        ),
    },
)


class MeView(APIView):
    """Who the token or session belongs to, their organisations and the initiatives they may report on."""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(summary="You: your organisations and the initiatives you may report on", responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
        initiatives = permissions.projects_for(user).order_by("title", "slug").values("slug", "title")
        return Response(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "is_secretariat": permissions.is_secretariat(user),
                "organisations": [
                    {"slug": m.organisation.slug, "name": m.organisation.name, "role": m.role} for m in memberships
                ],
                "initiatives": list(initiatives),
            }
        )
