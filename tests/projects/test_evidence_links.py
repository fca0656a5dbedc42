"""Evidence links hold no quotes or angle brackets: the update's content rules (update_services.validate_content)
refuse them, by field, through the services, the web form and the API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.models import Evidence, ProgressUpdate
from tests.conftest import content, draft, update_form_data

pytestmark = pytest.mark.django_db

MESSAGE = "A web address cannot contain quotes or angle brackets"

UNSAFE = [
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/it's",
    "https://example.org/<script>",
    "https://example.org/a>b",
]
SAFE = [
    "https://example.org/report.pdf?lang=en&page=2#top",
    "https://example.org/%22quoted%22/%3Cb%3E",
    "http://example.org/(draft)/~user/[1]",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_the_content_rules_refuse_quotes_and_angle_brackets_by_field(world, url):
    links = (services.EvidenceLink(url="https://example.org/fine"), services.EvidenceLink(url=url))
    with pytest.raises(ValidationError) as refused:
        services.validate_content(project=world.project, cycle=None, content=content(links=links))
    assert list(refused.value.message_dict) == ["links.1.url"]
    assert MESSAGE in refused.value.message_dict["links.1.url"][0]


@pytest.mark.parametrize("url", SAFE)
def test_addresses_without_them_pass(world, url):
    services.validate_content(
        project=world.project, cycle=None, content=content(links=(services.EvidenceLink(url=url),))
    )


def test_the_services_save_nothing(world):
    update = draft(world)
    unsafe = content(period_start=update.period_start, links=(services.EvidenceLink(url=UNSAFE[0]),))
    with pytest.raises(ValidationError):
        services.save_draft(update=update, user=world.author, content=unsafe, expected_version=1)
    assert not Evidence.objects.filter(update=update).exists()


def test_the_web_form_names_the_line(client, world):
    update = draft(world)
    client.force_login(world.author)
    data = update_form_data(
        version=str(update.version),
        organisation=str(world.lead.pk),
        period_start=update.period_start.isoformat(),
        period_end=update.period_end.isoformat(),
        achievements="Done.",
        initiative_status="ongoing",
        challenges="",
        next_steps="",
        links=f"Report | https://example.org/report.pdf\n\nBad | {UNSAFE[0]}",
    )
    response = client.post(reverse("updates:update-edit", args=[update.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors["links"]
    assert len(errors) == 1 and errors[0].startswith("Line 3: " + MESSAGE)
    assert ProgressUpdate.objects.get(pk=update.pk).version == 1


def test_the_api_answers_400_by_field(world):
    update = draft(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.author).key}")
    links = [{"url": "https://example.org/fine"}, {"title": "Bad", "url": UNSAFE[2]}]
    response = client.patch(f"/api/v1/updates/{update.pk}/", {"version": 1, "links": links}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["links"] and list(errors["links"]) == ["1"]
    assert MESSAGE in errors["links"]["1"]["url"][0]
    created = client.post(
        "/api/v1/updates/",
        {
            "initiative": "duo-fellowship",
            "period_start": "2026-03-01",
            "period_end": "2026-06-30",
            "links": [{"url": UNSAFE[1]}],
        },
        format="json",
    )
    assert created.status_code == 400 and MESSAGE in created.json()["errors"]["links"]["0"]["url"][0]
