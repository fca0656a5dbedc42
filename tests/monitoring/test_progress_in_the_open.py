"""Published progress in the open: the list of published updates, the Atom feeds (read with feedparser, as a feed
reader reads them), the countries and the Asia–Europe balance, the site's own pages; each at a fixed number of
queries whatever the size."""

from __future__ import annotations

import datetime
import html
import re

import feedparser
import pytest
from django.core.cache import cache
from django.utils import timezone

from monitoring.models import CycleStatus, ProgressUpdate
from projects.models import OrganisationRole
from stakeholders.models import Region
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    CountryFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    SubgoalFactory,
    build_plan,
)
from tests.monitoring.conftest import make_cycle

pytestmark = pytest.mark.django_db

HOSTILE = 'Pairs exchanged <script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted" <b>bold</b>'


@pytest.fixture
def progress(db):
    """Two objectives; action 1 (objective 1) and action 2 (objective 2). "duo" (action 1) is led by ASEF with AEI
    as partner and a funder; "lll" (action 2) is led by AEI. Approved updates: two on duo (one by ASEF with a
    hostile narrative, in cycle 1; one by AEI in cycle 2), one on lll by AEI; a draft on lll."""
    objective1, objective2 = ObjectiveFactory(number=1), ObjectiveFactory(number=2)
    action1 = ActionFactory(number=1, subgoals=[SubgoalFactory(objective=objective1, code="1.1", position=1)])
    action2 = ActionFactory(number=2, subgoals=[SubgoalFactory(objective=objective2, code="2.1", position=1)])
    germany, korea = CountryFactory(iso_code="DE", region="europe"), CountryFactory(iso_code="KR", region="asia")
    asef = OrganisationFactory(slug="asef", name="Asia-Europe Foundation", acronym="ASEF", region=Region.ASIA,
                               country=korea)  # fmt: skip
    aei = OrganisationFactory(slug="aei", name="Asia-Europe Institute", acronym="AEI", region=Region.EUROPE,
                              country=germany)  # fmt: skip
    funder = OrganisationFactory(slug="funder", name="Funder", acronym="FND", region=Region.EUROPE, country=germany)
    duo = ProjectFactory(slug="duo", title="ASEM-DUO")
    lll = ProjectFactory(slug="lll", title="Lifelong learning")
    ActionContributionFactory(project=duo, action=action1)
    ActionContributionFactory(project=lll, action=action2)
    ProjectOrganisationFactory(project=duo, organisation=asef, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=duo, organisation=aei, role=OrganisationRole.PARTNER)
    ProjectOrganisationFactory(project=duo, organisation=funder, role=OrganisationRole.FUNDER)
    ProjectOrganisationFactory(project=lll, organisation=aei, role=OrganisationRole.LEAD)
    cycle1 = make_cycle(1, status=CycleStatus.CLOSED)
    cycle2 = make_cycle(2, start=(2024, 1, 1), end=(2025, 12, 31))
    when = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 30))

    def approved(project, organisation, cycle, days_ago, **fields):
        return ProgressUpdateFactory(
            project=project,
            organisation=organisation,
            cycle=cycle,
            status="approved",
            reviewed_at=when - datetime.timedelta(days=days_ago),
            **fields,
        )

    approved(duo, asef, cycle1, 3, achievements=HOSTILE)
    approved(duo, aei, cycle2, 1, achievements="Alumni met online.")
    approved(lll, aei, cycle2, 2, achievements="A learning city network met.")
    ProgressUpdateFactory(project=lll, organisation=aei, status="draft", achievements="Secret draft.")


# The Atom feeds --------------------------------------------------------------------------------------------


def read_feed(client, url: str, **options) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content, **options)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_titles(feed) -> list[str]:
    return [entry.title.split(":")[0] for entry in feed.entries]


