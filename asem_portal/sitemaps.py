"""Sitemaps of the public site: the plan's structure, the initiatives, the organisations and countries, the
published progress, the process's meetings, documents and news, and the site's own pages."""

from __future__ import annotations

from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.urls import reverse

from actions.models import Action, StrategicObjective, Subgoal
from monitoring.models import Document, Meeting, NewsItem
from projects.models import Project
from stakeholders.models import Country, Organisation


class StaticPageSitemap(Sitemap):
    """The site's fixed entry points."""

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "home",
            "plan:action-list",
            "initiatives:project-list",
            "organisations:organisation-list",
            "organisations:country-list",
            "organisations:balance",
            "updates:published-list",
            "meetings:meeting-list",
            "documents:document-list",
            "news:news-list",
            "about",
            "contact",
            "accessibility",
            "privacy",
            "open-data",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


def model_sitemap(queryset, changefreq: str, priority: float, date_field: str | None = None) -> GenericSitemap:
    return GenericSitemap({"queryset": queryset, "date_field": date_field}, priority=priority, changefreq=changefreq)


SITEMAPS: dict[str, Sitemap | type[Sitemap]] = {
    "pages": StaticPageSitemap,
    "objectives": model_sitemap(StrategicObjective.objects.order_by("number"), "yearly", 0.8),
    "subgoals": model_sitemap(Subgoal.objects.order_by("objective__number", "position"), "yearly", 0.6),
    "actions": model_sitemap(Action.objects.order_by("number"), "monthly", 0.7),
    "initiatives": model_sitemap(Project.objects.order_by("slug"), "weekly", 0.7, date_field="updated_at"),
    "organisations": model_sitemap(Organisation.objects.order_by("slug"), "monthly", 0.5),
    "countries": model_sitemap(Country.objects.order_by("iso_code"), "monthly", 0.5),
    "meetings": model_sitemap(Meeting.objects.order_by("year", "pk"), "monthly", 0.5),
    "documents": model_sitemap(Document.objects.order_by("pk"), "monthly", 0.5, date_field="updated_at"),
    "news": model_sitemap(NewsItem.objects.published().order_by("-date", "-pk"), "monthly", 0.5, "updated_at"),
}
