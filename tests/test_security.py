"""Secure by default: headers, cookies, login lockout, request IDs, logging, the documented environment.

The header tests run under the *real* production settings: a subprocess imports
``asem_portal.settings`` with ``DEBUG=false`` and hands back the security
settings, which the ``production`` fixture then applies, so these tests cannot
drift from what ``settings.py`` does when DEBUG is off.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from core.logging import JSONFormatter, RequestIDFilter

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {"DEBUG": "false", "SECRET_KEY": "test-only-" + "k3y" * 20, "ALLOWED_HOSTS": "portal.example.org"}
PASSWORD = "correct-horse-battery-2030"

# What settings.py decides when DEBUG is off (DEBUG itself too).
PRODUCTION_KEYS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CONTENT_SECURITY_POLICY",
]

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics", "interest-cohort"]


def environment(**env: str) -> dict[str, str]:
    """This process's environment without what the tests set or what a deployment must not have."""
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "LOG_FORMAT", "SESSION_COOKIE_AGE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **{k: v for k, v in os.environ.items() if k not in unset},
        "DJANGO_SETTINGS_MODULE": "asem_portal.settings",
        **env,
    }


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code], cwd=ROOT, env=environment(**env), capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="session")
def production_settings() -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    result = run_python(code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_settings):
    for key, value in production_settings.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def staffer(db):
    return get_user_model().objects.create_user("staffer", "staffer@example.org", PASSWORD, is_staff=True)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- Production settings ---------------------------------------------------------------------------------------


def test_production_settings_are_strict(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] and production_settings["CSRF_COOKIE_SECURE"]
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert production_settings["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert production_settings["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_check_deploy_has_no_warnings():
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment(**PRODUCTION_ENV), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_session_lifetime_comes_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = run_python(code, SESSION_COOKIE_AGE="3600", **PRODUCTION_ENV)
    assert result.stdout.strip().splitlines()[-1] == "3600", result.stderr


def test_passwords_need_twelve_characters(db):
    with pytest.raises(ValidationError) as error:
        validate_password("Tq7!wz-Kp2x")  # 11 characters
    assert "password_too_short" in [e.code for e in error.value.error_list]
    validate_password("Tq7!wz-Kp2xR")  # 12 characters


# --- Headers -----------------------------------------------------------------------------------------------------


def test_plain_http_is_redirected_to_https(client, production):
    response = client.get("/healthz")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/healthz"


@pytest.mark.parametrize("page", ["home", "accounts:login", "healthz"])
def test_security_headers_in_production(client, db, production, page):
    response = client.get(reverse(page), secure=True)
    assert response.status_code == 200

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    directives = csp_directives(csp)
    for directive, values in EXPECTED_CSP.items():
        assert sorted(directives[directive]) == sorted(values), directive
    assert response["Referrer-Policy"] == "same-origin"
    permissions = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in DENIED_FEATURES:
        assert permissions[feature] == "()", feature
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    uuid.UUID(response["X-Request-ID"])


def test_no_hsts_on_plain_http(client, production):
    # Browsers ignore HSTS over http; Django only sends it on https.
    production.SECURE_SSL_REDIRECT = False
    assert "Strict-Transport-Security" not in client.get("/healthz")


def test_cookies_are_secure_and_the_session_cookie_is_http_only(client, production, staffer):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.cookies["csrftoken"]["secure"] is True

    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # Expires with the browser: no Max-Age or Expires on the cookie...
    assert not session["max-age"] and not session["expires"]
    # ...and the server forgets it after a working day.
    assert client.session.get_expiry_age() == 8 * 60 * 60


# --- Login lockout -----------------------------------------------------------------------------------------------


def fail_to_log_in(client, times: int):
    return [
        client.post(reverse("accounts:login"), {"username": "staffer", "password": "not-the-password"}, secure=True)
        for _ in range(times)
    ]


def test_five_failures_lock_the_login_even_for_the_right_password(client, production, staffer, caplog):
    responses = fail_to_log_in(client, 5)
    # The first four re-show the form; the fifth failure reaches the limit.
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]

    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "Try again in 30 minutes." in page
    assert "staffer" not in page  # the page does not confirm which account, or that it exists
    assert "ask the ASEM Education Secretariat to unlock your account" in page
    # The lockout page is an ordinary page of the site, under the same headers.
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Request-ID"]

    # The attempts are on record for the Secretariat (admin: Axes → access attempts / failures)...
    attempt = AccessAttempt.objects.get(username="staffer")
    assert attempt.failures_since_start >= 5
    assert attempt.ip_address == "127.0.0.1"
    assert AccessFailureLog.objects.filter(username="staffer").count() >= 5
    assert AccessFailureLog.objects.filter(username="staffer", locked_out=True).exists()
    # ...and in the log.
    assert any(r.name.startswith("axes") and "Locking out" in r.getMessage() for r in caplog.records)


