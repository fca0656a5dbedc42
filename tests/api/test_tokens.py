"""API tokens on the profile page: one per user, created, replaced and revoked there; the key shown once."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/accounts/profile/api-token/"


def test_create_replace_and_revoke_a_token(client, world):
    client.force_login(world["author"])
    assert "You have no token." in client.get("/accounts/profile/").content.decode()

    created = client.post(TOKEN_URL, {"create": "1"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    key = created.context["new_api_token"]
    assert Token.objects.get(user=world["author"]).key == key
    profile = client.get("/accounts/profile/").content.decode()
    assert key not in profile and "You have a token, created on" in profile

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["username"] == "author"

    replaced = client.post(TOKEN_URL, {"create": "1"}).context["new_api_token"]
    assert replaced != key and api.get("/api/v1/me/").status_code == 401

    revoked = client.post(TOKEN_URL, {"revoke": "1"})
    assert revoked.status_code == 302 and not Token.objects.filter(user=world["author"]).exists()
    api.credentials(HTTP_AUTHORIZATION=f"Token {replaced}")
    assert api.get("/api/v1/me/").status_code == 401


def test_tokens_need_a_signed_in_user_and_a_post(client, world):
    assert client.post(TOKEN_URL, {"create": "1"}).status_code == 302  # to the login page
    assert not Token.objects.exists()
    client.force_login(world["author"])
    assert client.get(TOKEN_URL).status_code == 405


def test_the_token_form_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["author"])
    assert client.post(TOKEN_URL, {"create": "1"}).status_code == 403
    assert not Token.objects.exists()
