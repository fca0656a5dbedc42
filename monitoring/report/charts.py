"""The report's charts: their data, taken from the report's own numbers (nothing is counted again)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .data import (
    BEHIND,
    COLOURS,
    MET,
    MILESTONE_BUCKETS,
    NO_TARGET,
    NO_VALUE,
    ON_TRACK,
    REGIONS,
    WORK_PLAN_OUTCOMES,
    Chart,
    ChartSeries,
    StocktakingReportData,
    bucket_label,
)


def build_charts(data: StocktakingReportData) -> list[Chart]:
    """The charts' data, taken from the report's own numbers (nothing is counted again)."""
    s = data.summary
    objective_labels = [row.label for row in s.per_objective]
    return [
        Chart(
            id="coverage-by-objective",
            title=_("Reporting by strategic objective"),
            description=_(
                "For each objective, the active initiatives that reported in the cycle (an approved update) and "
                "those that did not."
            ),
            categories=objective_labels,
            series=[
                ChartSeries(
                    "reported", bucket_label("reported"), COLOURS["reported"], [r.reported for r in s.per_objective]
                ),
                ChartSeries(
                    "not_reported",
                    bucket_label("not_reported"),
                    COLOURS["not_reported"],
                    [r.not_reported for r in s.per_objective],
                ),
            ],
            stacked=True,
        ),
        Chart(
            id="milestones",
            title=_("Milestones of the cycle"),
            description=_("The milestones due or achieved in the cycle, by outcome as of the report's date."),
            categories=[bucket_label(b) for b in MILESTONE_BUCKETS],
            series=[
                ChartSeries(
                    "milestones",
                    _("Milestones"),
                    COLOURS[ON_TRACK],
                    [
                        s.milestones_achieved,
                        s.milestones_on_track,
                        s.milestones_delayed,
                        s.milestones_overdue,
                        s.milestones_cancelled,
                    ],
                )
            ],
        ),
        Chart(
            id="indicators",
            title=_("Indicators against their targets"),
            description=_("Each indicator's latest value in the cycle against its target and trajectory."),
            categories=[bucket_label(a) for a in (MET, ON_TRACK, BEHIND, NO_VALUE, NO_TARGET)],
            series=[
                ChartSeries(
                    "indicators",
                    _("Indicators"),
                    COLOURS[ON_TRACK],
                    [
                        s.indicators_met,
                        s.indicators_on_track - s.indicators_met,
                        s.indicators_behind,
                        s.indicators_no_value,
                        s.indicators_no_target,
                    ],
                )
            ],
        ),
        Chart(
            id="work-plan",
            title=_("Work plan of the cycle"),
            description=_("The cycle's planned activities, as the approved updates report them."),
            categories=[bucket_label(o) for o in WORK_PLAN_OUTCOMES],
            series=[
                ChartSeries(
                    "items",
                    _("Planned activities"),
                    COLOURS[ON_TRACK],
                    [s.work_plan_done, s.work_plan_not_done, s.work_plan_no_report],
                )
            ],
        ),
        Chart(
            id="balance",
            title=_("Lead organisations by region"),
            description=_("Distinct lead organisations of the initiatives, by region, overall and for each objective."),
            categories=[_("All initiatives")] + [row.label for row in data.balance.per_objective],
            series=[
                ChartSeries(
                    region,
                    bucket_label(region),
                    COLOURS[region],
                    [getattr(data.balance.overall, region)]
                    + [getattr(row.counts, region) for row in data.balance.per_objective],
                )
                for region in REGIONS
            ],
            stacked=True,
        ),
    ]
