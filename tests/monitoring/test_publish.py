"""Publishing freezes the report and makes it public; drafts are the Secretariat's; cycles change state by rule."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from monitoring import cycle_services as services
from monitoring import exporters, update_services
from monitoring.models import CycleStatus, ProgressUpdate, ReportingCycle, ReportStatus, StocktakingReport
from monitoring.report import build_report
from projects.models import Indicator

from .conftest import make_cycle, set_status

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "author_eur", "secretariat"]


def login(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


def urls(cycle):
    return {
        "list": reverse("reports:report-list"),
        "page": reverse("reports:report-detail", args=[cycle.number]),
        "pdf": reverse("reports:report-pdf", args=[cycle.number]),
        "xlsx": reverse("reports:report-xlsx", args=[cycle.number]),
        "csv": reverse("reports:report-csv", args=[cycle.number]),
        "completeness": reverse("reports:completeness"),
    }


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", {"list": 200, "page": 404, "pdf": 404, "xlsx": 404, "csv": 404, "completeness": 302}),
        ("outsider", {"list": 200, "page": 404, "pdf": 404, "xlsx": 404, "csv": 404, "completeness": 403}),
        ("author_eur", {"list": 200, "page": 404, "pdf": 404, "xlsx": 404, "csv": 404, "completeness": 403}),
        ("secretariat", {"list": 200, "page": 200, "pdf": 200, "xlsx": 200, "csv": 200, "completeness": 200}),
    ],
)
def test_a_draft_report_is_the_secretariats_only(client, world, persona, expected):
    login(client, world, persona)
    assert {name: client.get(url).status_code for name, url in urls(world.cycle).items()} == expected
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert ("Drafts (Secretariat only)" in listing) == (persona == "secretariat")


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", {"list": 200, "page": 200, "pdf": 200, "xlsx": 200, "csv": 200, "completeness": 302}),
        ("outsider", {"list": 200, "page": 200, "pdf": 200, "xlsx": 200, "csv": 200, "completeness": 403}),
        ("secretariat", {"list": 200, "page": 200, "pdf": 200, "xlsx": 200, "csv": 200, "completeness": 200}),
    ],
)
def test_a_published_report_is_public(client, world, persona, expected):
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    login(client, world, persona)
    assert {name: client.get(url).status_code for name, url in urls(world.cycle).items()} == expected
    assert "Reporting cycle 1 (2022–2023)" in client.get(reverse("reports:report-list")).content.decode()


@pytest.mark.parametrize(
    "persona, status, published",
    [("anonymous", 302, False), ("outsider", 404, False), ("author_eur", 404, False), ("secretariat", 302, True)],
)
def test_only_the_secretariat_publishes(client, world, persona, status, published):
    login(client, world, persona)
    url = reverse("reports:report-publish", args=[world.cycle.number])
    assert client.post(url, {"confirm_unresolved": "on"}).status_code == status
    assert StocktakingReport.objects.published().exists() == published
    world.cycle.refresh_from_db()
    assert (world.cycle.status == CycleStatus.PUBLISHED) == published


def test_contributors_cannot_publish_through_the_service_either(world):
    with pytest.raises(PermissionDenied):
        services.publish_report(cycle=world.cycle, user=world.author_eur, confirmed=True)
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    with pytest.raises(PermissionDenied):  # and on a published report a contributor gets 403, not 404
        services.publish_report(cycle=world.cycle, user=world.author_eur, confirmed=True)


def test_a_published_report_is_forbidden_to_republish_for_contributors_over_http(client, world):
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    client.force_login(world.author_eur)
    assert client.post(reverse("reports:report-publish", args=[world.cycle.number])).status_code == 403


def test_publishing_freezes_the_report(client, world):
    client.force_login(world.secretariat)
    page = client.get(reverse("reports:report-publish", args=[world.cycle.number]))
    assert page.status_code == 200 and "Publish and freeze the report" in page.content.decode()
    response = client.post(reverse("reports:report-publish", args=[world.cycle.number]), {"confirm_unresolved": "on"})
    # Published; next, the Secretariat is offered to plan cycle 2.
    assert response.status_code == 302 and response["Location"] == reverse("reports:next-cycle", args=[1])
    frozen = StocktakingReport.objects.get(cycle=world.cycle)
    assert frozen.status == ReportStatus.PUBLISHED and frozen.published_by == world.secretariat
    assert frozen.content["summary"]["reported"] == 2 and frozen.content["published"] is True
    client.logout()
    before = {name: client.get(url).content for name, url in urls(world.cycle).items() if name in ("page", "csv")}

    # Later edits: a title, an indicator. Beta's update, left submitted, can no longer be approved into the cycle.
    world.alpha.title = "Alpha, renamed after publication"
    world.alpha.save()
    Indicator.objects.filter(pk=world.indicators["i1"].pk).update(baseline=Decimal("1"))
    beta_update = ProgressUpdate.objects.get(project=world.beta, cycle=world.cycle)
    with pytest.raises(update_services.WorkflowError, match="nothing more can be approved into it"):
        update_services.approve_update(update=beta_update, reviewer=world.secretariat)
    titles = [entry.title for entry in build_report(world.cycle).initiatives]
    assert "Alpha, renamed after publication" in titles  # the live data moved on…

    after = {name: client.get(url).content for name, url in urls(world.cycle).items() if name in ("page", "csv")}
    assert after == before  # …the published report did not
    assert b"Alpha, renamed after publication" not in after["page"]
    assert b"Published on" in after["page"]
    frozen.refresh_from_db()
    assert frozen.content["summary"]["reported"] == 2


def test_publishing_ends_the_cycle_and_new_updates_report_nowhere(world):
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    update = update_services.create_update(
        project=world.alpha,
        organisation=world.eur,
        author=world.author_eur,
        content=update_services.UpdateContent(
            period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 3, 31), achievements="x"
        ),
    )
    assert update.cycle is None


def test_cycle_states_follow_the_dates_and_change_by_rule(world):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    planned = make_cycle(number=2, start=(2024, 1, 1), end=(2025, 12, 31), status=CycleStatus.PLANNED)
    assert (world.cycle.status, planned.status) == (CycleStatus.OPEN, CycleStatus.PLANNED)
    assert ReportingCycle.objects.current() == world.cycle
    with pytest.raises(services.MonitoringError, match="planned cycle"):
        services.publish_report(cycle=planned, user=world.secretariat, confirmed=True)
    # Two cycles never take submissions on the same day.
    with pytest.raises(services.MonitoringError, match="Cycle 1 takes submissions from"):
        services.open_submissions(cycle=planned, user=world.secretariat)
    # The window closes by its date (here: the Secretariat moves its last day to yesterday).
    opens = world.cycle.submission_opens
    services.set_submission_window(cycle=world.cycle, user=world.secretariat, opens=opens, closes=today - day)
    world.cycle.refresh_from_db()
    assert world.cycle.status_on(today) == CycleStatus.CLOSED and ReportingCycle.objects.current() is None
    # A late-submission allowance: still closed, but it takes submissions.
    services.set_submission_window(
        cycle=world.cycle, user=world.secretariat, opens=opens, closes=today - day, late_until=today + 3 * day
    )
    world.cycle.refresh_from_db()
    assert world.cycle.status_on(today) == CycleStatus.CLOSED and ReportingCycle.objects.current() == world.cycle
    with pytest.raises(services.MonitoringError, match="cannot overlap"):
        services.open_submissions(cycle=planned, user=world.secretariat)
    services.set_submission_window(cycle=world.cycle, user=world.secretariat, opens=opens, closes=today - day)
    services.open_submissions(cycle=planned, user=world.secretariat)
    planned.refresh_from_db()
    assert planned.submission_opens == today and ReportingCycle.objects.current() == planned
    with pytest.raises(services.MonitoringError, match="only a planned cycle"):
        services.open_submissions(cycle=planned, user=world.secretariat)
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    with pytest.raises(services.MonitoringError, match="already published"):
        services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    with pytest.raises(services.MonitoringError, match="frozen"):
        services.set_submission_window(cycle=world.cycle, user=world.secretariat, opens=today, closes=today)
    with pytest.raises(PermissionDenied):
        services.set_submission_window(cycle=planned, user=world.author_eur, opens=today, closes=today)
    assert [(c.number, c.status) for c in ReportingCycle.objects.all()] == [(1, "published"), (2, "open")]


@pytest.mark.parametrize(
    "status, days, expected",
    [
        (CycleStatus.PLANNED, 0, "Planned: submissions open on 1 March 2027 and close on 31 March 2027"),
        (CycleStatus.OPEN, 0, "Open: submissions close on 31 March 2027 (24 days left)"),
        (CycleStatus.OPEN, 23, "Open: submissions close on 31 March 2027 (1 day left)"),
        (CycleStatus.OPEN, 24, "Open: submissions close on 31 March 2027 (last day today)"),
        (CycleStatus.CLOSED, 25, "Closed on 31 March 2027: late submissions accepted until 15 April 2027 (14 days left)"),
        (CycleStatus.CLOSED, 39, "Closed on 31 March 2027: late submissions accepted until 15 April 2027 (last day today)"),
        (CycleStatus.CLOSED, 41, "Closed on 31 March 2027; late submissions were accepted until 15 April 2027"),
        (CycleStatus.PUBLISHED, 60, "Published on 2 May 2027"),
    ],
)  # fmt: skip
def test_one_message_says_the_state_and_never_a_past_date_as_to_come(world, status, days, expected):
    cycle = world.cycle
    cycle.submission_opens, cycle.submission_closes = datetime.date(2027, 3, 1), datetime.date(2027, 3, 31)
    cycle.late_submissions_until = datetime.date(2027, 4, 15)
    cycle.published_on = datetime.date(2027, 5, 2) if status == CycleStatus.PUBLISHED else None
    today = datetime.date(2027, 2, 1) if status == CycleStatus.PLANNED else datetime.date(2027, 3, 7)
    today += datetime.timedelta(days=days)
    assert cycle.status_on(today) == status
    assert services.cycle_status_message(cycle, today) == expected
    if status == CycleStatus.CLOSED:
        cycle.late_submissions_until = None
        assert services.cycle_status_message(cycle, today) == "Closed on 31 March 2027"


def test_a_frozen_report_must_have_content(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        StocktakingReport.objects.create(cycle=world.cycle, status=ReportStatus.PUBLISHED, content=None)


def test_publishing_checks_first_and_asks_for_confirmation(client, world):
    """The publish page lists what is unresolved; publishing with any of it left needs an explicit "yes"."""
    client.force_login(world.secretariat)
    url = reverse("reports:report-publish", args=[world.cycle.number])
    page = client.get(url).content.decode()
    assert "The window is not closed:" in page
    assert "1 active initiative without an approved update:" in page and ">Beta</a>" in page
    assert "1 update submitted, waiting for review" in page
    response = client.post(url, {"executive_summary": ""})
    assert response.status_code == 400 and "confirm that the report is to be published" in response.content.decode()
    assert not StocktakingReport.objects.exists()
    with pytest.raises(services.MonitoringError, match="unresolved"):
        services.publish_report(cycle=world.cycle, user=world.secretariat)
    assert client.post(url, {"executive_summary": "", "confirm_unresolved": "on"}).status_code == 302
    assert StocktakingReport.objects.published().filter(cycle=world.cycle).exists()


def test_with_nothing_unresolved_publishing_needs_no_confirmation(client, world):
    beta = ProgressUpdate.objects.get(project=world.beta, cycle=world.cycle)
    update_services.approve_update(update=beta, reviewer=world.secretariat)
    set_status(world.cycle, CycleStatus.CLOSED)
    check = services.publication_check(world.cycle)
    assert not check.unresolved and check.without_approved_count == 0
    client.force_login(world.secretariat)
    url = reverse("reports:report-publish", args=[world.cycle.number])
    assert "Nothing is unresolved" in client.get(url).content.decode()
    assert client.post(url, {"executive_summary": ""}).status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.status == CycleStatus.PUBLISHED and world.cycle.published_on == timezone.localdate()


def test_published_files_are_rendered_once(client, world):
    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    url = reverse("reports:report-pdf", args=[world.cycle.number])
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=3600"
    assert 'filename="asem-stocktaking-report-cycle-1.pdf"' in first["Content-Disposition"]
    with mock.patch("monitoring.exporters.to_pdf", side_effect=AssertionError("rendered again")):
        assert client.get(url).content == first.content


def test_publishing_renders_and_stores_each_file_once(client, world):
    with mock.patch("monitoring.exporters.render", wraps=exporters.render) as render:
        frozen = services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    assert sorted(call.args[1] for call in render.call_args_list) == ["csv", "pdf", "xlsx"]
    for extension in exporters.FORMATS:
        url = reverse(f"reports:report-{extension}", args=[world.cycle.number])
        with mock.patch("monitoring.exporters.render", side_effect=AssertionError("rendered again")):
            first, again = client.get(url), client.get(url)
        with frozen.export_file(extension).open("rb") as stored:
            assert first.content == again.content == stored.read()
        assert first["Content-Type"] == exporters.CONTENT_TYPES[extension]
        assert first["Content-Disposition"] == f'attachment; filename="asem-stocktaking-report-cycle-1.{extension}"'


def test_a_drafts_files_are_rendered_for_each_download_and_not_stored(client, world):
    client.force_login(world.secretariat)
    url = reverse("reports:report-csv", args=[world.cycle.number])
    with mock.patch("monitoring.exporters.render", wraps=exporters.render) as render:
        first, again = client.get(url), client.get(url)
    assert render.call_count == 2 and first["Cache-Control"] == again["Cache-Control"] == "private, no-store"
    assert not StocktakingReport.objects.exists()


def test_a_new_publication_replaces_the_stored_files(client, world, django_capture_on_commit_callbacks):
    first = services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    names = [first.export_file(extension).name for extension in exporters.FORMATS]
    url = reverse("reports:report-csv", args=[world.cycle.number])
    assert b"Alpha, as published again" not in client.get(url).content
    # Publishing is final; should a report ever be published anew (here: forced), its files follow.
    world.alpha.title = "Alpha, as published again"
    world.alpha.save()
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(published_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    assert b"Alpha, as published again" in client.get(url).content
    assert not any(default_storage.exists(name) for name in names)
    assert all(default_storage.exists(second.export_file(extension).name) for extension in exporters.FORMATS)


def test_a_report_published_before_its_files_were_stored_gets_them_once(client, world):
    report = services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    StocktakingReport.objects.filter(pk=report.pk).update(pdf_file="", xlsx_file="", csv_file="")
    url = reverse("reports:report-xlsx", args=[world.cycle.number])
    with mock.patch("monitoring.exporters.render", wraps=exporters.render) as render:
        first, again = client.get(url), client.get(url)
    assert render.call_count == len(exporters.FORMATS) and first.content == again.content
    report.refresh_from_db()
    assert all(report.export_file(extension) for extension in exporters.FORMATS)


def test_publishing_is_in_the_audit_log(world):
    from django.contrib.admin.models import LogEntry

    services.publish_report(cycle=world.cycle, user=world.secretariat, confirmed=True)
    entry = LogEntry.objects.get(object_id=str(world.cycle.pk), content_type__model="reportingcycle")
    assert (entry.user, entry.get_change_message()) == (world.secretariat, "Stocktaking report published")


@pytest.mark.parametrize("value", ["²", "abc", "9" * 5000, "-1"])
def test_completeness_with_a_nonsense_cycle_is_a_404(client, world, value):
    client.force_login(world.secretariat)
    assert client.get(reverse("reports:completeness"), {"cycle": value}).status_code == 404


def test_work_plan_import_page_with_a_nonsense_id_is_a_404(client, world):
    client.force_login(world.secretariat)
    assert client.get("/admin/monitoring/reportingcycle/abc/import-work-plan/").status_code == 404
