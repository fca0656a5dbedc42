"""Server-rendered SVG bar charts for the stocktaking report: no JavaScript, the same markup in the page and the PDF.

Each chart is an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``; the numbers are written
beside the bars (never colour alone), and the page shows the chart's data table right after it. Colours are
presentation attributes, not inline styles, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .report import Chart

WIDTH = 660
LABEL_WIDTH = 200
VALUE_WIDTH = 56
BAR_HEIGHT = 18
ROW_GAP = 10
LEGEND_HEIGHT = 26
INK = "#1b1f24"
GRID = "#d5dbe1"
FONT = "DejaVu Sans, Arial, sans-serif"


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(chart: Chart) -> SafeString:
    """The chart as an accessible SVG: stacked bars when ``chart.stacked``, grouped bars otherwise."""
    series = chart.series
    grouped = not chart.stacked and len(series) > 1
    per_row = BAR_HEIGHT * (len(series) if grouped else 1)
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    height = legend + len(chart.categories) * (per_row + ROW_GAP) + ROW_GAP
    if chart.stacked:
        totals = [sum(s.values[i] for s in series) for i in range(len(chart.categories))]
    else:
        totals = [max((s.values[i] for s in series), default=0) for i in range(len(chart.categories))]
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / max(max(totals, default=0), 1)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{}" height="{}" '
            'viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc" font-family="{}" font-size="12">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            WIDTH,
            height,
            WIDTH,
            height,
            chart.id,
            chart.id,
            FONT,
            chart.id,
            chart.title,
            chart.id,
            chart.description,
        )
    ]
    if legend:
        x = LABEL_WIDTH
        for s in series:
            parts.append(
                format_html(
                    '<rect x="{}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" fill="{}">{}</text>',
                    x,
                    s.colour,
                    x + 16,
                    INK,
                    s.label,
                )
            )
            x += 24 + 7 * len(s.label)
    y = legend + ROW_GAP
    for index, category in enumerate(chart.categories):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                LABEL_WIDTH - 8,
                y + per_row / 2 + 4,
                INK,
                _shorten(category),
            )
        )
        x = LABEL_WIDTH
        for offset, s in enumerate(series):
            value = s.values[index]
            bar_y = y + (offset * BAR_HEIGHT if grouped else 0)
            width = round(value * scale, 1)
            if value:
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}, {}</title></rect>',
                        x,
                        bar_y,
                        width,
                        BAR_HEIGHT - 2,
                        s.colour,
                        category,
                        s.label,
                        value,
                    )
                )
            if grouped:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" fill="{}">{}</text>', x + width + 4, bar_y + BAR_HEIGHT - 5, INK, value
                    )
                )
            elif chart.stacked:
                x += width
        if not grouped:
            total_x = x if chart.stacked else LABEL_WIDTH + round(totals[index] * scale, 1)
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}">{}</text>', total_x + 4, y + BAR_HEIGHT - 5, INK, totals[index]
                )
            )
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>',
                LABEL_WIDTH,
                WIDTH - VALUE_WIDTH,
                y + per_row + ROW_GAP / 2,
                y + per_row + ROW_GAP / 2,
                GRID,
            )
        )
        y += per_row + ROW_GAP
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every piece above is escaped by format_html


def table_rows(chart: Chart) -> list[tuple[str, list[int], int]]:
    """The chart's data table: (category, one value per series, total)."""
    return [
        (category, [s.values[i] for s in chart.series], sum(s.values[i] for s in chart.series))
        for i, category in enumerate(chart.categories)
    ]
