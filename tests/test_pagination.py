"""A list's first page and its total come from one query; every other page is counted as Django counts it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CountedPagePaginator
from projects.models import OrganisationRole, Project
from tests.factories import OrganisationFactory, ProjectFactory, ProjectOrganisationFactory

pytestmark = pytest.mark.django_db


def counts(context) -> int:
    """The queries that count initiatives."""
    return sum('COUNT(*) AS "__count" FROM "projects_project"' in query["sql"] for query in context.captured_queries)


@pytest.fixture
def thirty(db):
    return ProjectFactory.create_batch(30)


def test_the_first_page_reads_its_rows_and_the_total_in_one_query(thirty):
    paginator = CountedPagePaginator(Project.objects.order_by("title", "slug"), 25)
    with CaptureQueriesContext(connection) as context:
        page = paginator.page(1)
        assert (paginator.count, paginator.num_pages, len(page), page.has_next()) == (30, 2, 25, True)
    assert len(context.captured_queries) == 1 and counts(context) == 0
    assert page.end_index() == 25


def test_other_pages_and_distinct_lists_are_counted_first(thirty):
    with CaptureQueriesContext(connection) as context:
        page = CountedPagePaginator(Project.objects.order_by("title", "slug"), 25).page(2)
        assert [p.pk for p in page] == [p.pk for p in Project.objects.order_by("title", "slug")[25:]]
    assert counts(context) == 1
    # Two roles in one initiative: the join lists it twice, DISTINCT once (a window would count both).
    organisation = OrganisationFactory()
    for role in (OrganisationRole.LEAD, OrganisationRole.PARTNER):
        ProjectOrganisationFactory(project=thirty[0], organisation=organisation, role=role)
    joined = Project.objects.filter(participations__organisation=organisation).order_by("slug")
    assert joined.count() == 2
    paginator = CountedPagePaginator(joined.distinct(), 25)
    assert (len(paginator.page(1)), paginator.count) == (1, 1)


def test_an_empty_first_page_counts_nothing_and_other_errors_stay_djangos():
    from django.core.paginator import EmptyPage, PageNotAnInteger

    paginator = CountedPagePaginator(Project.objects.order_by("slug"), 25)
    assert (len(paginator.page(1)), paginator.count, paginator.num_pages) == (0, 0, 1)
    with pytest.raises(EmptyPage):
        CountedPagePaginator(Project.objects.order_by("slug"), 25, allow_empty_first_page=False).page(1)
    with pytest.raises(PageNotAnInteger):
        CountedPagePaginator(Project.objects.order_by("slug"), 25).page("x")


def test_an_organisations_first_page_and_total_come_from_one_query(client, thirty):
    organisation = OrganisationFactory(slug="many")
    for project in thirty:
        ProjectOrganisationFactory(project=project, organisation=organisation, role=OrganisationRole.PARTNER)
    with CaptureQueriesContext(connection) as context:
        page = client.get("/initiatives/", {"organisation": "many"}).content.decode()
    assert "30 initiatives" in page and "showing 1 to 25" in page and 'rel="next"' in page
    assert counts(context) == 0
    with CaptureQueriesContext(connection) as context:
        page = client.get("/initiatives/", {"organisation": "many", "page": "2"}).content.decode()
    assert "showing 26 to 30" in page and counts(context) == 1


@pytest.mark.parametrize("filters", [{"is_new": "false"}, {"q": "Initiative"}])
def test_a_search_or_a_filter_an_index_serves_is_counted(client, thirty, filters):
    with CaptureQueriesContext(connection) as context:
        page = client.get("/initiatives/", filters).content.decode()
    assert "30 initiatives" in page and counts(context) == 1
