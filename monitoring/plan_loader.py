"""Load meetings and reporting cycles from the plan's YAML (``fixtures/plan/cycles.yaml``), in ``load_action_plan``.

Only what the plan states is shipped (ASEMME2, where the Secretariat was established; ASEMME8, which approved the
plan); the Secretariat adds dates, hosts, other events, documents and news in the admin, and a new load keeps them.

Idempotent: objects are found by natural key and saved only when a field differs. A cycle's status and
submission window are set only at its creation, so that a new load does not undo the Secretariat's decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from projects.plan_loader import LoadReport, PlanDataError, _date, _sync
from stakeholders.models import Country

from .models import Meeting, MeetingKind, ReportingCycle


def read_cycles(directory: Path | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    directory = Path(directory or settings.ACTION_PLAN_DIR)
    meetings, cycles = [], []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        meetings.extend(data.get("meetings") or [])
        cycles.extend(data.get("cycles") or [])
    return meetings, cycles


def _meeting_values(data: dict[str, Any], countries: dict[str, Country]) -> dict[str, Any]:
    host = data.get("host")
    if host and host not in countries:
        raise PlanDataError(f"Meeting {data['kind']}{data.get('number', '')}: unknown host country {host!r}.")
    values = {
        "status": data.get("status", "planned"),
        "year": int(data["year"]),
        "start_date": _date(data.get("start_date")),
        "end_date": _date(data.get("end_date")),
        "host_country": countries.get(host) if host else None,
        "city": data.get("city") or "",
        "note": (data.get("note") or "").strip(),
    }
    if "is_online" in data:
        values["is_online"] = bool(data["is_online"])
    return values


def _sync_meeting(report: LoadReport, key: dict[str, Any], values: dict[str, Any]) -> Meeting:
    """Create the meeting with every value; once it exists, change only what the YAML states (a value that is
    not empty), never its status: the Secretariat keeps hosts, dates and whether it was held in the admin."""
    if Meeting.objects.filter(**key).exists():
        values = {name: value for name, value in values.items() if name != "status" and value not in (None, "")}
    return _sync(report, Meeting, key, values)


def load_cycles(directory: Path | None = None, *, report: LoadReport | None = None) -> LoadReport:
    report = report if report is not None else LoadReport()
    meetings, cycles = read_cycles(directory)
    if not meetings and not cycles:
        return report
    countries = {c.iso_code: c for c in Country.objects.all()}

    asemmes: dict[str, Meeting] = {}
    officials, events = [], []
    for data in meetings:
        if data.get("kind") not in MeetingKind.values:
            raise PlanDataError(f"Meeting {data!r}: the kind must be one of {MeetingKind.values}.")
        if data["kind"] == MeetingKind.OTHER:
            if not data.get("title"):
                raise PlanDataError(f"Event {data!r}: another event needs a title.")
            key = {"kind": MeetingKind.OTHER, "title": data["title"], "year": int(data["year"])}
            values = _meeting_values(data, countries)
            values.pop("year")
            events.append((key, values, data.get("cycle")))
            continue
        if data["kind"] != MeetingKind.ASEMME:
            officials.append(data)
            continue
        key = {"kind": MeetingKind.ASEMME, "number": int(data["number"])}
        meeting = _sync_meeting(report, key, _meeting_values(data, countries))
        asemmes[f"asemme-{meeting.number}"] = meeting

    by_number: dict[int, ReportingCycle] = {}
    for data in cycles:
        number = int(data["number"])
        values = {}
        for key in ("opening_meeting", "closing_meeting"):
            ref = data.get(key)
            if ref and ref not in asemmes:
                raise PlanDataError(f"Cycle {number}: unknown meeting {ref!r} (write asemme-<number>).")
            values[key] = asemmes.get(ref) if ref else None
        for key in ("period_start", "period_end"):
            values[key] = _date(data[key])
        values["note"] = (data.get("note") or "").strip()
        if "status" in data:
            raise PlanDataError(
                f"Cycle {number}: a cycle's status follows from its dates (submission_opens, submission_closes); "
                "remove 'status'."
            )
        # Set once: the Secretariat's to change afterwards (the window's dates open and close the cycle).
        on_creation = {
            "submission_opens": _date(data["submission_opens"]),
            "submission_closes": _date(data["submission_closes"]),
        }
        exists = ReportingCycle.objects.filter(number=number).exists()
        values = values if exists else {**values, **on_creation}
        by_number[number] = _sync(report, ReportingCycle, {"number": number}, values)

    for data in officials:
        cycle_number = data.get("cycle")
        cycle = by_number.get(int(cycle_number)) if cycle_number else None
        if cycle is None:
            raise PlanDataError(f"Meeting {data['kind']}{data['number']}: name the cycle it prepares (cycle: N).")
        key = {"kind": data["kind"], "number": int(data["number"]), "cycle": cycle}
        _sync_meeting(report, key, _meeting_values(data, countries))
    for key, values, cycle_number in events:
        cycle = by_number.get(int(cycle_number)) if cycle_number else None
        if cycle_number and cycle is None:
            raise PlanDataError(f"Event {key['title']!r}: unknown cycle {cycle_number!r}.")
        _sync_meeting(report, key, {**values, "cycle": cycle})
    return report
