"""Stocktaking reports on the site: the public list, each report as a page, PDF, XLSX and CSV, publishing.

A draft is built on each request and exists for the Secretariat only (404 for anybody else). A large report
(``exporters.is_digest``) shows its digest and its initiatives on pages of ``INITIATIVES_PER_PAGE``. A published
report never changes: its files are stored at publication, and its pages' report part (rendered without the
request, the same for every reader) is cached per language under the frozen row, its publication and JSON schema.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.parsing import parse_id
from monitoring.permissions import is_secretariat
from stakeholders.models import Organisation

from . import cycle_services, exporters
from .completeness import completeness
from .forms import NextCycleForm, PublishForm
from .models import CycleStatus, ReportingCycle, StocktakingReport
from .reminders import send_reminders
from .report import SCHEMA_VERSION, StocktakingReportData

#: How long a published report's rendered page stays in the cache (a new publication has a new key).
PAGE_CACHE_SECONDS = 24 * 60 * 60
#: How long a browser or a proxy may keep a published report's page.
PUBLIC_PAGE_MAX_AGE = 300
#: Initiatives on each page of a report's "Initiatives in detail".
INITIATIVES_PER_PAGE = 50


class ReportListView(TemplateView):
    template_name = "monitoring/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["published"] = list(StocktakingReport.objects.published().select_related("cycle"))  # newest first
        if is_secretariat(self.request.user):
            context["drafts"] = list(ReportingCycle.objects.filter(published_on__isnull=True).order_by("-number"))
        return context


def frozen_key(frozen: StocktakingReport, *parts) -> str:
    """The cache key of a rendering (``parts``: a format, a page) of a published report."""
    stamp = frozen.published_at.timestamp()
    return ":".join(str(part) for part in ("stocktaking", frozen.pk, stamp, SCHEMA_VERSION, get_language(), *parts))


class CycleReportMixin:
    """The cycle of the URL and its report, or 404 when the user may not see it."""

    def visible_cycle(self, number: int) -> ReportingCycle:
        cycle = get_object_or_404(ReportingCycle, number=number)
        if cycle.status != CycleStatus.PUBLISHED and not is_secretariat(self.request.user):
            raise Http404
        return cycle

    def report_of(self, cycle: ReportingCycle) -> tuple[StocktakingReportData, StocktakingReport | None]:
        data, frozen = cycle_services.report_data(cycle)
        if frozen is None and not is_secretariat(self.request.user):
            raise Http404  # published cycle whose report row is missing: nothing public to show
        return data, frozen


class ReportPageMixin(CycleReportMixin):
    """A page of a report: the report's part rendered once per published report (see the module's docstring)."""

    def published_row(self, cycle: ReportingCycle) -> StocktakingReport | None:
        """The frozen report's row without its content (what names its cache entries), or None for a draft."""
        if cycle.status != CycleStatus.PUBLISHED:
            return None
        return StocktakingReport.objects.published().filter(cycle=cycle).only("pk", "published_at").first()

    def cached(self, frozen: StocktakingReport | None, render, *parts) -> str:
        if frozen is None:
            return render()
        return cache.get_or_set(frozen_key(frozen, *parts), render, PAGE_CACHE_SECONDS)

    def respond(self, cycle: ReportingCycle, content: str, frozen: StocktakingReport | None, **extra):
        secretariat = is_secretariat(self.request.user)
        context = self.get_context_data(
            cycle=cycle,
            content=mark_safe(content),  # noqa: S308 - the report's own templates rendered it
            published=frozen is not None,
            is_secretariat=secretariat,
            can_publish=secretariat and cycle.status in (CycleStatus.OPEN, CycleStatus.CLOSED),
            **extra,
        )
        response = self.render_to_response(context)
        # The frame carries the signed-in reader's own links (and a CSRF token): for their browser only.
        scope = "private" if self.request.user.is_authenticated else "public"
        response["Cache-Control"] = "private, no-store" if frozen is None else f"{scope}, max-age={PUBLIC_PAGE_MAX_AGE}"
        return response


class ReportDetailView(ReportPageMixin, TemplateView):
    """The report's page: the full report, or the digest of a large one (``exporters.is_digest``)."""

    template_name = "monitoring/report_detail.html"
    content_template = "monitoring/includes/report_page_content.html"

    def get(self, request, number):
        cycle = self.visible_cycle(number)
        frozen = self.published_row(cycle)

        def render() -> str:
            data, _frozen = self.report_of(cycle)
            return render_to_string(self.content_template, self.content_context(data))

        return self.respond(cycle, self.cached(frozen, render, "page"), frozen)

    def content_context(self, data) -> dict:
        if not exporters.is_digest(data):
            return exporters.context(data)
        return {**exporters.digest_context(data), "initiatives_per_page": INITIATIVES_PER_PAGE}


