"""Import a cycle's work plan (the annex of the Chair's Conclusions) from a CSV or XLSX spreadsheet.

Columns ``initiative`` (slug or exact title), ``planned activity``, ``expected output``. Every row is checked
first, and any error (with its spreadsheet row number) imports nothing; otherwise all rows are written in one
transaction, and ``replace`` deletes the cycle's items missing from the file (never items reported on).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import Project

from .models import CycleStatus, ReportingCycle, WorkPlanItem, WorkPlanItemReport

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
ACTIVITY_MAX = WorkPlanItem._meta.get_field("planned_activity").max_length
OUTPUT_MAX = 5000

COLUMN_NAMES = {
    "initiative": {"initiative", "initiative slug", "slug", "project", "initiative title"},
    "planned_activity": {"planned activity", "planned activities", "activity"},
    "expected_output": {
        "expected output",
        "expected outputs",
        "expected output and results",
        "expected outputs and results",
        "output",
    },
}
REQUIRED = ("initiative", "planned_activity")


class WorkPlanFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(kw_only=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(kw_only=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("Nothing was imported: %(count)s rows have errors.") % {"count": len(self.errors)}
        text = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(deleted)s deleted.") % vars(self)
        return (_("Check only, nothing saved: ") + text) if self.dry_run else text


def _normalise(name) -> str:
    return " ".join(str(name or "").replace("_", " ").strip().lower().split())


def _header(cells: list) -> dict[str, int]:
    positions: dict[str, int] = {}
    names = [_normalise(c) for c in cells]
    for key, accepted in COLUMN_NAMES.items():  # (already normalised)
        for index, name in enumerate(names):
            if name in accepted:
                positions.setdefault(key, index)
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        raise WorkPlanFileError(
            _(
                "The first row must name the columns “initiative”, “planned activity” and “expected output”; "
                "missing: %(m)s."
            )
            % {"m": ", ".join(k.replace("_", " ") for k in missing)}
        )
    return positions


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {initiative, planned_activity, expected_output}) for each non-empty row of the file."""
    if len(content) > MAX_BYTES:
        raise WorkPlanFileError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        raw = _xlsx_rows(content)
    elif name.endswith((".csv", ".txt")) or not name:
        raw = _csv_rows(content)
    else:
        raise WorkPlanFileError(_("Give a CSV (.csv) or Excel (.xlsx) file."))
    if not raw:
        raise WorkPlanFileError(_("The file is empty."))
    positions = _header(raw[0])
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {key: _cell(cells[index]) if index < len(cells) else "" for key, index in positions.items()}
        values.setdefault("expected_output", "")
        if not any(values.values()):
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise WorkPlanFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkPlanFileError(_("The CSV file is not UTF-8: save it as “CSV UTF-8” and try again.")) from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise WorkPlanFileError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise WorkPlanFileError(_("The Excel file cannot be read (%(error)s).") % {"error": error}) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def import_work_plan(
    *, cycle: ReportingCycle, rows: list[tuple[int, dict[str, str]]], replace: bool = False, dry_run: bool = False
) -> ImportResult:
    """Check every row, then write them all in one transaction, or nothing."""
    result = ImportResult(dry_run=dry_run)
    if cycle.status == CycleStatus.PUBLISHED:
        result.errors.append(
            RowError(row=1, message=_("The report of this cycle is published: its work plan is final."))
        )
        return result
    projects = list(Project.objects.only("pk", "slug", "title"))
    by_slug = {p.slug.lower(): p for p in projects}
    by_title = {p.title.casefold(): p for p in projects}
    seen: dict[tuple[int, str], int] = {}
    wanted: list[tuple[Project, str, str]] = []
    for number, values in rows:
        key = values["initiative"]
        project = by_slug.get(key.lower()) or by_title.get(key.casefold())
        activity, output = values["planned_activity"], values["expected_output"]
        problems = []
        if not key:
            problems.append(_("the initiative is missing."))
        elif project is None:
            problems.append(_("no initiative has the slug or title “%(key)s”.") % {"key": key[:120]})
        if not activity:
            problems.append(_("the planned activity is missing."))
        elif len(activity) > ACTIVITY_MAX:
            problems.append(
                _("the planned activity is longer than %(max)s characters; put the details in the expected output.")
                % {"max": ACTIVITY_MAX}
            )
        if len(output) > OUTPUT_MAX:
            problems.append(_("the expected output is longer than %(max)s characters.") % {"max": OUTPUT_MAX})
        if project is not None and activity:
            first = seen.setdefault((project.pk, activity), number)
            if first != number:
                problems.append(
                    _("the same planned activity of this initiative is already on row %(row)s.") % {"row": first}
                )
        result.errors.extend(RowError(row=number, message=problem) for problem in problems)
        if not problems:
            wanted.append((project, activity, output))
    if result.errors:
        return result

    with transaction.atomic():
        existing = {(i.project_id, i.planned_activity): i for i in WorkPlanItem.objects.filter(cycle=cycle)}
        positions: dict[int, int] = {}
        kept = {(project.pk, activity) for project, activity, _output in wanted}
        for project, activity, output in wanted:
            position = positions[project.pk] = positions.get(project.pk, 0) + 1
            item = existing.get((project.pk, activity))
            if item is None:
                WorkPlanItem.objects.create(
                    cycle=cycle, project=project, planned_activity=activity, expected_output=output, position=position
                )
                result.created += 1
            elif item.expected_output != output or item.position != position:
                item.expected_output, item.position = output, position
                item.save(update_fields=["expected_output", "position"])
                result.updated += 1
            else:
                result.unchanged += 1
        if replace:
            obsolete = [item for key, item in existing.items() if key not in kept]
            reported_ids = set(WorkPlanItemReport.objects.filter(item__in=obsolete).values_list("item_id", flat=True))
            reported = [item for item in obsolete if item.pk in reported_ids]
            if reported:
                message = _("“%(activity)s” is not in the file but updates report on it: it cannot be deleted.")
                result.errors.extend(
                    RowError(row=1, message=message % {"activity": item.planned_activity}) for item in reported
                )
                result.created = result.updated = result.unchanged = 0
                transaction.set_rollback(True)
                return result
            for item in obsolete:
                item.delete()
            result.deleted = len(obsolete)
        if dry_run:
            transaction.set_rollback(True)
    return result
