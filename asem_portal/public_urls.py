"""Machine-readable entry points of the public site: the sitemap and the Atom feed of updates.

Included from ``asem_portal/urls.py`` with ``path("", include("asem_portal.public_urls"))``.
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from monitoring.feeds import PublishedUpdatesFeed

from .sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("updates/feed/", PublishedUpdatesFeed(), name="updates-feed"),
]
