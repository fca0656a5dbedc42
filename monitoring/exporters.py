"""The stocktaking report as PDF (WeasyPrint), XLSX (openpyxl) and CSV: renderings of the builder's dataclasses.

Every number comes from ``monitoring.report``. Spreadsheet text is guarded against formula injection; the PDF
fetches nothing. A large report's PDF (``PDF_FULL_ENTRIES``) is its digest, as on its page; the XLSX and CSV
hold everything. A published report's files are rendered once, at publication (``services.publish_report``).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from actions.models import StrategicObjective
from core.mail import site_link

from .report import StocktakingReportData, summary_rows
from .report.charts import table_rows as chart_table

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# WeasyPrint logs every layout step at INFO: keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
REPORT_STYLESHEETS = ("monitoring/report.css", "monitoring/report-print.css")
FORMATS = ("pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def filename(cycle_number: int, extension: str, *, published: bool) -> str:
    state = "" if published else "-draft"
    return f"asem-stocktaking-report-cycle-{cycle_number}{state}.{extension}"


def render(data: StocktakingReportData, extension: str) -> bytes:
    """The report as a file of one of the ``FORMATS``."""
    if extension == "pdf":
        return to_pdf(data)
    if extension == "xlsx":
        return to_xlsx(data)
    return to_csv(data).encode("utf-8")


def _text(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def context(data: StocktakingReportData, *, link_prefix: str = "", limit: int | None = None, **lists) -> dict:
    """What the report's templates render; each list cut to its first ``limit`` entries (with its whole size)."""
    changes = data.changes
    lists = {
        "new_initiatives": changes.new_initiatives,
        "ended": [(c.title, f"{c.before} → {c.after}") for c in changes.ended] + [(t, None) for t in changes.removed],
        "status_changes": changes.status_changes,
        "slipped": changes.slipped_milestones,
        "deltas": changes.indicator_deltas,
        "not_reported": data.coverage.not_reported,
        **lists,
    }
    return {
        "report": data,
        "summary_rows": summary_rows(data),
        "headline": headline_figures(data),
        "counting": counting(data),
        "initiatives_by_objective": by_objective(data, data.initiatives),
        "link_prefix": link_prefix,
        **{name: _FirstEntries(items, limit) for name, items in lists.items()},
    }


def headline_figures(data: StocktakingReportData) -> list[dict]:
    """The few figures that open the report, as tiles: a number, what it counts, and what it is out of."""
    s = data.summary

    def tile(key: str, value: int, label: str, detail: str = "") -> dict:
        return {"key": key, "value": value, "label": label, "detail": detail}

    return [
        tile(
            "reported",
            s.reported,
            _("initiatives reported"),
            _("of %(active)s active initiatives; %(missing)s did not")
            % {"active": s.active_initiatives, "missing": s.not_reported},
        ),
        tile(
            "approved_updates",
            s.approved_updates,
            _("approved progress updates"),
            _("from %(count)s organisations") % {"count": s.reporting_organisations},
        ),
        tile(
            "milestones_achieved",
            s.milestones_achieved,
            _("milestones achieved"),
            _("of %(total)s in the cycle; %(overdue)s overdue")
            % {"total": s.milestones, "overdue": s.milestones_overdue},
        ),
        tile(
            "indicators_on_track",
            s.indicators_on_track,
            _("indicators on track"),
            _("of %(total)s; %(behind)s behind") % {"total": s.indicators, "behind": s.indicators_behind},
        ),
        tile(
            "work_plan_done",
            s.work_plan_done,
            _("work-plan items done"),
            _("of %(total)s planned") % {"total": s.work_plan_items},
        ),
        tile(
            "new_initiatives",
            s.new_initiatives,
            _("new initiatives"),
            _("of %(total)s in the plan") % {"total": s.initiatives},
        ),
    ]