class ReportInitiativesView(ReportPageMixin, TemplateView):
    """The report's initiatives in detail, ``INITIATIVES_PER_PAGE`` a page, in the report's order."""

    template_name = "monitoring/report_initiatives.html"
    content_template = "monitoring/includes/report_initiatives_content.html"

    def get(self, request, number):
        wanted = self.page_number()
        cycle = self.visible_cycle(number)
        frozen = self.published_row(cycle)
        # The number of pages is kept too, so that a page beyond the last is a 404 without reading the report.
        pages_key = frozen_key(frozen, "initiative-pages", INITIATIVES_PER_PAGE) if frozen is not None else None
        pages = cache.get(pages_key) if pages_key is not None else None
        if pages is not None and wanted > pages:
            raise Http404

        def render() -> str:
            data, _frozen = self.report_of(cycle)
            # By objective (the first each initiative serves), in the report's order within each.
            first_objective = {o.number: position for position, o in enumerate(data.objectives)}
            ordered = sorted(
                data.initiatives,
                key=lambda entry: (
                    first_objective.get(entry.objectives[0], 0) if entry.objectives else len(first_objective)
                ),
            )
            paginator = Paginator(ordered, INITIATIVES_PER_PAGE)
            if pages_key is not None:
                cache.set(pages_key, paginator.num_pages, PAGE_CACHE_SECONDS)
            try:
                page = paginator.page(wanted)
            except InvalidPage:
                raise Http404 from None
            pagination = {"paginator": paginator, "page_obj": page, "is_paginated": page.has_other_pages()}
            groups = exporters.by_objective(data, list(page.object_list))
            context = {"report": data, "link_prefix": "", "groups": groups, **pagination}
            return render_to_string(self.content_template, context)

        content = self.cached(frozen, render, "initiatives", INITIATIVES_PER_PAGE, wanted)
        return self.respond(cycle, content, frozen, page_number=wanted)

    def page_number(self) -> int:
        """The page asked for: anything but a number of a few digits (letters, "²", a thousand digits) is a 404."""
        raw = self.request.GET.get("page", "1")
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise Http404
        return int(raw)


class ReportExportView(CycleReportMixin, View):
    """The report as a file: a published report's as stored at publication, a draft's rendered now."""

    format = "pdf"

    def get(self, request, number):
        cycle = self.visible_cycle(number)
        stored = cycle_services.published_export(cycle, self.format) if cycle.status == CycleStatus.PUBLISHED else None
        if stored is not None:
            with stored.open("rb") as handle:
                body = handle.read()
            published, cache_control = True, "public, max-age=3600"
        else:
            data, _frozen = self.report_of(cycle)
            body = exporters.render(data, self.format)
            published, cache_control = data.published, "private, no-store"
        response = HttpResponse(body, content_type=exporters.CONTENT_TYPES[self.format])
        name = exporters.filename(cycle.number, self.format, published=published)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = cache_control
        return response


