"""The REST API under ``/api/v1/`` (namespace ``api``): the viewsets' router, the exports, the schema, its docs."""

from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import routers

from actions.api import ActionViewSet, StrategicObjectiveViewSet, SubgoalViewSet
from core.api import api_not_found
from core.cache import cached_public_page
from monitoring.api import MeetingViewSet, MeView, ProgressUpdateViewSet, ReportingCycleViewSet
from monitoring.initiative_api import (
    IndicatorValuesExportView,
    InitiativeViewSet,
    PlanExportCSVView,
    PlanExportJSONView,
)
from monitoring.progress_api import ProgressView
from projects.api import OrganisationViewSet
from stakeholders.api import CountryViewSet

app_name = "api"

#: Beside the viewsets, what the API root lists (name in the root → URL name).
EXTRA_ROOT_ENTRIES = {
    "export-json": "plan-export-json",
    "export-csv": "plan-export-csv",
    "export-indicator-values": "indicator-values-export",
    "progress": "progress",
    "me": "me",
    "schema": "schema",
    "docs": "docs",
    "redoc": "redoc",
}


class APIRootView(routers.APIRootView):
    """The ASEM Education 2030 Action Plan API: the plan as open data, and progress updates for contributors.

    Every endpoint is listed here; the OpenAPI schema is at `schema`, its interactive docs at `docs`.
    """


class Router(routers.DefaultRouter):
    APIRootView = APIRootView
    include_format_suffixes = False

    def get_api_root_view(self, api_urls=None):
        entries = {prefix: self.routes[0].name.format(basename=basename) for prefix, _, basename in self.registry}
        return self.APIRootView.as_view(api_root_dict={**entries, **EXTRA_ROOT_ENTRIES})


router = Router(trailing_slash=True)
router.register("objectives", StrategicObjectiveViewSet, basename="objective")
router.register("subgoals", SubgoalViewSet, basename="subgoal")
router.register("actions", ActionViewSet, basename="action")
router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("countries", CountryViewSet, basename="country")
router.register("updates", ProgressUpdateViewSet, basename="update")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("cycles", ReportingCycleViewSet, basename="cycle")

urlpatterns = [
    *router.urls,
    path("export/plan.json", PlanExportJSONView.as_view(), name="plan-export-json"),
    path("export/plan.csv", PlanExportCSVView.as_view(), name="plan-export-csv"),
    path("export/indicator-values.csv", IndicatorValuesExportView.as_view(), name="indicator-values-export"),
    # The same figures for everyone, as the pages show them: through the page cache, as the pages are.
    path("progress/", cached_public_page(ProgressView.as_view()), name="progress"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): no inline script, so the
    # site's Content-Security-Policy (no 'unsafe-inline') holds on the docs page too.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # ReDoc's styles go into <style> elements: allowed on this page only, by a nonce (templates/api/redoc.html);
    # its search runs in a worker made from a blob: address.
    path(
        "redoc/",
        csp_update({"style-src": [NONCE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    re_path(r"^[\s\S]*$", api_not_found),
]
