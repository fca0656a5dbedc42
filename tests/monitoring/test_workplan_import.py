"""Importing a cycle's work plan from CSV or XLSX: per-row errors, all or nothing, idempotent; command and admin page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from monitoring.models import WorkPlanItem
from monitoring.workplan_import import WorkPlanFileError, import_work_plan, read_rows

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "Initiative,Planned activity,Expected output,Comment\n"
    "alpha,w1 summer school,Summer school in Seoul,ignored\n"
    "Beta,Regional seminar,Seminar report,\n"  # by title, case-insensitive
    'delta,"Launch, at last",Platform online,\n'
    ",,,\n"  # empty rows are skipped
)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def items(cycle):
    return sorted(
        WorkPlanItem.objects.filter(cycle=cycle).values_list("project__slug", "planned_activity", "expected_output")
    )


def test_csv_import_creates_updates_and_is_idempotent(world):
    before = WorkPlanItem.objects.filter(cycle=world.cycle).count()  # w1–w4
    result = import_work_plan(cycle=world.cycle, rows=read_rows(GOOD_CSV.encode(), "plan.csv"))
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert WorkPlanItem.objects.filter(cycle=world.cycle).count() == before + 2
    assert ("delta", "Launch, at last", "Platform online") in items(world.cycle)
    assert WorkPlanItem.objects.get(planned_activity="w1 summer school").expected_output == "Summer school in Seoul"
    again = import_work_plan(cycle=world.cycle, rows=read_rows(GOOD_CSV.encode(), "plan.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_xlsx_import_with_semicolons_and_numbers_is_read_like_a_spreadsheet(world):
    content = xlsx(
        [["initiative", "planned_activity", "expected_output"], ["gamma", 2024, None], ["alpha", "New one", "x"]]
    )
    rows = read_rows(content, "plan.xlsx")
    assert rows == [
        (2, {"initiative": "gamma", "planned_activity": "2024", "expected_output": ""}),
        (3, {"initiative": "alpha", "planned_activity": "New one", "expected_output": "x"}),
    ]
    assert import_work_plan(cycle=world.cycle, rows=rows).created == 2
    semicolons = b"initiative;planned activity;expected output\nbeta;Other;y\n"
    assert read_rows(semicolons, "plan.csv")[0][1]["planned_activity"] == "Other"


def test_every_bad_row_is_reported_and_nothing_is_imported(world):
    before = items(world.cycle)
    content = (
        "initiative,planned activity,expected output\n"
        "alpha,Good row,ok\n"
        "nobody,Something,x\n"
        "beta,,x\n"
        f"gamma,{'y' * 600},x\n"
        "alpha,Good row,again\n"
        ",Orphan,\n"
    ).encode()
    result = import_work_plan(cycle=world.cycle, rows=read_rows(content, "plan.csv"))
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "Row 3: no initiative has the slug or title “nobody”.",
        "Row 4: the planned activity is missing.",
        "Row 5: the planned activity is longer than 500 characters; put the details in the expected output.",
        "Row 6: the same planned activity of this initiative is already on row 2.",
        "Row 7: the initiative is missing.",
    ]
    assert items(world.cycle) == before


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"name,whatever\nalpha,x\n", "plan.csv", "missing: initiative, planned activity"),
        ("initiative,planned activity\nalpha,caf\xe9\n".encode("latin-1"), "plan.csv", "not UTF-8"),
        (b"PK\x03\x04 not really a zip", "plan.xlsx", "cannot be read"),
        (b"", "plan.csv", "empty"),
        (b"%PDF-1.4", "plan.pdf", r"CSV \(\.csv\) or Excel"),
    ],
)
def test_unreadable_files_get_a_clear_message(content, name, message):
    with pytest.raises(WorkPlanFileError, match=message):
        read_rows(content, name)


def test_replace_deletes_what_the_file_lacks_but_never_reported_items(world):
    # w1, w2 (alpha) and w4 (delta) are reported on by updates: replacing them away is refused, all or nothing.
    result = import_work_plan(
        cycle=world.cycle, rows=read_rows(b"initiative,planned activity\nbeta,w3 hold seminar\n", "p.csv"), replace=True
    )
    assert not result.ok and len(result.errors) == 3
    assert WorkPlanItem.objects.filter(cycle=world.cycle).count() == 4
    keep = "initiative,planned activity\nalpha,w1 summer school\nalpha,w2 publish report\ndelta,w4 launch platform\n"
    result = import_work_plan(cycle=world.cycle, rows=read_rows(keep.encode(), "p.csv"), replace=True)
    assert [str(e) for e in result.errors] == [  # even a submitted (not yet approved) update's report counts
        "Row 1: “w3 hold seminar” is not in the file but updates report on it: it cannot be deleted."
    ]
    WorkPlanItem.objects.create(cycle=world.cycle, project=world.gamma, planned_activity="w5 never reported")
    keep += "beta,w3 hold seminar\n"
    result = import_work_plan(cycle=world.cycle, rows=read_rows(keep.encode(), "p.csv"), replace=True)
    assert result.ok and (result.deleted, result.unchanged) == (1, 4)
    assert not WorkPlanItem.objects.filter(planned_activity="w5 never reported").exists()


def test_a_published_cycles_work_plan_is_final(world):
    world.cycle.published_on = datetime.date(2024, 3, 1)
    world.cycle.save()
    result = import_work_plan(cycle=world.cycle, rows=read_rows(GOOD_CSV.encode(), "plan.csv"))
    assert not result.ok and "published" in str(result.errors[0])


def test_the_command_imports_checks_and_fails_clearly(world, tmp_path, capsys):
    good = tmp_path / "plan.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    call_command("import_work_plan", str(good), "--cycle", "1", "--dry-run")
    assert "Check only, nothing saved: 2 created" in capsys.readouterr().out
    assert WorkPlanItem.objects.filter(cycle=world.cycle).count() == 4
    call_command("import_work_plan", str(good), "--cycle", "1")
    assert WorkPlanItem.objects.filter(cycle=world.cycle).count() == 6
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["initiative", "planned activity"], ["nobody", "x"]]))
    with pytest.raises(CommandError, match="Row 2: no initiative"):
        call_command("import_work_plan", str(bad), "--cycle", "1")
    with pytest.raises(CommandError, match="no reporting cycle 9"):
        call_command("import_work_plan", str(good), "--cycle", "9")


def test_the_admin_page_imports_and_shows_row_errors(client, world):
    client.force_login(world.secretariat)
    url = reverse("admin:monitoring_reportingcycle_import", args=[world.cycle.pk])
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("plan.csv", b"initiative,planned activity\nnobody,x\n", content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Row 2: " not in response.content.decode()  # the table shows the row number and the message apart
    assert "no initiative has the slug or title" in response.content.decode()
    good = SimpleUploadedFile("plan.csv", GOOD_CSV.encode(), content_type="text/csv")
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert WorkPlanItem.objects.filter(cycle=world.cycle).count() == 6
    # The change page links to it; the changelist action leads there.
    change = client.get(reverse("admin:monitoring_reportingcycle_change", args=[world.cycle.pk])).content.decode()
    assert url in change
    action = client.post(
        reverse("admin:monitoring_reportingcycle_changelist"),
        {"action": "import_work_plan", "_selected_action": [world.cycle.pk]},
    )
    assert action.status_code == 302 and action["Location"] == url


def test_outsiders_cannot_reach_the_admin_import(client, world):
    client.force_login(world.author_eur)
    response = client.get(reverse("admin:monitoring_reportingcycle_import", args=[world.cycle.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
