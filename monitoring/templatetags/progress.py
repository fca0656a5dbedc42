"""Template helpers for progress: badges (a status, a milestone's state, an indicator's assessment, how recently an
initiative reported) and the bar of a distribution. Each says its meaning in words; the colour beside it is a
swatch in the Okabe–Ito palette (``monitoring.progress``), drawn as SVG presentation attributes so the strict
Content-Security-Policy holds and the palette is defined once."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from monitoring.progress import COLOURS, LABELS, NOT_REPORTED, Distribution

register = template.Library()


def swatch(colour: str) -> SafeString:
    return format_html(
        '<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">'
        '<rect x="0.5" y="0.5" width="11" height="11" rx="2" fill="{}" stroke="#1b1f24"/></svg>',
        colour,
    )


def _badge(kind: str, key: str, label: str, extra: str = "") -> SafeString:
    return format_html(
        '<span class="badge badge-{kind} badge-{kind}-{key}">{swatch}{label}{extra}</span>',
        kind=kind,
        key=key,
        swatch=swatch(COLOURS[f"{kind}-{key}"]),
        label=label,
        extra=extra,
    )


@register.simple_tag
def status_badge(project) -> SafeString:
    """An initiative's status ("Not reported yet" while it has none)."""
    key = project.status or NOT_REPORTED
    return _badge("status", key, project.status_label)


@register.simple_tag
def milestone_badge(milestone) -> SafeString:
    """A milestone's state (read with ``Milestone.objects.with_state()``)."""
    return _badge("milestone", milestone.state, milestone.state_label)


@register.simple_tag
def progress_badge(kind: str, key: str) -> SafeString:
    """The badge of ``key`` in ``kind``'s palette (``indicator``, ``recency``…)."""
    return _badge(kind, key, str(LABELS[key]))


#: The bar's drawing width (it stretches to the page's width).
BAR_WIDTH = 1000
BAR_HEIGHT = 18


@register.simple_tag
def distribution_bar(distribution: Distribution) -> SafeString:
    """A horizontal bar of the distribution's parts, each as wide as its share. Decorative: the legend beside it
    (``includes/distribution.html``) says every part's label and count in the same order, left to right."""
    total = distribution.total
    if not total:
        return format_html("")
    x = 0.0
    parts = []
    for bucket in distribution.shown:
        width = BAR_WIDTH * bucket.count / total
        parts.append((round(x, 2), round(width, 2), bucket.colour))
        x += width
    rects = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="2" '
        'vector-effect="non-scaling-stroke"/>',
        ((x, width, BAR_HEIGHT, colour) for x, width, colour in parts),
    )
    return format_html(
        '<svg class="distribution-bar" width="100%" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false"><rect width="{w}" height="{h}" fill="#ffffff" stroke="#1b1f24" '
        'vector-effect="non-scaling-stroke"/>{rects}</svg>',
        w=BAR_WIDTH,
        h=BAR_HEIGHT,
        rects=rects,
    )


register.simple_tag(swatch, name="swatch")