def counting(data: StocktakingReportData) -> dict[str, int]:
    """The sums that the report's notes explain: an initiative counts under each objective and each action it
    serves, so these exceed the number of initiatives."""
    s = data.summary
    return {
        "initiatives": s.initiatives,
        "objective_sum": sum(row.initiatives for row in s.per_objective),
        "action_sum": sum(row.initiatives for row in s.per_action),
        "several_objectives": sum(1 for i in data.initiatives if len(i.objectives) > 1),
    }


def by_objective(data: StocktakingReportData, entries: list) -> list[dict]:
    """``entries`` (initiatives in detail) grouped under their first objective, in the plan's order; an initiative
    under several objectives is shown once, under its first, and says which others it serves."""
    groups: dict[int | None, list] = {objective.number: [] for objective in data.objectives}
    for entry in entries:
        groups.setdefault(entry.objectives[0] if entry.objectives else None, []).append(entry)
    sections = {objective.number: objective for objective in data.objectives}
    return [
        {"objective": sections.get(number), "number": number, "initiatives": items}
        for number, items in groups.items()
        if items
    ]


class _FirstEntries(list):
    """The first ``limit`` entries of a list (all when ``limit`` is None), with the size of the whole list."""

    def __init__(self, items: list, limit: int | None = None):
        super().__init__(items if limit is None else items[:limit])
        self.total = len(items)
        self.cut = self.total > len(self)


# --- PDF ----------------------------------------------------------------------------------------------------


def _stylesheet_text() -> str:
    parts = []
    for name in REPORT_STYLESHEETS:
        path = finders.find(name)
        if path:
            with open(path, encoding="utf-8") as handle:
                parts.append(handle.read())
    return "\n".join(parts)


def _blocking_fetcher():
    """A URL fetcher that refuses everything: the report's HTML needs no external resource."""
    import weasyprint.urls

    base = getattr(weasyprint.urls, "URLFetcher", None)
    if base is not None:

        class NoFetcher(base):
            def fetch(self, url, headers=None):
                raise ValueError(f"The stocktaking report does not load {url}")

        return NoFetcher()

    def refuse(url, *args, **kwargs):
        raise ValueError(f"The stocktaking report does not load {url}")

    return refuse


def _objective_colours(data: StocktakingReportData) -> str:
    """Each objective's colour (validated #rrggbb) as rules, since the PDF has no /objectives.css."""
    return "\n".join(
        f".report .objective-block.objective-{o.number} {{ border-left-color: {o.colour}; }}\n"
        f".report .objective-badge.objective-{o.number} {{ background: {o.colour}; }}"
        for o in data.objectives
        if StrategicObjective.colour_is_valid(o.colour)
    )


#: The full PDF lays out every entry of the report (an initiative, each of its updates, milestones, indicators
#: and work-plan items, each reference and row of the other sections). Above this many entries the PDF is the
#: report's digest, whatever the size of the plan (why this number: docs/performance.md, "The report's PDF").
PDF_FULL_ENTRIES = 600
#: The digest shows at most this many entries of each list (the spreadsheet and the CSV have them all).
DIGEST_LIST_LIMIT = 100


def pdf_entries(data: StocktakingReportData) -> int:
    """How many entries the full PDF would lay out (what its rendering time grows with)."""
    coverage, changes = data.coverage, data.changes
    return (
        sum(1 + len(i.updates) + len(i.milestones) + len(i.indicators) + len(i.work_plan) for i in data.initiatives)
        + sum(len(a.initiatives) for o in data.objectives for s in o.subgoals for a in s.actions)
        + sum(1 + len(o.not_reported) for o in coverage.organisations)
        + sum(map(len, (coverage.reported, coverage.not_reported, coverage.not_expected, changes.removed)))
        + sum(map(len, (changes.new_initiatives, changes.ended, changes.status_changes)))
        + sum(map(len, (changes.slipped_milestones, changes.indicator_deltas)))
    )


def is_digest(data: StocktakingReportData) -> bool:
    """Whether the PDF of this report is its digest (too many entries for the full report)."""
    return pdf_entries(data) > PDF_FULL_ENTRIES


