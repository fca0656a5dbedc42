"""Each indicator over time, on the initiative's page: its approved values against its baseline and target, as a
server-rendered SVG line chart with the same data in a table (readable without JavaScript or images, as the
stocktaking report's charts are).

The chart's ``<svg role="img">`` has a ``<title>`` and a ``<desc>`` that says what it shows in words; every point
has its own ``<title>``; baseline, target and the straight line between them (what "on track" is measured
against) are told apart by their dashes and labels, not by colour alone. Colours are the Okabe–Ito palette and are
presentation attributes, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.models import Indicator, Project

from .models import IndicatorValue, UpdateStatus
from .progress import LABELS, assessment_of
from .report.data import OKABE_ITO

# Narrow, with large type: on a phone the chart shrinks to the screen's width and its text stays readable.
WIDTH, HEIGHT = 480, 270
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 22, 40
INK = "#1b1f24"
GRID = "#d5dbe1"
VALUE_COLOUR = OKABE_ITO["blue"]
TARGET_COLOUR = OKABE_ITO["bluish_green"]
BASELINE_COLOUR = OKABE_ITO["vermillion"]
FONT = "DejaVu Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Point:
    """An approved value: what, as of when, reported by whom, in which update."""

    value: Decimal
    as_of: datetime.date
    organisation: str
    update_url: str


@dataclass
class IndicatorChart:
    indicator: Indicator
    points: list[Point]

    @property
    def assessment(self) -> str:
        return assessment_of(self.indicator)

    @property
    def assessment_label(self) -> str:
        return str(LABELS[self.assessment])

    @property
    def chart_id(self) -> str:
        return f"indicator-{self.indicator.pk}"

    def svg(self) -> SafeString:
        return render_svg(self)


def indicator_charts(project: Project) -> list[IndicatorChart]:
    """Each of the initiative's (prefetched) indicators with its approved values, oldest first: one query."""
    indicators = list(project.indicators.all())
    points: dict[int, list[Point]] = defaultdict(list)
    values = (
        IndicatorValue.objects.filter(
            indicator__in=indicators, applied=True, update__status=UpdateStatus.APPROVED
        )
        .select_related("update__organisation")
        .order_by("as_of", "update__reviewed_at", "pk")
    )
    for value in values:
        points[value.indicator_id].append(
            Point(
                value=value.value,
                as_of=value.as_of,
                organisation=value.update.organisation.short_name,
                update_url=value.update.get_absolute_url(),
            )
        )
    return [IndicatorChart(indicator=indicator, points=points[indicator.pk]) for indicator in indicators]


def _number(value: Decimal | float) -> str:
    """``value`` as the site writes numbers, without trailing zeros (250, 12.5)."""
    value = Decimal(str(value))
    return number_format(int(value) if value == value.to_integral_value() else value.normalize())


def _element(name: str, content=None, /, **attributes) -> SafeString:
    """An SVG element, everything escaped (``text_anchor`` is written ``text-anchor``)."""
    attrs = format_html_join("", ' {}="{}"', ((key.replace("_", "-"), value) for key, value in attributes.items()))
    if content is None:
        return format_html("<{}{}/>", name, attrs)
    return format_html("<{}{}>{}</{}>", name, attrs, content, name)


def _year_date(year: int, end: bool = False) -> datetime.date:
    return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)


def _nice_ceiling(value: float) -> float:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def description(chart: IndicatorChart) -> str:
    """The chart in words: what its ``<desc>`` says."""
    indicator = chart.indicator
    parts = []
    if indicator.baseline is not None:
        parts.append(
            _("Baseline %(value)s%(year)s.")
            % {
                "value": _number(indicator.baseline),
                "year": f" ({indicator.baseline_year})" if indicator.baseline_year else "",
            }
        )
    if indicator.target is not None:
        parts.append(
            _("Target: %(comparator)s %(value)s%(year)s.")
            % {
                "comparator": indicator.get_target_comparator_display(),
                "value": _number(indicator.target),
                "year": _(" by %(year)s") % {"year": indicator.target_year} if indicator.target_year else "",
            }
        )
    if chart.points:
        values = "; ".join(f"{_number(p.value)} ({date_format(p.as_of)})" for p in chart.points)
        parts.append(_("Approved values: %(values)s.") % {"values": values})
    parts.append(_("Assessment: %(label)s.") % {"label": chart.assessment_label})
    return " ".join(parts)


