"""One page of each public kind, in a real browser at a phone's width (390 px) and a laptop's (1366 px): none
scrolls sideways, and axe-core finds no serious or critical WCAG 2.1 A/AA violation. The directory's filters fold
behind "Filters" on the phone (a <details>, which works without JavaScript) and show at once on the laptop.

Set SCREENSHOT_DIR to keep a full-page screenshot of each page at each width, to look at them."""

from __future__ import annotations

import datetime
import os
from io import StringIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from actions.models import StrategicObjective
from monitoring.cycle_services import publish_report
from monitoring.models import Document, DocumentKind, Meeting, NewsItem, ProgressUpdate, ReportingCycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = (390, 1366)
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def site(db, settings):
    """The real plan, the demo's approved updates and a published stocktaking report, a document and a news item."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    call_command("load_action_plan", verbosity=0)
    call_command("create_demo_accounts", "--force", verbosity=0)
    call_command("create_demo_updates", "--force", stdout=StringIO())
    cycle = ReportingCycle.objects.get(number=1)
    publish_report(cycle=cycle, user=get_user_model().objects.get(username="secretariat"), confirmed=True)
    Document.objects.create(
        title="Study on recognition in Asia and Europe",
        slug="study-on-recognition",
        kind=DocumentKind.STUDY,
        date=datetime.date(2024, 5, 1),
        url="https://example.org/study",
        description="A study of the recognition of qualifications.",
    )
    NewsItem.objects.create(
        title="Reporting window open", slug="reporting-window-open", text="Report your progress.", is_published=True
    )


def public_pages() -> dict[str, str]:
    update = ProgressUpdate.objects.published().first()
    meeting = Meeting.objects.order_by("pk").first()
    return {
        "home": "/",
        "objective": StrategicObjective.objects.get(number=2).get_absolute_url(),
        "subgoal": "/subgoals/1.1/",
        "actions": "/actions/",
        "action": "/actions/1/",
        "directory": "/initiatives/",
        "directory searched": "/initiatives/?q=mobilty&organisation=Asia-Europe",
        "directory, invalid filter": "/initiatives/?objective=99",
        "initiative": "/initiatives/asem-duo-fellowship-programme/",
        "organisations": "/organisations/",
        "organisation": "/organisations/asef/",
        "countries": "/countries/",
        "country": "/countries/KR/",
        "balance": "/balance/",
        "published progress": "/updates/published/?cycle=1",
        "update": update.get_absolute_url(),
        "reports": "/reports/",
        "report": "/reports/1/",
        "report initiatives": "/reports/1/initiatives/",
        "meetings": "/meetings/",
        "meeting": meeting.get_absolute_url(),
        "work plan": "/work-plans/1/",
        "documents": "/documents/",
        "document": "/documents/study-on-recognition/",
        "news": "/news/",
        "news item": "/news/reporting-window-open/",
        "about": "/about/",
        "contact": "/contact/",
        "accessibility": "/accessibility/",
        "privacy": "/privacy/",
        "open data": "/open-data/",
        "log in": "/accounts/login/",
        "not found": "/no-such-page/",
    }


def problems_of(page, name: str) -> list[str]:
    found = []
    width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width > client_width:
        found.append(f"{name}: scrolls sideways ({width} > {client_width} px)")
    results = Axe().run(page, options=WCAG_AA)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    return found


def test_every_kind_of_public_page_fits_a_phone_and_a_laptop_and_passes_axe(live_server, browser, site):
    pages = public_pages()
    problems = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, url in pages.items():
            response = page.goto(live_server.url + url)
            expected = {"not found": 404, "directory, invalid filter": 400}.get(name, 200)
            assert response.status == expected, (name, width, response.status)
            # Every page but the home page has the breadcrumb trail, from Home; every page the footer's links.
            if name != "home":
                expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").first).to_have_text("Home")
            footer = page.locator("footer")
            for link in ("About", "Contact", "Accessibility", "Privacy", "Open data and API"):
                expect(footer.get_by_role("link", name=link, exact=True)).to_be_visible()
            problems += problems_of(page, f"{name} at {width} px")
            if SCREENSHOTS:
                Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SCREENSHOTS}/{name.replace(' ', '-')}-{width}.png", full_page=True)
        context.close()
    assert problems == []


def test_the_directory_filters_fold_on_a_phone_without_javascript_and_show_on_a_laptop(live_server, browser, site):
    phone = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = phone.new_page()
    page.goto(live_server.url + "/initiatives/")
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()  # the search stays out of the fold
    expect(page.get_by_label("Strategic objective")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("Strategic objective")).to_be_visible()
    page.get_by_label("Country of a lead or partner").select_option("KR")
    page.get_by_role("button", name="Apply filters").click()
    assert "country=KR" in page.url
    # Filters in use: the fold is open, so the person sees what narrows the list.
    expect(page.get_by_label("Country of a lead or partner")).to_be_visible()
    phone.close()

    laptop = browser.new_context(viewport={"width": 1366, "height": 900})
    page = laptop.new_page()
    page.goto(live_server.url + "/initiatives/")
    expect(page.get_by_label("Strategic objective")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()
    laptop.close()