@pytest.mark.parametrize(
    "url", ["/updates/feed/", "/initiatives/duo/feed/", "/actions/1/feed/", "/organisations/asef/feed/"]
)
def test_a_feed_reader_reads_the_narrative_as_text_never_as_markup(client, progress, url):
    # A reader that does not sanitise, as the strictest test: the summary holds no live element at all...
    feed = read_feed(client, url, sanitize_html=False)
    entry = next(entry for entry in feed.entries if "Pairs exchanged" in entry.summary)
    assert entry.summary_detail.type == "text/html"
    assert "<script" not in entry.summary and "<img" not in entry.summary and "<b>" not in entry.summary
    # ...and, its own paragraph markup removed, reads exactly as the contributor wrote it.
    assert html.unescape(re.sub(r"</?p>", "", entry.summary)).strip() == HOSTILE
    # A sanitising reader (feedparser's default) shows the same text.
    feed = read_feed(client, url)
    entry = next(entry for entry in feed.entries if "Pairs exchanged" in entry.summary)
    assert "&lt;script&gt;" in entry.summary


def test_each_feed_lists_its_own_published_updates_newest_first(client, progress):
    assert entry_titles(read_feed(client, "/updates/feed/")) == ["ASEM-DUO", "Lifelong learning", "ASEM-DUO"]
    assert entry_titles(read_feed(client, "/initiatives/duo/feed/")) == ["ASEM-DUO", "ASEM-DUO"]
    assert entry_titles(read_feed(client, "/initiatives/lll/feed/")) == ["Lifelong learning"]  # not the draft
    assert entry_titles(read_feed(client, "/actions/2/feed/")) == ["Lifelong learning"]
    # An organisation's feed: the initiatives it leads or partners, whoever reports on them; funders not.
    assert entry_titles(read_feed(client, "/organisations/aei/feed/")) == ["ASEM-DUO", "Lifelong learning", "ASEM-DUO"]
    assert entry_titles(read_feed(client, "/organisations/asef/feed/")) == ["ASEM-DUO", "ASEM-DUO"]
    assert read_feed(client, "/organisations/funder/feed/").entries == []
    feed = read_feed(client, "/initiatives/duo/feed/")
    assert feed.feed.title == "Progress of ASEM-DUO"
    assert feed.feed.id == "http://testserver/initiatives/duo/feed/"
    assert (
        feed.entries[0].link
        == f"http://testserver{ProgressUpdate.objects.filter(project__slug='duo').order_by('-reviewed_at').first().get_absolute_url()}"
    )
    assert feed.entries[0].published_parsed[:3] == (2026, 12, 6)


@pytest.mark.parametrize("url", ["/initiatives/nothing/feed/", "/actions/99/feed/", "/actions/99999999/feed/",
                                 "/organisations/nobody/feed/"])  # fmt: skip
def test_a_feed_of_nothing_is_a_404(client, progress, url):
    assert client.get(url).status_code == 404


def test_pages_link_their_feeds(client, progress):
    for page, feed in [
        ("/initiatives/duo/", "/initiatives/duo/feed/"),
        ("/actions/1/", "/actions/1/feed/"),
        ("/organisations/aei/", "/organisations/aei/feed/"),
    ]:
        content = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in content
        assert content.count(f'href="{feed}"') == 2, page  # in the head, and a visible link


@pytest.mark.parametrize("size", [4, 40])
def test_feeds_have_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    projects = build_plan(size)
    lead = projects[0].participations.get(role=OrganisationRole.LEAD).organisation
    # 1 the content version (page cache); 1 the initiative, action or organisation; 1 the updates.
    for url in ("/updates/feed/", f"/initiatives/{projects[0].slug}/feed/", "/actions/1/feed/",
                f"/organisations/{lead.slug}/feed/"):  # fmt: skip
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


# The list of published updates -----------------------------------------------------------------------------

LIST_URL = "/updates/published/"


