"""Sitemaps of the public site: the plan's structure, the initiatives and the organisations."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import Project
from stakeholders.models import Organisation


class StaticPageSitemap(Sitemap):
    """The site's fixed entry points."""

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "home",
            "actions:action-list",
            "projects:project-list",
            "stakeholders:organisation-list",
            "stakeholders:country-list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ObjectiveSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8

    def items(self):
        return StrategicObjective.objects.order_by("number")


class SubgoalSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.6

    def items(self):
        return Subgoal.objects.order_by("objective__number", "position")


class ActionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Action.objects.order_by("number")


class InitiativeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Project.objects.order_by("slug")

    def lastmod(self, project: Project):
        return project.updated_at


class OrganisationSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Organisation.objects.order_by("slug")


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": StaticPageSitemap,
    "objectives": ObjectiveSitemap,
    "subgoals": SubgoalSitemap,
    "actions": ActionSitemap,
    "initiatives": InitiativeSitemap,
    "organisations": OrganisationSitemap,
}
