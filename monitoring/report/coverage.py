"""Coverage: who reported, who did not (a list to act on), per lead organisation."""

from __future__ import annotations

from django.db.models import Count

from stakeholders.models import Region

from ..models import ReportingCycle
from .data import Coverage, OrganisationCoverage
from .initiatives import Initiatives, approved_updates


def build_coverage(cycle: ReportingCycle, initiatives: Initiatives) -> Coverage:
    """The initiatives by whether they reported (the active ones are expected to), and each lead organisation of
    an active or reported initiative with what it leads, what reported and how many updates it wrote."""
    updates_by_organisation = dict(
        approved_updates(cycle).order_by().values_list("organisation_id").annotate(updates=Count("pk"))
    )
    region_labels = dict(Region.choices)
    organisations: dict[int, OrganisationCoverage] = {}
    for pk, entry in initiatives.entries.items():
        if not (entry.active or entry.reported):
            continue
        for lead in initiatives.lead_organisations[pk]:
            organisation = organisations.setdefault(
                lead["organisation_id"],
                OrganisationCoverage(
                    slug=lead["slug"],
                    name=lead["name"],
                    region=lead["region"],
                    region_label=str(region_labels.get(lead["region"], lead["region"])),
                    initiatives_led=0,
                    reported=0,
                    approved_updates=updates_by_organisation.get(lead["organisation_id"], 0),
                    not_reported=[],
                ),
            )
            organisation.initiatives_led += 1
            if entry.reported:
                organisation.reported += 1
            else:
                organisation.not_reported.append(entry.title)
    refs, active, reported = initiatives.refs.items(), initiatives.active, initiatives.reported
    return Coverage(
        reported=[ref for pk, ref in refs if pk in reported],
        not_reported=[ref for pk, ref in refs if pk in active and pk not in reported],
        not_expected=[ref for pk, ref in refs if pk not in active and pk not in reported],
        organisations=sorted(organisations.values(), key=lambda o: (-len(o.not_reported), o.name.lower())),
    )
