"""One error body everywhere, and throttles whose rates come from the settings (and so the environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from .conftest import as_persona

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def lower_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_anonymous_clients_are_throttled_with_retry_after(api, settings):
    lower_rates(settings, anon="3/minute")
    for _ in range(3):
        assert api.get("/api/v1/objectives/").status_code == 200
    throttled = api.get("/api/v1/actions/")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled" and "throttled" in throttled.json()["detail"]


def test_authenticated_clients_have_their_own_rate(world, settings):
    lower_rates(settings, anon="1/minute", user="4/minute")
    client = as_persona(APIClient(), world, "author")
    assert [client.get("/api/v1/updates/").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    assert APIClient().get("/api/v1/updates/").status_code == 200  # anonymous: counted apart


def test_rates_come_from_the_environment():
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "API_THROTTLE_ANON": "7/hour"}
    result = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'anon': '7/hour'" in result.stdout, result.stderr


@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/api/v1/initiatives/nope/", 404, "not_found"),
        ("/api/v1/nothing/here/", 404, "not_found"),
        ("/api/v1/me/", 401, "not_authenticated"),
        ("/api/v1/initiatives/?status=dreaming", 400, "invalid"),
    ],
)
def test_errors_have_one_shape(api, url, status, code):
    response = api.get(url)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"detail", "code", "errors"}


def test_an_unsupported_accept_header_is_406(api):
    response = api.get("/api/v1/initiatives/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
