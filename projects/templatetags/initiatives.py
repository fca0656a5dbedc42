"""``{% initiative_entry project %}``: an initiative's entry in a list (``projects.entries``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.entries import Entry, EntryRenderer

register = template.Library()


@register.simple_tag
def initiative_entry(project, show_reason: bool = False) -> SafeString:
    """The entry of ``project`` (read with its leads as ``lead_participations``); with ``show_reason``, why
    it is related (it has the ``shares_action`` and ``shares_lead`` annotations of ``related_projects``)."""
    reason = ""
    if show_reason:
        if project.shares_action and project.shares_lead:
            reason = _("same action and same lead")
        elif project.shares_action:
            reason = _("same action")
        else:
            reason = _("same lead")
    return mark_safe(EntryRenderer().render(Entry.of(project), reason))  # noqa: S308 - escaped by the renderer
