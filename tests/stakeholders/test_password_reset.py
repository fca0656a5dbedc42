"""Password reset: its links come from SITE_URL whatever the Host header, and it is rate-limited per client
address and per e-mail address without telling who has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from core import ratelimit
from tests.factories import OrganisationFactory, UserFactory

SITE_URL = "https://portal.example.org"
OTHER_HOST = "mirror.example.net"
REFUSAL = "Too many requests for a reset link."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]


def ask_for_reset(client, email: str, address: str = "127.0.0.1", **extra):
    return client.post(reverse("accounts:password-reset"), {"email": email}, REMOTE_ADDR=address, **extra)


# --- Links from SITE_URL --------------------------------------------------------------------------------------


def test_a_reset_mail_asked_for_under_another_allowed_host_links_to_site_url(client):
    UserFactory(username="forgetful", email="forgetful@example.org")

    response = ask_for_reset(client, "forgetful@example.org", HTTP_HOST=OTHER_HOST)

    assert response.status_code == 302
    [message] = mail.outbox
    [link] = re.findall(r"\S+/accounts/password/reset/\S+", message.body)
    assert link.startswith(f"{SITE_URL}/accounts/password/reset/")
    # The request's host is nowhere in the message, neither in a link nor as the site's name in the subject.
    assert OTHER_HOST not in message.body and OTHER_HOST not in message.subject
    assert "ASEM Education Portal" in message.subject
    # And the link works (Django swaps the token into the session and asks for the new password).
    response = client.get(link.removeprefix(SITE_URL), follow=True)
    assert "new_password1" in response.content.decode()


def test_an_invitation_asked_for_under_another_allowed_host_links_to_site_url(secretariat_client):
    organisation = OrganisationFactory(slug="asi", acronym="ASI")
    secretariat_client.post(
        reverse("accounts:invite"),
        {"email": "new.contact@example.org", "organisation": organisation.pk, "role": "contributor"},
        HTTP_HOST=OTHER_HOST,
    )
    from tests.outbox import deliver

    [message] = deliver()
    assert f"{SITE_URL}/accounts/invitation/" in message.body
    assert OTHER_HOST not in message.body


# --- Rate limits ------------------------------------------------------------------------------------------------


def test_the_eleventh_reset_request_in_a_minute_from_one_client_is_refused_and_sends_nothing(client):
    UserFactory(username="forgetful", email="forgetful@example.org")
    # Ten requests for ten addresses (one of them has an account): each answered as usual.
    for n in range(9):
        assert ask_for_reset(client, f"nobody{n}@example.org").status_code == 302
    assert ask_for_reset(client, "forgetful@example.org").status_code == 302
    assert len(mail.outbox) == 1

    response = ask_for_reset(client, "forgetful@example.org")

    assert response.status_code == 429
    assert REFUSAL in response.content.decode()
    assert len(mail.outbox) == 1  # nothing sent for the refused request
    # Another client is not held back by this one.
    assert ask_for_reset(client, "forgetful@example.org", address="192.0.2.7").status_code == 302


def test_one_address_gets_at_most_five_reset_mails_an_hour_from_any_number_of_clients(client):
    UserFactory(username="forgetful", email="forgetful@example.org")
    statuses = [ask_for_reset(client, "Forgetful@Example.org", address=f"192.0.2.{n}").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5


def test_a_refusal_does_not_tell_whether_the_address_has_an_account(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reset-per-email": "1/hour"}
    UserFactory(username="forgetful", email="forgetful@example.org")

    def refusal(email: str) -> str:
        ask_for_reset(client, email, address="192.0.2.1")
        response = ask_for_reset(client, email, address="192.0.2.2")
        assert response.status_code == 429
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(email, "")

    assert refusal("forgetful@example.org") == refusal("stranger@example.org")


def test_the_limit_lifts_when_its_window_has_passed(client, monkeypatch):
    for n in range(10):
        ask_for_reset(client, f"nobody{n}@example.org")
    assert ask_for_reset(client, "late@example.org").status_code == 429

    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit.time, "time", lambda: now + 61)
    assert ask_for_reset(client, "late@example.org").status_code == 302


def test_an_invalid_address_is_a_form_error_not_a_500(client):
    response = ask_for_reset(client, "not an address\x00<script>")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
