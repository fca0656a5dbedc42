"""Atom feeds: published progress updates (all of them, and those of one initiative, one action or one
organisation's initiatives), and the Secretariat's news.

Django's Atom generator declares an entry's summary ``type="html"``: plain text from a text field is therefore
escaped for HTML first (``html_summary``), so that feed readers show it as written and never run markup in it
(tests/monitoring/test_feeds.py reads the feeds with feedparser, a real reader's library).
"""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from projects.models import TAKING_PART_ROLES, ActionContribution, Project, ProjectOrganisation
from stakeholders.models import Organisation

from .models import NewsItem, ProgressUpdate

#: The feed lists the latest published updates.
FEED_LENGTH = 50
#: The news feed lists the latest published news items.
NEWS_FEED_LENGTH = 20


def html_summary(text: str) -> str:
    """Plain text as the HTML an Atom summary of ``type="html"`` holds: escaped, its paragraphs kept."""
    return linebreaks(escape(text))


class PublishedUpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Published progress updates")
    subtitle = _("Progress updates on the initiatives of the ASEM Education 2030 Action Plan, once approved.")
    # Atom wants an author for the feed when its entries may have none.
    author_name = _("ASEM Education Secretariat")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's own address identifies it (the default, its HTML link, is the directory's identity).
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def link(self) -> str:
        return reverse("initiatives:project-list")

    def items(self, obj=None):
        return (
            self.updates(obj)
            .select_related("project", "organisation")
            .order_by("-reviewed_at", "-pk")[:FEED_LENGTH]
        )

    def updates(self, obj):
        """The published updates the feed lists (of ``obj``, for a feed of one initiative, action or
        organisation)."""
        return ProgressUpdate.objects.published()

    def item_title(self, item: ProgressUpdate) -> str:
        return _("%(project)s: progress %(start)s – %(end)s") % {
            "project": item.project.title,
            "start": date_format(item.period_start),
            "end": date_format(item.period_end),
        }

    def item_description(self, item: ProgressUpdate) -> str:
        return html_summary(Truncator(item.achievements or item.next_steps or item.challenges).words(80))

    def item_link(self, item: ProgressUpdate) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: ProgressUpdate):
        return item.reviewed_at

    def item_updateddate(self, item: ProgressUpdate):
        return item.updated_at

    def item_author_name(self, item: ProgressUpdate) -> str:
        return str(item.organisation)


class InitiativeUpdatesFeed(PublishedUpdatesFeed):
    """The published updates on one initiative."""

    def get_object(self, request, slug: str) -> Project:
        return get_object_or_404(Project.objects.only("pk", "slug", "title"), slug=slug)

    def title(self, obj: Project) -> str:
        return _("Progress of %(initiative)s") % {"initiative": obj.title}

    def subtitle(self, obj: Project) -> str:
        return _("Progress updates on this initiative of the ASEM Education 2030 Action Plan, once approved.")

    def link(self, obj: Project) -> str:
        return obj.get_absolute_url()

    def updates(self, obj: Project):
        return ProgressUpdate.objects.published().filter(project=obj)


class ActionUpdatesFeed(PublishedUpdatesFeed):
    """The published updates on the initiatives under one action."""

    def get_object(self, request, number: int) -> Action:
        if number > 32767:  # beyond the column: cannot exist
            raise Http404
        return get_object_or_404(Action.objects.only("pk", "number"), number=number)

    def title(self, obj: Action) -> str:
        return _("Progress under action %(number)s") % {"number": obj.number}

    def subtitle(self, obj: Action) -> str:
        return _("Progress updates on the initiatives under this action of the plan, once approved.")

    def link(self, obj: Action) -> str:
        return obj.get_absolute_url()

    def updates(self, obj: Action):
        under = ActionContribution.objects.filter(project=OuterRef("project"), action=obj)
        return ProgressUpdate.objects.published().filter(Exists(under))


class OrganisationUpdatesFeed(PublishedUpdatesFeed):
    """The published updates on the initiatives an organisation leads or joins as a partner (whoever reports)."""

    def get_object(self, request, slug: str) -> Organisation:
        return get_object_or_404(Organisation.objects.only("pk", "slug", "name", "acronym"), slug=slug)

    def title(self, obj: Organisation) -> str:
        return _("Progress of the initiatives of %(organisation)s") % {"organisation": obj}

    def subtitle(self, obj: Organisation) -> str:
        return _("Progress updates on the initiatives this organisation leads or joins as a partner, once approved.")

    def link(self, obj: Organisation) -> str:
        return obj.get_absolute_url()

    def updates(self, obj: Organisation):
        taking_part = ProjectOrganisation.objects.filter(
            project=OuterRef("project"), organisation=obj, role__in=TAKING_PART_ROLES
        )
        return ProgressUpdate.objects.published().filter(Exists(taking_part))


class NewsFeed(Feed):
    feed_type = Atom1Feed
    title = _("ASEM Education news")
    subtitle = _("Announcements of the ASEM Education Secretariat: meetings, events, publications and initiatives.")
    author_name = _("ASEM Education Secretariat")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def link(self) -> str:
        return reverse("news:news-list")

    def items(self):
        return NewsItem.objects.published().order_by("-date", "-pk")[:NEWS_FEED_LENGTH]

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return html_summary(item.text)

    def item_link(self, item: NewsItem) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: NewsItem):
        # The date the Secretariat gives the item, at midnight UTC.
        return datetime.datetime.combine(item.date, datetime.time.min, tzinfo=datetime.UTC)

    def item_updateddate(self, item: NewsItem):
        return item.updated_at
