"""The ASEM Education Process in public, in a real browser: the Secretariat adds a meeting with its Chair's
Conclusions (an uploaded PDF) and a news item in the admin; a visitor finds both from the home page, downloads the
document and finds the meeting in the calendar feed. Every new page has no serious or critical axe-core violation
at 1366 and at 390 pixels wide, and does not scroll sideways on a phone."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from monitoring.models import Document, Meeting, NewsItem, ReportingCycle, WorkPlanItem
from projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "pass-word-2030"  # the secretariat_user fixture's
#: Where the screenshots go when SCREENSHOT_DIR is set (to look at them; the test asserts what it can).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def plan(db):
    call_command("load_action_plan", verbosity=0)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"


def look(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def secretariat_adds_a_meeting_and_news(page, live_server, tmp_path) -> None:
    # The admin has no login form of its own: it sends people to the site's (asem_portal/admin_site.py).
    page.goto(live_server.url + reverse("admin:index"))
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(live_server.url + reverse("admin:monitoring_meeting_add"))
    page.select_option("#id_kind", "asemme")
    page.fill("#id_number", "10")
    page.select_option("#id_status", "held")
    page.fill("#id_year", "2025")
    page.fill("#id_start_date", "2025-11-20")
    page.fill("#id_end_date", "2025-11-21")
    page.fill("#id_city", "Bangkok")
    # Its Chair's Conclusions, on the meeting's own page (an inline), as an uploaded PDF.
    documents = page.locator("#documents-group")
    documents.locator(".add-row a").click()
    page.locator("#id_documents-0-title").press_sequentially("Chair's Conclusions of ASEMME10")
    expect(page.locator("#id_documents-0-slug")).to_have_value("chairs-conclusions-of-asemme10")
    page.select_option("#id_documents-0-kind", "chairs_conclusions")
    page.fill("#id_documents-0-date", "2025-11-21")
    pdf = tmp_path / "asemme10-chairs-conclusions.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#id_documents-0-file", str(pdf))
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()

    page.goto(live_server.url + reverse("admin:monitoring_newsitem_add"))
    page.locator("#id_title").press_sequentially("ASEMME10 adopts the next work plan")
    page.fill("#id_text", "The Ministers met in Bangkok.\n\nTheir Chair's Conclusions are in the repository.")
    page.check("#id_is_published")
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()


def test_the_secretariat_publishes_a_meeting_and_news_and_a_visitor_finds_them(
    live_server, page, browser, plan, secretariat_user, media, tmp_path
):
    secretariat_adds_a_meeting_and_news(page, live_server, tmp_path)
    meeting = Meeting.objects.get(kind="asemme", number=10)
    document = Document.objects.get(meeting=meeting)
    assert (document.kind, document.content_type, document.size) == ("chairs_conclusions", "application/pdf", len(PDF))
    assert NewsItem.objects.published().filter(slug="asemme10-adopts-the-next-work-plan").exists()

    visitor = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    visitor.goto(live_server.url + "/")
    # The news, on the home page.
    visitor.get_by_role("link", name="ASEMME10 adopts the next work plan").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("ASEMME10 adopts the next work plan")
    expect(visitor.get_by_text("The Ministers met in Bangkok.")).to_be_visible()

    # The meeting, through the menu's Meetings.
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Meetings and events")
    visitor.get_by_role("link", name="ASEMME10").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("ASEMME10")
    expect(visitor.get_by_text("20 November 2025 – 21 November 2025")).to_be_visible()

    # Its Chair's Conclusions: the document's page, then the file.
    visitor.get_by_role("link", name="Chair's Conclusions of ASEMME10").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Chair's Conclusions of ASEMME10")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Download asemme10-chairs-conclusions.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "asemme10-chairs-conclusions.pdf"
    assert Path(download.path()).read_bytes() == PDF

    # The calendar feed, linked from the meetings page, has the meeting on its days.
    visitor.goto(live_server.url + reverse("meetings:meeting-list"))
    href = visitor.get_by_role("link", name="Add the meetings to your calendar (iCalendar feed)").get_attribute("href")
    feed = visitor.request.get(live_server.url + href)
    assert feed.ok and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")}
    event = events["ASEMME10: ASEM Education Ministers' Meeting (ASEMME)"]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (datetime.date(2025, 11, 20), datetime.date(2025, 11, 22))
    assert str(event["URL"]) == live_server.url + meeting.get_absolute_url()


def test_the_process_pages_are_accessible_on_a_wide_screen_and_on_a_phone(
    live_server, browser, plan, secretariat_user, media
):
    asemme8 = Meeting.objects.get(kind="asemme", number=8)
    conclusions = Document.objects.create(
        title="Chair's Conclusions of ASEMME8", slug="chairs-conclusions-asemme8", kind="chairs_conclusions",
        meeting=asemme8, url="https://example.org/asemme8.pdf", date=datetime.date(2021, 12, 16),
    )  # fmt: skip
    news = NewsItem.objects.create(
        title="A long announcement title about the next Senior Officials' Meeting and its agenda",
        slug="som", text="Text of the announcement. " * 30, is_published=True,
    )  # fmt: skip
    duo = Project.objects.get(slug="asem-duo-fellowship-programme")
    news.initiatives.add(duo)
    cycle = ReportingCycle.objects.get(number=1)
    WorkPlanItem.objects.create(
        cycle=cycle, project=duo, planned_activity="Exchange 100 pairs a year", expected_output="Pairs"
    )
    pages = {
        "home": "/",
        "meetings": reverse("meetings:meeting-list"),
        "meeting": asemme8.get_absolute_url(),
        "work-plan": reverse("meetings:work-plan", args=[1]),
        "documents": reverse("documents:document-list"),
        "documents-filtered": reverse("documents:document-list") + "?kind=chairs_conclusions&q=ASEMME8",
        "documents-error": reverse("documents:document-list") + "?year=abc",
        "document": conclusions.get_absolute_url(),
        "news": reverse("news:news-list"),
        "news-item": news.get_absolute_url(),
        "initiative": duo.get_absolute_url(),
    }
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, url in pages.items():
            page.goto(live_server.url + url)
            assert_accessible(page, f"{name} at {width}px")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, f"{name} scrolls at {width}px"
            look(page, f"{name}-{width}")
        context.close()
