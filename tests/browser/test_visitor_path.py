"""A new visitor in a real browser: from the home page to objective 4, an action, a filtered directory, an
initiative and its lead organisation, with axe-core checking each page (WCAG 2.1 AA: no serious or critical
violation)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def plan(db):
    call_command("load_action_plan", verbosity=0)


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"


def test_visitor_goes_from_home_to_an_organisation(live_server, page, plan):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ASEM Education 2030 Action Plan")
    assert_accessible(page, "home")

    # Objective 4, by its number and title (colour is never the only signal).
    page.get_by_role("link", name="4 Creating More Transparency and Mutual Understanding on Recognition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Creating More Transparency")
    expect(page.get_by_text("Objective 4").first).to_be_visible()
    assert_accessible(page, "objective 4")

    page.get_by_role("link", name="Action 12", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action 12")
    expect(page.get_by_role("link", name="Promote ratification of the Global Convention")).to_be_visible()
    assert_accessible(page, "action 12")

    # The directory, filtered by a lead organisation and a search word.
    page.get_by_role("link", name="Initiatives", exact=True).click()
    # The organisation field suggests names from a list; choosing "UNESCO" fills in its key.
    suggestion = page.locator("datalist#organisation-options option", has_text="UNESCO").first
    page.get_by_label("Organisation (lead or partner)").fill(suggestion.get_attribute("value"))
    page.get_by_role("searchbox", name="Search").fill("Convention")
    page.get_by_role("button", name="Apply filters").click()
    assert "organisation=unesco" in page.url and "q=Convention" in page.url
    results = page.locator("main li a", has_text="Global Convention")
    expect(results).to_have_count(1)
    expect(page.get_by_text("1 initiative", exact=False).first).to_be_visible()
    assert_accessible(page, "directory (filtered)")

    results.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Promote ratification of the Global Convention")
    expect(
        page.get_by_text("Countries are Party to and implementing the provisions of the Global Convention.")
    ).to_be_visible()
    assert_accessible(page, "initiative")

    page.locator("dl.facts").get_by_role("link", name="UNESCO", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("UNESCO")
    expect(page.get_by_role("link", name="Promote ratification of the Global Convention")).to_be_visible()
    assert_accessible(page, "organisation")


def test_pages_work_without_javascript_and_on_a_phone(live_server, browser, plan):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/initiatives/?objective=1&is_new=true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Initiatives")
    titles = page.locator("main ul li > a").all_inner_texts()
    assert titles and all(title for title in titles)
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    context.close()
