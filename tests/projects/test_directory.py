"""The initiative directory: filters, search, ordering, bad input, pagination, the initiative page's extras."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from monitoring.filters import SEARCH_MAX_LENGTH, ProjectFilterSet
from projects.models import MilestoneStatus, OrganisationRole, Project
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/initiatives/"


def slugs(data: dict) -> list[str]:
    """The initiatives the filter set returns for ``data``, in order (duplicates kept, to catch them)."""
    filterset = ProjectFilterSet(data, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


def listed(response) -> list[str]:
    return [project.slug for project in response.context["projects"]]


# Each filter alone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ["alpha", "beta", "delta", "epsilon", "gamma"]),
        # alpha reaches objective 1 by two rows: listed once.
        ({"objective": "1"}, ["alpha", "beta", "epsilon"]),
        ({"objective": "2"}, ["alpha", "beta"]),
        ({"objective": "3"}, ["gamma"]),
        ({"subgoal": "1.2"}, ["alpha", "beta"]),
        ({"subgoal": "1.1"}, ["alpha", "epsilon"]),
        ({"action": "2"}, ["alpha", "beta"]),
        ({"action": "4"}, ["delta"]),
        # Lead or partner: alpha (partner), beta and epsilon (lead).
        ({"organisation": "asia-org"}, ["alpha", "beta", "epsilon"]),
        # epsilon has two leads from two regions: listed once under each.
        ({"region": "asia"}, ["alpha", "beta", "epsilon"]),
        ({"region": "europe"}, ["alpha", "delta", "epsilon"]),
        ({"region": "international"}, ["epsilon", "gamma"]),
        ({"status": "planned"}, ["beta"]),
        ({"status": "ongoing"}, ["alpha", "delta"]),
        ({"is_new": "true"}, ["alpha", "delta"]),
        ({"is_new": "false"}, ["beta", "epsilon", "gamma"]),
    ],
)
def test_each_filter_returns_exactly_its_initiatives_once(directory, data, expected):
    assert slugs(data) == expected


def test_organisation_filter_lists_each_of_its_initiatives_once(directory):
    filterset = ProjectFilterSet({"organisation": "asia-org"}, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    assert list(filterset.qs.values_list("slug", flat=True)) == ["alpha", "beta", "epsilon"]
    assert slugs({"organisation": "asia-org", "action": "2"}) == ["alpha", "beta"]


def test_funders_do_not_count_as_taking_part(directory):
    # gamma's only Asian organisation is a funder: region=asia leaves it out...
    assert "gamma" not in slugs({"region": "asia"})
    # ...and the funder is not even a choice of the organisation filter.
    filterset = ProjectFilterSet({"organisation": "funder-org"}, queryset=Project.objects.all())
    assert not filterset.is_valid()
    assert "organisation" in filterset.errors


# Combinations narrow --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"objective": "1", "region": "asia"}, ["alpha", "beta", "epsilon"]),
        ({"objective": "1", "region": "asia", "status": "ongoing"}, ["alpha"]),
        ({"objective": "1", "region": "asia", "status": "ongoing", "is_new": "false"}, []),
        ({"objective": "1", "region": "europe", "is_new": "false"}, ["epsilon"]),
        ({"action": "2", "organisation": "europe-org"}, ["alpha"]),
        ({"subgoal": "2.1", "status": "planned"}, ["beta"]),
        ({"objective": "3", "region": "asia"}, []),
    ],
)
def test_filters_combine_and_narrow(directory, data, expected):
    assert slugs(data) == expected


def test_directory_page_lists_the_filtered_initiatives_with_their_count(client, directory):
    response = client.get(LIST_URL, {"objective": "1", "region": "asia", "is_new": "false"})
    assert response.status_code == 200
    assert listed(response) == ["beta", "epsilon"]
    assert response.context["paginator"].count == 2
    page = response.content.decode()
    assert "2 initiatives" in page
    # Filtered pages are not for search engines; the unfiltered one is canonical.
    assert '<meta name="robots" content="noindex, follow">' in page
    assert 'rel="canonical"' not in page


def test_each_result_shows_title_new_tag_leads_actions_and_status(client, directory):
    page = client.get(LIST_URL, {"organisation": "europe-org"}).content.decode()
    alpha = page[page.index('href="/initiatives/alpha/"') :]
    alpha = alpha[: alpha.index("</li>")]
    assert "Alpha glacier observatory" in alpha
    assert '<span class="tag tag-new">New</span>' in alpha
    # Leads only (Asia Org is a partner of alpha), by short name.
    assert "Led by: EO" in alpha and "AO" not in alpha
    assert re.search(r'href="/actions/1/"[^>]*>1</a>, <a href="/actions/2/"[^>]*>2</a>', alpha)
    assert "badge-status-ongoing" in alpha and ">Ongoing</span>" in alpha
    epsilon = page[page.index('href="/initiatives/epsilon/"') :]
    epsilon = epsilon[: epsilon.index("</li>")]
    assert "Led by: AO, EO" in epsilon
    assert "tag-new" not in epsilon
    assert "badge-status-discontinued" in epsilon and ">Discontinued</span>" in epsilon


def test_filter_form_is_a_labelled_get_form_that_keeps_its_state(client, directory):
    page = client.get(LIST_URL, {"subgoal": "1.2", "status": "planned", "q": "exchange"}).content.decode()
    assert '<form method="get" action="/initiatives/"' in page
    for name in (
        "q",
        "objective",
        "subgoal",
        "action",
        "organisation",
        "country",
        "region",
        "status",
        "is_new",
        "ordering",
    ):
        assert f'<label class="field-label" for="id_{name}">' in page, name
    assert '<option value="1.2" selected>' in page
    assert '<option value="planned" selected>' in page
    assert 'type="search" name="q" value="exchange"' in page
    assert '<a href="/initiatives/">Clear all filters</a>' in page


# Search ------------------------------------------------------------------------------------------------


def test_search_covers_title_summary_activities_and_outcomes_and_ranks_title_first(directory):
    # Title (alpha) before summary (gamma) before a row's activities (beta).
    assert slugs({"q": "glacier"}) == ["alpha", "gamma", "beta"]
    # Expected outcomes are searched too.
    assert slugs({"q": "tundra"}) == ["epsilon"]


def test_search_needs_every_word_and_combines_with_filters(directory):
    assert slugs({"q": "glacier observatory"}) == ["alpha"]
    assert slugs({"q": "glacier", "status": "planned"}) == ["beta"]
    assert slugs({"q": "glacier", "region": "international"}) == ["gamma"]
    assert slugs({"q": "volcano"}) == []


def test_search_can_be_sorted_by_title_instead_of_relevance(directory):
    assert slugs({"q": "glacier", "ordering": "title"}) == ["alpha", "beta", "gamma"]


def test_search_results_page_counts_them(client, directory):
    response = client.get(LIST_URL, {"q": "glacier"})
    assert listed(response) == ["alpha", "gamma", "beta"]
    assert "3 initiatives" in response.content.decode()
    # The sort select shows what is used: relevance, as there is a search.
    assert '<option value="relevance" selected>' in response.content.decode()


def test_postgresql_search_understands_stems_and_websearch_syntax(directory):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL only; SQLite uses the icontains fallback")
    assert slugs({"q": "glaciers"}) == ["alpha", "gamma", "beta"]
    # ts_rank weighs negated terms oddly: check the set, not the order.
    assert sorted(slugs({"q": "glacier -observatory"})) == ["beta", "gamma"]
    assert slugs({"q": '"summer school"'}) == ["epsilon"]


# Ordering ----------------------------------------------------------------------------------------------


def test_ordering_by_title_objective_and_latest_update(directory):
    assert slugs({"ordering": "title"}) == ["alpha", "beta", "delta", "epsilon", "gamma"]
    # Lowest objective first (alpha, beta, epsilon: 1; gamma: 3), initiatives without one last (delta).
    assert slugs({"ordering": "objective"}) == ["alpha", "beta", "epsilon", "gamma", "delta"]
    # Latest published progress update first; drafts do not count; never reported on: last, by title.
    now = timezone.now()
    for days_ago, slug in enumerate(["gamma", "alpha", "epsilon"]):
        ProgressUpdateFactory(
            project=Project.objects.get(slug=slug), status="approved", reviewed_at=now - timedelta(days=days_ago)
        )
    ProgressUpdateFactory(project=Project.objects.get(slug="beta"), status="draft")
    assert slugs({"ordering": "-updated"}) == ["gamma", "alpha", "epsilon", "beta", "delta"]
    # Relevance without a search falls back to the title.
    assert slugs({"ordering": "relevance"}) == ["alpha", "beta", "delta", "epsilon", "gamma"]


def test_a_renamed_organisation_is_chosen_by_its_new_slug_at_once(client, directory):
    from stakeholders.models import Organisation

    assert client.get(LIST_URL, {"organisation": "asia-org"}).status_code == 200
    organisation = Organisation.objects.get(slug="asia-org")
    organisation.slug = "asian-organisation"
    organisation.save()  # a new content version: new keys
    assert client.get(LIST_URL, {"organisation": "asia-org"}).status_code == 400
    response = client.get(LIST_URL, {"organisation": "asian-organisation"})
    assert response.status_code == 200
    assert listed(response) == ["alpha", "beta", "epsilon"]


# Bad input never gives a 500 ---------------------------------------------------------------------------

SELECT_VALID = "Select a valid choice. That choice is not one of the available choices."
NO_ORGANISATION = (
    "No organisation taking part in an initiative is called “%s”: type part of its name or its acronym, "
    "or choose one of the suggestions."
)


@pytest.mark.parametrize(
    ("params", "label", "message"),
    [
        ({"objective": "abc"}, "Strategic objective", SELECT_VALID),
        ({"objective": "99999999999999999999999"}, "Strategic objective", SELECT_VALID),
        ({"objective": "-1"}, "Strategic objective", SELECT_VALID),
        ({"action": "1.5"}, "Action", SELECT_VALID),
        ({"action": "1e5"}, "Action", SELECT_VALID),
        ({"subgoal": "9.9"}, "Subgoal", SELECT_VALID),
        ({"subgoal": "1.1'; DROP TABLE projects_project; --"}, "Subgoal", SELECT_VALID),
        ({"organisation": "nobody"}, "Organisation (lead or partner)", NO_ORGANISATION % "nobody"),
        ({"organisation": "funder-org"}, "Organisation (lead or partner)", NO_ORGANISATION % "funder-org"),
        ({"country": "XX"}, "Country of a lead or partner", SELECT_VALID),
        (
            {"region": "mars"},
            "Region of a lead or partner",
            "Select a valid choice. mars is not one of the available choices.",
        ),
        ({"status": "bogus"}, "Status", "Select a valid choice. bogus is not one of the available choices."),
        ({"is_new": "maybe"}, "New in the plan", "Select a valid choice. maybe is not one of the available choices."),
        ({"ordering": "price"}, "Sort by", "Select a valid choice. price is not one of the available choices."),
        ({"q": "x" * 10_000}, "Search", "Search for at most 200 characters (this search has 10000)."),
        ({"q": "glacier\x00"}, "Search", "Null characters are not allowed."),
        ({"subgoal": "1.1\x00"}, "Subgoal", "Null characters are not allowed."),
        ({"organisation": "asia\x00org"}, "Organisation (lead or partner)", "Null characters are not allowed."),
    ],
)
def test_invalid_filters_answer_400_with_the_form_and_a_clear_message(client, directory, params, label, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    # The error summary links to the field and names it; the field itself carries the message.
    assert f"{escape(label)}: {escape(message)}" in page
    assert page.count(escape(message)) >= 2
    assert 'aria-invalid="true"' in page
    assert "<title>Error: Initiatives" in page
    # Nothing is listed, the form is still there to correct.
    assert list(response.context["projects"]) == []
    assert "No initiatives are listed until the filters above are corrected." in page
    assert '<form method="get" action="/initiatives/"' in page


def test_invalid_filters_win_over_a_page_number(client, directory):
    response = client.get(LIST_URL, {"objective": "abc", "page": "7"})
    assert response.status_code == 400
    assert "Strategic objective: Select a valid choice." in response.content.decode()


def test_search_length_limit_is_inclusive(client, directory):
    assert client.get(LIST_URL, {"q": "g" * SEARCH_MAX_LENGTH}).status_code == 200
    assert client.get(LIST_URL, {"q": "g" * (SEARCH_MAX_LENGTH + 1)}).status_code == 400


def test_several_invalid_filters_are_all_reported(client, directory):
    response = client.get(LIST_URL, {"objective": "x", "status": "y", "action": "2"})
    assert response.status_code == 400
    assert set(response.context["filter"].errors) == {"objective", "status"}


def test_unknown_parameters_are_ignored(client, directory):
    response = client.get(LIST_URL, {"colour": "red", "status": "planned"})
    assert response.status_code == 200
    assert listed(response) == ["beta"]


# Pagination --------------------------------------------------------------------------------------------


@pytest.fixture
def thirty_ongoing(db):
    return [
        ProjectFactory(title=f"Initiative {n:02d}", slug=f"initiative-{n:02d}", status="ongoing") for n in range(30)
    ]


def test_pagination_keeps_the_filters_but_not_the_page(client, thirty_ongoing):
    ProjectFactory(title="Planned one", slug="planned-one", status="planned")
    first = client.get(LIST_URL, {"status": "ongoing", "is_new": "false"})
    assert first.context["paginator"].count == 30
    assert len(listed(first)) == 25
    page = first.content.decode()
    assert 'href="?status=ongoing&amp;is_new=false&amp;page=2" rel="next"' in page
    second = client.get(LIST_URL, {"status": "ongoing", "is_new": "false", "page": "2"})
    assert second.context["query_string"] == "status=ongoing&is_new=false"
    assert listed(second) == [f"initiative-{n:02d}" for n in range(25, 30)]
    assert 'href="?status=ongoing&amp;is_new=false&amp;page=1" rel="prev"' in second.content.decode()
    # Pages never overlap, whatever the order.
    assert not set(listed(first)) & set(listed(second))


@pytest.mark.parametrize("number", ["abc", "0", "-1", "3", "99999999999999999999999", "1e400", "1.5"])
def test_bad_page_numbers_are_404(client, thirty_ongoing, number):
    response = client.get(LIST_URL, {"page": number})
    assert response.status_code == 404


def test_page_last_is_the_last_page(client, thirty_ongoing):
    response = client.get(LIST_URL, {"page": "last"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2


def test_unfiltered_directory_is_canonical_and_indexable(client, thirty_ongoing):
    page = client.get(LIST_URL, {"page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/initiatives/?page=2">' in page
    assert "noindex" not in page


# Query budget ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 60])
def test_directory_has_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    build_plan(size)
    lead = Project.objects.first().participations.filter(role=OrganisationRole.LEAD).get().organisation
    params = {
        "q": "Initiative",
        "objective": "1",
        "subgoal": "1.2",
        "action": "3",
        "organisation": lead.slug,
        "country": "DE",
        "region": "europe",
        "status": "ongoing",
        "is_new": "false",
        "ordering": "objective",
    }
    # 1 the content version (page cache); 5 to validate objective, subgoal, action, organisation and country;
    # 1 whether the search's words are found at all (else it looks for similar words); 1 count; 1 page of
    # initiatives; 1 their leads (with organisations); 1 their rows (with actions); 5 to render the options of
    # the objective, subgoal, action and country selects and the organisation's suggestions; their progress:
    # 1 the reporting cycles, 1 their approved updates, 1 milestones by state, 1 indicators; 1 whether demonstration data
    # is loaded (the banner).
    with django_assert_max_num_queries(21):
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    # Without filters: 1 version, 1 count, 1 page, 1 leads, 1 rows, 5 select options and suggestions, 4 progress,
    # 1 banner.
    with django_assert_max_num_queries(15):
        response = client.get(LIST_URL)
    assert len(response.context["projects"]) == min(size, 25)


# The initiative's page: related initiatives and the milestone timeline ---------------------------------


def test_related_initiatives_share_an_action_or_a_lead_up_to_six_sharing_both_first(client, db):
    shared_action, other_action = ActionFactory(number=1), ActionFactory(number=2)
    lead, other_lead = OrganisationFactory(slug="lead"), OrganisationFactory(slug="other")

    def initiative(slug, action, organisation, role=OrganisationRole.LEAD):
        project = ProjectFactory(slug=slug, title=slug.title())
        ActionContributionFactory(project=project, action=action)
        ProjectOrganisationFactory(project=project, organisation=organisation, role=role)
        return project

    target = initiative("target", shared_action, lead)
    initiative("both", shared_action, lead)
    initiative("lead-only", other_action, lead)
    initiative("unrelated", other_action, other_lead)
    initiative("partner-only", other_action, lead, role=OrganisationRole.PARTNER)
    for n in range(6):
        initiative(f"action-{n}", shared_action, other_lead)

    response = client.get(target.get_absolute_url())
    related = [project.slug for project in response.context["related_projects"]]
    # Sharing both first, then the same action (by title), capped at six.
    assert related == ["both", "action-0", "action-1", "action-2", "action-3", "action-4"]
    assert "target" not in related and "unrelated" not in related and "partner-only" not in related
    page = response.content.decode()
    assert "Related initiatives" in page
    assert "same action and same lead" in page


def test_related_initiatives_fall_back_to_the_same_lead(client, db):
    lead = OrganisationFactory(slug="lead")
    target = ProjectFactory(slug="target")
    ProjectOrganisationFactory(project=target, organisation=lead)
    sibling = ProjectFactory(slug="sibling")
    ProjectOrganisationFactory(project=sibling, organisation=lead)
    ProjectFactory(slug="stranger")
    response = client.get(target.get_absolute_url())
    assert [project.slug for project in response.context["related_projects"]] == ["sibling"]
    assert "same lead" in response.content.decode()


def test_milestone_timeline_says_each_state_in_words(client, db):
    today = timezone.localdate()
    project = ProjectFactory(slug="timeline")
    MilestoneFactory(
        project=project,
        title="Kick-off",
        planned_start=today - timedelta(days=400),
        status=MilestoneStatus.ACHIEVED,
        achieved_on=today - timedelta(days=390),
    )
    MilestoneFactory(project=project, title="Report", planned_start=today - timedelta(days=10))
    MilestoneFactory(project=project, title="Conference", planned_start=today + timedelta(days=30))
    MilestoneFactory(
        project=project, title="Late survey", planned_start=today + timedelta(days=5), status=MilestoneStatus.DELAYED
    )
    MilestoneFactory(
        project=project,
        title="Slipped twice",
        planned_start=today - timedelta(days=5),
        status=MilestoneStatus.DELAYED,
    )
    MilestoneFactory(
        project=project, title="Dropped", planned_start=today - timedelta(days=5), status=MilestoneStatus.CANCELLED
    )
    response = client.get(project.get_absolute_url())
    states = {m.title: (m.state, m.state_label) for m in response.context["milestones"]}
    assert states == {
        "Kick-off": ("achieved", "Achieved"),
        "Report": ("overdue", "Date passed, no report yet"),
        "Conference": ("on_track", "On track"),
        "Late survey": ("delayed", "Delayed"),
        "Slipped twice": ("overdue", "Date passed, no report yet"),
        "Dropped": ("cancelled", "Cancelled"),
    }
    page = response.content.decode()
    # The state is written out, not only coloured.
    report = page[page.index("Report") :]
    assert "Date passed, no report yet</span>" in report[:800] and "badge-milestone-overdue" in report[:200]
    assert "was due by" in report[:1000]
    assert '<li class="milestone milestone-achieved">' in page
    # A delayed milestone shows its new date; one whose new date passed says it was reported delayed.
    late = page[page.index("Late survey") :]
    new_date = date_format(today + timedelta(days=5), "j F Y")
    assert "badge-milestone-delayed" in late[:200] and "Delayed</span>" in late[:800]
    assert f"new date: {new_date}" in late[:1000]
    assert "(reported as delayed)" in page[page.index("Slipped twice") :][:1200]


@pytest.mark.parametrize("size", [5, 60])
def test_initiative_page_has_a_fixed_query_budget(client, django_assert_max_num_queries, size):
    projects = build_plan(size)
    # 1 initiative; 1 participations (+organisations); 1 rows (+actions); 1 the actions' subgoals;
    # 1 their objectives; 1 milestones; 1 indicators; 1 links; 1 related initiatives; 1 their leads;
    # 1 their rows; 1 published progress updates (+organisations); 1 the content version (page cache);
    # 1 the work plan's cycle (its mandate); 1 the indicators' approved values; 1 the reporting cycles;
    # 3 the related initiatives' progress (approved updates, milestones, indicators); 1 whether
    # demonstration data is loaded (the banner).
    with django_assert_max_num_queries(20):
        response = client.get(projects[0].get_absolute_url())
    assert response.status_code == 200
    # build_plan puts initiatives 0, 3, 6, ... under action 1 (as the first initiative is): 1 of 5, capped at 6 of 60.
    assert len(response.context["related_projects"]) == (1 if size == 5 else 6)
