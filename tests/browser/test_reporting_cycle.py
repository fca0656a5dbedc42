"""A whole reporting cycle in a real browser: the Secretariat opens it, a contributor submits, the Secretariat
returns, the contributor resubmits, the Secretariat approves; the window closes; the publish page lists what is
left and asks for confirmation; the report is published; the next cycle opens and the contributor's dashboard
points to it. A published cycle then refuses submit, approve and withdraw through the web, the API and the
admin. axe-core checks the pages the cycle adds or changes (WCAG 2.1 AA: no serious or critical violation).

With ``CYCLE_SCREENSHOTS=<directory>`` the test also saves full-page screenshots of those pages at 1366 and 390
pixels wide, to look at.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, ReportingCycle, UpdateStatus
from projects.models import OrganisationRole
from tests.factories import ProjectFactory, ProjectOrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2030"  # the personas' (tests/factories.py UserFactory)
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PUBLISHED = "was published on"


def look(page, name: str) -> None:
    """axe-core finds nothing serious; with CYCLE_SCREENSHOTS, a screenshot at 1366 and at 390 px."""
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"
    directory = os.environ.get("CYCLE_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{directory}/{name}-{width}.png", full_page=True)
        page.set_viewport_size(size)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def api_post(page, base: str, path: str, data: dict):
    """A POST to the API with the browser's session (and its CSRF token, as the API asks of a session)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(base + path, data=data, headers={"X-CSRFToken": token, "Referer": base + "/"})


