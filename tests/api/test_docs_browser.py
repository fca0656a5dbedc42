"""The API's docs pages in a real browser, under the site's strict Content-Security-Policy, offline.

Swagger UI and ReDoc come from drf-spectacular-sidecar's local files; Swagger UI's start-up script is a file
too (SpectacularSwaggerSplitView). Chromium reports every blocked script or style in the console; any such
message fails the test, and so does any request that leaves the test server.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import build_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(page, live_server):
    """The page's console messages and the addresses it asked for outside the test server."""
    seen = {"console": [], "outside": []}
    page.on("console", lambda message: seen["console"].append(message.text))

    def finished(request):
        if not request.url.startswith((live_server.url, "blob:", "data:")):
            seen["outside"].append(request.url)

    # Requests that completed: one the CSP blocked never left the browser.
    page.on("requestfinished", finished)
    return seen


def policy_complaints(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


def test_swagger_ui_renders_every_operation_under_the_csp(live_server, page, watched):
    build_plan(2)
    response = page.goto(live_server.url + "/api/v1/docs/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ASEM Education 2030 Action Plan API")
    expect(page.locator(".opblock").first).to_be_visible()
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/initiatives/" in text for text in operations)
    assert any("/api/v1/updates/{id}/approve/" in text.replace("\u200b", "") for text in operations)

    # "Try it out" on the initiatives list runs a real request from the page.
    page.locator(".opblock-get", has_text="/api/v1/initiatives/").first.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody td.response-col_status").first).to_contain_text("200")

    assert policy_complaints(watched["console"]) == []
    assert watched["outside"] == []


def test_redoc_renders_the_operations_under_the_csp(live_server, page, watched):
    response = page.goto(live_server.url + "/api/v1/redoc/")
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'nonce-" in csp
    expect(page.get_by_role("heading", name="ASEM Education 2030 Action Plan API (1.0.0)")).to_be_visible(timeout=15000)
    expect(page.get_by_role("heading", name="Initiatives, filtered as in the public directory")).to_be_visible()
    expect(page.get_by_role("heading", name="Approve and publish (the Secretariat; never one's own)")).to_be_visible()
    page.get_by_placeholder("Search...").fill("initiative")
    expect(page.locator("[role=search] li").first).to_be_visible()
    # What stays blocked, on purpose: the scrollbar stylesheet ReDoc injects when it loads, before it knows the
    # nonce (the sidebar scrolls natively instead), and Redocly's logo from its CDN (the docs work offline).
    expected = ("Applying inline style", "Loading the image 'https://cdn.redoc.ly/")
    assert [m for m in policy_complaints(watched["console"]) if not m.startswith(expected)] == []
    assert watched["outside"] == []


def test_the_browsable_api_root_lists_the_endpoints_under_the_csp(live_server, page, watched):
    page.goto(live_server.url + "/api/v1/")
    expect(page.get_by_text('"initiatives"').first).to_be_visible()
    expect(page.get_by_text('"docs"').first).to_be_visible()
    assert policy_complaints(watched["console"]) == []
    assert watched["outside"] == []
