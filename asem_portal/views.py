"""Site-wide views: the home page, the site's own pages (about, contact, accessibility, privacy, open data) and
the health endpoints."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from actions.models import StrategicObjective, Subgoal
from monitoring.models import Meeting, NewsItem, ProgressUpdate, ReportingCycle, StocktakingReport
from monitoring.progress import Cycles, Scope, milestones_due, recency_by_objective, rollup
from projects.models import Project, leads_prefetch
from stakeholders.models import Organisation

#: At most this many new initiatives on the home page (the plan has 16; the rest are one link away).
HOME_NEW_INITIATIVES = 20
#: The latest news items and the next meetings on the home page.
HOME_NEWS = 3
HOME_MEETINGS = 3
#: Milestones due in the next (or passed in the last) this many days, at most ``HOME_MILESTONES`` of each.
HOME_MILESTONE_DAYS = 90
HOME_MILESTONES = 5


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, asked for by browsers and crawlers on pages without an icon link (the API, the admin)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        cycles = Cycles.today(today)
        context["cycles"] = cycles
        context["rollup"] = rollup(Scope(), cycles, today)
        context["latest_report"] = (
            StocktakingReport.objects.published().select_related("cycle").order_by("-cycle__number").first()
        )
        context["milestones_soon"], context["milestones_passed"] = milestones_due(
            today, days=HOME_MILESTONE_DAYS, limit=HOME_MILESTONES
        )
        context["milestone_days"] = HOME_MILESTONE_DAYS
        context["objectives"] = objectives = list(
            StrategicObjective.objects.annotate(
                action_total=Count("subgoals__actions", distinct=True),
                initiative_total=Count("subgoals__actions__rows__project", distinct=True),
            ).prefetch_related(Prefetch("subgoals", queryset=Subgoal.objects.order_by("position")))
        )
        context["recency_by_objective"] = recency_by_objective(objectives, cycles)
        context["initiative_total"] = context["rollup"].initiatives
        new = Project.objects.filter(is_new=True)
        shown = list(new.order_by("title", "slug").prefetch_related(leads_prefetch())[: HOME_NEW_INITIATIVES + 1])
        # Counted only when there are more than the page shows (one more read is how we know).
        context["new_initiatives"] = shown[:HOME_NEW_INITIATIVES]
        context["new_initiative_total"] = new.count() if len(shown) > HOME_NEW_INITIATIVES else len(shown)
        # Where reporting stands: the cycle that takes updates, else the next one planned, else the latest.
        today = timezone.localdate()
        context["reporting_cycle"] = ReportingCycle.objects.where_reporting_stands(today)
        context["latest_news"] = list(NewsItem.objects.published().order_by("-date", "-pk")[:HOME_NEWS])
        context["upcoming_meetings"] = list(
            Meeting.objects.upcoming(today).select_related("host_country")[:HOME_MEETINGS]
        )
        context["latest_updates"] = (
            ProgressUpdate.objects.published()
            .select_related("project", "organisation")
            .order_by("-reviewed_at", "-pk")[:5]
        )
        return context


#: The organisation that runs the process and the portal, as the plan's data names it.
SECRETARIAT_SLUG = "asem-education-secretariat"


class SitePageView(TemplateView):
    """The site's own pages, linked from every page's footer: what they say is in their templates
    (``templates/pages/``); the contact address and the data's licence come from the settings, and the
    Secretariat's website from its organisation in the data. A page never states what nobody set."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            contact_email=settings.CONTACT_EMAIL,
            open_data_licence=settings.OPEN_DATA_LICENCE,
            open_data_licence_url=settings.OPEN_DATA_LICENCE_URL,
            secretariat=Organisation.objects.filter(slug=SECRETARIAT_SLUG).only("slug", "name", "website").first(),
        )


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up (no database access: the benchmark's floor)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@cache_control(public=True, max_age=300)
def objective_styles(request: HttpRequest) -> HttpResponse:
    """The objectives' colours as CSS classes (inline styles would break the CSP), each checked as #rrggbb."""
    rules = [
        f".objective-{number} {{ --objective-colour: {colour}; }}"
        for number, colour in StrategicObjective.objects.values_list("number", "colour")
        if StrategicObjective.colour_is_valid(colour)
    ]
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler; a lost database connection (PostgreSQL restarting or failing over) is a 503 that says
    to try again, with ``Retry-After``: the next request reconnects (``CONN_HEALTH_CHECKS``).
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        message = "The database is briefly unavailable. Nothing was saved by this request; please try again."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


# --- Error pages -------------------------------------------------------------------------------------------------
# Branded, and saying nothing of why: no exception text, no path, no reason (Django's defaults show some of them
# in DEBUG, and a PermissionDenied's message is for logs). They extend base.html, which loads no inline script or
# style, so they work under the Content-Security-Policy. Under /api/ they answer in the API's JSON shape.


def _error_page(request: HttpRequest, template_name: str, status: int, detail: str, code: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return TemplateResponse(request, template_name, status=status).render()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a malformed request (a bad Host header, a broken multipart body, too many fields)."""
    return _error_page(request, "400.html", 400, "The request could not be understood.", "bad_request")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``."""
    return _error_page(request, "403.html", 403, "You do not have permission to do this.", "permission_denied")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent without its token, or an old one (after signing in elsewhere)."""
    return _error_page(request, "403_csrf.html", 403, "The form could not be accepted.", "csrf_failed")