def render_svg(chart: IndicatorChart) -> SafeString:
    """The values over time as a line, the baseline and target as labelled lines, and the straight line from the
    baseline to the target by the target year where both years are known."""
    indicator, points = chart.indicator, chart.points
    dates = [p.as_of for p in points]
    if indicator.baseline is not None and indicator.baseline_year:
        dates.append(_year_date(indicator.baseline_year))
    if indicator.target is not None and indicator.target_year:
        dates.append(_year_date(indicator.target_year, end=True))
    if not dates:
        return format_html("")
    first, last = min(dates), max(dates)
    first, last = _year_date(first.year), _year_date(last.year, end=True)
    numbers = [float(p.value) for p in points]
    numbers += [float(v) for v in (indicator.baseline, indicator.target) if v is not None]
    top = _nice_ceiling(max(numbers, default=0) * 1.05)
    span = (last - first).days or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y(value) -> float:
        return round(TOP + plot_h * (1 - float(value) / top), 1)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="16" fill="{ink}">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
            w=WIDTH,
            h=HEIGHT,
            id=chart.chart_id,
            font=FONT,
            ink=INK,
            title=_("%(name)s over time (%(unit)s)") % {"name": indicator.name, "unit": indicator.unit},
            desc=description(chart),
        )
    ]
    # The value axis: 0, half and the top, with grid lines.
    for value in (0, top / 2, top):
        parts.append(_element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=y(value), y2=y(value), stroke=GRID))
        parts.append(_element("text", _number(value), x=LEFT - 6, y=y(value) + 5, text_anchor="end"))
    # The time axis: a tick per year (every other one when there are many).
    years = list(range(first.year, last.year + 1))
    step = 1 if len(years) <= 5 else 2 if len(years) <= 10 else 5
    for year in years[::step]:
        tick = x(datetime.date(year, 1, 1))
        parts.append(_element("line", x1=tick, x2=tick, y1=HEIGHT - BOTTOM, y2=HEIGHT - BOTTOM + 5, stroke=INK))
        parts.append(_element("text", year, x=tick, y=HEIGHT - BOTTOM + 24, text_anchor="middle"))
    parts.append(
        _element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=HEIGHT - BOTTOM, y2=HEIGHT - BOTTOM, stroke=INK)
    )
    # Baseline, target, and the straight line between them.
    if indicator.baseline is not None:
        parts.append(_reference_line(y(indicator.baseline), BASELINE_COLOUR, "2 4", _("baseline")))
    if indicator.target is not None:
        parts.append(_reference_line(y(indicator.target), TARGET_COLOUR, "8 4", _("target")))
    if None not in (indicator.baseline, indicator.target, indicator.baseline_year, indicator.target_year):
        start, end = _year_date(indicator.baseline_year), _year_date(indicator.target_year, end=True)
        parts.append(
            _element(
                "line",
                x1=x(start),
                y1=y(indicator.baseline),
                x2=x(end),
                y2=y(indicator.target),
                stroke=OKABE_ITO["grey"],
                stroke_width=1.5,
                stroke_dasharray="1 3",
            )
        )
    # The approved values.
    if len(points) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(p.as_of)},{y(p.value)}" for i, p in enumerate(points))
        parts.append(_element("path", d=path, fill="none", stroke=VALUE_COLOUR, stroke_width=2.5))
    if points:  # the latest value, named beside its point
        latest = points[-1]
        right = x(latest.as_of) > LEFT + plot_w * 0.8
        parts.append(
            _element(
                "text",
                _number(latest.value),
                x=x(latest.as_of) + (-9 if right else 9),
                y=y(latest.value) - 9,
                text_anchor="end" if right else "start",
                font_weight="bold",
            )
        )
    for point in points:
        label = f"{_number(point.value)} ({date_format(point.as_of)}, {point.organisation})"
        parts.append(
            _element(
                "circle",
                _element("title", label),
                cx=x(point.as_of),
                cy=y(point.value),
                r=5,
                fill=VALUE_COLOUR,
                stroke=INK,
                stroke_width=1,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every piece is escaped by format_html


def _reference_line(at: float, colour: str, dashes: str, label: str) -> SafeString:
    return format_html(
        "{}{}",
        _element(
            "line", x1=LEFT, x2=WIDTH - RIGHT, y1=at, y2=at, stroke=colour, stroke_width=2, stroke_dasharray=dashes
        ),
        _element("text", label, x=WIDTH - RIGHT, y=at - 6, text_anchor="end", font_size=15),
    )
