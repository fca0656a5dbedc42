"""Atom feed of published progress updates."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import ProgressUpdate

#: The feed lists the latest published updates.
FEED_LENGTH = 50


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

    def items(self):
        return (
            ProgressUpdate.objects.published()
            .select_related("project", "organisation")
            .order_by("-reviewed_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: ProgressUpdate) -> str:
        return _("%(project)s: progress %(start)s – %(end)s") % {
            "project": item.project.title,
            "start": item.period_start.isoformat(),
            "end": item.period_end.isoformat(),
        }

    def item_description(self, item: ProgressUpdate) -> str:
        # Plain text: the feed generator escapes it.
        return Truncator(item.achievements or item.next_steps or item.challenges).words(80)

    def item_link(self, item: ProgressUpdate) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: ProgressUpdate):
        return item.reviewed_at

    def item_updateddate(self, item: ProgressUpdate):
        return item.updated_at

    def item_author_name(self, item: ProgressUpdate) -> str:
        return str(item.organisation)