def listed(response) -> list[str]:
    return [f"{update.project.slug}:{update.organisation.slug}" for update in response.context["updates"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["duo:aei", "lll:aei", "duo:asef"]),  # newest publication first; no draft
        ({"objective": "1"}, ["duo:aei", "duo:asef"]),
        ({"action": "2"}, ["lll:aei"]),
        ({"organisation": "ASEF"}, ["duo:asef"]),  # the reporting organisation, as typed
        ({"organisation": "Asia-Europe"}, ["duo:aei", "lll:aei", "duo:asef"]),
        ({"cycle": "1"}, ["duo:asef"]),
        ({"cycle": "2", "objective": "1"}, ["duo:aei"]),
    ],
)
def test_the_published_list_filters_by_objective_action_organisation_and_cycle(client, progress, params, expected):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert listed(response) == expected


def test_each_published_update_shows_its_publication_date_and_links_to_it(client, progress):
    page = client.get(LIST_URL).content.decode()
    assert 'Published <time datetime="2026-12-06">6 December 2026</time>' in page
    assert "Secret draft" not in page
    update = ProgressUpdate.objects.get(project__slug="lll", status="approved")
    assert f'<a href="{update.get_absolute_url()}">Lifelong learning</a>' in page
    # The hostile narrative is shown as text.
    assert "&lt;script&gt;" in page and "<script>alert" not in page