def digest_context(data: StocktakingReportData, *, link_prefix: str = "") -> dict:
    """``context`` plus what the digest's template needs: the plan with each action's counts, more lists cut short."""
    per_action = {row.key: row for row in data.summary.per_action}
    plan = [
        {
            "objective": objective,
            "subgoals": [
                {
                    "subgoal": subgoal,
                    "actions": [
                        {"action": action, "counts": per_action.get(str(action.number))} for action in subgoal.actions
                    ],
                }
                for subgoal in objective.subgoals
            ],
        }
        for objective in data.objectives
    ]
    lists = {"not_reported": data.coverage.not_reported, "organisations": data.coverage.organisations}
    return {
        **context(data, link_prefix=link_prefix, limit=DIGEST_LIST_LIMIT, **lists),
        "digest": True,
        "entries": pdf_entries(data),
        "limit": DIGEST_LIST_LIMIT,
        "plan": plan,
        "initiatives_url": link_prefix + reverse("reports:report-initiatives", args=[data.cycle.number]),
    }


def to_pdf(data: StocktakingReportData) -> bytes:
    """The report as a tagged PDF: the full report, or its digest when it is too large (``is_digest``)."""
    import weasyprint

    link_prefix = settings.SITE_URL.rstrip("/")
    report_context = (digest_context if is_digest(data) else context)(data, link_prefix=link_prefix)
    html = render_to_string("monitoring/report_pdf.html", report_context)
    css = _stylesheet_text() + "\n" + _objective_colours(data)
    options = {"stylesheets": [weasyprint.CSS(string=css)]}
    if "pdf_tags" in getattr(weasyprint, "DEFAULT_OPTIONS", {}):
        options["pdf_tags"] = True  # a tagged PDF: headings, tables and reading order for assistive technology
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_blocking_fetcher())
    return document.write_pdf(**options)


# --- Tables shared by XLSX and CSV ---------------------------------------------------------------------------


def _bool(value: bool) -> str:
    return _("yes") if value else _("no")


#: A table's column: its header and its value for one row (``get(*row)``).
Column = tuple[str, Callable[..., object]]


def _table(title: str, columns: Sequence[Column], rows: Iterable[tuple]) -> tuple[str, list[str], list[list]]:
    """A sheet: its title, its columns' headers and, per row, each column's value."""
    return title, [header for header, _get in columns], [[get(*row) for _header, get in columns] for row in rows]


def _count_columns(first: str) -> list[Column]:
    """A count row's columns (per objective, per action): its label under ``first``, then the counts."""
    return [
        (first, lambda r: r.label),
        (_("Initiatives"), lambda r: r.initiatives),
        (_("Active"), lambda r: r.active),
        (_("New"), lambda r: r.new),
        (_("Reported"), lambda r: r.reported),
        (_("Did not report"), lambda r: r.not_reported),
    ]


def _names(values) -> str:
    return ", ".join(map(str, values))


