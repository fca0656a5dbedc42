"""Finding initiatives as a person types: the organisation by name, acronym or part of a name; the country of a
lead or partner; search through the plan's texts and the approved updates; a typo forgiven (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from monitoring.filters import ProjectFilterSet
from projects.models import OrganisationRole, Project
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
)

pytestmark = pytest.mark.django_db

LIST_URL = "/initiatives/"


def slugs(data: dict) -> list[str]:
    filterset = ProjectFilterSet(data, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    return sorted(filterset.qs.values_list("slug", flat=True))


def listed(response) -> list[str]:
    return sorted(project.slug for project in response.context["projects"])


# The organisation as typed --------------------------------------------------------------------------------


@pytest.fixture
def organisations(db):
    """ASEF leads "dialogue", AEI partners "institute-study", the Asia-Europe Meeting (no acronym) leads
    "meeting-forum", Europe Org only funds "funded"."""
    asef = OrganisationFactory(slug="asef", name="Asia-Europe Foundation", acronym="ASEF")
    aei = OrganisationFactory(slug="aei", name="Asia-Europe Institute", acronym="AEI")
    meeting = OrganisationFactory(slug="asem", name="Asia-Europe Meeting", acronym="")
    funder = OrganisationFactory(slug="europe-org", name="Europe Org", acronym="EO")
    for slug, organisation, role in [
        ("dialogue", asef, OrganisationRole.LEAD),
        ("institute-study", aei, OrganisationRole.PARTNER),
        ("meeting-forum", meeting, OrganisationRole.LEAD),
        ("funded", funder, OrganisationRole.FUNDER),
    ]:
        ProjectOrganisationFactory(project=ProjectFactory(slug=slug), organisation=organisation, role=role)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("asef", ["dialogue"]),  # the slug
        ("ASEF", ["dialogue"]),  # the acronym
        ("aei", ["institute-study"]),  # the slug, also the acronym in another case
        ("Asia-Europe Foundation", ["dialogue"]),  # the whole name
        ("asia-europe foundation", ["dialogue"]),  # in any case
        ("Asia-Europe", ["dialogue", "institute-study", "meeting-forum"]),  # part of a name: every match
        ("Foundation", ["dialogue"]),
        ("  Meeting ", ["meeting-forum"]),  # spaces around do not count
    ],
)
def test_the_organisation_filter_takes_a_name_an_acronym_or_part_of_a_name(organisations, typed, expected):
    assert slugs({"organisation": typed}) == expected


def test_an_exact_name_or_acronym_wins_over_partial_matches(db):
    eua = OrganisationFactory(slug="eua", name="European University Association", acronym="EUA")
    euas = OrganisationFactory(slug="euas", name="EUA Services", acronym="EUAS")
    ProjectOrganisationFactory(project=ProjectFactory(slug="one"), organisation=eua, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=ProjectFactory(slug="two"), organisation=euas, role=OrganisationRole.LEAD)
    assert slugs({"organisation": "EUA"}) == ["one"]
    assert slugs({"organisation": "EUA S"}) == ["two"]
    assert slugs({"organisation": "Association"}) == ["one"]


def test_text_that_matches_only_a_funder_or_nobody_is_a_400_that_says_so(client, organisations):
    for typed in ("Europe Org", "Nobody at all"):
        response = client.get(LIST_URL, {"organisation": typed})
        assert response.status_code == 400
        assert f"No organisation taking part in an initiative is called “{typed}”" in response.content.decode()


def test_the_directory_names_the_organisations_a_text_matched(client, organisations):
    response = client.get(LIST_URL, {"organisation": "Asia-Europe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Organisations matching “Asia-Europe”: Asia-Europe Foundation (ASEF), Asia-Europe Institute (AEI), "
        "Asia-Europe Meeting" in page
    )
    assert listed(response) == ["dialogue", "institute-study", "meeting-forum"]
    page = client.get(LIST_URL, {"organisation": "asef"}).content.decode()
    assert "Organisation “asef”: Asia-Europe Foundation (ASEF)" in page


def test_the_api_takes_the_organisation_as_typed_too(client, organisations):
    response = client.get("/api/v1/initiatives/", {"organisation": "Asia-Europe"})
    assert response.status_code == 200
    assert sorted(item["slug"] for item in response.json()["results"]) == [
        "dialogue",
        "institute-study",
        "meeting-forum",
    ]
    response = client.get("/api/v1/initiatives/", {"organisation": "Europe Org"})
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]


# The country of a lead or partner ------------------------------------------------------------------------


@pytest.fixture
def countries(db):
    germany, thailand = CountryFactory(iso_code="DE", region="europe"), CountryFactory(iso_code="TH", region="asia")
    berlin = OrganisationFactory(slug="berlin", country=germany)
    bangkok = OrganisationFactory(slug="bangkok", country=thailand)
    bonn_funder = OrganisationFactory(slug="bonn", country=germany)
    led, joined, funded = ProjectFactory(slug="led"), ProjectFactory(slug="joined"), ProjectFactory(slug="funded")
    ProjectOrganisationFactory(project=led, organisation=berlin, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=led, organisation=bangkok, role=OrganisationRole.PARTNER)
    ProjectOrganisationFactory(project=joined, organisation=berlin, role=OrganisationRole.PARTNER)
    ProjectOrganisationFactory(project=funded, organisation=bonn_funder, role=OrganisationRole.FUNDER)


def test_the_country_filter_lists_the_initiatives_its_organisations_lead_or_join_once(countries):
    assert slugs({"country": "DE"}) == ["joined", "led"]
    assert slugs({"country": "de"}) == ["joined", "led"]  # the ISO code in either case
    assert slugs({"country": "TH"}) == ["led"]
    assert slugs({"country": "DE", "organisation": "bangkok"}) == ["led"]


def test_an_unknown_country_is_a_400(client, countries):
    assert client.get(LIST_URL, {"country": "ZZ"}).status_code == 400
    assert client.get(LIST_URL, {"country": "Germany'--"}).status_code == 400
    response = client.get("/api/v1/initiatives/", {"country": "ZZ"})
    assert response.status_code == 400
    assert "country" in response.json()["errors"]


def test_the_directory_offers_the_countries(client, countries):
    page = client.get(LIST_URL, {"country": "TH"}).content.decode()
    assert '<option value="TH" selected>Country TH</option>' in page
    assert '<option value="DE">Country DE</option>' in page


# Search beyond the initiative's own texts ----------------------------------------------------------------


@pytest.fixture
def plan_words(db):
    """"wanderlust" is only in objective 2's title, "cartography" only in subgoal 1.1's text, "hydroponics" only
    in action 3's description; "saxophone" only in an approved update of "reported", "trombone" only in a
    draft of "drafted"; "mobility" in "mobile"'s title."""
    objective1 = ObjectiveFactory(number=1, title="Improving the quality of education")
    objective2 = ObjectiveFactory(number=2, title="Wanderlust and exchanges")
    s11 = SubgoalFactory(objective=objective1, code="1.1", position=1, text="Cartography of degrees")
    s21 = SubgoalFactory(objective=objective2, code="2.1", position=1, text="Exchanges of staff")
    a1 = ActionFactory(number=1, description="Compare degrees", subgoals=[s11])
    a2 = ActionFactory(number=2, description="Exchange staff", subgoals=[s21])
    a3 = ActionFactory(number=3, description="Grow hydroponics gardens", subgoals=[])

    def initiative(slug, action, title="Plain title", summary="Plain summary."):
        project = ProjectFactory(slug=slug, title=title, summary=summary)
        ActionContributionFactory(project=project, action=action, activities="Plain.", expected_outcomes="Plain.")
        return project

    initiative("under-1", a1)
    initiative("under-2", a2)
    initiative("under-3", a3)
    reported = initiative("reported", a1)
    drafted = initiative("drafted", a1)
    initiative("mobile", a1, title="Student mobility scheme")
    ProgressUpdateFactory(project=reported, status="approved", achievements="A saxophone quartet toured.")
    ProgressUpdateFactory(project=drafted, status="draft", achievements="A trombone choir.")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("wanderlust", ["under-2"]),  # an objective's title
        ("cartography", ["drafted", "mobile", "reported", "under-1"]),  # a subgoal's text
        ("hydroponics", ["under-3"]),  # an action's description, of an action serving no subgoal
        ("saxophone", ["reported"]),  # an approved update
        ("plain saxophone", ["reported"]),  # a word of its title and one of its approved update, together
        ("trombone", []),  # a draft is not public
        # The words of a path of the plan (an action, one of its subgoals, that subgoal's objective) together.
        ("wanderlust staff", ["under-2"]),
        ("mobility", ["mobile"]),
    ],
)
def test_search_finds_the_plan_it_serves_and_its_approved_updates(plan_words, q, expected):
    assert slugs({"q": q}) == expected


