"""The Asia–Europe balance of the plan, outside any report: the lead and the partner organisations of the
initiatives by region, over the whole plan and for each strategic objective, as the stocktaking report's charts
(server-rendered SVG, each with its data table).

Counted as the report counts its leads (``monitoring.report.sections.build_balance``): distinct organisations,
so an organisation leading ten initiatives counts once in each column it stands in; an initiative under actions
of two objectives counts under both. Three queries, whatever the size of the plan.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.models import StrategicObjective
from projects.models import OrganisationRole, ProjectOrganisation

from .report.data import COLOURS, REGIONS, Chart, ChartSeries, bucket_label

#: The roles whose balance is shown, in order: (role, chart id, title, description).
ROLES = (
    (
        OrganisationRole.LEAD,
        "lead-balance",
        gettext_lazy("Lead organisations by region"),
        gettext_lazy(
            "Distinct lead organisations of the initiatives, by region, over the whole plan and for each objective."
        ),
    ),
    (
        OrganisationRole.PARTNER,
        "partner-balance",
        gettext_lazy("Partner organisations by region"),
        gettext_lazy(
            "Distinct partner organisations of the initiatives, by region, over the whole plan and for each objective."
        ),
    ),
)


def build_plan_balance() -> list[Chart]:
    """One chart per role (leads, partners): its organisations by region, overall and per objective."""
    taking_part = ProjectOrganisation.objects.filter(role__in=[role for role, *_rest in ROLES]).order_by()
    overall: dict[str, dict[str, int]] = defaultdict(dict)
    for role, region, count in taking_part.values_list("role", "organisation__region").annotate(
        Count("organisation", distinct=True)
    ):
        overall[role][region] = count
    per_objective: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for role, objective, region, count in taking_part.values_list(
        "role", F("project__rows__action__subgoals__objective__number"), "organisation__region"
    ).annotate(Count("organisation", distinct=True)):
        if objective is not None:
            per_objective[role, objective][region] = count
    objectives = list(StrategicObjective.objects.order_by("number").values_list("number", flat=True))
    charts = []
    for role, chart_id, title, description in ROLES:
        columns = [overall[role]] + [per_objective[role, number] for number in objectives]
        charts.append(
            Chart(
                id=chart_id,
                title=str(title),
                description=str(description),
                categories=[_("All initiatives")]
                + [_("Strategic objective %(number)s") % {"number": number} for number in objectives],
                series=[
                    ChartSeries(
                        key=region,
                        label=bucket_label(region),
                        colour=COLOURS[region],
                        values=[column.get(region, 0) for column in columns],
                    )
                    for region in REGIONS
                ],
                stacked=True,
            )
        )
    return charts