@pytest.mark.parametrize("params", [{"cycle": "9"}, {"cycle": "x"}, {"objective": "7"}, {"organisation": "Nobody"}])
def test_invalid_filters_of_the_published_list_are_a_400_listing_nothing(client, progress, params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    assert list(response.context["updates"]) == []
    assert "No updates are listed until the filters above are corrected." in response.content.decode()


@pytest.mark.parametrize("size", [4, 40])
def test_the_published_list_has_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    build_plan(size)
    ProgressUpdate.objects.filter(status="approved").update(reviewed_at=timezone.now())
    make_cycle(1)
    lead_slug = ProgressUpdate.objects.filter(status="approved").first().organisation.slug
    # 1 version; 4 to validate objective, action, organisation and cycle; 1 count; 1 page (with initiative,
    # organisation and cycle); 4 the objective, action and cycle options and the organisation suggestions; 1 the
    # banner (whether demonstration data is loaded).
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL, {"objective": "1", "action": "1", "organisation": lead_slug, "cycle": "1"})
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        response = client.get(LIST_URL)
    assert len(response.context["updates"]) == min((size + 1) // 2, 25)


# Countries and the balance ---------------------------------------------------------------------------------


def test_the_countries_list_counts_organisations_and_initiatives(client, progress):
    CountryFactory(iso_code="SE", region="europe")
    page = client.get("/countries/").content.decode()
    # Germany: AEI and the funder; AEI leads lll and partners duo (the funder does not count).
    assert re.search(r'<a href="/countries/DE/">Country DE</a></th><td class="num">2</td><td class="num">2</td>', page)
    assert re.search(r'<a href="/countries/KR/">Country KR</a></th><td class="num">1</td><td class="num">1</td>', page)
    assert re.search(r'<a href="/countries/SE/">Country SE</a></th><td class="num">0</td><td class="num">0</td>', page)
    assert page.index("<h2") < page.index("Country KR") < page.index("Country DE")  # Asia, then Europe


def test_a_country_page_lists_its_organisations_and_the_initiatives_they_lead_or_join_once(client, progress):
    response = client.get("/countries/DE/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [o.slug for o in response.context["organisations"]] == ["aei", "funder"]
    assert [p.slug for p in response.context["projects"]] == ["duo", "lll"]
    assert "AEI: partner" in page and "AEI: lead" in page
    assert "FND" not in page.split("Initiatives its organisations lead or join")[1]
    assert client.get("/countries/de/").status_code == 200
    assert client.get("/countries/ZZ/").status_code == 404
    assert client.get("/countries/DEU/").status_code == 404


def test_an_organisation_links_its_country(client, progress):
    assert '<a href="/countries/KR/">Country KR</a>' in client.get("/organisations/asef/").content.decode()


def test_the_balance_counts_leads_and_partners_by_region_per_objective(client, progress):
    response = client.get("/balance/")
    assert response.status_code == 200
    leads, partners = response.context["charts"]
    values = {series.key: series.values for series in leads.series}
    # All initiatives, objective 1, objective 2: ASEF (Asia) leads duo (obj. 1), AEI (Europe) leads lll (obj. 2).
    assert values == {"asia": [1, 1, 0], "europe": [1, 0, 1], "international": [0, 0, 0]}
    values = {series.key: series.values for series in partners.series}
    assert values == {"asia": [0, 0, 0], "europe": [1, 1, 0], "international": [0, 0, 0]}
    page = response.content.decode()
    assert "Lead organisations by region" in page and "Partner organisations by region" in page
    assert '<table class="chart-data">' in page  # every chart with its data table


@pytest.mark.parametrize("size", [4, 40])
def test_countries_and_balance_have_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    build_plan(size)  # every lead is in Germany
    # 1 version, 1 the countries with their counts, 1 the banner (whether demonstration data is loaded).
    with django_assert_max_num_queries(3):
        assert client.get("/countries/").status_code == 200
    # 1 version, 1 the country, 1 its organisations, 1 count, 1 page, 1 leads, 1 actions, 1 its organisations'
    # roles, 1 the banner; the listed initiatives' progress: 1 the reporting cycles, 1 their approved updates,
    # 1 milestones by state, 1 indicators.
    with django_assert_max_num_queries(13):
        response = client.get("/countries/DE/")
    assert len(response.context["projects"]) == min(size, 25)
    # 1 version, 2 the counts, 1 the objectives, 1 the banner.
    with django_assert_max_num_queries(5):
        assert client.get("/balance/").status_code == 200


# The site's own pages --------------------------------------------------------------------------------------

SITE_PAGES = ["/about/", "/contact/", "/accessibility/", "/privacy/", "/open-data/"]


@pytest.mark.parametrize("url", ["/", "/initiatives/", "/countries/", "/balance/", LIST_URL, *SITE_PAGES])
def test_every_page_has_the_footer_links_and_reading_sets_no_cookie(client, progress, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    for link in SITE_PAGES:
        assert f'href="{link}"' in footer, link
    assert 'href="/open-data/">Open data and API</a>' in page[: page.index("<main")]  # in the menu too
    assert not response.cookies


def test_the_contact_page_says_what_is_set_and_invents_nothing(client, progress, settings):
    OrganisationFactory(slug="asem-education-secretariat", name="ASEM Education Secretariat",
                        website="https://www.asem-education.org/")  # fmt: skip
    settings.CONTACT_EMAIL = ""
    page = client.get("/contact/").content.decode()
    assert "mailto:" not in page
    assert 'href="https://www.asem-education.org/"' in page
    settings.CONTACT_EMAIL = "secretariat@example.org"
    cache.clear()  # the page cache keys pages by content, not settings (a deployment restarts with a new release)
    page = client.get("/contact/").content.decode()
    assert '<a href="mailto:secretariat@example.org">secretariat@example.org</a>' in page


def test_the_open_data_page_states_the_licence_only_when_one_is_set(client, progress, settings):
    page = client.get("/open-data/").content.decode()
    assert "No licence for reusing the data has been stated yet." in page
    for link in ("/initiatives/export.csv", "/api/v1/export/plan.json", "/api/v1/docs/", "/api/v1/schema/",
                 "/updates/feed/", "/news/feed/", "/calendars/meetings.ics", "/reports/"):  # fmt: skip
        assert f'href="{link}"' in page, link
    settings.OPEN_DATA_LICENCE = "CC BY 4.0"
    settings.OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    cache.clear()
    page = client.get("/open-data/").content.decode()
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in page
    assert "No licence" not in page