def test_an_update_found_by_search_stops_being_found_once_its_approval_is_withdrawn(plan_words):
    from monitoring.models import ProgressUpdate

    ProgressUpdate.objects.filter(project__slug="reported").update(status="returned", return_reason="x")
    assert slugs({"q": "saxophone"}) == []


def test_an_edited_update_is_found_by_its_new_words(plan_words):
    from monitoring.models import ProgressUpdate

    update = ProgressUpdate.objects.get(project__slug="reported")
    update.achievements = "A clarinet ensemble."
    update.save()
    assert slugs({"q": "clarinet"}) == ["reported"]
    assert slugs({"q": "saxophone"}) == []


def test_a_typo_finds_similar_words_and_the_page_says_so(client, plan_words):
    if connection.vendor != "postgresql":
        pytest.skip("similar words come from PostgreSQL's pg_trgm")
    assert slugs({"q": "mobilty"}) == ["mobile"]
    assert slugs({"q": "hydroponcs gardenz"}) == ["under-3"]  # in the plan's texts too
    response = client.get(LIST_URL, {"q": "mobilty"})
    page = response.content.decode()
    assert "Nothing contains “mobilty” as typed: these initiatives have similar words." in page
    assert listed(response) == ["mobile"]
    # Found as typed: no similar words, no notice.
    page = client.get(LIST_URL, {"q": "mobility"}).content.decode()
    assert "as typed" not in page
    # Nothing like it anywhere: nothing, and no fuzzy surprise.
    assert slugs({"q": "xylophone"}) == []


