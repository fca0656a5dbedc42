"""Balance: the distinct lead organisations of the initiatives by region, overall and for each objective."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F

from projects.models import OrganisationRole, ProjectOrganisation
from stakeholders.models import Region

from .data import Balance, BalanceRow, RegionCounts
from .plan import Plan


def region_counts(leads: dict[str, int]) -> RegionCounts:
    return RegionCounts(
        asia=leads.get(Region.ASIA, 0),
        europe=leads.get(Region.EUROPE, 0),
        international=leads.get(Region.INTERNATIONAL, 0),
    )


def build_balance(plan: Plan) -> Balance:
    """Two queries: lead organisations counted by region, over every initiative and per objective."""
    leads = ProjectOrganisation.objects.filter(role=OrganisationRole.LEAD).order_by()
    overall = leads.values_list("organisation__region").annotate(Count("organisation", distinct=True))
    per_objective: dict[int, dict[str, int]] = defaultdict(dict)
    for objective, region, count in leads.values_list(
        F("project__rows__action__subgoals__objective__number"), "organisation__region"
    ).annotate(Count("organisation", distinct=True)):
        per_objective[objective][region] = count
    return Balance(
        overall=region_counts(dict(overall)),
        per_objective=[
            BalanceRow(key=str(o.number), label=str(o.label), counts=region_counts(per_objective[o.number]))
            for o in plan.objectives
        ],
    )
