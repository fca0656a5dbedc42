"""Stocktaking reports on the site: the public list, each report as a page, PDF, XLSX and CSV, publishing.

A published report is public and rendered from its frozen content. A draft (the cycle not published yet) is
built live on each request and visible to the Secretariat only: for anybody else it does not exist (404).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from projects.models import ProgressUpdate, UpdateStatus
from projects.permissions import is_secretariat

from . import exporters, services
from .completeness import completeness
from .models import CycleStatus, ReportingCycle, StocktakingReport
from .report import SCHEMA_VERSION

EXPORT_CACHE_SECONDS = 24 * 60 * 60
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ReportListView(TemplateView):
    template_name = "monitoring/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["published"] = list(
            StocktakingReport.objects.published().select_related("cycle").order_by("-cycle__number")
        )
        if is_secretariat(self.request.user):
            context["drafts"] = list(ReportingCycle.objects.exclude(status=CycleStatus.PUBLISHED).order_by("-number"))
        return context


class CycleReportMixin:
    """The cycle of the URL and its report, or 404 when the user may not see it."""

    def load(self, number: int):
        cycle = get_object_or_404(ReportingCycle, number=number)
        if cycle.status != CycleStatus.PUBLISHED and not is_secretariat(self.request.user):
            raise Http404
        data, frozen = services.report_data(cycle)
        if frozen is None and not is_secretariat(self.request.user):
            raise Http404  # published cycle whose report row is missing: nothing public to show
        return cycle, data, frozen


class ReportDetailView(CycleReportMixin, TemplateView):
    template_name = "monitoring/report_detail.html"

    def get(self, request, number):
        cycle, data, frozen = self.load(number)
        context = self.get_context_data(**exporters.context(data))
        secretariat = is_secretariat(request.user)
        context.update(
            cycle=cycle,
            is_secretariat=secretariat,
            can_publish=secretariat and cycle.status in (CycleStatus.OPEN, CycleStatus.CLOSED),
        )
        response = self.render_to_response(context)
        if frozen is None:
            response["Cache-Control"] = "private, no-store"
        return response


class ReportExportView(CycleReportMixin, View):
    format = "pdf"

    def render(self, data) -> bytes:
        if self.format == "pdf":
            return exporters.to_pdf(data)
        if self.format == "xlsx":
            return exporters.to_xlsx(data)
        return exporters.to_csv(data).encode("utf-8")

    def get(self, request, number):
        _cycle, data, frozen = self.load(number)
        if frozen is None:
            body = self.render(data)
        else:
            # A published report never changes: render each format once (a PDF takes a second or two).
            key = f"stocktaking:{frozen.pk}:{frozen.published_at.timestamp()}:{SCHEMA_VERSION}:{self.format}"
            body = cache.get(key)
            if body is None:
                body = self.render(data)
                cache.set(key, body, EXPORT_CACHE_SECONDS)
        response = HttpResponse(body, content_type=CONTENT_TYPES[self.format])
        response["Content-Disposition"] = f'attachment; filename="{exporters.filename(data, self.format)}"'
        response["Cache-Control"] = "private, no-store" if frozen is None else "public, max-age=3600"
        return response


class PublishView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/publish_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cycle = get_object_or_404(ReportingCycle, number=kwargs["number"])
        if not is_secretariat(request.user):
            if self.cycle.status != CycleStatus.PUBLISHED:
                raise Http404  # a draft does not exist for them
            raise PermissionDenied(_("Only the Secretariat publishes reports."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        waiting = ProgressUpdate.objects.filter(cycle=self.cycle, status=UpdateStatus.SUBMITTED).count()
        return super().get_context_data(cycle=self.cycle, waiting=waiting, **kwargs)

    def post(self, request, number):
        try:
            services.publish_report(cycle=self.cycle, user=request.user)
        except services.MonitoringError as error:
            return self.render_to_response(self.get_context_data(error=str(error)), status=400)
        messages.success(request, _("The report is published and frozen."))
        return HttpResponseRedirect(self.cycle.get_absolute_url())


class CompletenessView(LoginRequiredMixin, TemplateView):
    """The Secretariat's view of who has reported in a cycle, organisation by organisation."""

    template_name = "monitoring/completeness.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat sees the completeness of reporting."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycles = list(ReportingCycle.objects.order_by("-number"))
        wanted = self.request.GET.get("cycle", "")
        cycle = None
        if wanted:
            # Anything but a known cycle number (letters, "²", a thousand digits) is a 404, never a 500.
            cycle = next((c for c in cycles if str(c.number) == wanted), None)
            if cycle is None:
                raise Http404
        cycle = (
            cycle or next((c for c in cycles if c.status == CycleStatus.OPEN), None) or (cycles[0] if cycles else None)
        )
        context.update(cycles=cycles, cycle=cycle)
        if cycle is not None:
            rows, totals = completeness(cycle)
            context.update(rows=rows, totals=totals, days_left=cycle.days_until_close(datetime.date.today()))
        return context