def test_a_word_found_elsewhere_is_not_taken_for_a_typo(plan_words):
    # "mobility" exists, so "mobility" under action 3 (which has none) finds nothing rather than similar words.
    assert slugs({"q": "mobility", "action": "3"}) == []


def test_search_plan_texts_and_typos_through_the_api(client, plan_words):
    response = client.get("/api/v1/initiatives/", {"q": "wanderlust"})
    assert [item["slug"] for item in response.json()["results"]] == ["under-2"]
    if connection.vendor == "postgresql":
        response = client.get("/api/v1/initiatives/", {"q": "mobilty"})
        assert [item["slug"] for item in response.json()["results"]] == ["mobile"]


def test_the_database_keeps_the_updates_words_whoever_writes(plan_words):
    """Bulk inserts, deletions and moves are covered by the triggers too (PostgreSQL keeps the documents)."""
    from monitoring.models import ProgressUpdate

    under_2 = Project.objects.get(slug="under-2")
    update = ProgressUpdate.objects.get(project__slug="reported")
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                project=under_2,
                organisation=update.organisation,
                author=update.author,
                status="approved",
                period_start=update.period_start,
                period_end=update.period_end,
                achievements="A bassoon workshop.",
            )
        ]
    )
    assert slugs({"q": "bassoon"}) == ["under-2"]
    ProgressUpdate.objects.filter(pk=update.pk).update(project=under_2)  # moved to another initiative
    assert slugs({"q": "saxophone"}) == ["under-2"]
    ProgressUpdate.objects.filter(project=under_2).delete()
    assert slugs({"q": "bassoon"}) == [] and slugs({"q": "saxophone"}) == []
