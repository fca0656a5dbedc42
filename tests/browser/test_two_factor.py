"""In a real browser: a Secretariat member sets up two-factor sign-in from the profile (the QR code shows, the key
is read off the page as an app would), signs out, and signs in again with password and code; the admin, which
requires a second factor here, opens. No page breaks the Content-Security-Policy."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-2030"


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for ``secret`` (the key as the page prints it)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_secretariat_member_sets_up_and_signs_in_with_a_code(live_server, page, settings):
    settings.ADMIN_REQUIRE_2FA = True
    get_user_model().objects.create_user("reviewer", "reviewer@example.org", PASSWORD, is_staff=True)
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    base = live_server.url

    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Profile").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr_code = page.get_by_role("img", name="QR code with the key for your authenticator app")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("img => img.naturalWidth") > 0  # the SVG drew
    secret = page.locator("code.api-token").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is on for your account.")).to_be_visible()
    assert TOTPDevice.objects.get(user__username="reviewer").confirmed

    page.get_by_role("button", name="Log out").click()
    page.goto(base + "/admin/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The next code (the one used to confirm may not be used twice); the device accepts one step either side.
    page.get_by_label("Code from your authenticator app").fill(code_for(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#site-name")).to_be_visible()  # the admin, which asks for a second factor

    assert complaints == []
