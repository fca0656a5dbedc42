"""The report's charts: their data, from the report's own numbers, and each as a server-rendered SVG bar chart.

Each ``<svg role="img">`` has a ``<title>`` and ``<desc>``, numbers beside the bars and a data table after it.
No meaning rests on colour alone: the colours are the Okabe–Ito palette (``data.OKABE_ITO``), every series of a
chart of several has its own pattern (``PATTERNS``, drawn over its colour) and its name in the legend, and a chart
of one series names each bar. Colours are presentation attributes, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .data import (
    COLOURS,
    INDICATOR_ASSESSMENTS,
    MILESTONE_BUCKETS,
    ON_TRACK,
    REGIONS,
    WORK_PLAN_OUTCOMES,
    Chart,
    ChartSeries,
    StocktakingReportData,
    bucket_label,
)

WIDTH = 660
LABEL_WIDTH = 200
VALUE_WIDTH = 56
BAR_HEIGHT = 18
ROW_GAP = 10
LEGEND_HEIGHT = 26
INK = "#1b1f24"
GRID = "#d5dbe1"
FONT = "DejaVu Sans, Arial, sans-serif"


def _series(key: str, values: list[int]) -> ChartSeries:
    return ChartSeries(key=key, label=bucket_label(key), colour=COLOURS[key], values=values)


def _counts_chart(chart_id, title, description, buckets, series_key, series_label, values) -> Chart:
    """A chart of one series: how many fall in each of ``buckets``."""
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        categories=[bucket_label(bucket) for bucket in buckets],
        series=[ChartSeries(key=series_key, label=series_label, colour=COLOURS[ON_TRACK], values=values)],
    )


def build_charts(data: StocktakingReportData) -> list[Chart]:
    s, balance = data.summary, data.balance
    return [
        Chart(
            id="coverage-by-objective",
            title=_("Reporting by strategic objective"),
            description=_(
                "For each objective, the active initiatives that reported in the cycle (an approved update) and "
                "those that did not."
            ),
            categories=[row.label for row in s.per_objective],
            series=[
                _series("reported", [r.reported for r in s.per_objective]),
                _series("not_reported", [r.not_reported for r in s.per_objective]),
            ],
            stacked=True,
        ),
        _counts_chart(
            "milestones",
            _("Milestones of the cycle"),
            _("The milestones due or achieved in the cycle, by outcome as of the report's date."),
            MILESTONE_BUCKETS,
            "milestones",
            _("Milestones"),
            [getattr(s, f"milestones_{bucket}") for bucket in MILESTONE_BUCKETS],
        ),
        _counts_chart(
            "indicators",
            _("Indicators against their targets"),
            _("Each indicator's latest value in the cycle against its target and trajectory."),
            INDICATOR_ASSESSMENTS,
            "indicators",
            _("Indicators"),
            [
                s.indicators_met,
                s.indicators_on_track - s.indicators_met,
                s.indicators_behind,
                s.indicators_no_value,
                s.indicators_no_target,
            ],
        ),
        _counts_chart(
            "work-plan",
            _("Work plan of the cycle"),
            _("The cycle's planned activities, as the approved updates report them."),
            WORK_PLAN_OUTCOMES,
            "items",
            _("Planned activities"),
            [getattr(s, f"work_plan_{outcome}") for outcome in WORK_PLAN_OUTCOMES],
        ),
        Chart(
            id="balance",
            title=_("Lead organisations by region"),
            description=_("Distinct lead organisations of the initiatives, by region, overall and for each objective."),
            categories=[_("All initiatives")] + [row.label for row in balance.per_objective],
            series=[
                _series(
                    region,
                    [getattr(balance.overall, region)] + [getattr(r.counts, region) for r in balance.per_objective],
                )
                for region in REGIONS
            ],
            stacked=True,
        ),
    ]


def table_rows(chart: Chart) -> list[tuple[str, list[int], int]]:
    """The chart's data table: (category, one value per series, total)."""
    return [
        (category, [s.values[i] for s in chart.series], sum(s.values[i] for s in chart.series))
        for i, category in enumerate(chart.categories)
    ]


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _element(name: str, content=None, /, **attributes) -> SafeString:
    """An SVG element, everything escaped; an attribute named ``text_anchor`` is written ``text-anchor`` (and
    ``class_``, ``class``)."""
    attrs = format_html_join(
        "", ' {}="{}"', ((key.rstrip("_").replace("_", "-"), value) for key, value in attributes.items())
    )
    if content is None:
        return format_html("<{}{}/>", name, attrs)
    return format_html("<{}{}>{}</{}>", name, attrs, content, name)


#: The pattern of each series of a chart, in order: a plain fill, then hatchings and dots drawn over the colour.
PATTERNS = ("solid", "diagonal", "dots", "crosshatch", "horizontal", "vertical")
PATTERN_SIZE = 6


