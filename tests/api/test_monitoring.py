"""Meetings, reporting cycles and published stocktaking reports in the API."""

from __future__ import annotations

import pytest

from monitoring.cycle_services import publish_report

pytestmark = pytest.mark.django_db


def test_cycles_meetings_and_the_published_report(client, loaded_plan, secretariat_user, django_assert_max_num_queries):
    # version (ETag), count, page of cycles with their meetings and report
    with django_assert_max_num_queries(4):
        cycles = client.get("/api/v1/cycles/").json()["results"]
    first = cycles[0]
    assert first["number"] == 1 and first["report_published"] is False and first["report"] is None
    assert client.get("/api/v1/cycles/1/report/").status_code == 404  # a draft is not in the API
    assert client.get("/api/v1/cycles/999/").status_code == 404
    assert {m["kind"] for m in client.get("/api/v1/meetings/").json()["results"]} >= {"asemme"}

    from monitoring.models import ReportingCycle

    publish_report(cycle=ReportingCycle.objects.get(number=1), user=secretariat_user)
    detail = client.get("/api/v1/cycles/1/").json()
    assert detail["report_published"] is True and detail["report"].endswith("/api/v1/cycles/1/report/")
    report = client.get("/api/v1/cycles/1/report/").json()
    assert report["cycle"] == 1 and report["content"]["summary"]
