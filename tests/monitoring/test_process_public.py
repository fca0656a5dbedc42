"""The ASEM Education Process in public: meetings and events, the document repository, news, the cycles' work
plans with their mandate, and how each reaches the public (pages, feeds, sitemap)."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from monitoring.models import (
    Document,
    DocumentKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NewsItem,
    ReportingCycle,
    WorkPlanItem,
)
from stakeholders.models import Country
from tests.factories import ActionFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def files_in_memory(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def asemme(number: int, year: int, **extra) -> Meeting:
    return Meeting.objects.create(kind=MeetingKind.ASEMME, number=number, year=year, **extra)


def chairs_conclusions(meeting: Meeting, **extra) -> Document:
    values = {
        "title": f"Chair's Conclusions of {meeting.short_name}",
        "slug": f"chairs-conclusions-{meeting.short_name.lower()}",
        "kind": DocumentKind.CHAIRS_CONCLUSIONS,
        "meeting": meeting,
        "url": "https://example.org/conclusions.pdf",
        **extra,
    }
    return Document.objects.create(**values)


# --- Meetings and events ------------------------------------------------------------------------------------


def test_a_cycle_meeting_has_a_number_and_another_event_a_title():
    event = Meeting(kind=MeetingKind.OTHER, title="", year=2024)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "title" in error.value.message_dict
    som = Meeting(kind=MeetingKind.SOM, year=2024, title="A SOM with a title")
    with pytest.raises(ValidationError) as error:
        som.full_clean()
    assert set(error.value.message_dict) >= {"number", "title"}
    # The database says so too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(kind=MeetingKind.OTHER, year=2024, number=3, title="Seminar")
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(kind=MeetingKind.ASEMME, year=2024)
    seminar = Meeting.objects.create(kind=MeetingKind.OTHER, year=2024, title="Seminar on recognition")
    assert (seminar.short_name, str(seminar)) == ("Seminar on recognition", "Seminar on recognition (2024)")


def test_upcoming_and_past_meetings_by_their_dates_and_undated_planned_ones_by_year():
    year = TODAY.year
    held = asemme(8, year - 3, status=MeetingStatus.HELD)
    over_by_date = asemme(9, year - 1, start_date=datetime.date(year - 1, 3, 1))  # still "planned", but over
    next_week = Meeting.objects.create(
        kind=MeetingKind.OTHER, title="Conference", year=(TODAY + datetime.timedelta(days=7)).year,
        start_date=TODAY + datetime.timedelta(days=7),
    )  # fmt: skip
    undated_this_year = asemme(10, year)
    undated_old = asemme(7, year - 5)  # planned long ago, never updated
    running_today = Meeting.objects.create(
        kind=MeetingKind.OTHER, title="Workshop", year=year, start_date=TODAY, end_date=TODAY
    )
    assert set(Meeting.objects.upcoming(TODAY)) == {next_week, undated_this_year, running_today}
    assert set(Meeting.objects.past(TODAY)) == {held, over_by_date, undated_old}


def test_the_meetings_page_lists_upcoming_and_past_meetings_with_their_documents(client):
    country = Country.objects.create(name="Thailand", iso_code="TH", region="asia")
    held = asemme(8, 2021, status=MeetingStatus.HELD, host_country=country, city="Bangkok")
    chairs_conclusions(held)
    asemme(12, TODAY.year + 1)
    response = client.get(reverse("meetings:meeting-list"))
    assert response.status_code == 200
    upcoming, past = response.context["upcoming"], response.context["past"]
    assert [m.short_name for m in upcoming] == ["ASEMME12"]
    assert [m.short_name for m in past] == ["ASEMME8"]
    page = response.content.decode()
    assert "Bangkok, Thailand" in page and "Chair&#x27;s Conclusions" in page
    assert reverse("calendars:meetings") in page


def test_a_meeting_page_shows_its_facts_documents_and_the_work_plan_it_adopted(client):
    meeting = asemme(8, 2021, status=MeetingStatus.HELD)
    document = chairs_conclusions(meeting)
    cycle = ReportingCycle.objects.create(
        number=1,
        opening_meeting=meeting,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2023, 12, 31),
        submission_opens=datetime.date(2022, 1, 1),
        submission_closes=datetime.date(2023, 12, 31),
    )
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert document.get_absolute_url() in page
    assert reverse("meetings:work-plan", args=[cycle.number]) in page
    assert client.get("/meetings/999999/").status_code == 404
    assert client.get("/meetings/" + "9" * 40 + "/").status_code == 404


# --- The work plan and its mandate --------------------------------------------------------------------------


def make_cycle_with_work_plan() -> tuple[ReportingCycle, WorkPlanItem]:
    meeting = asemme(8, 2021, status=MeetingStatus.HELD)
    cycle = ReportingCycle.objects.create(
        number=1,
        opening_meeting=meeting,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2023, 12, 31),
        submission_opens=datetime.date(2022, 1, 1),
        submission_closes=datetime.date(2023, 12, 31),
    )
    item = WorkPlanItem.objects.create(
        cycle=cycle, project=ProjectFactory(title="ASEM-DUO"), planned_activity="Exchange 100 pairs"
    )
    return cycle, item


def test_the_work_plan_names_the_chairs_conclusions_that_adopted_it(client):
    cycle, item = make_cycle_with_work_plan()
    url = reverse("meetings:work-plan", args=[cycle.number])
    page = client.get(url).content.decode()
    assert "Exchange 100 pairs" in page
    assert "not in the document repository yet" in page
    assert cycle.mandate() is None

    document = chairs_conclusions(cycle.opening_meeting)
    chairs_conclusions(cycle.opening_meeting, slug="conclusions-fr", language="fr")
    assert cycle.mandate() == document  # English first
    page = client.get(url).content.decode()
    assert document.get_absolute_url() in page and "Adopted by ASEMME8 in its Chair" in page
    # The document's page says which work plan it adopted.
    assert url in client.get(document.get_absolute_url()).content.decode()
    assert client.get(reverse("meetings:work-plan", args=[99])).status_code == 404
    assert client.get(reverse("meetings:work-plan", args=[10**17])).status_code == 404  # beyond a small integer


def test_the_initiative_page_shows_its_work_plan_items_with_their_mandate(client):
    cycle, item = make_cycle_with_work_plan()
    document = chairs_conclusions(cycle.opening_meeting)
    page = client.get(item.project.get_absolute_url()).content.decode()
    assert "Exchange 100 pairs" in page
    assert document.get_absolute_url() in page


# --- Documents ----------------------------------------------------------------------------------------------


def test_a_document_is_a_file_or_a_link_and_chairs_conclusions_belong_to_a_meeting():
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="Nothing", slug="nothing", kind=DocumentKind.STUDY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            title="No meeting", slug="no-meeting", kind=DocumentKind.CHAIRS_CONCLUSIONS, url="https://example.org/"
        )
    meeting = asemme(8, 2021)
    chairs_conclusions(meeting)
    with pytest.raises(IntegrityError), transaction.atomic():
        chairs_conclusions(meeting, slug="again")  # the same meeting, the same language


def test_the_document_list_filters_and_searches(client):
    meeting = asemme(8, 2021)
    action = ActionFactory(number=17)
    project = ProjectFactory(slug="asem-duo", title="ASEM-DUO")
    conclusions = chairs_conclusions(meeting, date=datetime.date(2021, 12, 15))
    study = Document.objects.create(
        title="Study on balanced mobility",
        slug="study-mobility",
        kind=DocumentKind.STUDY,
        date=datetime.date(2023, 5, 1),
        language="fr",
        description="Erasmus and ASEM-DUO compared",
        url="https://example.org/study",
    )
    study.actions.add(action)
    study.initiatives.add(project)

    def titles(query: str) -> list[str]:
        response = client.get(reverse("documents:document-list") + query)
        assert response.status_code == 200, query
        return [d.title for d in response.context["documents"]]

    assert titles("") == [study.title, conclusions.title]  # newest first
    assert titles("?kind=study") == [study.title]
    assert titles(f"?meeting={meeting.pk}") == [conclusions.title]
    assert titles("?action=17") == [study.title]
    assert titles("?initiative=asem-duo") == [study.title]
    assert titles("?language=fr") == [study.title]
    assert titles("?year=2021") == [conclusions.title]
    assert titles("?q=balanced+erasmus") == [study.title]
    assert titles("?q=nothing-like-this") == []
    # Only the languages the repository holds are offered.
    form = client.get(reverse("documents:document-list") + "?q=").context["filter"].form
    assert [code for code, _name in form.fields["language"].choices] == ["", "en", "fr"]
    # A malformed filter is a 400 with the form's message, never a 500.
    bad = ("?kind=poem", "?action=x", "?year=abc", "?year=2021.5", "?year=99999", "?meeting=99999", "?meeting=x")
    for query in (*bad, "?initiative=" + "x" * 300, "?q=" + "x" * 300, "?language=xx"):
        response = client.get(reverse("documents:document-list") + query)
        assert response.status_code == 400, query
        assert "Some filters could not be used" in response.content.decode()


def test_a_file_document_downloads_with_safe_headers_and_a_link_document_has_no_download(client):
    document = Document(title="Agenda", slug="agenda", kind=DocumentKind.MEETING_PAPER, content_type="application/pdf")
    document.file.save("agenda.pdf", ContentFile(PDF), save=False)
    document.size = len(PDF)
    document.save()
    page = client.get(document.get_absolute_url()).content.decode()
    assert document.download_url in page and "agenda.pdf" in page
    response = client.get(document.download_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "agenda.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    link = Document.objects.create(title="Study", slug="study", kind=DocumentKind.STUDY, url="https://example.org/s")
    assert link.download_url == "https://example.org/s"
    assert client.get(reverse("documents:document-download", args=["study"])).status_code == 404
    assert client.get(reverse("documents:document-download", args=["nothing"])).status_code == 404


# --- News ---------------------------------------------------------------------------------------------------


def test_news_is_public_once_published_and_the_secretariat_previews_drafts(secretariat_user):
    client, secretariat_client = Client(), Client()
    secretariat_client.force_login(secretariat_user)
    published = NewsItem.objects.create(
        title="ASEMME9 announced", slug="asemme9", text="Save the date.", is_published=True
    )
    draft = NewsItem.objects.create(title="Not yet", slug="not-yet", text="Draft text.")
    response = client.get(reverse("news:news-list"))
    assert [item.title for item in response.context["news"]] == [published.title]
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    preview = secretariat_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "only the Secretariat sees this item" in preview.content.decode()


def test_the_news_feed_is_atom_and_carries_text_never_markup(client):
    NewsItem.objects.create(
        title="A <b>bold</b> title",
        slug="markup",
        text='First paragraph with <script>alert("x")</script> & more.\n\nSecond paragraph.',
        date=datetime.date(2026, 3, 1),
        is_published=True,
    )
    NewsItem.objects.create(title="Hidden", slug="hidden", text="Draft.")
    response = client.get(reverse("news:news-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    entries = root.findall("atom:entry", ATOM)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext("atom:title", namespaces=ATOM) == "A <b>bold</b> title"  # text, shown as written
    summary = entry.find("atom:summary", ATOM)
    assert summary.get("type") == "html"
    # As HTML, the summary holds escaped text in paragraphs: a feed reader shows the tags, never runs them.
    assert "<script>" not in summary.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more." in summary.text
    assert summary.text.count("<p>") == 2
    assert entry.find("atom:link", ATOM).get("href") == "http://testserver/news/markup/"
    assert entry.findtext("atom:published", namespaces=ATOM).startswith("2026-03-01")


def test_the_updates_feed_escapes_the_narrative_too(client):
    from tests.factories import ProgressUpdateFactory

    ProgressUpdateFactory(status="approved", achievements="<img src=x onerror=alert(1)> done")
    root = ET.fromstring(client.get(reverse("updates-feed")).content)  # noqa: S314 - our own response
    summary = root.find("atom:entry/atom:summary", ATOM)
    assert "<img" not in summary.text and "&lt;img src=x onerror=alert(1)&gt; done" in summary.text


# --- Home, menu, sitemap ------------------------------------------------------------------------------------


def test_the_home_page_shows_the_latest_news_and_the_next_meetings_and_the_menu_links_them(client):
    NewsItem.objects.create(title="Call for projects", slug="call", text="Apply now.", is_published=True)
    NewsItem.objects.create(title="Draft news", slug="draft", text="Draft.")
    meeting = asemme(12, TODAY.year + 1)
    page = client.get(reverse("home")).content.decode()
    assert "Call for projects" in page and "Draft news" not in page
    assert meeting.get_absolute_url() in page
    for name in ("meetings:meeting-list", "documents:document-list", "news:news-list"):
        assert f'href="{reverse(name)}"' in page


def test_the_sitemap_lists_meetings_documents_and_published_news(client):
    meeting = asemme(8, 2021)
    document = chairs_conclusions(meeting)
    news = NewsItem.objects.create(title="Published", slug="published", text="x", is_published=True)
    draft = NewsItem.objects.create(title="Draft", slug="draft", text="x")
    content = client.get("/sitemap.xml").content.decode()
    for url in (
        meeting.get_absolute_url(),
        document.get_absolute_url(),
        news.get_absolute_url(),
        reverse("meetings:meeting-list"),
        reverse("documents:document-list"),
        reverse("news:news-list"),
    ):
        assert f"http://testserver{url}" in content, url
    assert draft.get_absolute_url() not in content
