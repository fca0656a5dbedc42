"""``{% error_summary form formset … anchor="fieldset-id" %}``: the GOV.UK error summary of a page's forms.

Drawn only after a failed submit (a bound form with errors): a box at the top that lists every error as a link to
its field (``core.forms.error_links``), announced (``role="alert"``) and focused when the page loads
(``static/js/forms.js``; ``autofocus`` where scripts do not run).
"""

from django import template

from core.forms import error_links

register = template.Library()


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*parts, anchor: str = "", intro: str = ""):
    """A form with its own ``error_links()`` (one with rows, ordered as its page) gives its lines itself."""
    links = []
    for part in parts:
        own = getattr(part, "error_links", None)
        links += own() if callable(own) else error_links(part, anchor=anchor)
    return {"links": links, "intro": intro}
