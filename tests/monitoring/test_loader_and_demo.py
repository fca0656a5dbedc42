"""The shipped cycle (fixtures/plan/cycles.yaml), loaded by load_action_plan; the local demo's updates; the build command."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.cycle_services import cycle_status_message
from monitoring.models import (
    CycleStatus,
    Meeting,
    MeetingStatus,
    ProgressUpdate,
    ReportingCycle,
    UpdateStatus,
    WorkPlanItem,
)
from monitoring.report import build_report

pytestmark = pytest.mark.django_db


def test_the_first_cycle_is_shipped_and_the_meetings_claim_only_what_the_plan_states(loaded_plan, seed_text):
    cycle = ReportingCycle.objects.get()
    # Its window spanned its two years: closed by the clock, its report not published (the plan says nothing of
    # one), and nobody is asked to report into it today.
    assert (cycle.number, cycle.status, cycle.label) == (1, CycleStatus.CLOSED, "2022–2023")
    assert (cycle.published_on, ReportingCycle.objects.current()) == (None, None)
    assert cycle_status_message(cycle) == "Closed on 31 December 2023"
    assert (cycle.period_start, cycle.period_end) == (datetime.date(2022, 1, 1), datetime.date(2023, 12, 31))
    asemme8, asemme9 = cycle.opening_meeting, cycle.closing_meeting
    assert (asemme8.short_name, asemme8.status, asemme8.year) == ("ASEMME8", MeetingStatus.HELD, 2021)
    assert (asemme9.short_name, asemme9.status, asemme9.year) == ("ASEMME9", MeetingStatus.PLANNED, 2023)
    # The plan names ASEMME8 but no host, city or date: none is invented.
    assert "approved by the Education Ministers during ASEMME8" in " ".join(seed_text.split())
    for meeting in (asemme8, asemme9):
        assert (meeting.host_country, meeting.city, meeting.start_date) == (None, "", None)
        assert not meeting.documents.exists()  # no Chair's Conclusions are invented either
    assert "ASEMME2 was held in 2009" in asemme8.note
    assert "ASEMME2 in 2009" in " ".join(seed_text.split())
    # ASEMME2, where the Secretariat was established: a held meeting of 2009, nothing more.
    asemme2 = Meeting.objects.get(kind="asemme", number=2)
    assert (asemme2.status, asemme2.year, asemme2.start_date, asemme2.host_country) == ("held", 2009, None, None)
    assert "Secretariat (AES) was established during ASEM Ministers of Education during ASEMME2 in 2009" in " ".join(
        seed_text.split()
    )
    assert "section 3.2.2" in asemme2.note
    assert Meeting.objects.count() == 3


def test_reloading_does_not_undo_the_secretariats_decisions(loaded_plan):
    cycle = ReportingCycle.objects.get()
    cycle.submission_closes = datetime.date(2023, 9, 30)
    cycle.late_submissions_until = datetime.date(2023, 10, 15)
    cycle.save()
    out = StringIO()
    call_command("load_action_plan", stdout=out)
    assert out.getvalue().strip() == "The plan is up to date: nothing changed."
    cycle.refresh_from_db()
    assert (cycle.submission_closes, cycle.late_submissions_until) == (
        datetime.date(2023, 9, 30),
        datetime.date(2023, 10, 15),
    )
    assert Meeting.objects.count() == 3


def test_reloading_keeps_what_the_secretariat_entered_about_a_meeting(loaded_plan):
    from stakeholders.models import Country

    asemme9 = Meeting.objects.get(kind="asemme", number=9)
    country = Country.objects.order_by("name").first()
    values = {
        "status": MeetingStatus.HELD,
        "host_country": country,
        "city": "A city",
        "start_date": datetime.date(2023, 12, 14),
        "end_date": datetime.date(2023, 12, 15),
        "is_online": True,
    }
    Meeting.objects.filter(pk=asemme9.pk).update(**values)
    out = StringIO()
    call_command("load_action_plan", stdout=out)
    assert out.getvalue().strip() == "The plan is up to date: nothing changed."
    asemme9.refresh_from_db()
    assert {name: getattr(asemme9, name) for name in values} == values


def test_the_loader_checks_its_references(db, tmp_path):
    from django.conf import settings

    for path in settings.ACTION_PLAN_DIR.glob("*.yaml"):
        if path.name != "cycles.yaml":
            (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "cycles.yaml").write_text(
        "cycles:\n  - {number: 1, opening_meeting: asemme-8, period_start: 2022-01-01, period_end: 2023-12-31,"
        " submission_opens: 2022-01-01, submission_closes: 2023-12-31}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="unknown meeting 'asemme-8'"):
        call_command("load_action_plan", "--path", str(tmp_path))
    assert not ReportingCycle.objects.exists()


def test_the_demo_shows_a_real_report(loaded_plan):
    call_command("create_demo_accounts", "--force", verbosity=0)  # tests run with DEBUG off
    out = StringIO()
    call_command("create_demo_updates", "--force", stdout=out)
    assert "Approved demo update on ASEM-DUO Fellowship Programme by contributor." in out.getvalue()
    call_command("create_demo_updates", "--force", stdout=StringIO())  # idempotent
    # A cycle around today, after cycle 1 in the two-year rhythm, open with days left; marked as demo data.
    cycle = ReportingCycle.objects.current()
    today = timezone.localdate()
    assert cycle.period_start <= today <= cycle.period_end and cycle.status == CycleStatus.OPEN
    assert cycle_status_message(cycle).endswith("(24 days left)") and "Demo data" in cycle.note
    assert list(ReportingCycle.objects.values_list("number", "period_start")) == [
        (number, datetime.date(2020 + 2 * number, 1, 1)) for number in range(1, cycle.number + 1)
    ]
    updates = ProgressUpdate.objects.filter(cycle=cycle, status=UpdateStatus.APPROVED)
    assert sorted(updates.values_list("author__username", flat=True)) == ["contributor", "outsider"]
    assert WorkPlanItem.objects.filter(cycle=cycle).count() == 4
    report = build_report(cycle)
    assert report.summary.reported == 2 and report.summary.work_plan_done == 3
    assert all("Demo data" in u.excerpt for i in report.initiatives for u in i.updates)


def test_demo_updates_refuse_to_run_in_production(loaded_plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("create_demo_updates")


def test_the_build_command_writes_the_three_files(world, tmp_path):
    out = StringIO()
    call_command("build_stocktaking_report", "--cycle", "1", "--output-dir", str(tmp_path), stdout=out)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "asem-stocktaking-report-cycle-1-draft.csv",
        "asem-stocktaking-report-cycle-1-draft.pdf",
        "asem-stocktaking-report-cycle-1-draft.xlsx",
    ]
    assert (tmp_path / names[1]).read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="Unknown formats: doc"):
        call_command("build_stocktaking_report", "--formats", "csv,doc", "--output-dir", str(tmp_path))
