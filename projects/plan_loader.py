"""Load the Action Plan from ``fixtures/plan/*.yaml`` into the database.

Idempotent: every object is found by its natural key (objective number,
subgoal code, action number, country ISO code, organisation and initiative
slug, row (initiative, action), milestone and indicator title/name within an
initiative) and saved only when a field differs, so a second run writes
nothing and adds no history.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models, transaction

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import (
    ActionContribution,
    Indicator,
    Milestone,
    OrganisationRole,
    Project,
    ProjectLink,
    ProjectOrganisation,
)
from stakeholders.models import Country, Organisation, OrganisationKind


class PlanDataError(ValueError):
    """The plan's YAML is inconsistent (unknown slug, duplicate with other values…)."""


@dataclass(kw_only=True)
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        names = sorted(set(self.created) | set(self.updated))
        if not names:
            return "The plan is up to date: nothing changed."
        return "; ".join(f"{name}: {self.created[name]} created, {self.updated[name]} updated" for name in names)

    def sync(self, model: type[models.Model], lookup: dict[str, Any], **values: Any):
        """Get or create one object; save it only when one of ``values`` differs."""
        obj = model.objects.filter(**lookup).first()
        name = model._meta.verbose_name_plural
        if obj is None:
            obj = model(**lookup, **values)
            self.created[name] += 1
        elif any(getattr(obj, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            self.updated[name] += 1
        else:
            return obj
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        return obj


def _sync(report: LoadReport, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]):
    """:meth:`LoadReport.sync` with the values as a dict (monitoring.plan_loader calls it so)."""
    return report.sync(model, lookup, **values)


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def read_plan(directory: Path | None = None) -> dict[str, Any]:
    """Read and merge the YAML files; raise PlanDataError on inconsistencies."""
    directory = Path(directory or settings.ACTION_PLAN_DIR)
    plan: dict[str, Any] = {"objectives": [], "actions": {}, "countries": {}, "organisations": {}, "initiatives": {}}
    files = sorted(directory.glob("*.yaml"))
    row_positions: Counter = Counter()
    if not files:
        raise PlanDataError(f"No plan files found in {directory}.")
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        plan["objectives"].extend(data.get("objectives") or [])
        for region, countries in (data.get("countries") or {}).items():
            for iso, name in countries.items():
                plan["countries"][iso] = {"name": name, "region": region}
        for action in data.get("actions") or []:
            plan["actions"][int(action["number"])] = action
        for org in data.get("organisations") or []:
            known = plan["organisations"].get(org["slug"])
            if known and known != org:
                raise PlanDataError(f"{path.name}: organisation {org['slug']!r} is defined twice with other values.")
            plan["organisations"][org["slug"]] = org
        for initiative in data.get("initiatives") or []:
            slug = initiative["slug"]
            for row in initiative.get("rows") or []:
                # The row's place under its action, in the plan's (file) order.
                row_positions[int(row["action"])] += 1
                row.setdefault("position", row_positions[int(row["action"])])
            known = plan["initiatives"].get(slug)
            if known is None:
                plan["initiatives"][slug] = {**initiative, "rows": list(initiative.get("rows") or [])}
                continue
            if known["title"] != initiative["title"]:
                raise PlanDataError(f"{path.name}: initiative {slug!r} has two titles.")
            known["rows"].extend(initiative.get("rows") or [])
            for key in ("leads", "partners", "funders", "urls", "milestones", "indicators"):
                for item in initiative.get(key) or []:
                    if item not in known.setdefault(key, []):
                        known[key].append(item)
            known["is_new"] = known.get("is_new") or initiative.get("is_new", False)
    return plan


@transaction.atomic
def load_plan(directory: Path | None = None) -> LoadReport:
    """Bring the database in line with the plan's files."""
    plan = read_plan(directory)
    report = LoadReport()

    for obj in plan["objectives"]:
        objective = report.sync(
            StrategicObjective,
            {"number": obj["number"]},
            slug=obj["slug"],
            title=obj["title"],
            short_title=obj.get("short_title", ""),
            colour=obj["colour"],
        )
        for position, sub in enumerate(obj["subgoals"], start=1):
            report.sync(Subgoal, {"code": sub["code"]}, objective=objective, position=position, text=sub["text"])

    subgoals = {s.code: s for s in Subgoal.objects.all()}
    for number in sorted(plan["actions"]):
        data = plan["actions"][number]
        action = report.sync(
            Action,
            {"number": number},
            description=data["description"],
            serves_all_objectives=bool(data.get("serves_all_objectives", False)),
            mapping_rationale=data.get("rationale", ""),
        )
        wanted = set()
        for code in data.get("subgoals", []):
            if str(code) not in subgoals:
                raise PlanDataError(f"Action {number}: unknown subgoal {code!r}.")
            wanted.add(subgoals[str(code)].pk)
        current = set(action.subgoals.values_list("pk", flat=True))
        if wanted != current:
            action.subgoals.set(wanted)
            report.updated["action subgoal mappings"] += 1

    for iso, data in sorted(plan["countries"].items()):
        report.sync(Country, {"iso_code": iso}, name=data["name"], region=data["region"], is_asem_partner=True)
    countries = {c.iso_code: c for c in Country.objects.all()}

    # The ministries in charge of education of the 51 partner countries are the plan's official partners (3.2.1).
    for iso, country in sorted(countries.items()):
        if not country.is_asem_partner:
            continue
        report.sync(
            Organisation,
            {"slug": f"ministry-{iso.lower()}"},
            name=f"Ministry in charge of education, {country.name}",
            acronym="",
            kind=OrganisationKind.PARTNER_GOVERNMENT,
            region=country.region,
            country=country,
            website="",
            parent=None,
        )

    # Parents first: an organisation may name a parent defined later in the files.
    pending = dict(plan["organisations"])
    while pending:
        progress = False
        for slug, org in list(pending.items()):
            parent_slug = org.get("parent")
            if parent_slug and parent_slug in pending:
                continue
            parent = None
            if parent_slug:
                parent = Organisation.objects.filter(slug=parent_slug).first()
                if parent is None:
                    raise PlanDataError(f"Organisation {slug!r}: unknown parent {parent_slug!r}.")
            country = None
            if org.get("country"):
                country = countries.get(org["country"])
                if country is None:
                    raise PlanDataError(f"Organisation {slug!r}: unknown country {org['country']!r}.")
            report.sync(
                Organisation,
                {"slug": slug},
                name=org["name"],
                acronym=org.get("acronym") or "",
                kind=org["kind"],
                region=org["region"],
                country=country,
                website=org.get("website") or "",
                parent=parent,
            )
            del pending[slug]
            progress = True
        if not progress:
            raise PlanDataError(f"Organisations with circular parents: {sorted(pending)}")

    organisations = {o.slug: o for o in Organisation.objects.all()}
    actions = {a.number: a for a in Action.objects.all()}
    initiatives = Project._meta.verbose_name_plural
    for slug, data in plan["initiatives"].items():
        changes_before, created_before = report.changes, report.created[initiatives]
        project = report.sync(
            Project,
            {"slug": slug},
            title=data["title"],
            is_new=bool(data.get("is_new", False)),
            lead_note=data.get("lead_note") or "",
            summary=data.get("summary") or "",
        )
        for role, key in (
            (OrganisationRole.LEAD, "leads"),
            (OrganisationRole.PARTNER, "partners"),
            (OrganisationRole.FUNDER, "funders"),
        ):
            for position, org_slug in enumerate(data.get(key) or []):
                if org_slug not in organisations:
                    raise PlanDataError(f"Initiative {slug!r}: unknown organisation {org_slug!r}.")
                report.sync(
                    ProjectOrganisation,
                    {"project": project, "organisation": organisations[org_slug], "role": role},
                    position=position,
                )
        for row in data.get("rows", []):
            number = int(row["action"])
            if number not in actions:
                raise PlanDataError(f"Initiative {slug!r}: unknown action {number}.")
            report.sync(
                ActionContribution,
                {"project": project, "action": actions[number]},
                position=row["position"],
                activities=(row.get("activities") or "").strip(),
                expected_outcomes=(row.get("outcomes") or "").strip(),
            )
        for position, url in enumerate(data.get("urls") or []):
            report.sync(ProjectLink, {"project": project, "url": url}, position=position)
        for ms in data.get("milestones") or []:
            report.sync(
                Milestone,
                {"project": project, "title": ms["title"]},
                planned_start=_date(ms.get("planned_start")),
                planned_end=_date(ms.get("planned_end")),
                period_label=ms.get("period_label") or "",
                status=ms.get("status", "planned"),
                achieved_on=_date(ms.get("achieved_on")),
                note=ms.get("note") or "",
            )
        for ind in data.get("indicators") or []:
            report.sync(
                Indicator,
                {"project": project, "name": ind["name"]},
                unit=ind.get("unit") or "",
                baseline=_decimal(ind.get("baseline")),
                baseline_year=ind.get("baseline_year"),
                target=_decimal(ind.get("target")),
                target_comparator=ind.get("target_comparator") or "gte",
                target_year=ind.get("target_year"),
                note=ind.get("note") or "",
            )
        if report.changes != changes_before and report.created[initiatives] == created_before:
            Project.objects.filter(pk=project.pk).raise_version()  # a profile form opened before conflicts
    return report