def tables(data: StocktakingReportData) -> list[tuple[str, list[str], list[list]]]:
    """The report as named tables (sheet name, header, rows): what the XLSX holds, one sheet each. Each column is
    defined by its header beside its value."""
    c, ch = data.cycle, data.changes
    pairs = [(_("Item"), lambda label, value: label), (_("Value"), lambda label, value: value)]
    about = [
        (_("Cycle"), c.number),
        (_("Period"), f"{c.period_start.isoformat()} – {c.period_end.isoformat()}"),
        (_("Submission window"), f"{c.submission_opens.isoformat()} – {c.submission_closes.isoformat()}"),
        (_("State"), _("published") if data.published else _("draft")),
        (_("Figures as of"), data.as_of),
        (_("Generated"), data.generated_at.replace(tzinfo=None)),
    ]
    changes = (
        [(_("New initiative"), r.title, "", "") for r in ch.new_initiatives]
        + [(_("Ended"), x.title, x.before, x.after) for x in ch.ended]
        + [(_("Removed"), title, "", "") for title in ch.removed]
        + [(_("Status change"), x.title, x.before, x.after) for x in ch.status_changes]
        + [
            (_("Slipped milestone"), f"{m.initiative}: {m.milestone}", m.from_date, m.to_date)
            for m in ch.slipped_milestones
        ]
        + [(_("Indicator"), f"{d.initiative}: {d.indicator}", d.previous, d.current) for d in ch.indicator_deltas]
    )
    # The charts' data: one column per series after the category (charts differ in their number of series).
    charts = (
        _("Charts"),
        [_("Chart"), _("Category"), _("Values (one column per series)")],
        [[chart.title, category, *values] for chart in data.charts for category, values, _total in chart_table(chart)],
    )
    return [
        _table(_("About"), pairs, about),
        _table(_("Summary"), pairs, [(label, value) for _key, label, value in summary_rows(data)]),
        _table(_("Per objective"), _count_columns(_("Objective")), [(r,) for r in data.summary.per_objective]),
        _table(_("Per action"), _count_columns(_("Action")), [(r,) for r in data.summary.per_action]),
        _table(
            _("Initiatives"),
            [
                (_("Slug"), lambda i: i.slug),
                (_("Initiative"), lambda i: i.title),
                (_("Status"), lambda i: i.status_label),
                (_("New"), lambda i: _bool(i.is_new)),
                (_("Active"), lambda i: _bool(i.active)),
                (_("Reported"), lambda i: _bool(i.reported)),
                (_("Leads"), lambda i: _names(i.leads)),
                (_("Partners"), lambda i: _names(i.partners)),
                (_("Actions"), lambda i: _names(i.actions)),
                (_("Objectives"), lambda i: _names(i.objectives)),
                (_("Approved updates"), lambda i: len(i.updates)),
                (_("Address"), lambda i: site_link(i.url)),
            ],
            [(i,) for i in data.initiatives],
        ),
        _table(
            _("Updates"),
            [
                (_("Initiative"), lambda i, u: i.slug),
                (_("Organisation"), lambda i, u: u.organisation),
                (_("Written by"), lambda i, u: _names(u.written_by)),
                (_("From"), lambda i, u: u.period_start),
                (_("To"), lambda i, u: u.period_end),
                (_("Approved"), lambda i, u: u.approved_on),
                (_("Excerpt"), lambda i, u: u.excerpt),
                (_("Nothing to report"), lambda i, u: u.nothing_to_report_reason if u.nothing_to_report else ""),
                (_("Own assessment"), lambda i, u: u.self_assessment_label),
                (_("The Secretariat's assessment"), lambda i, u: u.secretariat_rating_label),
                (_("The Secretariat's comment"), lambda i, u: u.secretariat_comment),
                (_("Address"), lambda i, u: site_link(u.url)),
            ],
            [(i, u) for i in data.initiatives for u in i.updates],
        ),
        _table(
            _("Milestones"),
            [
                (_("Initiative"), lambda i, m: i.slug),
                (_("Milestone"), lambda i, m: m.title),
                (_("Period"), lambda i, m: m.period_label),
                (_("Due"), lambda i, m: m.due),
                (_("Outcome"), lambda i, m: m.bucket_label),
                (_("Achieved on"), lambda i, m: m.achieved_on),
            ],
            [(i, m) for i in data.initiatives for m in i.milestones],
        ),
        _table(
            _("Indicators"),
            [
                (_("Initiative"), lambda i, n: i.slug),
                (_("Indicator"), lambda i, n: n.name),
                (_("Unit"), lambda i, n: n.unit),
                (_("Baseline"), lambda i, n: n.baseline),
                (_("Baseline year"), lambda i, n: n.baseline_year),
                (_("Target is"), lambda i, n: n.target_comparator_label),
                (_("Target"), lambda i, n: n.target),
                (_("Target year"), lambda i, n: n.target_year),
                (_("Value"), lambda i, n: n.value),
                (_("As of"), lambda i, n: n.value_as_of),
                (_("Trajectory"), lambda i, n: n.expected),
                (_("Assessment"), lambda i, n: n.assessment_label),
                (_("Before"), lambda i, n: n.previous_value),
                (_("Before is"), lambda i, n: n.previous_basis),
                (_("Change"), lambda i, n: n.delta),
            ],
            [(i, n) for i in data.initiatives for n in i.indicators],
        ),
        _table(
            _("Work plan"),
            [
                (_("Initiative"), lambda i, w: i.slug),
                (_("Planned activity"), lambda i, w: w.planned_activity),
                (_("Expected output"), lambda i, w: w.expected_output),
                (_("Outcome"), lambda i, w: w.outcome_label),
                (_("Note"), lambda i, w: w.note),
                (_("Reported by"), lambda i, w: w.reported_by),
            ],
            [(i, w) for i in data.initiatives for w in i.work_plan],
        ),
        _table(
            _("Coverage"),
            [
                (_("Lead organisation"), lambda o: o.name),
                (_("Region"), lambda o: o.region_label),
                (_("Initiatives led"), lambda o: o.initiatives_led),
                (_("Reported"), lambda o: o.reported),
                (_("Updates approved"), lambda o: o.approved_updates),
                (_("Without a report"), lambda o: "; ".join(o.not_reported)),
            ],
            [(o,) for o in data.coverage.organisations],
        ),
        _table(
            _("Balance"),
            [
                (_("Lead organisations of"), lambda label, counts: label),
                (_("Asia"), lambda label, counts: counts.asia),
                (_("Europe"), lambda label, counts: counts.europe),
                (_("International"), lambda label, counts: counts.international),
                (_("Total"), lambda label, counts: counts.total),
            ],
            [(_("All initiatives"), data.balance.overall)] + [(r.label, r.counts) for r in data.balance.per_objective],
        ),
        _table(
            _("Changes"),
            [
                (_("Change"), lambda change, subject, before, after: change),
                (_("Initiative"), lambda change, subject, before, after: subject),
                (_("Before"), lambda change, subject, before, after: before),
                (_("After"), lambda change, subject, before, after: after),
            ],
            changes,
        ),
        charts,
    ]


