"""An initiative's entry in a list (the directory, "related initiatives"), rendered without a template.

The directory shows 25 entries per page, each with its title, leads, actions and status. Through the template
engine an entry costs about a third of a millisecond (its tags, translations and URL reversals), more than the
rest of a filtered page together; built here from a few plain values it costs a few microseconds. The
directory also caches each entry per content version (``projects.views.rendered_summaries``), so most pages
read no initiative at all: only their keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _

from actions.models import MAX_ACTION_NUMBER
from asem_portal.reversing import url_maker

from .facets import action_numbers
from .models import OrganisationRole, Project, ProjectOrganisation, ProjectStatus


@dataclass(frozen=True)
class Entry:
    """What an entry shows."""

    pk: int
    slug: str
    title: str
    is_new: bool
    status: str
    action_mask: int
    leads: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, project: Project) -> Entry:
        """From an initiative read with its leads as ``lead_participations`` (``ProjectQuerySet.with_leads``
        or a prefetch to that name)."""
        return cls(
            pk=project.pk,
            slug=project.slug,
            title=project.title,
            is_new=project.is_new,
            status=project.status,
            action_mask=project.action_mask,
            leads=[part.organisation.short_name for part in project.lead_participations],
        )

    @property
    def actions(self) -> list[int]:
        return action_numbers(self.action_mask)


def entries(keys: Iterable[int]) -> dict[int, Entry]:
    """The entries of these initiatives, by key, in two queries (the initiatives, their leads)."""
    keys = list(keys)
    leads: dict[int, list[str]] = {}
    for project_id, acronym, name in (
        ProjectOrganisation.objects.filter(project_id__in=keys, role=OrganisationRole.LEAD)
        .order_by("position", "organisation__name")
        .values_list("project_id", "organisation__acronym", "organisation__name")
    ):
        leads.setdefault(project_id, []).append(acronym or name)
    return {
        pk: Entry(pk, slug, title, is_new, status, mask, leads.get(pk, []))
        for pk, slug, title, is_new, status, mask in Project.objects.filter(pk__in=keys).values_list(
            "pk", "slug", "title", "is_new", "status", "action_mask"
        )
    }


class EntryRenderer:
    """Renders entries in the active language; the URLs and words it needs are looked up once."""

    def __init__(self) -> None:
        self.project_url = url_maker("projects:project-detail", "slug", "entry-slug")
        self.action_url = url_maker("actions:action-detail", "number", MAX_ACTION_NUMBER + 1)
        self.words = {
            "new": escape(_("New")),
            "led_by": escape(_("Led by:")),
            "actions": escape(_("Actions:")),
            "none": escape(_("none")),
            "status": escape(_("Status:")),
        }
        self.statuses = {key: escape(label) for key, label in ProjectStatus.choices}
        self.action_labels: dict[int, str] = {}

    def action_label(self, number: int) -> str:
        if number not in self.action_labels:
            self.action_labels[number] = escape(_("Action %(number)s") % {"number": number})
        return self.action_labels[number]

    def render(self, entry: Entry, reason: str = "") -> str:
        words = self.words
        new = f' <span class="tag tag-new">{words["new"]}</span>' if entry.is_new else ""
        led_by = f"{words['led_by']} {escape(', '.join(entry.leads))} · " if entry.leads else ""
        actions = ", ".join(
            f'<a href="{escape(self.action_url(n))}" aria-label="{self.action_label(n)}">{n}</a>' for n in entry.actions
        )
        status = self.statuses.get(entry.status, escape(entry.status))
        reason = f" · {escape(reason)}" if reason else ""
        url = escape(self.project_url(entry.slug))
        return (
            f'<li class="initiative-summary">\n  <a href="{url}">{escape(entry.title)}</a>'
            f'{new}\n  <br><span class="meta">{led_by}{words["actions"]} {actions or words["none"]}'
            f" · {words['status']} {status}{reason}</span>\n</li>"
        )
