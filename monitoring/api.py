"""Read-only API of the monitoring process: meetings, cycles and each published cycle's stocktaking report as
data (``/api/v1/cycles/<number>/report/``), the frozen content its page and files are rendered from."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ConditionalGetMixin, KeyLookupMixin, read_only_schema

from .models import Meeting, ReportingCycle, ReportStatus
from .serializers import MeetingSerializer, ReportingCycleSerializer


@extend_schema_view(
    list=extend_schema(summary="ASEM Education Ministers' and Senior Officials' meetings"),
    retrieve=extend_schema(summary="One meeting"),
)
class MeetingViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.select_related("host_country").order_by("year", "kind", "number", "pk")


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