def test_a_whole_cycle_from_opening_to_the_next(live_server, page, world):
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    # Cycle 1, planned: its two years around today, its window to open in ten days.
    cycle = ReportingCycle.objects.create(
        number=1,
        period_start=datetime.date(today.year, 1, 1),
        period_end=datetime.date(today.year + 1, 12, 31),
        submission_opens=today + 10 * day,
        submission_closes=today + 40 * day,
    )
    # Two more initiatives of DUO, to leave something unresolved.
    summer, forum = (
        ProjectFactory(slug=slug, title=title) for slug, title in (("summer", "Summer School"), ("forum", "Forum"))
    )
    for project in (summer, forum):
        ProjectOrganisationFactory(project=project, organisation=world.lead, role=OrganisationRole.LEAD)

    # The Secretariat opens it now, in the admin.
    log_in(page, base, "secretariat")
    page.goto(base + reverse("admin:monitoring_reportingcycle_changelist"))
    expect(page.get_by_text("Planned: submissions open on")).to_be_visible()
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_label("Action:").select_option("open_submissions")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Open: submissions close on").first).to_be_visible()
    expect(page.get_by_text("(40 days left)").first).to_be_visible()

    # The contributor sees it open on the dashboard, and submits an update.
    log_in(page, base, "author")
    page.goto(base + reverse("updates:dashboard"))
    expect(page.get_by_text("Open: submissions close on")).to_be_visible()
    expect(page.get_by_text("(40 days left)")).to_be_visible()
    look(page, "dashboard-open")
    page.get_by_role("link", name="Write an update").first.click()
    expect(page.get_by_text("This update reports to")).to_be_visible()
    look(page, "update-form")
    page.get_by_label("Achievements").fill("110 pairs exchanged this cycle.")
    page.get_by_label("Ongoing", exact=True).check()
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()
    update = ProgressUpdate.objects.get(project=world.project)
    assert update.cycle == cycle
    # A colleague leaves a draft on the Forum, and submits on the Summer School (never reviewed).
    left = services.create_update(
        project=forum, organisation=world.lead, author=world.colleague,
        content=services.UpdateContent(
            period_start=cycle.period_start, period_end=cycle.period_end, achievements="Draft.",
            initiative_status="ongoing",
        ),
    )  # fmt: skip
    waiting = services.create_and_submit(
        project=summer, organisation=world.lead, author=world.colleague,
        content=services.UpdateContent(
            period_start=cycle.period_start, period_end=cycle.period_end, achievements="Held.",
            initiative_status="ongoing",
        ),
    )  # fmt: skip

    # The Secretariat returns it with a reason.
    log_in(page, base, "secretariat")
    page.goto(base + reverse("updates:update-detail", args=[update.pk]))
    page.get_by_role("link", name="Return with a reason").click()
    page.get_by_label("Reason for returning").fill("Please add the alumni meeting.")
    page.get_by_role("button", name="Return it").click()
    expect(page.get_by_text("The update was returned to its author.")).to_be_visible()

    # The contributor resubmits.
    log_in(page, base, "author")
    page.goto(base + reverse("updates:update-edit", args=[update.pk]))
    page.get_by_label("Achievements").fill("110 pairs exchanged; 45 alumni met.")
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()

    # Another member of the Secretariat approves it.
    log_in(page, base, "reviewer2")
    page.goto(base + reverse("updates:update-detail", args=[update.pk]))
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text("The update is approved and published.")).to_be_visible()

    # The window closes: forty days pass (the window's dates move back by as much).
    ReportingCycle.objects.filter(pk=cycle.pk).update(
        submission_opens=today - 40 * day, submission_closes=today - 1 * day
    )
    closed = f"Closed on {(today - day).day} {(today - day):%B %Y}"

    # The publish page lists what is left, and asks for confirmation.
    log_in(page, base, "secretariat")
    page.goto(base + reverse("reports:report-detail", args=[1]))
    expect(page.get_by_text(closed).first).to_be_visible()
    page.get_by_role("link", name="Publish this report").click()
    expect(page.get_by_text("2 active initiatives without an approved update:")).to_be_visible()
    expect(page.get_by_text("1 update submitted, waiting for review")).to_be_visible()
    expect(page.get_by_text("1 draft still open:")).to_be_visible()
    expect(page.get_by_text("The window is not closed")).to_have_count(0)
    look(page, "publish-check")
    page.get_by_role("button", name="Publish and freeze the report").click()
    expect(page.get_by_text("confirm that the report is to be published").first).to_be_visible()
    assert ReportingCycle.objects.get(pk=cycle.pk).published_on is None
    page.get_by_label("Publish with the items listed above left as they are").check()
    page.get_by_role("button", name="Publish and freeze the report").click()
    expect(page.get_by_text("The report is published and frozen.")).to_be_visible()

    # The next cycle: its dates proposed from the two-year rhythm; the Secretariat opens it today.
    expect(page.get_by_role("heading", name="Plan reporting cycle 2")).to_be_visible()
    expect(page.get_by_label("Reporting period from")).to_have_value(f"{today.year + 2}-01-01")
    expect(page.get_by_label("Reporting period to")).to_have_value(f"{today.year + 3}-12-31")
    look(page, "next-cycle")
    page.get_by_label("Submissions open").fill(today.isoformat())
    page.get_by_label("Submissions close", exact=True).fill((today + 30 * day).isoformat())
    page.get_by_role("button", name="Add cycle 2").click()
    expect(page.get_by_text("Open: submissions close on").first).to_be_visible()
    second = ReportingCycle.objects.get(number=2)
    assert ReportingCycle.objects.current() == second
    page.goto(base + "/")
    expect(page.get_by_text("Reporting cycle 2 (", exact=False).first).to_be_visible()
    look(page, "home")

    # A published cycle refuses approve (web: the queue; admin: Approve) and withdraw (API).
    page.goto(base + reverse("updates:review-queue"))
    expect(page.get_by_text("Published on").first).to_be_visible()
    page.get_by_role("button", name="Approve the update on Summer School").click()
    expect(page.get_by_text(PUBLISHED).first).to_be_visible()
    page.goto(
        base + reverse("admin:monitoring_progressupdate_approve", args=[waiting.pk]) + f"?version={waiting.version}"
    )
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text(PUBLISHED).first).to_be_visible()
    refused = api_post(page, base, f"/api/v1/updates/{update.pk}/withdraw-approval/", {"reason": "Disputed."})
    assert refused.status == 409 and PUBLISHED in refused.json()["detail"]
    page.goto(base + reverse("updates:update-detail", args=[update.pk]))
    expect(page.get_by_role("link", name="Withdraw the approval")).to_have_count(0)

    # …and submit (web: the form; API), for the draft left in it; which moves to cycle 2 in one click.
    log_in(page, base, "author")
    page.goto(base + reverse("updates:update-edit", args=[left.pk]))
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text(PUBLISHED).first).to_be_visible()
    refused = api_post(page, base, f"/api/v1/updates/{left.pk}/submit/", {"version": left.version})
    assert refused.status == 409 and PUBLISHED in refused.json()["detail"]
    page.goto(base + reverse("updates:dashboard"))
    expect(page.get_by_text("Reporting cycle 2")).to_be_visible()
    expect(page.get_by_role("heading", name="Left in a closed cycle")).to_be_visible()
    look(page, "dashboard-left-behind")
    page.get_by_role("button", name="Move the update on Forum to cycle 2").click()
    expect(page.get_by_text("The update now reports to cycle 2")).to_be_visible()
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()

    assert [ProgressUpdate.objects.get(pk=u.pk).status for u in (update, waiting, left)] == [
        UpdateStatus.APPROVED,
        UpdateStatus.SUBMITTED,
        UpdateStatus.SUBMITTED,
    ]
    assert ProgressUpdate.objects.get(pk=left.pk).cycle == second
    assert ProgressUpdate.objects.get(pk=waiting.pk).cycle == cycle


