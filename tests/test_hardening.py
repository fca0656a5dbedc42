"""Hardening: signed-in responses are never stored by a cache, and the 400, 403 and CSRF-failure pages are the
site's own, say nothing of why, and work under the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def assert_branded_and_csp_clean(response) -> str:
    """The page is the site's (its header and stylesheet), carries the strict CSP and has nothing inline that
    the CSP would block."""
    page = response.content.decode()
    assert 'class="site-header"' in page and "/static/css/site.css" in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"<style|\sstyle=", page), "inline style"
    return page


# --- Cache-Control for signed-in users ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["accounts:profile", "updates:dashboard", "home", "initiatives:project-list"])
def test_every_page_to_a_signed_in_user_is_private_and_not_stored(member_client, name):
    response = member_client.get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_a_redirect_to_a_signed_in_user_is_not_stored_either(member_client):
    response = member_client.get(reverse("accounts:password-change") + "?x=1")
    assert response.status_code == 200 and response["Cache-Control"] == NO_STORE


def test_a_public_cache_control_is_replaced_for_a_signed_in_user(client, member_client):
    # /objectives.css says "public, max-age=300" to everyone; a signed-in user's copy is not kept.
    assert Client().get(reverse("objective-styles"))["Cache-Control"] == "public, max-age=300"
    assert member_client.get(reverse("objective-styles"))["Cache-Control"] == NO_STORE


def test_a_view_that_already_says_no_store_keeps_its_header(member_client):
    response = member_client.post(reverse("accounts:api-token"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_an_api_response_to_a_token_is_not_stored(api_client_with_token):
    response = api_client_with_token.get(reverse("api:me"))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_a_view_that_already_keeps_its_response_private_keeps_its_header(member_client, monkeypatch):
    # The API's lists revalidate per user ("private, no-cache", tests/api/test_read.py) and a published report's
    # page may stay in its reader's browser ("private, max-age=300", tests/monitoring/test_report_page.py).
    from asem_portal import views

    monkeypatch.setattr(views.HomeView, "render_to_response", private_for_a_minute(views.HomeView.render_to_response))
    assert member_client.get(reverse("home"))["Cache-Control"] == "private, max-age=60"


def private_for_a_minute(render):
    def wrapper(self, *args, **kwargs):
        response = render(self, *args, **kwargs)
        response["Cache-Control"] = "private, max-age=60"
        return response

    return wrapper


@pytest.fixture
def api_client_with_token(member):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member).key}")
    return api


@pytest.fixture
def evidence(world, settings, tmp_path):
    """A PDF given as evidence on an update of the world's initiative, through the services."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import update_services as services
    from tests.conftest import content

    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    files = (services.EvidenceFile(file=pdf, content_type="application/pdf"),)
    update = services.create_update(
        project=world.project, organisation=world.lead, author=world.author, content=content(files=files)
    )
    return update.evidence.get()


def test_an_evidence_download_is_private_and_not_stored_for_its_organisation(client, world, evidence):
    client.force_login(world.author)
    download = client.get(reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == NO_STORE


def test_an_evidence_download_is_private_and_not_stored_for_anonymous_visitors_too(client, world, evidence):
    from monitoring import update_services as services

    update = services.submit_update(update=evidence.update, user=world.author)
    services.approve_update(update=update, reviewer=world.secretariat)
    download = Client().get(reverse("updates:evidence-download", args=[evidence.update_id, evidence.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == NO_STORE
    assert download["Content-Disposition"].startswith("attachment;")


def test_anonymous_pages_keep_their_caching(client):
    response = client.get(reverse("home"))
    assert "no-store" not in response["Cache-Control"]


# --- Error pages -------------------------------------------------------------------------------------------------


def test_a_bad_host_gets_the_branded_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    page = assert_branded_and_csp_clean(response)
    assert "This request could not be understood" in page
    assert "evil.example.com" not in page and "HTTP_HOST" not in page and "ALLOWED_HOSTS" not in page


def test_a_bad_host_under_the_api_gets_a_json_400(client):
    response = client.get("/api/v1/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request could not be understood.", "code": "bad_request"}


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("&".join(f"f{n}=1" for n in range(1200)), "application/x-www-form-urlencoded", 400),  # too many fields
        ("a=1", "multipart/form-data", 400),  # no boundary at all
        # Django reads a multipart body that ends mid-part as empty: the form is shown again.
        ("--x\r\nbroken", "multipart/form-data; boundary=x", 200),
    ],
)
def test_malformed_form_bodies_never_get_a_500(client, body, content_type, status):
    response = client.post(reverse("accounts:login"), body, content_type=content_type)
    assert response.status_code == status
    assert_branded_and_csp_clean(response)


def test_the_403_page_is_branded_and_does_not_repeat_the_reason(member_client):
    response = member_client.get(reverse("accounts:invite"))
    assert response.status_code == 403
    page = assert_branded_and_csp_clean(response)
    assert "You cannot open this page" in page
    assert "Only the Secretariat invites contacts." not in page  # the PermissionDenied's own message
    assert response["Cache-Control"] == NO_STORE


def test_the_csrf_failure_page_is_branded_and_does_not_say_why(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post(reverse("accounts:api-token"), {"create": ""})
    assert response.status_code == 403
    page = assert_branded_and_csp_clean(response)
    assert "Your form could not be accepted" in page
    assert "CSRF cookie not set" not in page and "CSRF token" not in page and "Referer" not in page
    # The signed-in user still sees their own menu on it.
    assert "Log out" in page
    assert not Token.objects.filter(user=member).exists()


def test_a_csrf_failure_signing_in_is_branded_too():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form could not be accepted" in assert_branded_and_csp_clean(response)
