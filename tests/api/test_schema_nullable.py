"""The OpenAPI schema says null where the answers can be null: a meeting's host country and cycle."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from monitoring.models import Meeting, MeetingKind

pytestmark = pytest.mark.django_db


def test_a_meetings_host_country_and_cycle_are_nullable_in_the_schema_as_in_the_answers():
    Meeting.objects.create(kind=MeetingKind.ASEMME, number=10, year=2025)  # no host country, no cycle
    client = APIClient()
    [meeting] = client.get("/api/v1/meetings/").json()["results"]
    assert meeting["host_country"] is None and meeting["cycle"] is None
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    properties = schema["components"]["schemas"]["Meeting"]["properties"]
    assert properties["host_country"]["nullable"] is True
    assert properties["cycle"]["nullable"] is True
