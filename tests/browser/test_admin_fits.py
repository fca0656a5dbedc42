"""The admin fits a 1366-pixel screen (issue 22, point 9), in a real browser, as the Secretariat uses it on the
shipped plan: no list's columns run under or past its filter panel, no inline runs off the right edge, and every
page has no serious or critical axe-core violation (WCAG 2.1 AA)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, ReportingCycle
from projects.models import Project
from stakeholders.models import Organisation
from tests.conftest import draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "pass-word-2030"  # the secretariat_user fixture's
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")

#: A page is wider than the screen when its content runs this many pixels past the right edge.
SLACK = 2


def serious_violations(page) -> list:
    results = Axe().run(page, options=WCAG_AA)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def look(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def overflow(page) -> dict:
    """How far the page, a list's results or an inline runs past what the screen shows, in pixels."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = {page: document.documentElement.scrollWidth - width};
            const results = document.querySelector('#changelist .results');
            const filter = document.querySelector('#changelist-filter');
            if (results) {
                out.results_hidden = results.scrollWidth - results.clientWidth;
                if (filter) out.under_filter = results.getBoundingClientRect().right - filter.getBoundingClientRect().left;
            }
            out.inlines = Math.max(0, ...[...document.querySelectorAll('.inline-group')].map(
                group => Math.max(group.scrollWidth - group.clientWidth, group.getBoundingClientRect().right - width)));
            return out;
        }"""
    )


@pytest.fixture
def plan_with_updates(world):
    """The shipped plan, and the personas' world with a submitted update and a cycle (the lists have rows)."""
    services.submit_update(update=draft(world), user=world.author)  # before the plan's cycle 1 (2022–2023) opens
    call_command("load_action_plan", verbosity=0)
    return world


def pages_to_check() -> list[tuple[str, str]]:
    """(name, path): every list of the admin, and the change forms with inlines."""
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        pages.append(
            (
                f"{opts.app_label}-{opts.model_name}-list",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            )
        )
    project = Project.objects.order_by("pk").first()
    cycle = ReportingCycle.objects.order_by("pk").first()
    organisation = Organisation.objects.filter(memberships__isnull=False).order_by("pk").first()
    pages += [
        ("project-change", reverse("admin:projects_project_change", args=[project.pk])),
        ("organisation-change", reverse("admin:stakeholders_organisation_change", args=[organisation.pk])),
        ("project-add", reverse("admin:projects_project_add")),
        ("index", reverse("admin:index")),
    ]
    if cycle is not None:
        pages.append(("cycle-change", reverse("admin:monitoring_reportingcycle_change", args=[cycle.pk])))
    update = ProgressUpdate.objects.order_by("pk").first()
    pages += [
        ("update-change", reverse("admin:monitoring_progressupdate_change", args=[update.pk])),
        (
            "update-approve",
            reverse("admin:monitoring_progressupdate_approve", args=[update.pk]) + f"?version={update.version}",
        ),
        (
            "update-return",
            reverse("admin:monitoring_progressupdate_return", args=[update.pk]) + f"?version={update.version}",
        ),
        ("contacts-import", reverse("admin:stakeholders_membership_import")),
    ]
    return pages


def test_every_admin_page_fits_1366_pixels_and_has_no_serious_accessibility_violation(
    live_server, page, plan_with_updates
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("accounts:login") + "?next=" + reverse("admin:index"))
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()

    problems = {}
    for name, path in pages_to_check():
        response = page.goto(live_server.url + path)
        if response.status == 403:  # not the Secretariat's (users and groups, for instance)
            continue
        assert response.status == 200, (name, response.status)
        if page.locator(".select2-selection").count():  # named by static/js/admin.js once select2 has run
            page.wait_for_selector(".select2-selection[aria-label]", state="attached")
        sizes = overflow(page)
        wrong = {key: value for key, value in sizes.items() if value > SLACK}
        violations = serious_violations(page)
        if wrong or violations:
            problems[name] = (wrong, violations)
        look(page, f"admin-{name}-1366")
    assert problems == {}, "\n".join(f"{name}: {problem}" for name, problem in problems.items())


def test_the_secretariat_workspace_reads_at_1366_and_390_pixels(live_server, page, world):
    """The review queue, the comparison and the chase list: no serious violation, no sideways scrolling."""
    earlier = services.submit_update(update=draft(world), user=world.author)
    services.approve_update(update=earlier, reviewer=world.reviewer2)
    later = services.submit_update(
        update=draft(world, achievements="130 pairs exchanged; 45 alumni met in Seoul."), user=world.author
    )
    call_command("load_action_plan", verbosity=0)
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    problems = {}
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in (
            ("queue", reverse("updates:review-queue")),
            ("compare", reverse("updates:update-compare", args=[later.pk])),
            ("completeness", reverse("reports:completeness")),
            ("dashboard", reverse("updates:dashboard")),
        ):
            assert page.goto(live_server.url + path).status == 200
            sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            violations = serious_violations(page)
            if sideways > SLACK or violations:
                problems[f"{name}-{width}"] = (sideways, violations)
            look(page, f"site-{name}-{width}")
    assert problems == {}, problems

    # A row's own Approve button decides for that row (its own small form), as the reviewer reads it.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("updates:review-queue"))
    page.get_by_role("button", name="Approve the update on DUO Fellowship").click()
    expect(page.get_by_text("1 update approved and published.")).to_be_visible()
    later.refresh_from_db()
    assert later.status == "approved"