def diagonal_path(size: int) -> str:
    """Lines from bottom left to top right that join across the pattern's tiles."""
    return f"M0,{size} L{size},0 M-1,1 L1,-1 M{size - 1},{size + 1} L{size + 1},{size - 1}"


def _pattern(pattern_id: str, kind: str, colour: str) -> SafeString:
    """An SVG ``<pattern>``: the series' colour with ``kind``'s marks in dark ink over it."""
    size = PATTERN_SIZE
    marks = {
        "solid": [],
        "diagonal": [
            _element("path", d=f"M0,{size} L{size},0 M-1,1 L1,-1 M{size - 1},{size + 1} L{size + 1},{size - 1}")
        ],
        "dots": [_element("circle", cx=size / 2, cy=size / 2, r=1.3, fill=INK)],
        "crosshatch": [_element("path", d=f"M0,0 L{size},{size} M0,{size} L{size},0")],
        "horizontal": [_element("path", d=f"M0,{size / 2} L{size},{size / 2}")],
        "vertical": [_element("path", d=f"M{size / 2},0 L{size / 2},{size}")],
    }[kind]
    content = format_html_join("", "{}", ((mark,) for mark in marks))
    return _element(
        "pattern",
        format_html("{}{}", _element("rect", width=size, height=size, fill=colour, stroke="none"), content),
        id=pattern_id,
        patternUnits="userSpaceOnUse",
        width=size,
        height=size,
        stroke=INK,
        stroke_width=1.2,
    )


def series_fills(chart: Chart) -> list[tuple[str, str]]:
    """Each series' (pattern name, pattern id): what tells the series apart besides colour and its legend."""
    return [(PATTERNS[i % len(PATTERNS)], f"{chart.id}-series-{i}") for i in range(len(chart.series))]


def render_svg(chart: Chart) -> SafeString:
    """The chart as an accessible SVG: stacked bars when ``chart.stacked``, grouped bars otherwise."""
    series = chart.series
    grouped = not chart.stacked and len(series) > 1
    per_row = BAR_HEIGHT * (len(series) if grouped else 1)
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    height = legend + len(chart.categories) * (per_row + ROW_GAP) + ROW_GAP
    rows = table_rows(chart)
    totals = [total if chart.stacked else max(values, default=0) for _category, values, total in rows]
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / max(max(totals, default=0), 1)
    fills = series_fills(chart)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
            'viewBox="0 0 {width} {height}" aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="12">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>',
            width=WIDTH,
            height=height,
            id=chart.id,
            font=FONT,
            title=chart.title,
            description=chart.description,
        ),
        _element(
            "defs",
            format_html_join(
                "",
                "{}",
                ((_pattern(pattern_id, kind, s.colour),) for s, (kind, pattern_id) in zip(series, fills, strict=True)),
            ),
        ),
    ]
    if legend:
        x = LABEL_WIDTH
        for s, (kind, pattern_id) in zip(series, fills, strict=True):
            parts.append(
                _element(
                    "rect", x=x, y=5, width=14, height=14, fill=f"url(#{pattern_id})", stroke=INK, data_pattern=kind
                )
            )
            parts.append(_element("text", s.label, x=x + 18, y=16, fill=INK, class_="legend-label"))
            x += 30 + 7 * len(s.label)
    y = legend + ROW_GAP
    for (category, values, _total), total in zip(rows, totals, strict=True):
        label_y = y + per_row / 2 + 4
        parts.append(_element("text", _shorten(category), x=LABEL_WIDTH - 8, y=label_y, text_anchor="end", fill=INK))
        x = LABEL_WIDTH
        for offset, (s, value, (_kind, pattern_id)) in enumerate(zip(series, values, fills, strict=True)):
            bar_y = y + (offset * BAR_HEIGHT if grouped else 0)
            width = round(value * scale, 1)
            if value:
                title = _element("title", f"{category}: {s.label}, {value}")
                bar = {"x": x, "y": bar_y, "width": width, "height": BAR_HEIGHT - 2, "fill": f"url(#{pattern_id})"}
                parts.append(_element("rect", title, stroke=INK, stroke_width=0.5, **bar))
            if grouped:
                parts.append(_element("text", value, x=x + width + 4, y=bar_y + BAR_HEIGHT - 5, fill=INK))
            elif chart.stacked:
                x += width
        if not grouped:
            total_x = x if chart.stacked else LABEL_WIDTH + round(total * scale, 1)
            parts.append(_element("text", total, x=total_x + 4, y=y + BAR_HEIGHT - 5, fill=INK))
        line_y = y + per_row + ROW_GAP / 2
        parts.append(_element("line", x1=LABEL_WIDTH, x2=WIDTH - VALUE_WIDTH, y1=line_y, y2=line_y, stroke=GRID))
        y += per_row + ROW_GAP
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every piece above is escaped by format_html
