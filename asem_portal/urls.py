from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import converters  # noqa: F401 - registers the "id" path converter
from core.cache import cached_public_page

from . import views

handler400 = "asem_portal.views.bad_request"
handler403 = "asem_portal.views.permission_denied"
handler500 = "asem_portal.views.server_error"

admin.site.site_header = "ASEM Education Action Plan — Secretariat"
admin.site.site_title = "ASEM Education Portal admin"
admin.site.index_title = "Curate the plan"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", cached_public_page(views.HomeView.as_view()), name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("objectives.css", views.objective_styles, name="objective-styles"),
    path("about/", cached_public_page(views.SitePageView.as_view(template_name="pages/about.html")), name="about"),
    path(
        "contact/", cached_public_page(views.SitePageView.as_view(template_name="pages/contact.html")), name="contact"
    ),
    path(
        "accessibility/",
        cached_public_page(views.SitePageView.as_view(template_name="pages/accessibility.html")),
        name="accessibility",
    ),
    path(
        "privacy/", cached_public_page(views.SitePageView.as_view(template_name="pages/privacy.html")), name="privacy"
    ),
    path(
        "open-data/",
        cached_public_page(views.SitePageView.as_view(template_name="pages/open_data.html")),
        name="open-data",
    ),
    path("", include("monitoring.plan_urls")),
    path("initiatives/", include("monitoring.initiative_urls")),
    path("updates/", include("monitoring.update_urls")),
    path("", include("asem_portal.public_urls")),
    path("api/v1/", include("asem_portal.api_urls")),
    path("accounts/", include("stakeholders.account_urls")),
    path("", include("monitoring.report_urls")),
    path("", include("monitoring.organisation_urls")),
    path("", include("monitoring.meeting_urls")),
    path("documents/", include("monitoring.document_urls")),
    path("news/", include("monitoring.news_urls")),
    path("calendars/", include("monitoring.calendar_urls")),
]
