"""The page, the PDF, the XLSX and the CSV say what the builder says: one source of numbers, four renderings."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring import exporters
from monitoring.report import build_report, summary_rows
from monitoring.report.charts import render_svg

pytestmark = pytest.mark.django_db


def _get(client, name, cycle):
    response = client.get(reverse(f"reports:{name}", args=[cycle.number]))
    assert response.status_code == 200, response
    return response


@pytest.fixture
def renderings(world, client):
    """The builder's report and the four renderings the Secretariat downloads for the same (draft) cycle."""
    client.force_login(world.secretariat)
    data = build_report(world.cycle)
    return {
        "data": data,
        "html": _get(client, "report-detail", world.cycle).content.decode(),
        "csv": _get(client, "report-csv", world.cycle),
        "xlsx": _get(client, "report-xlsx", world.cycle),
        "pdf": _get(client, "report-pdf", world.cycle),
    }


def test_page_shows_the_builders_numbers(renderings):
    html, data = renderings["html"], renderings["data"]
    for _key, label, value in summary_rows(data):
        assert f'<th scope="row">{escape(label)}</th><td class="num">{value}</td>' in html
    for row in data.summary.per_objective:
        assert re.search(
            rf"<th scope=\"row\">{row.label}</th>"
            + "".join(
                rf'<td class="num">{n}</td>'
                for n in (row.initiatives, row.active, row.new, row.reported, row.not_reported)
            ),
            html,
        )
    assert "Alpha did well in the first cycle." in html
    assert "Draft." in html


def test_csv_has_every_number_of_the_builder(renderings):
    response, data = renderings["csv"], renderings["data"]
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="asem-stocktaking-report-cycle-1-draft.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "subject", "measure", "value"]
    summary = {measure: int(value) for section, _s, measure, value in rows[1:] if section == "summary"}
    assert summary == {key: value for key, _label, value in summary_rows(data)}
    by_key = {(section, subject, measure): value for section, subject, measure, value in rows[1:]}
    assert by_key[("initiative", "alpha", "reported")] == "1"
    assert by_key[("initiative", "beta", "reported")] == "0"
    assert by_key[("objective", "2", "not_reported")] == "1"
    assert by_key[("indicator", "alpha: i1 pairs", "value")] == "150.00"
    assert by_key[("work_plan_item", "alpha: w2 publish report", "outcome")] == "not_done"
    assert by_key[("balance", "all", "international")] == "1"
    assert by_key[("chart", "work-plan: Done", "items")] == "2"


def test_xlsx_sheets_hold_the_builders_numbers(renderings):
    response, data = renderings["xlsx"], renderings["data"]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"Summary", "Initiatives", "Milestones", "Indicators", "Work plan", "Coverage", "Balance", "Changes"} <= set(
        workbook.sheetnames
    )
    summary = [tuple(row) for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)]
    assert summary == [(label, value) for _key, label, value in summary_rows(data)]
    objectives = [tuple(row) for row in workbook["Per objective"].iter_rows(min_row=2, values_only=True)]
    assert objectives == [
        (r.label, r.initiatives, r.active, r.new, r.reported, r.not_reported) for r in data.summary.per_objective
    ]
    indicators = {row[1]: row for row in workbook["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["i1 pairs"][8] == 150  # a number, not text
    coverage = [row[:5] for row in workbook["Coverage"].iter_rows(min_row=2, values_only=True)]
    assert coverage == [("ASI", "Asia", 2, 1, 1), ("EUR", "Europe", 2, 2, 1)]


def test_pdf_text_has_the_builders_numbers(renderings):
    response, data = renderings["pdf"], renderings["data"]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for _key, label, value in summary_rows(data):
        assert f"{label} {value}" in text, label
    for row in data.summary.per_objective:
        assert f"{row.label} {row.initiatives} {row.active} {row.new} {row.reported} {row.not_reported}" in text
    assert "Reporting by strategic objective" in text  # a chart, in the PDF too
    assert "Alpha did well in the first cycle." in text
    assert reader.metadata.title.startswith("Stocktaking Report, reporting cycle 1")


def test_spreadsheets_do_not_run_formulas_from_narratives(world, client):
    world.alpha.title = '=HYPERLINK("http://evil.example")'
    world.alpha.save()
    data = build_report(world.cycle)
    text = exporters.to_csv(data)
    assert "'=HYPERLINK" in text
    workbook = load_workbook(io.BytesIO(exporters.to_xlsx(data)))
    titles = [row[1] for row in workbook["Initiatives"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example")' in titles
    assert all(cell.data_type != "f" for row in workbook["Initiatives"].iter_rows() for cell in row)


def test_charts_are_accessible_svg_with_their_data_table(renderings):
    html, data = renderings["html"], renderings["data"]
    chart = data.charts[0]
    svg = str(render_svg(chart))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in svg
    assert f'<title id="{chart.id}-title">{chart.title}</title>' in svg and "<desc" in svg
    assert "<script" not in html.split('<main id="main"')[1]  # no JavaScript in the report
    assert html.count('role="img"') == len(data.charts)
    assert html.count('class="chart-data"') == len(data.charts)
    assert "style=" not in svg  # presentation attributes only: the CSP forbids inline styles


def test_svg_escapes_its_text():
    from monitoring.report import Chart, ChartSeries

    svg = str(
        render_svg(
            Chart(
                id="x",
                title="<b>t</b>",
                description="d & d",
                categories=["<script>"],
                series=[ChartSeries(key="k", label="l", colour="#000000", values=[3])],
            )
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
