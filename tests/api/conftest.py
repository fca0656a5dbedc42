"""The API's clients (as one of the personas of tests/conftest.py's ``world``) and a clean throttle cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.projects.conftest import directory  # noqa: F401 - the directory's hand-made plan, as a fixture here

#: Rates high enough that no test but the throttling tests meets them.
GENEROUS_RATES = {"anon": "100000/minute", "user": "100000/minute", "export": "100000/minute"}


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Each test starts with empty throttle counters and generous rates (the throttling tests lower them)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": GENEROUS_RATES}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def as_persona(client: APIClient, world, persona: str) -> APIClient:
    """Authenticate ``client`` with the persona's token (anonymous: no credentials)."""
    if persona != "anonymous":
        token, _ = Token.objects.get_or_create(user=world[persona])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
