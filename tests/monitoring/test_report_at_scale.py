"""What keeps the report readable and fast on a large plan: excerpts, the PDF digest, the XLSX.

The numbers stay the builder's (``test_report`` and ``test_exports`` check them); these tests check that the
shortcuts change nothing a reader sees, except where the digest says so.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring import exporters
from monitoring.models import ProgressUpdate
from monitoring.report import EXCERPT_WORDS, build_report, excerpt, summary_rows

from .conftest import AS_OF
from .test_query_budgets import plan_in_a_cycle

ELLIPSIS = "…"


# --- Excerpts ---------------------------------------------------------------------------------------------------


def words(n: int, length: int = 5) -> list[str]:
    return [f"w{i:0{length - 1}d}" for i in range(n)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  One\n\ttwo   three  ", "One two three"),
        (" ".join(words(EXCERPT_WORDS)), " ".join(words(EXCERPT_WORDS))),
        (" ".join(words(EXCERPT_WORDS + 1)), " ".join(words(EXCERPT_WORDS)) + ELLIPSIS),
        ("\n".join(words(200)), " ".join(words(EXCERPT_WORDS)) + ELLIPSIS),
    ],
)
def test_excerpt_is_the_first_words_on_one_line(text, expected):
    assert excerpt(text) == expected


def set_narratives(update: ProgressUpdate, **texts) -> None:
    for name, text in texts.items():
        setattr(update, name, text)
    update.save(update_fields=list(texts))


def alpha_excerpt(world) -> str:
    entry = next(i for i in build_report(world.cycle, today=AS_OF).initiatives if i.slug == "alpha")
    (update,) = entry.updates
    return update.excerpt


def test_the_builder_quotes_the_first_narrative_that_is_not_empty(world):
    update = ProgressUpdate.objects.get(project=world.alpha, status="approved")
    long = " ".join(words(300))
    set_narratives(update, achievements=long, challenges="Challenges.", next_steps="Next.")
    assert alpha_excerpt(world) == " ".join(words(EXCERPT_WORDS)) + ELLIPSIS
    set_narratives(update, achievements="", challenges="Funding  was\nlate.", next_steps="Next.")
    assert alpha_excerpt(world) == "Funding was late."
    set_narratives(update, achievements="", challenges="", next_steps="Apply again.")
    assert alpha_excerpt(world) == "Apply again."


def test_the_builder_quotes_a_narrative_saved_a_moment_ago(world):
    """Nothing is stored beside the narrative: every save shows in the next report."""
    update = ProgressUpdate.objects.get(project=world.alpha, status="approved")
    set_narratives(update, achievements="", challenges="Rain " * 100)
    assert alpha_excerpt(world) == " ".join(["Rain"] * EXCERPT_WORDS) + ELLIPSIS
    ProgressUpdate.objects.filter(pk=update.pk).update(challenges="Sunny.")  # a bulk write: no save(), no signal
    assert alpha_excerpt(world) == "Sunny."


# --- The PDF digest ---------------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_a_small_report_is_printed_in_full(world):
    data = build_report(world.cycle, today=AS_OF)
    assert exporters.pdf_entries(data) < exporters.PDF_FULL_ENTRIES and not exporters.is_digest(data)


def test_a_large_reports_pdf_is_its_digest_with_every_figure(world, monkeypatch):
    monkeypatch.setattr(exporters, "PDF_FULL_ENTRIES", 0)
    monkeypatch.setattr(exporters, "DIGEST_LIST_LIMIT", 1)
    data = build_report(world.cycle, today=AS_OF)
    assert exporters.is_digest(data)
    content = exporters.to_pdf(data)
    text = pdf_text(content)
    for _key, label, value in summary_rows(data):
        assert f"{label} {value}" in text, label
    for row in data.summary.per_objective + data.summary.per_action:
        assert f"{row.label} {row.initiatives} {row.active} {row.new} {row.reported} {row.not_reported}" in text
    assert "Digest." in text and "Reporting by strategic objective" in text
    assert "Alpha did well in the first cycle." not in text  # no per-initiative detail
    # Lists are cut, with what they hold in all: 2 initiatives reported, 2 indicators have a value.
    assert "2 initiatives reported" in text
    assert "Indicator values (2)" in text and "The first 1 of 2." in text
    assert "2 initiatives (2 active): 2 reported, 0 active without a report." in text  # action 1
    assert PdfReader(io.BytesIO(content)).metadata.title.startswith("Stocktaking Report, reporting cycle 1")


def test_the_digest_lists_who_did_not_report_first(world, monkeypatch):
    monkeypatch.setattr(exporters, "PDF_FULL_ENTRIES", 0)
    text = pdf_text(exporters.to_pdf(build_report(world.cycle, today=AS_OF)))
    assert "1 active initiative did not report" in text and "Beta [ASI]" in text


@pytest.mark.parametrize("size", [40])
def test_the_digest_and_the_csv_agree_on_a_larger_plan(db, size, monkeypatch):
    monkeypatch.setattr(exporters, "PDF_FULL_ENTRIES", 0)
    data = build_report(plan_in_a_cycle(size))
    text = pdf_text(exporters.to_pdf(data))
    csv = exporters.to_csv(data)
    for key, label, value in summary_rows(data):
        assert f"{label} {value}" in text
        assert f"summary,,{key},{value}\r\n" in csv


# --- XLSX -------------------------------------------------------------------------------------------------------


def test_xlsx_keeps_text_that_reads_like_a_formula_or_an_error(world):
    world.alpha.title = "#N/A"
    world.alpha.save()
    world.beta.title = "=1+1"
    world.beta.save()
    workbook = load_workbook(io.BytesIO(exporters.to_xlsx(build_report(world.cycle, today=AS_OF))))
    cells = {row[1].value: row[1] for row in workbook["Initiatives"].iter_rows(min_row=2)}
    assert cells["#N/A"].data_type == "s"
    assert cells["'=1+1"].data_type == "s"
    header = next(workbook["Initiatives"].iter_rows(max_row=1))
    assert header[0].value == "Slug" and header[0].font.bold
    assert workbook["Initiatives"].freeze_panes == "A2"
