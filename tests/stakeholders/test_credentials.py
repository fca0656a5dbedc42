"""A new password, a lockout or a deactivation ends the account's API tokens and its other sessions."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "old-password-for-tests-2030"
NEW_PASSWORD = "brand-new-password-2031"

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user("member", "member@example.org", PASSWORD)


@pytest.fixture
def token(member) -> str:
    return Token.objects.create(user=member).key


def api_status(key: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(reverse("api:me")).status_code


def signed_in_browser(username: str = "member", password: str = PASSWORD) -> Client:
    """A browser that signed in through the login form (a real session, as on another computer)."""
    browser = Client()
    assert browser.post(reverse("accounts:login"), {"username": username, "password": password}).status_code == 302
    return browser


def is_signed_in(browser: Client) -> bool:
    return browser.get(reverse("accounts:profile")).status_code == 200


# --- A new password -----------------------------------------------------------------------------------------------


def test_an_old_token_gets_401_after_a_password_change(member, token):
    here, elsewhere = signed_in_browser(), signed_in_browser()
    assert api_status(token) == 200

    response = here.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert api_status(token) == 401
    assert not Token.objects.filter(user=member).exists()
    assert is_signed_in(here)  # the browser that changed it stays signed in...
    assert not is_signed_in(elsewhere)  # ...the other session is over


def test_a_password_reset_ends_tokens_and_every_session(client, member, token):
    elsewhere = signed_in_browser()
    client.post(reverse("accounts:password-reset"), {"email": "member@example.org"})
    [link] = re.findall(r"https?://\S+/accounts/password/reset/\S+", mail.outbox[0].body)
    form = client.get(urlsplit(link).path, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert api_status(token) == 401
    assert not is_signed_in(elsewhere)
    assert signed_in_browser(password=NEW_PASSWORD)


def test_a_password_set_in_the_admin_or_by_a_command_ends_tokens_too(member, token):
    # manage.py changepassword and the admin's password form both end in set_password() and save().
    member.set_password(NEW_PASSWORD)
    member.save()
    assert api_status(token) == 401


def test_the_admin_password_form_ends_tokens(member, token):
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD))
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    response = admin.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert api_status(token) == 401


def test_other_saves_keep_the_token(member, token):
    member.first_name = "Ada"
    member.save()
    assert api_status(token) == 200


# --- A lockout --------------------------------------------------------------------------------------------------


def fail_to_sign_in(times: int, username: str = "member", address: str = "203.0.113.9") -> list[int]:
    attacker = Client(REMOTE_ADDR=address)
    return [
        attacker.post(reverse("accounts:login"), {"username": username, "password": "guess"}).status_code
        for _ in range(times)
    ]


def test_a_locked_out_account_loses_its_tokens_and_sessions(member, token):
    owner = signed_in_browser()
    assert fail_to_sign_in(5) == [200, 200, 200, 200, 429]

    assert api_status(token) == 401
    assert not is_signed_in(owner)
    # The owner can sign in again from their own network (the lock is for the attacker's) and make a new token,
    # which further attempts during the same lockout do not end.
    owner = signed_in_browser()
    new_token = Token.objects.create(user=member).key
    assert fail_to_sign_in(3) == [429, 429, 429]
    assert api_status(new_token) == 200 and is_signed_in(owner)


def test_failures_below_the_limit_end_nothing(member, token):
    owner = signed_in_browser()
    fail_to_sign_in(4)
    assert api_status(token) == 200 and is_signed_in(owner)


# --- A deactivation ---------------------------------------------------------------------------------------------


def test_deactivating_in_the_admin_ends_tokens_and_sessions(member, token):
    owner = signed_in_browser()
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD))
    form = {
        "username": "member",
        "email": "member@example.org",
        "first_name": "",
        "last_name": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        # is_active left out: the checkbox is cleared
    }
    response = admin.post(reverse("admin:auth_user_change", args=[member.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]

    member.refresh_from_db()
    assert member.is_active is False
    assert not Token.objects.filter(user=member).exists()
    assert not is_signed_in(owner)
    # Reactivated, the account signs in again, but the old token stays dead.
    get_user_model().objects.filter(pk=member.pk).update(is_active=True)
    assert api_status(token) == 401


def test_an_inactive_account_is_refused_however_it_was_deactivated(member, token):
    owner = signed_in_browser()
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)  # e.g. from a shell
    assert api_status(token) == 401
    assert not is_signed_in(owner)