def test_nothing_to_report_and_both_assessments_in_the_browser(live_server, page, world):
    """A contributor rates the progress of one initiative and answers "nothing to report" for another; the
    Secretariat adds its own rating and comment when approving; the public reads both side by side."""
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    today = timezone.localdate()
    ReportingCycle.objects.create(
        number=1,
        period_start=datetime.date(today.year, 1, 1),
        period_end=datetime.date(today.year + 1, 12, 31),
        submission_opens=today - datetime.timedelta(days=10),
        submission_closes=today + datetime.timedelta(days=20),
    )
    quiet = ProjectFactory(slug="quiet", title="Quiet Initiative")
    ProjectOrganisationFactory(project=quiet, organisation=world.lead, role=OrganisationRole.LEAD)

    log_in(page, base, "author")
    page.goto(base + reverse("updates:update-create", args=[world.project.slug]))
    page.get_by_label("Achievements").fill("110 pairs exchanged.")
    page.get_by_label("Minor delays").check()
    page.get_by_label("Ongoing", exact=True).check()
    look(page, "update-form-assessment")
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()
    page.goto(base + reverse("updates:update-create", args=[quiet.slug]))
    page.get_by_label("Nothing to report this cycle").check()
    page.get_by_label("Ongoing", exact=True).check()
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Say in a sentence why there is nothing to report.").first).to_be_visible()
    page.get_by_label("Why there is nothing to report").fill("The next edition is next year.")
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()

    log_in(page, base, "reviewer2")
    update = ProgressUpdate.objects.get(project=world.project)
    page.goto(base + reverse("updates:update-detail", args=[update.pk]))
    page.get_by_label("The Secretariat's assessment of progress").select_option("major_delays")
    page.get_by_label("The Secretariat's comment").fill("The alumni meeting slipped to next year.")
    look(page, "update-approve")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_text("The update is approved and published.")).to_be_visible()
    answer = ProgressUpdate.objects.get(project=quiet)
    page.goto(base + reverse("updates:update-detail", args=[answer.pk]))
    page.get_by_role("button", name="Approve and publish").click()

    page.context.clear_cookies()
    page.goto(base + world.project.get_absolute_url())
    expect(page.get_by_text("Assessment by DUO")).to_be_visible()
    expect(page.get_by_text("Minor delays")).to_be_visible()
    expect(page.get_by_text("Major delays")).to_be_visible()
    expect(page.get_by_text("The alumni meeting slipped to next year.")).to_be_visible()
    look(page, "initiative-assessments")
    page.goto(base + quiet.get_absolute_url())
    expect(page.get_by_text("The next edition is next year.")).to_be_visible()
