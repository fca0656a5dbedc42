"""Machine-readable entry points of the public site: the sitemap and the Atom feed of updates.

Included from ``asem_portal/urls.py`` with ``path("", include("asem_portal.public_urls"))``.
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_page

from projects.feeds import PublishedUpdatesFeed

from .sitemaps import SITEMAPS

urlpatterns = [
    path(
        "sitemap.xml",
        cache_page(60 * 60)(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("updates/feed/", PublishedUpdatesFeed(), name="updates-feed"),
]
