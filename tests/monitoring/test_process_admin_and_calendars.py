"""The Secretariat adds documents (checked as evidence files are), meetings and news in the admin; calendar programs
read the iCalendar feeds of meetings and milestones; the process's pages keep their query budgets as data grow."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import Document, DocumentKind, Meeting, MeetingKind, MeetingStatus, NewsItem, ReportingCycle
from projects.models import Milestone, MilestoneStatus
from stakeholders.models import Country
from tests.factories import ActionFactory, MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def files_in_memory(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


# --- Uploads: the same checks as evidence --------------------------------------------------------------------


def add_document(client, upload, **fields):
    data = {
        "title": "Chair's Conclusions of ASEMME8",
        "slug": "chairs-conclusions-asemme8",
        "kind": DocumentKind.MEETING_PAPER,
        "language": "en",
        "url": "",
        **fields,
    }
    if upload is not None:
        data["file"] = upload
    return client.post(reverse("admin:monitoring_document_add"), data)


def test_the_secretariat_uploads_a_pdf_and_its_type_and_size_are_read_from_the_content(secretariat_client):
    response = add_document(secretariat_client, SimpleUploadedFile("conclusions.pdf", PDF, "text/html"))
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))  # not the browser's "text/html"
    assert document.file.name.endswith("conclusions.pdf")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "is not a PDF, an image or an office document"),
        ("disguised.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "its content is something else"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "is not a PDF, an image or an office document"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_with_a_clear_message(secretariat_client, name, content, message):
    response = add_document(secretariat_client, SimpleUploadedFile(name, content, "application/pdf"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_over_the_size_cap_is_refused(secretariat_client, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    response = add_document(secretariat_client, SimpleUploadedFile("big.pdf", PDF))
    assert response.status_code == 200
    assert "files may be at most" in response.content.decode()
    assert not Document.objects.exists()


def test_a_document_is_a_file_or_a_link_never_both_nor_neither(secretariat_client):
    both = add_document(secretariat_client, SimpleUploadedFile("a.pdf", PDF), url="https://example.org/a.pdf")
    assert "Give either a file or a link, not both" in both.content.decode()
    neither = add_document(secretariat_client, None)
    assert "Upload the document&#x27;s file or give a link to it." in neither.content.decode()
    link = add_document(secretariat_client, None, url="https://example.org/a.pdf")
    assert link.status_code == 302
    assert Document.objects.get().content_type == ""


def test_the_secretariat_adds_an_event_with_its_agenda_on_the_meeting_page(secretariat_client):
    data = {
        "kind": "other",
        "number": "",
        "title": "Seminar on recognition",
        "status": "planned",
        "cycle": "",
        "year": "2027",
        "start_date": "2027-03-10",
        "end_date": "2027-03-11",
        "host_country": "",
        "city": "Riga",
        "note": "",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-title": "Agenda",
        "documents-0-slug": "seminar-agenda",
        "documents-0-kind": "meeting_paper",
        "documents-0-language": "en",
        "documents-0-file": SimpleUploadedFile("agenda.pdf", PDF),
        "documents-0-url": "",
        "documents-0-description": "",
    }
    response = secretariat_client.post(reverse("admin:monitoring_meeting_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Seminar on recognition")
    agenda = meeting.documents.get()
    assert (agenda.title, agenda.content_type) == ("Agenda", "application/pdf")
    # A disguised file in the inline is refused as well.
    data.update(
        {"title": "Another", "documents-0-slug": "other-agenda", "documents-0-file": SimpleUploadedFile("x.pdf", b"MZ")}
    )
    response = secretariat_client.post(reverse("admin:monitoring_meeting_add"), data)
    assert response.status_code == 200 and "is not a PDF" in response.content.decode()


# --- Calendars -------------------------------------------------------------------------------------------------


def read_calendar(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def assert_all_day(event, first: datetime.date, last: datetime.date) -> None:
    """DTSTART and DTEND are DATE values (all-day), DTEND the day after the last (exclusive, RFC 5545)."""
    start, end = event["DTSTART"], event["DTEND"]
    assert start.params.get("VALUE") == "DATE" and end.params.get("VALUE") == "DATE"
    assert type(start.dt) is datetime.date and type(end.dt) is datetime.date
    assert (start.dt, end.dt) == (first, last + datetime.timedelta(days=1))
    assert isinstance(event["DTSTAMP"].dt, datetime.datetime)


def test_the_meetings_calendar_has_every_dated_meeting_with_its_dates_title_place_and_link(client):
    country = Country.objects.create(name="Latvia", iso_code="LV", region="europe")
    asemme = Meeting.objects.create(
        kind=MeetingKind.ASEMME, number=10, year=2027, start_date=datetime.date(2027, 5, 4),
        end_date=datetime.date(2027, 5, 5), host_country=country, city="Riga",
    )  # fmt: skip
    seminar = Meeting.objects.create(
        kind=MeetingKind.OTHER, title="Seminar", year=2026, start_date=datetime.date(2026, 11, 2),
        status=MeetingStatus.HELD, is_online=True,
    )  # fmt: skip
    Meeting.objects.create(kind=MeetingKind.ASEMME, number=11, year=2029)  # no date yet: not in a calendar

    events = events_of(read_calendar(client, reverse("calendars:meetings")))
    assert set(events) == {"ASEMME10: ASEM Education Ministers' Meeting (ASEMME)", "Seminar"}
    ministers = events["ASEMME10: ASEM Education Ministers' Meeting (ASEMME)"]
    assert_all_day(ministers, datetime.date(2027, 5, 4), datetime.date(2027, 5, 5))
    assert str(ministers["URL"]) == "http://testserver" + asemme.get_absolute_url()
    assert str(ministers["LOCATION"]) == "Riga, Latvia"
    assert str(ministers["STATUS"]) == "TENTATIVE"
    assert_all_day(events["Seminar"], datetime.date(2026, 11, 2), datetime.date(2026, 11, 2))
    assert str(events["Seminar"]["URL"]) == "http://testserver" + seminar.get_absolute_url()
    assert str(events["Seminar"]["LOCATION"]) == "online"

    # The UID names the meeting and stays the same from one download to the next (and across edits).
    first_uid = str(ministers["UID"])
    asemme.city = "Jūrmala"
    asemme.save()
    again = events_of(read_calendar(client, reverse("calendars:meetings")))
    assert str(again["ASEMME10: ASEM Education Ministers' Meeting (ASEMME)"]["UID"]) == first_uid
    assert first_uid == f"meeting-{asemme.pk}@127.0.0.1"


def test_the_milestone_calendars_of_the_plan_and_of_one_initiative(client):
    duo = ProjectFactory(slug="asem-duo", title="ASEM-DUO")
    other = ProjectFactory(slug="other", title="Other")
    alumni = MilestoneFactory(
        project=duo, title="Alumni meeting", planned_start=datetime.date(2026, 9, 14),
        planned_end=datetime.date(2026, 9, 18), period_label="14-18 September 2026",
    )  # fmt: skip
    MilestoneFactory(
        project=other, title="Launch", planned_start=datetime.date(2027, 1, 1), planned_end=None,
        status=MilestoneStatus.ACHIEVED, achieved_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    MilestoneFactory(project=other, title="Undated", planned_start=None, planned_end=None)

    plan = events_of(read_calendar(client, reverse("calendars:milestones")))
    assert set(plan) == {"ASEM-DUO: Alumni meeting", "Other: Launch"}
    event = plan["ASEM-DUO: Alumni meeting"]
    assert_all_day(event, datetime.date(2026, 9, 14), datetime.date(2026, 9, 18))
    assert str(event["URL"]) == "http://testserver" + duo.get_absolute_url()
    assert str(event["UID"]) == f"milestone-{alumni.pk}@127.0.0.1"
    assert "14-18 September 2026" in str(event["DESCRIPTION"])
    assert_all_day(plan["Other: Launch"], datetime.date(2027, 1, 1), datetime.date(2027, 1, 1))

    one = events_of(read_calendar(client, reverse("calendars:initiative-milestones", args=["asem-duo"])))
    assert set(one) == {"ASEM-DUO: Alumni meeting"}
    assert str(one["ASEM-DUO: Alumni meeting"]["UID"]) == str(event["UID"])
    assert client.get(reverse("calendars:initiative-milestones", args=["nothing"])).status_code == 404
    assert Milestone.objects.count() == 3


# --- Query budgets at two sizes ---------------------------------------------------------------------------------


def make_process_data(size: int) -> dict[str, str]:
    """``size`` meetings, documents (each with an action and an initiative), news items and work-plan items; the
    addresses of one of each."""
    from monitoring.models import WorkPlanItem

    country = Country.objects.create(name="Latvia", iso_code="LV", region="europe")
    actions = [ActionFactory(number=n) for n in range(1, 4)]
    opening = Meeting.objects.create(kind=MeetingKind.ASEMME, number=8, year=2021, status=MeetingStatus.HELD)
    cycle = ReportingCycle.objects.create(
        number=1,
        opening_meeting=opening,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2023, 12, 31),
        submission_opens=datetime.date(2022, 1, 1),
        submission_closes=datetime.date(2023, 12, 31),
    )
    Document.objects.create(
        title="Chair's Conclusions", slug="cc8", kind=DocumentKind.CHAIRS_CONCLUSIONS, meeting=opening,
        url="https://example.org/cc8",
    )  # fmt: skip
    project = None
    for i in range(size):
        meeting = Meeting.objects.create(
            kind=MeetingKind.OTHER, title=f"Event {i}", year=2020 + i % 10, host_country=country,
            start_date=datetime.date(2020 + i % 10, 1 + i % 12, 1), cycle=cycle,
        )  # fmt: skip
        project = ProjectFactory()
        MilestoneFactory(project=project, planned_start=datetime.date(2024, 1 + i % 12, 1))
        WorkPlanItem.objects.create(cycle=cycle, project=project, planned_activity=f"Activity {i}")
        document = Document.objects.create(
            title=f"Study {i}", slug=f"study-{i}", kind=DocumentKind.STUDY, meeting=meeting,
            date=datetime.date(2024, 1, 1), url=f"https://example.org/{i}",
        )  # fmt: skip
        document.actions.add(actions[i % 3])
        document.initiatives.add(project)
        news = NewsItem.objects.create(title=f"News {i}", slug=f"news-{i}", text="Text " * 50, is_published=True)
        news.actions.add(actions[i % 3])
        news.initiatives.add(project)
    return {
        "meeting": meeting.get_absolute_url(),
        "document": document.get_absolute_url(),
        "news item": news.get_absolute_url(),
        "initiative calendar": reverse("calendars:initiative-milestones", args=[project.slug]),
        "initiative": project.get_absolute_url(),
    }


# page → budget, with what the queries are; every HTML page also asks whether demonstration data is loaded.
BUDGETS = {
    # version, upcoming (+documents), past (+documents)
    "meetings": (lambda urls: reverse("meetings:meeting-list"), 6),
    # version, meeting (+host, cycle), documents, their actions, opened cycles, closed cycles
    "meeting": (lambda urls: urls["meeting"], 7),
    # version, cycle, items (+initiatives), mandate
    "work plan": (lambda urls: reverse("meetings:work-plan", args=[1]), 5),
    # version, languages, count, page; the filter's choices: meetings, actions, initiatives
    "documents": (lambda urls: reverse("documents:document-list"), 8),
    # version, languages, count, page, the chosen action and initiative checked
    "documents filtered": (lambda urls: reverse("documents:document-list") + "?action=1&q=Study&kind=study", 9),
    # version, document (+meeting), actions, initiatives
    "document": (lambda urls: urls["document"], 6),
    # version, count, page
    "news": (lambda urls: reverse("news:news-list"), 4),
    # version, item, actions, initiatives
    "news item": (lambda urls: urls["news item"], 5),
    "news feed": (lambda urls: reverse("news:news-feed"), 2),
    # version, meetings (+host)
    "meetings calendar": (lambda urls: reverse("calendars:meetings"), 2),
    # version, milestones (+initiatives)
    "milestones calendar": (lambda urls: reverse("calendars:milestones"), 2),
    "initiative calendar": (lambda urls: urls["initiative calendar"], 3),
    # the home page's own budget plus the news and the upcoming meetings
    "home": (lambda urls: reverse("home"), 11),
}


@pytest.mark.parametrize("size", [3, 40])
@pytest.mark.parametrize("page", list(BUDGETS))
def test_the_process_pages_read_a_fixed_number_of_queries(client, django_assert_max_num_queries, size, page):
    urls = make_process_data(size)
    url, budget = BUDGETS[page]
    with django_assert_max_num_queries(budget):
        response = client.get(url(urls))
    assert response.status_code == 200
    # A second reader gets the page from the cache: one query, the content version.
    with django_assert_max_num_queries(1):
        assert client.get(url(urls)).status_code == 200
