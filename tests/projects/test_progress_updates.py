"""Progress updates: the workflow, its rules, the permission matrix, bad input, and query budgets."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import PurePath

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.parsing import parse_id
from monitoring import permissions
from monitoring import update_services as services
from monitoring.models import MilestoneReport, ProgressUpdate, UpdateStatus, UpdateTransition
from projects.models import Milestone, MilestoneStatus, OrganisationRole
from tests.conftest import content, draft, login, update_form_data
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProjectOrganisationFactory,
    build_plan,
)
from tests.outbox import deliver, queued

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def form_data(world, **overrides) -> dict:
    data = update_form_data(
        version="",
        organisation=str(world["lead"].pk),
        period_start="2026-01-01",
        period_end="2026-06-30",
        achievements="120 pairs exchanged.",
        challenges="Few European funders.",
        next_steps="Outreach.",
        initiative_status="ongoing",
        links="Report | https://example.org/report.pdf",
        milestones=[
            {"milestone": world["milestone"].pk, "outcome": "achieved", "achieved_on": "2026-05-02", "note": "In Seoul"}
        ],
        indicators=[{"indicator": world["indicator"].pk, "value": "120", "as_of": "2026-06-30"}],
        save="1",
    )
    data.update(overrides)
    return data


# --- The workflow, through the services -------------------------------------------------------------------------


def test_the_whole_workflow_applies_the_approved_state_and_can_be_withdrawn(world):
    milestone, indicator = world["milestone"], world["indicator"]
    update = draft(
        world,
        milestone_reports=(
            services.MilestoneReportData(
                milestone=milestone, outcome="achieved", achieved_on=datetime.date(2026, 5, 2)
            ),
        ),
        indicator_values=(
            services.IndicatorValueData(indicator=indicator, value=Decimal("120"), as_of=datetime.date(2026, 6, 30)),
        ),
    )
    assert update.status == UpdateStatus.DRAFT
    services.submit_update(update=update, user=world["author"])
    # Submitting tells the Secretariat's reviewers (tests/test_review_workspace.py has each notice).
    assert queued() == [
        (["reviewer2@example.org", "secretariat@example.org"], "Progress update submitted: DUO Fellowship")
    ]
    deliver()
    services.return_update(update=update, reviewer=world["secretariat"], reason="Add the number of alumni.")
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED
    # The notice is in the outbox, in the return's own transaction (no commit callback); the sender delivers it.
    assert [to for to, _subject in queued()] == [["author@example.org"]] and len(mail.outbox) == 1
    delivered = deliver()[1:]
    assert len(delivered) == 1 and delivered[0].to == ["author@example.org"]
    assert "was returned" in delivered[0].subject and "Add the number of alumni." in delivered[0].body
    assert queued() == []

    update = services.save_draft(
        update=update,
        user=world["colleague"],  # a colleague of the same organisation fixes it
        content=content(
            achievements="120 pairs; 40 alumni met.",
            milestone_reports=(
                services.MilestoneReportData(
                    milestone=milestone, outcome="achieved", achieved_on=datetime.date(2026, 5, 2)
                ),
            ),
            indicator_values=(
                services.IndicatorValueData(
                    indicator=indicator, value=Decimal("120"), as_of=datetime.date(2026, 6, 30)
                ),
            ),
        ),
        expected_version=update.version,
    )
    services.submit_update(update=update, user=world["colleague"])
    services.approve_update(update=update, reviewer=world["secretariat"])
    assert [to for to, subject in queued() if "is published" in subject] == [["author@example.org"]]
    update.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED and update.reviewed_by == world["secretariat"]
    milestone.refresh_from_db()
    indicator.refresh_from_db()
    assert (milestone.status, milestone.achieved_on) == (MilestoneStatus.ACHIEVED, datetime.date(2026, 5, 2))
    assert (indicator.latest_value, indicator.latest_value_on) == (Decimal("120.00"), datetime.date(2026, 6, 30))
    assert [t.to_status for t in update.transitions.all()] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert update.transitions.get(to_status="returned").reason == "Add the number of alumni."

    services.withdraw_approval(update=update, reviewer=world["reviewer2"], reason="Figures disputed.")
    milestone.refresh_from_db()
    indicator.refresh_from_db()
    assert (milestone.status, milestone.achieved_on) == (MilestoneStatus.PLANNED, None)
    assert indicator.latest_value is None
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.SUBMITTED


def test_transitions_check_their_source_state(world):
    update = draft(world)
    with pytest.raises(services.WorkflowError):
        services.approve_update(update=update, reviewer=world["secretariat"])  # a draft
    with pytest.raises(services.WorkflowError):
        services.return_update(update=update, reviewer=world["secretariat"], reason="x")
    services.submit_update(update=update, user=world["author"])
    with pytest.raises(services.WorkflowError, match="already been submitted"):
        services.submit_update(update=update, user=world["author"])
    with pytest.raises(services.WorkflowError, match="Say why"):
        services.return_update(update=update, reviewer=world["secretariat"], reason="  ")
    services.approve_update(update=update, reviewer=world["secretariat"])
    with pytest.raises(services.WorkflowError):
        services.approve_update(update=update, reviewer=world["reviewer2"])
    with pytest.raises(services.WorkflowError):
        services.save_draft(update=update, user=world["author"], content=content(), expected_version=update.version + 4)
    assert UpdateTransition.objects.filter(update=update).count() == 3


def test_nobody_approves_their_own_update(world):
    world["secretariat"].memberships.create(organisation=world["lead"])
    update = services.create_update(
        project=world["project"], organisation=world["lead"], author=world["secretariat"], content=content()
    )
    services.submit_update(update=update, user=world["secretariat"])
    with pytest.raises(PermissionDenied):
        services.approve_update(update=update, reviewer=world["secretariat"])
    services.approve_update(update=update, reviewer=world["reviewer2"])


def test_only_members_report_and_only_the_secretariat_reviews(world):
    with pytest.raises(PermissionDenied):
        services.create_update(
            project=world["project"], organisation=world["lead"], author=world["outsider"], content=content()
        )
    update = draft(world)
    services.submit_update(update=update, user=world["author"])
    for user in ("author", "colleague", "coordinator", "outsider"):
        with pytest.raises(PermissionDenied):
            services.approve_update(update=update, reviewer=world[user])


def test_an_empty_update_cannot_be_submitted(world):
    update = draft(world, achievements="", challenges="", next_steps="")
    with pytest.raises(services.WorkflowError, match="Write at least"):
        services.submit_update(update=update, user=world["author"])


def test_save_and_submit_is_one_step(world, monkeypatch):
    """A submission refused after the save (here: by a stand-in) leaves no new draft and no new version."""
    update = draft(world)

    def refuse(**kwargs):
        raise services.WorkflowError("Refused.")

    monkeypatch.setattr(services, "submit_update", refuse)
    with pytest.raises(services.WorkflowError, match="Refused"):
        services.save_and_submit(
            update=update, user=world["author"], content=content(achievements="New."), expected_version=1
        )
    with pytest.raises(services.WorkflowError, match="Refused"):
        services.create_and_submit(
            project=world["project"],
            organisation=world["lead"],
            author=world["author"],
            content=content(period_start=datetime.date(2026, 2, 1)),  # not the draft's period
        )
    assert ProgressUpdate.objects.count() == 1
    update.refresh_from_db()
    assert (update.version, update.achievements, update.status) == (1, "120 pairs exchanged.", UpdateStatus.DRAFT)


def test_only_an_organisation_taking_part_in_the_initiative_reports_on_it(client, world):
    funder = OrganisationFactory(slug="funder")
    ProjectOrganisationFactory(project=world["project"], organisation=funder, role=OrganisationRole.FUNDER)
    MembershipFactory(user=world["author"], organisation=funder)
    assert list(permissions.reporting_organisations(world["author"], world["project"])) == [world["lead"]]
    assert not permissions.reporting_organisations(world["outsider"], world["project"]).exists()
    with pytest.raises(PermissionDenied, match="lead or one of its partners"):
        services.create_update(project=world["project"], organisation=funder, author=world["author"], content=content())
    client.force_login(world["author"])
    url = reverse("updates:update-create", args=["duo-fellowship"])
    assert list(client.get(url).context["form"].fields["organisation"].queryset) == [world["lead"]]
    response = client.post(url, form_data(world, organisation=str(funder.pk)))
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    assert not ProgressUpdate.objects.exists()


def test_approve_and_return_refuse_an_update_changed_since_the_reviewer_read_it(world):
    update = services.submit_update(update=draft(world), user=world["author"])
    read = update.version  # reviewer A opens it…
    # …meanwhile reviewer B returns it, and the author rewrites and resubmits it.
    services.return_update(update=update, reviewer=world["reviewer2"], reason="Add figures.", expected_version=read)
    rewritten = services.save_draft(
        update=update, user=world["author"], content=content(achievements="Rewritten."), expected_version=read + 1
    )
    current = services.submit_update(update=rewritten, user=world["author"]).version
    with pytest.raises(services.ConflictError):
        services.approve_update(update=update, reviewer=world["secretariat"], expected_version=read)
    with pytest.raises(services.ConflictError):
        services.return_update(update=update, reviewer=world["secretariat"], reason="No.", expected_version=read)
    approved, problems = services.approve_updates(
        updates=[update], reviewer=world["secretariat"], expected_versions={update.pk: read}
    )
    assert approved == [] and "changed since you opened it" in problems[0]
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.SUBMITTED
    services.approve_update(update=update, reviewer=world["secretariat"], expected_version=current)
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.APPROVED


# --- Withdrawing an approval: what it restores ------------------------------------------------------------------


def approved(world, *reports: services.MilestoneReportData) -> ProgressUpdate:
    update = services.submit_update(update=draft(world, milestone_reports=reports), user=world["author"])
    return services.approve_update(update=update, reviewer=world["secretariat"])


def delayed_to(world, date: datetime.date) -> services.MilestoneReportData:
    return services.MilestoneReportData(milestone=world["milestone"], outcome="delayed", new_date=date)


def achieved_on(world, date: datetime.date) -> services.MilestoneReportData:
    return services.MilestoneReportData(milestone=world["milestone"], outcome="achieved", achieved_on=date)


def milestone_state(world) -> tuple:
    m = Milestone.objects.get(pk=world["milestone"].pk)
    return m.status, m.achieved_on, m.planned_start, m.planned_end


ORIGINAL = (MilestoneStatus.PLANNED, None, datetime.date(2026, 5, 1), datetime.date(2026, 6, 1))


def test_withdrawing_an_approval_restores_the_milestone_planned_date_included(world):
    Milestone.objects.filter(pk=world["milestone"].pk).update(planned_end=datetime.date(2026, 6, 1))
    update = approved(world, delayed_to(world, datetime.date(2026, 7, 1)))
    assert milestone_state(world) == (
        MilestoneStatus.DELAYED,
        None,
        datetime.date(2026, 5, 1),
        datetime.date(2026, 7, 1),
    )
    services.withdraw_approval(update=update, reviewer=world["reviewer2"], reason="Wrong date.")
    assert milestone_state(world) == ORIGINAL
    assert update.transitions.last().reason == "Wrong date."  # nothing was left as it is


def test_withdrawing_an_approval_leaves_a_milestone_a_later_approval_changed(world):
    Milestone.objects.filter(pk=world["milestone"].pk).update(planned_end=datetime.date(2026, 6, 1))
    first = approved(world, delayed_to(world, datetime.date(2026, 7, 1)))
    second = approved(world, achieved_on(world, datetime.date(2026, 4, 2)))
    services.withdraw_approval(update=first, reviewer=world["reviewer2"], reason="Wrong date.")
    # The later approval stands (its planned dates are the ones the first approval had set).
    assert milestone_state(world) == (
        MilestoneStatus.ACHIEVED,
        datetime.date(2026, 4, 2),
        datetime.date(2026, 5, 1),
        datetime.date(2026, 7, 1),
    )
    reason = first.transitions.last().reason
    assert reason.startswith("Wrong date.") and "left as they are" in reason and "Alumni meeting" in reason
    # Withdrawing the later one too restores the milestone as it was before both.
    services.withdraw_approval(update=second, reviewer=world["reviewer2"], reason="Also wrong.")
    assert milestone_state(world) == ORIGINAL


def test_withdrawing_an_approval_leaves_a_milestone_changed_by_hand_since(world):
    update = approved(world, delayed_to(world, datetime.date(2026, 9, 1)))
    Milestone.objects.filter(pk=world["milestone"].pk).update(status=MilestoneStatus.CANCELLED)
    services.withdraw_approval(update=update, reviewer=world["reviewer2"], reason="Wrong date.")
    assert milestone_state(world)[0] == MilestoneStatus.CANCELLED
    assert "Alumni meeting" in update.transitions.last().reason
    assert MilestoneReport.objects.get(update=update).previous_state is None


def test_withdrawing_an_approval_recorded_before_planned_dates_were_kept_still_restores(world):
    update = approved(world, achieved_on(world, datetime.date(2026, 5, 2)))
    # What approvals recorded until now: no planned_start, no record of what was applied.
    MilestoneReport.objects.filter(update=update).update(
        previous_state={"status": "planned", "achieved_on": None, "planned_end": None}
    )
    services.withdraw_approval(update=update, reviewer=world["reviewer2"], reason="Disputed.")
    assert milestone_state(world) == (MilestoneStatus.PLANNED, None, datetime.date(2026, 5, 1), None)


# --- The web forms ------------------------------------------------------------------------------------------------


def test_contributor_drafts_previews_and_submits_through_the_form(client, world):
    client.force_login(world["author"])
    url = reverse("updates:update-create", args=["duo-fellowship"])
    page = client.get(url)
    assert page.status_code == 200 and "Alumni meeting" in page.content.decode()

    # Preview saves the draft first, then shows it as it will be published, above the form.
    preview = client.post(url, form_data(world, save="", preview="1"))
    update = ProgressUpdate.objects.get()
    edit = reverse("updates:update-edit", args=[update.pk])
    assert preview.status_code == 302 and preview["Location"] == edit + "?preview#preview"
    page = client.get(edit + "?preview").content.decode()
    assert "Preview: the update as it will be published" in page and "In Seoul" in page

    response = client.post(edit, form_data(world, version=str(update.version)))
    update = ProgressUpdate.objects.get()
    assert response.status_code == 302 and response["Location"] == update.get_absolute_url()
    assert update.status == UpdateStatus.DRAFT and update.author == world["author"]
    assert update.milestone_reports.get().note == "In Seoul"
    assert update.indicator_values.get().value == Decimal("120.00")
    assert update.evidence.get().url == "https://example.org/report.pdf"

    response = client.post(reverse("updates:update-submit", args=[update.pk]), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED


def test_a_double_clicked_submit_creates_one_submission(client, world):
    update = draft(world)
    client.force_login(world["author"])
    url = reverse("updates:update-submit", args=[update.pk])
    client.post(url, {"version": update.version})
    second = client.post(url, {"version": update.version}, follow=True)
    assert "already been submitted" in second.content.decode()
    assert UpdateTransition.objects.filter(update=update, to_status="submitted").count() == 1


def test_two_people_editing_one_draft_the_second_gets_a_conflict_and_loses_nothing(client, world):
    update = draft(world)
    version = update.version
    first, second = client, client.__class__()
    first.force_login(world["author"])
    second.force_login(world["colleague"])
    url = reverse("updates:update-edit", args=[update.pk])
    ok = first.post(url, form_data(world, version=str(version), achievements="Author's text."))
    assert ok.status_code == 302
    conflict = second.post(url, form_data(world, version=str(version), achievements="Colleague's text."))
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Someone else saved this update since you opened it." in page
    assert "Colleague&#x27;s text." in page  # their input is kept in the form
    assert "Author&#x27;s text." in page  # and the saved version is shown beside it
    update.refresh_from_db()
    assert update.achievements == "Author's text."


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"period_start": ""}, "period_start", "This field is required."),
        ({"period_end": "99999-01-01"}, "period_end", "Enter a valid date."),
        ({"period_end": "2025-01-01"}, "period_end", "The period cannot end before it starts."),
        ({"achievements": "x" * 1_000_000}, "achievements", "Ensure this value has at most 20000 characters"),
        ({"indicators-0-value": "-5"}, "indicators-0-value", "A value cannot be negative."),
        ({"indicators-0-value": "lots"}, "indicators-0-value", "Enter a number."),
        ({"indicators-0-as_of": ""}, "indicators-0-as_of", "Give the date this value was measured on."),
        ({"indicators-0-value": ""}, "indicators-0-value", "Give the value, or clear the date."),
        ({"milestones-0-achieved_on": ""}, "milestones-0-achieved_on", "Say when the milestone was achieved."),
        (
            {"milestones-0-achieved_on": "2999-01-01"},
            "milestones-0-achieved_on",
            "A milestone cannot be achieved in the future.",
        ),
        (
            {"milestones-0-outcome": "delayed", "milestones-0-achieved_on": ""},
            "milestones-0-new_date",
            "Give the new date",
        ),
        (
            {"milestones-0-outcome": "on_track"},
            "milestones-0-achieved_on",
            "Only an achieved milestone has the date it was achieved: clear it.",
        ),
        (
            {"indicators-0-as_of": "2026-07-01"},
            "indicators-0-as_of",
            "Give a date within the update's period, 1 January 2026 – 30 June 2026",
        ),
        ({"milestones-0-outcome": "exploded"}, "milestones-0-outcome", "Select a valid choice."),
        ({"milestones-0-milestone": "999999"}, "milestones-0", "The initiative changed since you opened this form"),
        ({"milestones-TOTAL_FORMS": ""}, "milestones", "ManagementForm data is missing or has been tampered with"),
        ({"links": "javascript:alert(1)"}, "links", "Line 1 is not a web address"),
    ],
)
def test_bad_input_gets_a_field_error_keeps_the_form_and_saves_nothing(client, world, overrides, field, message):
    client.force_login(world["author"])
    response = client.post(reverse("updates:update-create", args=["duo-fellowship"]), form_data(world, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors_by_name()
    assert any(message in error for error in errors[field]), errors
    assert message.split(":")[0] in response.content.decode().replace("&#x27;", "'")  # shown on the page
    assert "Few European funders." in response.content.decode()  # the rest of the form is kept
    assert not ProgressUpdate.objects.exists()


def test_html_in_narratives_is_escaped(client, world):
    update = draft(world, achievements='<script>alert("x")</script> done')
    client.force_login(world["author"])
    page = client.get(update.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; done" in page


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_files_are_checked_by_content_and_size(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(world["author"])
    url = reverse("updates:update-create", args=["duo-fellowship"])
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    response = client.post(url, {**form_data(world), "file_1": disguised})
    assert response.status_code == 400
    assert "not a PDF, an image or an office document" in str(response.context["form"].errors["file_1"])
    renamed = SimpleUploadedFile("report.png", PDF, content_type="image/png")
    response = client.post(url, {**form_data(world), "file_1": renamed})
    assert "its content is something else" in str(response.context["form"].errors["file_1"])
    huge = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(url, {**form_data(world), "file_1": huge})
    assert "files may be at most 1.0\xa0KB" in str(response.context["form"].errors["file_1"])
    assert not ProgressUpdate.objects.exists()

    good = SimpleUploadedFile("report.pdf", PDF, content_type="application/octet-stream")
    response = client.post(url, {**form_data(world), "file_1": good})
    assert response.status_code == 302
    evidence = ProgressUpdate.objects.get().evidence.get(file__endswith=".pdf")
    assert evidence.content_type == "application/pdf"
    download = client.get(reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # The outsider cannot fetch it, not even by guessing the address.
    client.force_login(world["outsider"])
    assert client.get(reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk])).status_code == 404


@pytest.mark.parametrize("name", ["r" * 250 + ".pdf", "보고서" * 80 + ".pdf"])
def test_evidence_files_with_long_names_are_kept_under_shortened_names(client, world, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["author"])
    url = reverse("updates:update-create", args=["duo-fellowship"])
    uploaded = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    assert client.post(url, {**form_data(world), "file_1": uploaded}).status_code == 302
    evidence = ProgressUpdate.objects.get().evidence.exclude(file="").get()
    # The title fits its column (200), the stored name its column (300) and the file system (255 bytes).
    assert len(evidence.title) <= 200 and evidence.title.endswith(".pdf") and evidence.title[:10] == name[:10]
    assert len(evidence.file.name) <= 300 and evidence.file.name.endswith(".pdf")
    assert len(PurePath(evidence.file.name).name.encode()) <= 255
    download = client.get(reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_approved_updates_are_read_only_to_contributors(client, world):
    update = draft(world)
    services.submit_update(update=update, user=world["author"])
    services.approve_update(update=update, reviewer=world["secretariat"])
    client.force_login(world["author"])
    response = client.post(reverse("updates:update-edit", args=[update.pk]), form_data(world, version="9"))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED and update.achievements == "120 pairs exchanged."


def test_secretariat_returns_with_a_reason_and_bulk_approves(client, world):
    updates = [services.submit_update(update=draft(world), user=world["author"]) for _ in range(3)]
    client.force_login(world["secretariat"])
    return_url = reverse("updates:update-return", args=[updates[0].pk])
    empty = client.post(return_url, {"reason": "", "version": updates[0].version})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    client.post(return_url, {"reason": "Add figures.", "version": updates[0].version})
    queue = client.get(reverse("updates:review-queue"))
    assert [u.pk for u in queue.context["queue"]] == [updates[1].pk, updates[2].pk]
    chosen = [f"{u.pk}:{u.version}" for u in updates[1:]]
    assert all(f'value="{value}"' in queue.content.decode() for value in chosen)
    response = client.post(reverse("updates:review-queue"), {"updates": chosen})
    assert response.status_code == 302
    assert list(ProgressUpdate.objects.order_by("pk").values_list("status", flat=True)) == [
        "returned",
        "approved",
        "approved",
    ]
    for bogus in (["abc"], ["999999"], ["999999:1"], ["²:1"], [f"{updates[0].pk}:²"], ["9" * 5000 + ":1"]):
        assert client.post(reverse("updates:review-queue"), {"updates": bogus}).status_code == 400, bogus


def test_the_admin_list_approves_nothing_unread(client, world):
    """No bulk action approves updates at whatever version they have now: the update's admin page and the
    review queue approve at the version the reviewer read (tests/test_review_workspace.py)."""
    update = draft(world)
    services.submit_update(update=update, user=world["author"])
    client.force_login(world["secretariat"])
    changelist = client.get(reverse("admin:monitoring_progressupdate_changelist")).content.decode()
    assert "approve_selected" not in changelist
    client.post(
        reverse("admin:monitoring_progressupdate_changelist"),
        {"action": "approve_selected", "_selected_action": [update.pk]},
    )
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED


def test_a_refused_submit_of_a_new_update_saves_nothing_and_keeps_the_input(client, world):
    client.force_login(world["author"])
    url = reverse("updates:update-create", args=["duo-fellowship"])
    empty = form_data(
        world, save="", submit="1", achievements="", challenges="", next_steps="", links="https://example.org/plan"
    )
    response = client.post(url, empty)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write at least the achievements" in page and "Nothing was saved" in page
    assert "https://example.org/plan" in page  # the input is kept
    assert not ProgressUpdate.objects.exists()
    # Completed, the same form makes one submitted update, and no draft is left over from the refusal.
    assert client.post(url, {**empty, "achievements": "Done."}).status_code == 302
    assert list(ProgressUpdate.objects.values_list("status", flat=True)) == [UpdateStatus.SUBMITTED]


def test_a_refused_submit_of_a_draft_changes_nothing_and_the_next_save_is_no_conflict(client, world):
    update = draft(world)
    client.force_login(world["author"])
    url = reverse("updates:update-edit", args=[update.pk])
    empty = form_data(world, version="1", save="", submit="1", achievements="", challenges="", next_steps="")
    refused = client.post(url, empty)
    assert refused.status_code == 400 and "Write at least the achievements" in refused.content.decode()
    update.refresh_from_db()
    assert (update.version, update.achievements, update.status) == (1, "120 pairs exchanged.", UpdateStatus.DRAFT)
    assert not update.milestone_reports.exists()  # the form's milestone report was not saved either
    assert client.post(url, form_data(world, version="1")).status_code == 302


def test_after_a_conflict_the_form_has_the_current_version_and_saving_again_works(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = draft(world)
    first, second = client, client.__class__()
    first.force_login(world["author"])
    second.force_login(world["colleague"])
    url = reverse("updates:update-edit", args=[update.pk])
    assert first.post(url, form_data(world, version="1", achievements="Author's text.")).status_code == 302
    attachment = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    conflict = second.post(
        url, {**form_data(world, version="1", achievements="Colleague's text."), "file_1": attachment}
    )
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Choose the file again: report.pdf" in page  # a browser does not keep a chosen file
    version = re.search(r'name="version" value="([0-9]+)"', page).group(1)
    assert version == "2"
    # Having compared, the colleague saves again: their text replaces the author's, without another conflict.
    again = second.post(url, form_data(world, version=version, achievements="Colleague's text."))
    assert again.status_code == 302
    update.refresh_from_db()
    assert (update.achievements, update.version) == ("Colleague's text.", 3)
    assert not update.evidence.exclude(file="").exists()


def test_the_reviewer_approves_or_returns_only_the_version_they_read(client, world):
    update = services.submit_update(update=draft(world), user=world["author"])
    read = update.version
    client.force_login(world["secretariat"])
    page = client.get(update.get_absolute_url()).content.decode()
    approve_url = reverse("updates:update-approve", args=[update.pk])
    return_url = reverse("updates:update-return", args=[update.pk]) + f"?version={read}"
    assert f'<input type="hidden" name="version" value="{read}">' in page and return_url in page
    assert f'name="version" value="{read}"' in client.get(return_url).content.decode()
    # Meanwhile reviewer2 returns it, and the author rewrites and resubmits it.
    services.return_update(update=update, reviewer=world["reviewer2"], reason="Add figures.")
    rewritten = services.save_draft(
        update=update, user=world["author"], content=content(achievements="Rewritten."), expected_version=read + 1
    )
    current = services.submit_update(update=rewritten, user=world["author"]).version

    stale_approve = client.post(approve_url, {"version": read}, follow=True)
    assert "changed since you opened it" in stale_approve.content.decode()
    stale_return = client.post(return_url, {"reason": "No.", "version": read})
    assert stale_return.status_code == 400 and "changed since you opened it" in stale_return.content.decode()
    stale_queue = client.post(reverse("updates:review-queue"), {"updates": [f"{update.pk}:{read}"]}, follow=True)
    assert "changed since you opened it" in stale_queue.content.decode()
    no_version = client.post(approve_url, follow=True)
    assert "out of date" in no_version.content.decode()
    assert client.post(return_url.split("?")[0], {"reason": "No."}).status_code == 400
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.SUBMITTED

    assert client.post(approve_url, {"version": current}).status_code == 302
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.APPROVED


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_versions_that_are_not_numbers_are_refused_not_a_500(client, world, version):
    drafted = draft(world)
    submitted = services.submit_update(update=draft(world), user=world["author"])
    client.force_login(world["author"])
    response = client.post(reverse("updates:update-submit", args=[drafted.pk]), {"version": version}, follow=True)
    assert response.status_code == 200 and "out of date" in response.content.decode()
    client.force_login(world["secretariat"])
    response = client.post(reverse("updates:update-approve", args=[submitted.pk]), {"version": version}, follow=True)
    assert response.status_code == 200 and "out of date" in response.content.decode()
    response = client.post(reverse("updates:update-return", args=[submitted.pk]), {"reason": "x", "version": version})
    assert response.status_code == 400 and "out of date" in response.content.decode()
    response = client.post(reverse("updates:review-queue"), {"updates": [f"{submitted.pk}:{version}"]})
    assert response.status_code == 400
    assert [u.status for u in ProgressUpdate.objects.order_by("pk")] == [UpdateStatus.DRAFT, UpdateStatus.SUBMITTED]


def test_parse_id_takes_ascii_digits_only():
    assert (parse_id("42"), parse_id("007"), parse_id("9" * 18)) == (42, 7, 999_999_999_999_999_999)
    for value in ("²", "٣", "-1", "+1", "1.0", " 1", "1\n", "", "9" * 19, "9" * 5000, None, 5):
        assert parse_id(value) is None, value


# --- Who sees and does what --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", {"dashboard": 302, "create": 302, "draft": 404, "edit": 302, "submitted": 404, "approved": 200, "queue": 302}),
        ("outsider", {"dashboard": 200, "create": 404, "draft": 404, "edit": 404, "submitted": 404, "approved": 200, "queue": 403}),
        ("author", {"dashboard": 200, "create": 200, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("colleague", {"dashboard": 200, "create": 200, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("coordinator", {"dashboard": 200, "create": 200, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("secretariat", {"dashboard": 200, "create": 404, "draft": 404, "edit": 404, "submitted": 200, "approved": 200, "queue": 200}),
    ],
)  # fmt: skip
def test_permission_matrix_of_pages(client, world, persona, expected):
    drafted = draft(world)
    submitted = draft(world)
    services.submit_update(update=submitted, user=world["author"])
    approved = draft(world)
    services.submit_update(update=approved, user=world["author"])
    services.approve_update(update=approved, reviewer=world["reviewer2"])
    login(client, world, persona)
    urls = {
        "dashboard": reverse("updates:dashboard"),
        "create": reverse("updates:update-create", args=["duo-fellowship"]),
        "draft": drafted.get_absolute_url(),
        "edit": reverse("updates:update-edit", args=[drafted.pk]),
        "submitted": submitted.get_absolute_url(),
        "approved": approved.get_absolute_url(),
        "queue": reverse("updates:review-queue"),
    }
    assert {name: client.get(url).status_code for name, url in urls.items()} == expected


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", {"submit": "draft", "approve": "submitted", "return": "submitted"}),
        ("outsider", {"submit": "draft", "approve": "submitted", "return": "submitted"}),
        ("author", {"submit": "submitted", "approve": "submitted", "return": "submitted"}),
        ("colleague", {"submit": "submitted", "approve": "submitted", "return": "submitted"}),
        ("coordinator", {"submit": "submitted", "approve": "submitted", "return": "submitted"}),
        ("secretariat", {"submit": "draft", "approve": "approved", "return": "returned"}),
    ],
)
def test_permission_matrix_of_transitions(client, world, persona, expected):
    drafted = draft(world)
    to_approve, to_return = (services.submit_update(update=draft(world), user=world["author"]) for _ in range(2))
    login(client, world, persona)
    responses = [
        client.post(reverse("updates:update-submit", args=[drafted.pk]), {"version": drafted.version}),
        client.post(reverse("updates:update-approve", args=[to_approve.pk]), {"version": to_approve.version}),
        client.post(
            reverse("updates:update-return", args=[to_return.pk]), {"reason": "No.", "version": to_return.version}
        ),
    ]
    assert all(r.status_code in (302, 403, 404) for r in responses)
    statuses = {
        name: ProgressUpdate.objects.get(pk=update.pk).status
        for name, update in (("submit", drafted), ("approve", to_approve), ("return", to_return))
    }
    assert statuses == expected


def test_visibility_queryset_and_check_agree(world):
    drafted = draft(world)
    submitted = services.submit_update(update=draft(world), user=world["author"])
    for persona in ("outsider", "author", "secretariat"):
        user = world[persona]
        visible = set(permissions.updates_visible_to(user).values_list("pk", flat=True))
        assert visible == {u.pk for u in (drafted, submitted) if permissions.can(user, permissions.VIEW, u)}


# --- Query budgets -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [4, 40])
def test_dashboard_queue_and_form_have_fixed_query_budgets(client, world, django_assert_max_num_queries, size):
    build_plan(size)
    for project in ProgressUpdate.objects.values_list("project", flat=True):
        ProjectOrganisationFactory(project_id=project, organisation=world["lead"], role=OrganisationRole.PARTNER)
    ProgressUpdate.objects.update(organisation=world["lead"])
    client.force_login(world["author"])
    # session, user, memberships, my initiatives (+ their organisations), my organisations' updates, the
    # initiatives whose profile I edit, whether demonstration data is loaded (the banner)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("updates:dashboard")).status_code == 200
    # session, user, project, organisations, an update in progress for the period?, milestones, indicators,
    # whether demonstration data is loaded (the banner)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("updates:update-create", args=["duo-fellowship"])).status_code == 200
    client.force_login(world["secretariat"])
    # session, user, groups check, the queue, count for the form's queryset, whether demonstration data is loaded (the banner)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("updates:review-queue")).status_code == 200
    assert Milestone.objects.count() >= size


def test_review_decisions_are_in_the_audit_log(world):
    from django.contrib.admin.models import LogEntry

    update = draft(world)
    services.submit_update(update=update, user=world["author"])
    services.return_update(update=update, reviewer=world["secretariat"], reason="Add figures.")
    services.submit_update(update=update, user=world["author"])
    services.approve_update(update=update, reviewer=world["reviewer2"])
    services.withdraw_approval(update=update, reviewer=world["secretariat"], reason="Disputed.")
    entries = LogEntry.objects.filter(object_id=str(update.pk)).order_by("pk")
    assert [(e.user.username, e.get_change_message()) for e in entries] == [
        ("secretariat", "Returned: Add figures."),
        ("reviewer2", "Approved and published"),
        ("secretariat", "Approval withdrawn: Disputed."),
    ]
