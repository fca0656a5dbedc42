"""In a real browser: a contributor drafts and submits, the Secretariat returns it, the contributor fixes and
resubmits, the Secretariat approves, and the public sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from monitoring.models import ProgressUpdate, UpdateStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2030"  # the personas' (tests/factories.py UserFactory, tests/conftest.py)


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_contributor_and_secretariat_take_an_update_to_publication(live_server, page, world):
    """The author and the Secretariat of the personas' world (tests/conftest.py), in a browser."""
    project = world.project
    base = live_server.url

    # The contributor drafts from the dashboard.
    log_in(page, base, "author")
    expect(page.get_by_role("heading", name="My initiatives", level=1)).to_be_visible()
    page.get_by_role("link", name="Write an update").first.click()
    page.get_by_label("Achievements").fill("110 pairs exchanged in the first half of 2026.")
    page.get_by_label("Ongoing", exact=True).check()
    page.get_by_label("Outcome").select_option("achieved")
    page.get_by_label("Date achieved").fill("2026-05-02")
    page.get_by_label("Value (participants)").fill("110")
    page.get_by_label("As of").fill("2026-06-30")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft was saved.")).to_be_visible()
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()
    log_out(page)

    # The Secretariat returns it with a reason.
    log_in(page, base, "secretariat")
    page.goto(base + "/updates/review/")
    page.get_by_role("link", name="DUO Fellowship", exact=True).click()
    page.get_by_role("link", name="Return with a reason").click()
    page.get_by_label("Reason for returning").fill("Please add the alumni meeting's attendance.")
    page.get_by_role("button", name="Return it").click()
    expect(page.get_by_text("The update was returned to its author.")).to_be_visible()
    log_out(page)

    # The contributor reads the reason, fixes and resubmits.
    log_in(page, base, "author")
    expect(page.get_by_text("Please add the alumni meeting's attendance.")).to_be_visible()
    page.get_by_role("link", name="DUO Fellowship").last.click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Achievements").fill("110 pairs exchanged; 45 alumni met in Seoul.")
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()
    log_out(page)

    # The Secretariat approves from the queue.
    log_in(page, base, "secretariat")
    page.goto(base + "/updates/review/")
    page.get_by_label("Select the update on DUO Fellowship").check()
    page.get_by_role("button", name="Approve the selected updates").click()
    expect(page.get_by_text("1 update approved and published.")).to_be_visible()
    log_out(page)

    update = ProgressUpdate.objects.get()
    assert update.status == UpdateStatus.APPROVED
    assert [t.to_status for t in update.transitions.all()] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]

    # The public sees it on the initiative page, with the milestone and the indicator's latest value.
    page.goto(base + project.get_absolute_url())
    expect(page.get_by_text("110 pairs exchanged; 45 alumni met in Seoul.")).to_be_visible()
    expect(page.get_by_text("Achieved", exact=True).first).to_be_visible()
