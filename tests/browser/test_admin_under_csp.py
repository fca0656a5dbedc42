"""The Secretariat's admin works in a real browser under the strict Content-Security-Policy.

The admin's JavaScript comes from files and reads its configuration from data
attributes and JSON script tags, so ``script-src 'self'`` without
'unsafe-inline' must not break logging in, prepopulated slugs, "Add another"
inline rows, autocomplete, or saving. Chromium reports every blocked script or
style in the console ("... violates the following Content Security Policy
directive ..."); any such message fails the test.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Project
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "curator-password-2030"


@pytest.fixture
def console_messages(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def policy_complaints(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Permissions-Policy" in m]


def test_admin_initiative_form_with_inlines_and_autocomplete_under_csp(live_server, page, console_messages):
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    esn = OrganisationFactory(acronym="ESN", name="Erasmus Student Network", slug="esn")

    # The admin signs in through the site's login (asem_portal.admin_site), then comes back to the admin.
    response = page.goto(live_server.url + reverse("admin:index"))
    assert page.url.startswith(live_server.url + reverse("accounts:login"))
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(live_server.url + reverse("admin:projects_project_add"))
    # Prepopulated slug: admin/js/prepopulate_init.js configured from a JSON script tag.
    page.locator("#id_title").press_sequentially("Asia-Europe Joint Micro-credentials")
    expect(page.locator("#id_slug")).to_have_value("asia-europe-joint-micro-credentials")

    # "Add another" on the organisations inline adds a form row (admin/js/inlines.js).
    participations = page.locator("#participations-group")
    expect(participations.locator("tr.dynamic-participations")).to_have_count(0)
    participations.locator(".add-row a").click()
    expect(participations.locator("tr.dynamic-participations")).to_have_count(1)

    # The new row's organisation is an autocomplete (select2 over the admin's JSON view).
    participations.locator("tr.dynamic-participations .select2-selection").click()
    page.locator(".select2-search__field").fill("Erasmus")
    page.locator(".select2-results__option", has_text="Erasmus Student Network").click()
    expect(page.locator("#id_participations-0-organisation")).to_have_value(str(esn.pk))
    page.select_option("#id_participations-0-role", "lead")

    # Saving posts to 'self' (form-action) and lands on the changelist.
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    project = Project.objects.get(slug="asia-europe-joint-micro-credentials")
    assert list(project.participations.values_list("organisation__acronym", "role")) == [("ESN", "lead")]

    assert policy_complaints(console_messages) == []
