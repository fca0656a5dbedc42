"""Two-factor sign-in (django-otp, time-based codes) for staff and the Secretariat: set-up from the profile,
the code at sign-in, removal, and the admin's ADMIN_REQUIRE_2FA."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stakeholders.account_views import PENDING_SIGN_IN

PASSWORD = "staff-password-for-tests-2030"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffer(db):
    return get_user_model().objects.create_user("staffer", "staffer@example.org", PASSWORD, is_staff=True)


@pytest.fixture
def device(staffer) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staffer, name="Phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now, half a minute after the last one used (each code works once, and a wrong
    one makes django-otp wait a moment before the next try)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 1) % 1000000:06d}"


def sign_in(client: Client, next_url: str = ""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": "staffer", "password": PASSWORD, "next": next_url})


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


# --- Set-up from the profile ----------------------------------------------------------------------------------


def test_staff_set_up_two_factor_from_their_profile(client, staffer):
    client.force_login(staffer)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Set up two-factor sign-in" in profile

    page = client.get(reverse("accounts:two-factor")).content.decode()
    assert 'value="start"' in page and "otpauth://" not in page
    assert client.post(reverse("accounts:two-factor"), {"action": "start"}).status_code == 302

    response = client.get(reverse("accounts:two-factor"))
    page = response.content.decode()
    setup = TOTPDevice.objects.get(user=staffer, confirmed=False)
    [uri] = re.findall(r'href="(otpauth://[^"]+)"', page)
    assert unquote(uri).startswith("otpauth://totp/ASEM Education Portal:staffer?secret=")
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, drawn on the server
    secret = re.search(r'secret=([A-Z2-7]+)', uri).group(1)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page  # and as text
    assert response["Cache-Control"] == "private, no-store"

    wrong = client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": wrong_code(setup)})
    assert wrong.status_code == 400 and "not the one the app shows now" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=staffer, confirmed=True).exists()

    response = client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": current_code(setup)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=staffer).confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == setup.persistent_id  # this session counts as verified
    assert "On: signing in asks for a code" in client.get(reverse("accounts:profile")).content.decode()


def test_a_malformed_code_is_a_form_error(client, staffer):
    client.force_login(staffer)
    client.post(reverse("accounts:two-factor"), {"action": "start"})
    for code in ["", "12345", "abcdef", "1234567", "１２３４５６", "\x00" * 6]:
        response = client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": code})
        assert response.status_code == 400, code


def test_contributors_do_not_get_two_factor_pages(client):
    contributor = get_user_model().objects.create_user("contributor", "c@example.org", PASSWORD)
    client.force_login(contributor)
    assert client.get(reverse("accounts:two-factor")).status_code == 403
    assert "two-factor" not in client.get(reverse("accounts:profile")).content.decode().lower()


def test_removing_takes_a_verified_session_and_a_current_code(client, staffer, device):
    client.force_login(staffer)
    # Not verified yet in this session: the page asks to confirm first, and removing is refused.
    page = client.get(reverse("accounts:two-factor")).content.decode()
    assert 'value="verify"' in page and 'value="remove"' not in page
    client.post(reverse("accounts:two-factor"), {"action": "verify", "code": current_code(device)})

    wrong = client.post(reverse("accounts:two-factor"), {"action": "remove", "code": wrong_code(device)})
    assert wrong.status_code == 400 and TOTPDevice.objects.filter(user=staffer).exists()
    response = client.post(reverse("accounts:two-factor"), {"action": "remove", "code": current_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staffer).exists()
    # Sign-in asks for the password only again.
    assert sign_in(Client())["Location"] == reverse("updates:dashboard")


# --- The code at sign-in ------------------------------------------------------------------------------------------


def test_an_account_without_an_authenticator_signs_in_with_its_password(client, staffer):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("updates:dashboard")
    assert is_signed_in(client)


def test_the_login_asks_for_the_code_when_the_account_has_an_authenticator(client, staffer, device):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login-code")
    assert not is_signed_in(client)  # a password alone signs nobody in

    page = client.get(reverse("accounts:login-code"))
    assert page.status_code == 200 and "Enter your code" in page.content.decode()
    wrong = client.post(reverse("accounts:login-code"), {"code": wrong_code(device)})
    assert wrong.status_code == 400 and not is_signed_in(client)

    response = client.post(reverse("accounts:login-code"), {"code": current_code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("updates:dashboard")
    assert is_signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING_SIGN_IN not in client.session


def test_a_wrong_code_makes_the_next_try_wait(client, staffer, device):
    sign_in(client)
    client.post(reverse("accounts:login-code"), {"code": wrong_code(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3)  # three wrong codes: wait 4 s
    device.refresh_from_db()
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("accounts:login-code"), {"code": code})
    assert response.status_code == 429 and "Too many wrong codes" in response.content.decode()
    assert not is_signed_in(client)


def test_the_code_keeps_the_page_asked_for_and_refuses_other_sites(client, staffer, device):
    response = sign_in(client, next_url="/updates/review/")
    assert response["Location"] == reverse("accounts:login-code") + "?next=%2Fupdates%2Freview%2F"
    response = client.post(response["Location"], {"code": current_code(device), "next": "/updates/review/"})
    assert response["Location"] == "/updates/review/"

    other = Client()
    response = sign_in(other, next_url="https://evil.example.com/")
    assert response["Location"] == reverse("accounts:login-code")
    response = other.post(response["Location"], {"code": current_code(device), "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("updates:dashboard")


def test_the_code_page_without_a_password_first_or_too_late_sends_back_to_the_login(client, staffer, device):
    assert client.get(reverse("accounts:login-code"))["Location"] == reverse("accounts:login")
    assert client.post(reverse("accounts:login-code"), {"code": current_code(device)})["Location"] == reverse(
        "accounts:login"
    )
    sign_in(client)
    session = client.session
    session[PENDING_SIGN_IN] = {**session[PENDING_SIGN_IN], "since": session[PENDING_SIGN_IN]["since"] - 301}
    session.save()
    response = client.post(reverse("accounts:login-code"), {"code": current_code(device)})
    assert response["Location"] == reverse("accounts:login") and not is_signed_in(client)


def test_a_forged_pending_sign_in_is_refused(client, staffer, device):
    session = client.session
    session[PENDING_SIGN_IN] = "staffer"
    session.save()
    assert client.get(reverse("accounts:login-code"))["Location"] == reverse("accounts:login")


# --- The admin --------------------------------------------------------------------------------------------------


def test_the_admin_signs_in_through_the_site_login(client, staffer):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == reverse("accounts:login") + "?next=/admin/"


def test_a_signed_in_non_staff_user_gets_a_403_from_the_admin(client):
    client.force_login(get_user_model().objects.create_user("contributor", "c@example.org", PASSWORD))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_without_admin_require_2fa_staff_open_the_admin_with_a_password(client, staffer, settings):
    settings.ADMIN_REQUIRE_2FA = False
    sign_in(client)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_require_2fa_sends_staff_without_a_second_factor_to_set_one_up(client, staffer, settings):
    settings.ADMIN_REQUIRE_2FA = True
    sign_in(client)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:two-factor") + "?next=%2Fadmin%2F"
    assert "Set up two-factor sign-in" in response.content.decode()

    # Set up, confirmed: the session is verified, and the admin opens (the confirmation goes back to it).
    client.post(response.redirect_chain[-1][0], {"action": "start"})
    setup = TOTPDevice.objects.get(user=staffer)
    response = client.post(
        reverse("accounts:two-factor"), {"action": "confirm", "code": current_code(setup), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_require_2fa_lets_in_staff_who_gave_their_code(client, staffer, device, settings):
    settings.ADMIN_REQUIRE_2FA = True
    sign_in(client, next_url="/admin/")
    response = client.post(reverse("accounts:login-code"), {"code": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_require_2fa_asks_an_unverified_session_for_a_code(client, staffer, device, settings):
    """A session from before the device was set up (or one the admin made for the account) gives a code first."""
    settings.ADMIN_REQUIRE_2FA = True
    client.force_login(staffer)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two-factor"))
    assert 'value="verify"' in response.content.decode()
    response = client.post(reverse("accounts:two-factor"), {"action": "verify", "code": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
