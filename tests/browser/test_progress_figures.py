"""In a real browser (#21): the Secretariat approves an update that changes an initiative's status, achieves a
milestone and adds an indicator value; then the home, objective, action and initiative pages and the API show
the new figures (the pages were seen, and cached, before), and axe-core finds no serious or critical violation
on the pages that show them."""

from __future__ import annotations

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from monitoring.models import CycleStatus, ReportingCycle
from projects.models import OrganisationRole
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    ObjectiveFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    SubgoalFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2030"  # the personas' (tests/factories.py UserFactory, tests/conftest.py)
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"


def legend_count(page, heading: str, label: str):
    """The count beside ``label`` in the legend of the panel headed ``heading``."""
    panel = page.locator(".progress-panel", has=page.get_by_role("heading", name=heading, exact=True))
    item = panel.locator(".legend li", has=page.locator(".legend-label", has_text=label))
    return item.locator(".legend-count")


@pytest.fixture
def plan(world):
    """The world's initiative under action 1 (objective 1), beside another that has not reported, in an open
    cycle over 2026–2027."""
    objective = ObjectiveFactory(number=1, slug="connectivity", title="Connectivity and mobility")
    action = ActionFactory(number=1, subgoals=[SubgoalFactory(objective=objective, code="1.1")])
    ActionContributionFactory(project=world.project, action=action)
    other = ProjectFactory(slug="other-initiative", title="Other initiative")
    ProjectOrganisationFactory(project=other, organisation=world.other, role=OrganisationRole.LEAD)
    ActionContributionFactory(project=other, action=action)
    ReportingCycle.objects.create(
        number=1,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        submission_opens=datetime.date(2026, 1, 1),
        submission_closes=datetime.date(2027, 12, 31),
        status=CycleStatus.OPEN,
    )
    return objective, action


def test_an_approved_update_shows_in_every_figure(live_server, page, world, plan):
    objective, action = plan
    base = live_server.url
    pages = {"home": "/", "objective": objective.get_absolute_url(), "action": action.get_absolute_url()}

    # Before: seen by a visitor (and cached), nobody has reported.
    for url in pages.values():
        page.goto(base + url)
        expect(legend_count(page, "Initiatives by status", "Not reported yet")).to_have_text("2")
        expect(legend_count(page, "Milestones by state", "Achieved")).to_have_text("0")
    page.goto(base + "/")
    expect(page.locator(".home-status")).to_contain_text("0 of 2 initiatives have reported in this cycle")
    page.goto(base + world.project.get_absolute_url())
    expect(page.locator(".facts")).to_contain_text("Not reported yet")

    # The contributor states the status, achieves the milestone and reports a value, and submits.
    log_in(page, base, "author")
    page.goto(base + f"/updates/initiatives/{world.project.slug}/new/")
    page.get_by_label("End of the period").fill("2026-06-30")
    page.get_by_label("Achievements").fill("110 pairs exchanged; the alumni met in Seoul.")
    page.get_by_label("Delayed", exact=True).check()
    page.get_by_label("Outcome").select_option("achieved")
    page.get_by_label("Date achieved").fill("2026-05-02")
    page.get_by_label("Value (participants)").fill("110")
    page.get_by_label("As of").fill("2026-06-30")
    page.get_by_role("button", name="Submit to the Secretariat").click()
    expect(page.get_by_text("Your update was submitted to the Secretariat.")).to_be_visible()
    log_out(page)

    # The Secretariat approves it.
    log_in(page, base, "secretariat")
    page.goto(base + "/updates/review/")
    page.get_by_label("Select the update on DUO Fellowship").check()
    page.get_by_role("button", name="Approve the selected updates").click()
    expect(page.get_by_text("1 update approved and published.")).to_be_visible()
    log_out(page)

    # After: every page counts it.
    for name, url in pages.items():
        page.goto(base + url)
        expect(legend_count(page, "Initiatives by status", "Delayed")).to_have_text("1")
        expect(legend_count(page, "Initiatives by status", "Not reported yet")).to_have_text("1")
        expect(legend_count(page, "How recently they reported", "This cycle")).to_have_text("1")
        expect(legend_count(page, "Milestones by state", "Achieved")).to_have_text("1")
        expect(legend_count(page, "Indicators against their targets", "No value reported yet")).to_have_text("0")
        assert_accessible(page, name)
    page.goto(base + "/")
    expect(page.locator(".home-status")).to_contain_text("1 of 2 initiatives have reported in this cycle")
    page.goto(base + objective.get_absolute_url())
    expect(page.locator(".progress-headline")).to_contain_text("1 of 2 initiatives reported in reporting cycle 1")
    # Each initiative in the action's list: its status, last update, milestones and indicators.
    page.goto(base + action.get_absolute_url())
    card = page.locator(".row-card", has=page.get_by_role("link", name="DUO Fellowship"))
    expect(card.locator(".badge-status")).to_have_text("Delayed")
    expect(card).to_contain_text("(this cycle)")
    expect(card).to_contain_text("1 milestone: 1 achieved")

    # The initiative's page: its status, the milestone's state and the indicator's value over time.
    page.goto(base + world.project.get_absolute_url())
    expect(page.locator(".facts .badge-status")).to_have_text("Delayed")
    expect(page.locator(".timeline .badge-milestone")).to_have_text("Achieved")
    chart = page.locator("article.indicator", has=page.get_by_role("heading", name="Pairs exchanged"))
    expect(chart.locator("svg[role=img]")).to_be_visible()
    expect(chart.locator("table tbody tr")).to_have_text("30 June 2026110DUO")
    assert_accessible(page, "initiative")

    # The API says the same.
    initiative = page.request.get(base + f"/api/v1/initiatives/{world.project.slug}/").json()
    assert (initiative["status"], initiative["reporting"]) == ("delayed", "this_cycle")
    assert [m["state"] for m in initiative["milestones"]] == ["achieved"]
    assert [v["value"] for v in initiative["indicators"][0]["values"]] == [110.0]
    figures = page.request.get(base + f"/api/v1/progress/?action={action.number}").json()
    assert figures["reported"] == 1 and figures["statuses"]["delayed"] == 1
    assert figures["milestones"]["achieved"] == 1
    listed = page.request.get(base + "/api/v1/initiatives/?reported=true").json()
    assert [item["slug"] for item in listed["results"]] == [world.project.slug]