def test_the_lock_is_per_username_and_ip(client, production, staffer):
    get_user_model().objects.create_user("colleague", "colleague@example.org", PASSWORD, is_staff=True)
    fail_to_log_in(client, 5)
    response = client.post(reverse("accounts:login"), {"username": "colleague", "password": PASSWORD}, secure=True)
    assert response.status_code == 302


def test_failures_across_usernames_lock_the_address_out(client, production, staffer):
    """One address guessing a few passwords for many accounts: 4 failures each for 5 accounts never lock an
    account (5 would), but the 20 together lock the address, for every account, even with the right password."""
    statuses = [
        client.post(reverse("accounts:login"), {"username": f"someone{n}", "password": "guess"}, secure=True).status_code
        for n in range(5)
        for _ in range(4)
    ]
    assert statuses == [200] * 19 + [429]  # the failure that reaches the limit gets the lockout page

    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Another address is not held back, and `axes_reset_ip` lifts the lock.
    elsewhere = type(client)(REMOTE_ADDR="192.0.2.44")
    assert elsewhere.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True).status_code == 302
    call_command("axes_reset_ip", "127.0.0.1", stdout=io.StringIO())
    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 302


def test_axes_reset_username_unlocks(client, production, staffer):
    fail_to_log_in(client, 5)
    call_command("axes_reset_username", "staffer", stdout=io.StringIO())
    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staffer.pk)


def test_deleting_the_access_attempt_in_the_admin_unlocks(client, production, staffer):
    fail_to_log_in(client, 5)
    attempt = AccessAttempt.objects.get(username="staffer")

    admin_client = type(client)()
    admin_client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD))
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(url, {"post": "yes"}, secure=True).status_code == 302
    assert not AccessAttempt.objects.filter(username="staffer").exists()

    response = client.post(reverse("accounts:login"), {"username": "staffer", "password": PASSWORD}, secure=True)
    assert response.status_code == 302


# --- Request IDs and logging ---------------------------------------------------------------------------------------


def test_each_response_carries_a_new_request_id(client, db):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert uuid.UUID(first).version == 4
    assert first != second


def test_an_incoming_request_id_is_echoed(client, db):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.parametrize("incoming", ["x" * 200, "two words", "<script>", ""])
def test_an_unusable_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert uuid.UUID(response["X-Request-ID"]).version == 4


@pytest.fixture
def console_output():
    """What the configured console handler writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RequestIDFilter) for f in h.filters))
    buffer = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(buffer), handler.formatter
    yield handler, buffer
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


def test_log_lines_written_during_a_request_carry_its_id(client, db, console_output):
    _, buffer = console_output
    # A 404 is logged by django.request after the middleware has returned: the ID is still there.
    response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-4242"})
    assert response.status_code == 404
    lines = [line for line in buffer.getvalue().splitlines() if "Not Found: /no-such-page/" in line]
    assert len(lines) == 1
    assert "[trace-4242]" in lines[0]


def test_json_log_lines(client, db, console_output):
    handler, buffer = console_output
    handler.setFormatter(JSONFormatter())
    client.get("/no-such-page/", headers={"X-Request-ID": "trace-json-1"})
    entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
    entry = next(e for e in entries if e["logger"] == "django.request")
    assert entry["request_id"] == "trace-json-1"
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Not Found: /no-such-page/"
    assert entry["status_code"] == 404


def test_outside_a_request_the_id_is_a_dash(client, db):
    client.get("/healthz", headers={"X-Request-ID": "finished-1"})  # a request before leaves no ID behind
    record = logging.makeLogRecord({"msg": "start-up"})
    RequestIDFilter().filter(record)
    assert record.request_id == "-"


def test_log_format_json_writes_one_json_object_per_line_to_stdout():
    code = "import django, logging; django.setup(); logging.getLogger('asem').warning('hello %s', 'world')"
    result = run_python(code, LOG_FORMAT="json", DEBUG="true")
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert entry["message"] == "hello world"
    assert entry["logger"] == "asem" and entry["level"] == "WARNING" and entry["request_id"] == "-"


def test_an_unknown_log_format_stops_start_up():
    result = run_python("import django; django.setup()", LOG_FORMAT="xml", DEBUG="true")
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'plain' or 'json'." in result.stderr


# --- The environment is documented ---------------------------------------------------------------------------------


def test_env_example_documents_every_variable_settings_reads():
    source = (ROOT / "asem_portal" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list)\(?\s*["']([A-Z0-9_]+)["']""", source))
    read.add("DATABASE_URL")  # read by dj_database_url.config()
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read, "no variables found: has settings.py changed how it reads the environment?"
    assert "ADMIN_REQUIRE_2FA" in read
    assert read - documented == set()