def _regions(counts) -> list[int]:
    return [counts.asia, counts.europe, counts.international, counts.total]


# --- XLSX ---------------------------------------------------------------------------------------------------


def to_xlsx(data: StocktakingReportData) -> bytes:
    """One sheet per table, in openpyxl's write-only mode; text stays text, even where it reads like a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    site = settings.SITE_URL.rstrip("/") + "/"

    def text(sheet, value: str):
        if value.startswith("=") or value in ERROR_CODES:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        if value.startswith(site):  # the portal's own pages: links a click opens
            cell = WriteOnlyCell(sheet, value=value)
            cell.hyperlink = value
            cell.style = "Hyperlink"
            return cell
        return value  # openpyxl writes any other string as text

    for title, header, rows in tables(data):
        sheet = workbook.create_sheet(title=title[:31])
        rows = [[_text(value) for value in row] for row in rows]
        for index, name in enumerate(header):
            values = [name] + [row[index] for row in rows if index < len(row) and row[index] is not None]
            width = max(len(str(value)) for value in values)
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A2"
        heading = [WriteOnlyCell(sheet, value=_text(str(value))) for value in header]
        for cell in heading:
            cell.font = bold
        sheet.append(heading)
        for row in rows:
            sheet.append([text(sheet, value) if isinstance(value, str) else value for value in row])
    workbook.properties.title = _("Stocktaking Report, reporting cycle %(number)s") % {"number": data.cycle.number}
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV ----------------------------------------------------------------------------------------------------

CSV_HEADER = ["section", "subject", "measure", "value"]


def csv_rows(data: StocktakingReportData) -> list[list]:
    """The whole report as one long table: (section, subject, measure, value). Easy to filter and to join."""
    c = data.cycle
    rows: list[list] = [
        ["report", "cycle", "number", c.number],
        ["report", "cycle", "label", c.label],
        ["report", "cycle", "period_start", c.period_start.isoformat()],
        ["report", "cycle", "period_end", c.period_end.isoformat()],
        ["report", "cycle", "state", "published" if data.published else "draft"],
        ["report", "cycle", "as_of", data.as_of.isoformat()],
    ]
    rows += [["summary", "", key, value] for key, _label, value in summary_rows(data)]
    for section, counts in (("objective", data.summary.per_objective), ("action", data.summary.per_action)):
        for r in counts:
            for measure in ("initiatives", "active", "new", "reported", "not_reported"):
                rows.append([section, r.key, measure, getattr(r, measure)])
    for i in data.initiatives:
        rows += [
            ["initiative", i.slug, "title", i.title],
            ["initiative", i.slug, "status", i.status],
            ["initiative", i.slug, "new", int(i.is_new)],
            ["initiative", i.slug, "active", int(i.active)],
            ["initiative", i.slug, "reported", int(i.reported)],
            ["initiative", i.slug, "approved_updates", len(i.updates)],
            ["initiative", i.slug, "leads", "; ".join(i.leads)],
        ]
        for u in i.updates:
            subject = f"{i.slug}#{u.pk}"
            rows.append(["update", subject, "excerpt", u.excerpt])
            given = (
                ("nothing_to_report", u.nothing_to_report_reason if u.nothing_to_report else ""),
                ("self_assessment", u.self_assessment),
                ("secretariat_rating", u.secretariat_rating),
                ("secretariat_comment", u.secretariat_comment),
            )
            rows += [["update", subject, name, value] for name, value in given if value]
            rows.append(["update", subject, "written_by", "; ".join(u.written_by)])
        rows += [["milestone", f"{i.slug}: {m.title}", "outcome", m.bucket] for m in i.milestones]
        for n in i.indicators:
            subject = f"{i.slug}: {n.name}"
            rows += [
                ["indicator", subject, "value", "" if n.value is None else n.value],
                ["indicator", subject, "assessment", n.assessment],
                ["indicator", subject, "delta", "" if n.delta is None else n.delta],
            ]
        rows += [["work_plan_item", f"{i.slug}: {w.planned_activity}", "outcome", w.outcome] for w in i.work_plan]
    for o in data.coverage.organisations:
        for measure in ("initiatives_led", "reported", "approved_updates"):
            rows.append(["organisation", o.slug, measure, getattr(o, measure)])
        rows.append(["organisation", o.slug, "not_reported", len(o.not_reported)])
    for label, counts in [("all", data.balance.overall)] + [
        (f"objective {r.key}", r.counts) for r in data.balance.per_objective
    ]:
        for region, value in zip(("asia", "europe", "international", "total"), _regions(counts), strict=True):
            rows.append(["balance", label, region, value])
    ch = data.changes
    rows += [["change", r.slug, "new_initiative", r.title] for r in ch.new_initiatives]
    rows += [["change", x.slug, "ended", f"{x.before} → {x.after}"] for x in ch.ended]
    rows += [["change", title, "removed", ""] for title in ch.removed]
    rows += [["change", x.slug, "status_change", f"{x.before} → {x.after}"] for x in ch.status_changes]
    rows += [
        ["change", f"{m.initiative}: {m.milestone}", "slipped_to", m.to_date.isoformat()] for m in ch.slipped_milestones
    ]
    for chart in data.charts:
        for category, values, _total in chart_table(chart):
            for series, value in zip(chart.series, values, strict=True):
                rows.append(["chart", f"{chart.id}: {category}", series.key, value])
    return rows


def to_csv(data: StocktakingReportData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in csv_rows(data):
        writer.writerow([_text(value) for value in row])
    return buffer.getvalue()