class SecretariatCycleMixin(LoginRequiredMixin, CycleReportMixin):
    """A Secretariat page about the cycle of the URL (a draft does not exist for anybody else: 404)."""

    refusal = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cycle = self.visible_cycle(kwargs["number"])
        if not is_secretariat(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class PublishView(SecretariatCycleMixin, TemplateView):
    """Publishing checks first: what is unresolved in the cycle, and an explicit confirmation when anything is;
    then it offers to plan the next cycle."""

    template_name = "monitoring/publish_confirm.html"
    refusal = gettext_lazy("Only the Secretariat publishes reports.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PublishForm(initial={"executive_summary": self.cycle.executive_summary}))
        return super().get_context_data(cycle=self.cycle, check=cycle_services.publication_check(self.cycle), **kwargs)

    def post(self, request, number):
        """Save the executive summary ("save"), or save it and publish the report with it (the default)."""
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        publishing = "save" not in request.POST
        confirmed = form.cleaned_data["confirm_unresolved"]
        if publishing and not confirmed and cycle_services.publication_check(self.cycle).unresolved:
            form.add_error(
                "confirm_unresolved", _("Some items are unresolved: confirm that the report is to be published.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            cycle_services.set_executive_summary(
                cycle=self.cycle, user=request.user, text=form.cleaned_data["executive_summary"]
            )
            if publishing:
                cycle_services.publish_report(cycle=self.cycle, user=request.user, confirmed=confirmed)
        except cycle_services.MonitoringError as error:
            return self.render_to_response(self.get_context_data(form=form, error=str(error)), status=400)
        if not publishing:
            messages.success(request, _("The executive summary is saved; it shows in the draft report."))
            return HttpResponseRedirect(request.path)
        messages.success(request, _("The report is published and frozen."))
        if not ReportingCycle.objects.filter(number=self.cycle.number + 1).exists():
            return HttpResponseRedirect(reverse("reports:next-cycle", args=[self.cycle.number]))
        return HttpResponseRedirect(self.cycle.get_absolute_url())


class NextCycleView(SecretariatCycleMixin, FormView):
    """The cycle after this one, its dates proposed from the two-year rhythm, for the Secretariat to confirm."""

    template_name = "monitoring/next_cycle.html"
    form_class = NextCycleForm
    refusal = gettext_lazy("Only the Secretariat runs reporting cycles.")

    def get(self, request, *args, **kwargs):
        following = ReportingCycle.objects.filter(number=self.cycle.number + 1).first()
        if following is not None:
            messages.info(request, _("%(cycle)s already exists.") % {"cycle": following})
            return HttpResponseRedirect(reverse("reports:report-list"))
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        proposal = cycle_services.propose_next_cycle(self.cycle)
        names = ("period_start", "period_end", "submission_opens", "submission_closes")
        return {name: getattr(proposal, name) for name in names}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cycle=self.cycle, number=self.cycle.number + 1, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            planned = cycle_services.plan_next_cycle(
                previous=self.cycle,
                user=self.request.user,
                period_start=data["period_start"],
                period_end=data["period_end"],
                opens=data["submission_opens"],
                closes=data["submission_closes"],
                late_until=data["late_submissions_until"],
            )
        except cycle_services.MonitoringError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("%(cycle)s: %(state)s.") % {"cycle": planned, "state": cycle_services.cycle_status_message(planned)},
        )
        return HttpResponseRedirect(reverse("reports:report-list"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


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
        current = ReportingCycle.objects.current()
        cycle = next((c for c in cycles if current and c.pk == current.pk), cycles[0] if cycles else None)
        if wanted:
            # Anything but a known cycle number (letters, "²", a thousand digits) is a 404, never a 500.
            cycle = next((c for c in cycles if str(c.number) == wanted), None)
            if cycle is None:
                raise Http404
        context.update(cycles=cycles, cycle=cycle)
        if cycle is not None:
            rows, totals = completeness(cycle)
            # "Send a reminder" while the cycle takes submissions (its window, or its late allowance).
            context.update(rows=rows, totals=totals, reminders_possible=cycle.accepts_submissions(timezone.localdate()))
        return context


class SendReminderView(LoginRequiredMixin, View):
    """ "Send a reminder" on the completeness page: one organisation's members, through the reminder service
    (``monitoring.reminders``) and its daily limit, as the daily command."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat sends reminders."))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        organisation_id = parse_id(request.POST.get("organisation"))
        organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
        if organisation is None:
            raise Http404
        run = send_reminders(days=None, organisation=organisation)
        names = {"organisation": organisation.short_name}
        if run.reason:
            messages.error(
                request, _("No reminder sent to %(organisation)s. %(reason)s") % {**names, "reason": run.reason}
            )
        elif run.sent:
            addresses = ", ".join(address for address, _titles in run.sent)
            messages.success(
                request,
                ngettext(
                    "A reminder to %(organisation)s is in the outbox, for %(addresses)s.",
                    "Reminders to %(organisation)s are in the outbox, for %(addresses)s.",
                    len(run.sent),
                )
                % {**names, "addresses": addresses},
            )
        elif run.already_sent_today:
            messages.info(request, _("Everyone at %(organisation)s who is due was already reminded today.") % names)
        else:
            messages.info(request, _("Nobody at %(organisation)s has anything due: no reminder sent.") % names)
        url = reverse("reports:completeness")
        if run.cycle is not None:
            url += f"?cycle={run.cycle.number}"
        return HttpResponseRedirect(f"{url}#organisation-{organisation.pk}")
