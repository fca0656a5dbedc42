"""The stocktaking report as a publication: the Secretariat's executive summary, frozen with the report; a PDF with
a cover, a contents page with page numbers and bookmarks; headline tiles; charts that never rest on colour alone;
one compact list of who did not report; notes that explain the counts; initiatives by objective; absolute links
in the spreadsheet."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring import cycle_services as services
from monitoring import exporters
from monitoring.models import CycleStatus, StocktakingReport
from monitoring.report import build_report, from_json
from monitoring.report.charts import PATTERNS, render_svg
from monitoring.report.data import OKABE_ITO

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
SUMMARY = "The first cycle saw the Action Plan take root.\n\nMobility grew; recognition needs <more> work."


def publish_with_summary(client, world):
    client.force_login(world.secretariat)
    url = reverse("reports:report-publish", args=[world.cycle.number])
    # Saved first: the draft shows it; then published with it.
    response = client.post(url, {"executive_summary": SUMMARY, "save": "1"})
    assert response.status_code == 302
    world.cycle.refresh_from_db()
    assert (world.cycle.status, world.cycle.executive_summary) == (CycleStatus.OPEN, SUMMARY)
    draft = client.get(reverse("reports:report-detail", args=[world.cycle.number])).content.decode()
    assert "Mobility grew; recognition needs &lt;more&gt; work." in draft
    assert client.post(url, {"executive_summary": SUMMARY, "confirm_unresolved": "on"}).status_code == 302
    return StocktakingReport.objects.get(cycle=world.cycle)


def test_the_executive_summary_is_written_before_publishing_and_frozen_with_the_report(client, world):
    report = publish_with_summary(client, world)
    assert report.content["executive_summary"] == SUMMARY
    assert from_json(report.content).executive_summary == SUMMARY
    # Frozen: the cycle's field can no longer change, and the report would not follow it anyway.
    with pytest.raises(services.MonitoringError):
        services.set_executive_summary(cycle=world.cycle, user=world.secretariat, text="Rewritten")
    page = client.get(reverse("reports:report-detail", args=[world.cycle.number])).content.decode()
    assert page.index("Executive summary") < page.index("The cycle at a glance")
    assert "<p>The first cycle saw the Action Plan take root.</p>" in page  # paragraphs kept, markup escaped


def test_only_the_secretariat_writes_the_summary(client, world):
    client.force_login(world.author_eur)
    url = reverse("reports:report-publish", args=[world.cycle.number])
    assert client.post(url, {"executive_summary": "Mine", "save": "1"}).status_code == 404  # a draft is not theirs
    world.cycle.refresh_from_db()
    assert world.cycle.executive_summary == ""


def outline_titles(reader: PdfReader) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark of the PDF, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(reader.outline, 0)
    return found


def test_the_published_pdf_has_a_cover_a_contents_page_and_bookmarks(client, world):
    publish_with_summary(client, world)
    client.logout()
    response = client.get(reverse("reports:report-pdf", args=[world.cycle.number]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]

    cover, contents = pages[0], pages[1]
    assert "Stocktaking Report" in cover and "Reporting cycle 1, 2022–2023" in cover
    assert "ASEM Education Secretariat" in cover and "Published on" in cover
    assert "1 /" not in cover  # no page number on the cover
    assert contents.startswith("Contents")
    # Each section with its page number (target-counter), which is where the section really is.
    for title in (
        "Executive summary",
        "The cycle at a glance",
        "Coverage: who reported",
        "How the figures are counted",
    ):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\b", contents)
        assert match, title
        number = int(match.group(1))
        assert title in pages[number - 1], (title, number)
    assert SUMMARY.split("\n")[0] in pages[2]  # the summary opens the report, after the contents

    bookmarks = outline_titles(reader)
    top = [title for depth, title in bookmarks if depth == 0]
    assert top[:4] == ["Cover", "Contents", "Executive summary", "The cycle at a glance"]
    assert "Initiatives in detail" in top and "How the figures are counted" in top
    objectives = [title for depth, title in bookmarks if depth == 1]
    assert objectives and all(title.startswith("Objective ") for title in objectives)


def test_the_pdf_opens_with_tiles_and_lists_who_did_not_report_once(client, world):
    data = build_report(world.cycle, today=world.cycle.period_end)
    html = exporters.render_to_string("monitoring/report_pdf.html", exporters.context(data, link_prefix="http://x"))
    tiles = re.findall(r'<li class="tile tile-([a-z_]+)">', html)
    assert tiles == [
        "reported",
        "approved_updates",
        "milestones_achieved",
        "indicators_on_track",
        "work_plan_done",
        "new_initiatives",
    ]
    assert 'class="summary-table"' in html  # every figure still there, in the annex
    assert html.index('id="figures-heading"') > html.index('id="changes-heading"')
    # No "No report" pill per initiative: one compact list of those that did not report.
    assert "tag-missing" not in html
    assert html.count('class="compact-list not-reported"') == 1
    missing = re.search(r'<ul class="compact-list not-reported">(.*?)</ul>', html, re.S).group(1)
    assert [ref.title for ref in data.coverage.not_reported] == re.findall(r'">([^<]+)</a>', missing)


def test_the_notes_explain_why_the_objectives_totals_exceed_the_initiatives(world):
    data = build_report(world.cycle, today=world.cycle.period_end)
    numbers = exporters.counting(data)
    # beta (action 2: subgoals 1.2 and 2.1) and delta (actions 1 and 3) serve objectives 1 and 2: counted under both.
    assert numbers == {"initiatives": 4, "objective_sum": 6, "action_sum": 5, "several_objectives": 2}
    html = exporters.render_to_string("monitoring/report_pdf.html", exporters.context(data))
    assert "the objectives' totals add up to 6 and the actions' to 5, while the plan has 4 initiatives" in html


def test_every_chart_tells_its_series_apart_by_pattern_and_label_not_colour_alone(world):
    data = build_report(world.cycle, today=world.cycle.period_end)
    palette = {colour.lower() for colour in OKABE_ITO.values()}
    for chart in data.charts:
        svg = ET.fromstring(str(render_svg(chart)))  # noqa: S314 - our own markup
        patterns = {p.get("id"): p for p in svg.iter(f"{SVG}pattern")}
        assert len(patterns) == len(chart.series), chart.id
        for s in chart.series:
            assert s.colour.lower() in palette, (chart.id, s.key, s.colour)
        # Each series' bars are filled with its own pattern, over its colour.
        fills = [rect.get("fill") for rect in svg.iter(f"{SVG}rect") if rect.get("fill", "").startswith("url(#")]
        assert set(fills) <= {f"url(#{pid})" for pid in patterns}
        if len(chart.series) > 1:
            kinds = [rect.get("data-pattern") for rect in svg.iter(f"{SVG}rect") if rect.get("data-pattern")]
            assert kinds == list(PATTERNS[: len(chart.series)])  # distinct patterns, one per series
            labels = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "legend-label"]
            assert labels == [s.label for s in chart.series]  # and a text label each
        else:
            # One series: every bar is named by its category, and carries its number.
            texts = [text.text for text in svg.iter(f"{SVG}text")]
            for category, values, _total in exporters.chart_table(chart):
                assert category[:29] in " ".join(texts)
                assert str(values[0]) in texts


def test_the_initiatives_in_detail_are_split_by_objective(client, world):
    client.force_login(world.secretariat)
    page = client.get(reverse("reports:report-detail", args=[world.cycle.number])).content.decode()
    section = page[page.index('id="initiatives-heading"') : page.index('id="coverage-heading"')]
    headings = re.findall(r'<h3 id="initiatives-objective-(\d+)"', section)
    assert headings == ["1", "2"]
    objective_1 = section[section.index('id="initiatives-objective-1"') : section.index('id="initiatives-objective-2"')]
    # alpha and delta serve objective 1 first (delta also serves 2: shown once, naming both).
    assert 'id="initiative-alpha"' in objective_1 and 'id="initiative-delta"' in objective_1
    assert section.count('id="initiative-delta"') == 1
    assert "Objectives: 1, 2" in section


def test_the_spreadsheet_links_are_absolute(client, world, settings):
    settings.SITE_URL = "https://education.example.org"
    data = build_report(world.cycle, today=world.cycle.period_end)
    workbook = load_workbook(io.BytesIO(exporters.to_xlsx(data)))
    sheet = workbook["Initiatives"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Address") + 1
    addresses = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
    assert addresses and all(cell.value.startswith("https://education.example.org/initiatives/") for cell in addresses)
    assert all(cell.hyperlink.target == cell.value for cell in addresses)
    updates = workbook["Updates"]
    links = [row[-1].value for row in updates.iter_rows(min_row=2)]
    assert links and all(link.startswith("https://education.example.org/updates/") for link in links)
