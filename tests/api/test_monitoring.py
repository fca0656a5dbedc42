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
    # Its state follows from its dates: closed since its window's last day.
    assert (first["status"], first["status_message"]) == ("closed", "Closed on 31 December 2023")
    assert client.get("/api/v1/cycles/1/report/").status_code == 404  # a draft is not in the API
    assert client.get("/api/v1/cycles/999/").status_code == 404
    assert {m["kind"] for m in client.get("/api/v1/meetings/").json()["results"]} >= {"asemme"}

    from monitoring.models import ReportingCycle

    publish_report(cycle=ReportingCycle.objects.get(number=1), user=secretariat_user, confirmed=True)
    detail = client.get("/api/v1/cycles/1/").json()
    assert detail["report_published"] is True and detail["report"].endswith("/api/v1/cycles/1/report/")
    assert detail["status"] == "published" and detail["status_message"].startswith("Published on ")
    report = client.get("/api/v1/cycles/1/report/").json()
    assert report["cycle"] == 1 and report["content"]["summary"]


def test_a_meeting_lists_its_documents_and_no_longer_a_conclusions_address(client, db, django_assert_max_num_queries):
    import datetime

    from monitoring.models import Document, Meeting

    for number in (8, 9, 10):
        meeting = Meeting.objects.create(kind="asemme", number=number, year=2005 + 2 * number)
        Document.objects.create(
            title=f"Chair's Conclusions of ASEMME{number}", slug=f"cc{number}", kind="chairs_conclusions",
            meeting=meeting, url=f"https://example.org/cc{number}.pdf", date=datetime.date(2021, 12, 1),
        )  # fmt: skip
    Meeting.objects.create(kind="other", title="Seminar", year=2026)
    # version (ETag), count, page of meetings (+host, cycle), their documents
    with django_assert_max_num_queries(4):
        results = client.get("/api/v1/meetings/").json()["results"]
    asemme8 = next(m for m in results if m["number"] == 8)
    assert "conclusions_url" not in asemme8
    assert asemme8["url"] == f"http://testserver/meetings/{asemme8['id']}/"
    assert asemme8["documents"] == [
        {
            "title": "Chair's Conclusions of ASEMME8",
            "kind": "chairs_conclusions",
            "date": "2021-12-01",
            "language": "en",
            "url": "http://testserver/documents/cc8/",
            "download": "https://example.org/cc8.pdf",
        }
    ]
    seminar = next(m for m in results if m["kind"] == "other")
    assert (seminar["title"], seminar["number"], seminar["documents"]) == ("Seminar", None, [])
