"""The report's page at any size: the digest of a large report, its initiatives in detail page by page, and a
published report's pages rendered once and served from the cache.

A handful of initiatives stands for thousands: ``exporters.PDF_FULL_ENTRIES`` and ``views.INITIATIVES_PER_PAGE``
are lowered so that the world of ``conftest`` (or a small generated plan) is a "large" report.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from monitoring import cycle_services as services
from monitoring import exporters
from monitoring import report_views as views
from monitoring.models import ReportingCycle, StocktakingReport
from monitoring.report import build_report, summary_rows

from .conftest import AS_OF
from .test_query_budgets import grow, plan_in_a_cycle

pytestmark = pytest.mark.django_db

ARTICLE = re.compile(r'<article class="initiative-block" id="initiative-([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing rendered (the cache is the process's, shared by every test)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def large(monkeypatch):
    """Make any report with more than 3 entries a large one (the world's has about 40)."""
    monkeypatch.setattr(exporters, "PDF_FULL_ENTRIES", 3)


def page_url(cycle) -> str:
    return reverse("reports:report-detail", args=[cycle.number])


def initiatives_url(cycle, page=None) -> str:
    url = reverse("reports:report-initiatives", args=[cycle.number])
    return url if page is None else f"{url}?page={page}"


def html_of(response) -> str:
    assert response.status_code == 200, response
    return response.content.decode()


def report_part(html: str) -> str:
    """The page's report (inside ``<main>``), without the site's frame."""
    return html.split('<main id="main"', 1)[1]


def assert_anchors_resolve(html: str) -> None:
    """Every in-page link (``href="#…"``) points at an element of the page."""
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    missing = {target for target in re.findall(r'href="#([^"]*)"', html) if target not in ids}
    assert not missing, missing


def article(html: str, slug: str) -> str:
    start = html.index(f'<article class="initiative-block" id="initiative-{slug}"')
    return html[start : html.index("</article>", start)]


def publish(world) -> StocktakingReport:
    return services.publish_report(cycle=world.cycle, user=world.secretariat, today=AS_OF, confirmed=True)


# --- The page of a large report is its digest ------------------------------------------------------------------


def test_a_large_reports_page_is_its_digest_with_every_figure(client, world, large, monkeypatch):
    monkeypatch.setattr(exporters, "DIGEST_LIST_LIMIT", 1)
    client.force_login(world.secretariat)
    html = html_of(client.get(page_url(world.cycle)))
    data = build_report(world.cycle)
    assert exporters.is_digest(data)
    for _key, label, value in summary_rows(data):
        assert f'<th scope="row">{escape(label)}</th><td class="num">{value}</td>' in html, label
    for row in data.summary.per_objective + data.summary.per_action:
        cells = "".join(
            f'<td class="num">{n}</td>' for n in (row.initiatives, row.active, row.new, row.reported, row.not_reported)
        )
        assert f'<th scope="row">{escape(row.label)}</th>{cells}' in html, row.label
    assert html.count('role="img"') == len(data.charts)  # every chart, each with its data table
    assert html.count('class="chart-data"') == len(data.charts)
    # Each action with its counts (action 1: alpha and delta), the lists cut with what they hold in all.
    assert "2 initiatives (2 active): 2 reported, 0 active without a report." in html
    assert "Indicator values (2)" in html and "The first 1 of 2." in html
    assert "2 initiatives reported" in html and "1 active initiative did not report" in html
    # No initiative in detail, and a way to them; nothing links to an initiative's section, which is not here.
    assert "Digest." in html
    assert not ARTICLE.search(html) and "Alpha did well in the first cycle." not in html
    assert f'href="{initiatives_url(world.cycle)}"' in html
    assert 'href="#initiative-' not in html
    assert f'href="{world.beta.get_absolute_url()}"' in html  # beta did not report: linked to its own page
    assert_anchors_resolve(report_part(html))


def test_a_small_reports_page_is_the_full_report(client, world):
    client.force_login(world.secretariat)
    html = html_of(client.get(page_url(world.cycle)))
    assert not exporters.is_digest(build_report(world.cycle))
    assert ARTICLE.findall(html) == ["alpha", "delta", "beta", "gamma"]
    assert "Alpha did well in the first cycle." in html and "Digest." not in html
    assert f'href="{initiatives_url(world.cycle)}"' not in html  # everything is on the page
    assert_anchors_resolve(report_part(html))


# --- Initiatives in detail ---------------------------------------------------------------------------------------


def test_the_initiatives_are_split_into_pages_each_once_in_the_reports_order(client, secretariat_user, monkeypatch):
    assert views.INITIATIVES_PER_PAGE == 50
    monkeypatch.setattr(views, "INITIATIVES_PER_PAGE", 3)
    cycle = plan_in_a_cycle(7)
    client.force_login(secretariat_user)
    pages = [html_of(client.get(initiatives_url(cycle, page))) for page in (1, 2, 3)]
    assert [len(ARTICLE.findall(html)) for html in pages] == [3, 3, 1]
    shown = [slug for html in pages for slug in ARTICLE.findall(html)]
    # Each once, by the first objective each serves, in the report's order within each objective.
    data = build_report(cycle)
    assert shown == [i.slug for group in exporters.by_objective(data, data.initiatives) for i in group["initiatives"]]
    assert sorted(shown) == sorted(i.slug for i in data.initiatives)
    assert client.get(initiatives_url(cycle, 4)).status_code == 404
    assert ARTICLE.findall(html_of(client.get(initiatives_url(cycle)))) == shown[:3]  # no number: page 1
    first, middle, last = pages
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert 'href="?page=1" rel="prev"' in middle and 'href="?page=3" rel="next"' in middle
    assert 'href="?page=2" rel="prev"' in last and 'rel="next"' not in last
    assert "Initiatives 4 to 6 of 7" in middle and "Page 2 of 3" in middle
    for html in pages:
        assert f'href="{page_url(cycle)}"' in html  # back to the report
        assert_anchors_resolve(report_part(html))


def test_an_initiative_has_the_same_markup_in_the_full_report_and_in_detail(client, world):
    client.force_login(world.secretariat)
    full = html_of(client.get(page_url(world.cycle)))
    detail = html_of(client.get(initiatives_url(world.cycle)))
    for slug in ("alpha", "delta", "beta", "gamma"):
        assert article(detail, slug) == article(full, slug)
    assert "Alpha did well in the first cycle." in article(detail, "alpha")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "", "99999", "9" * 1000])
@pytest.mark.parametrize("state", ["draft", "published"])
def test_a_nonsense_page_is_a_404(client, world, page, state):
    if state == "published":
        publish(world)
        assert client.get(initiatives_url(world.cycle)).status_code == 200  # the page count is known now
    else:
        client.force_login(world.secretariat)
    assert client.get(initiatives_url(world.cycle, page)).status_code == 404
    assert client.get(initiatives_url(world.cycle), {"page": page}).status_code == 404


@pytest.mark.parametrize(
    "persona, status", [("anonymous", 404), ("outsider", 404), ("author_eur", 404), ("secretariat", 200)]
)
def test_a_drafts_initiatives_in_detail_are_the_secretariats_only(client, world, persona, status):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    assert client.get(initiatives_url(world.cycle)).status_code == status
    assert client.get(initiatives_url(world.cycle, 2)).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "secretariat"])
def test_a_published_reports_initiatives_in_detail_are_public(client, world, persona):
    publish(world)
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    html = html_of(client.get(initiatives_url(world.cycle)))
    assert ARTICLE.findall(html) == ["alpha", "delta", "beta", "gamma"] and "Published on" in html


def test_the_digest_and_its_detail_pages_of_a_published_report(client, world, large, monkeypatch):
    monkeypatch.setattr(views, "INITIATIVES_PER_PAGE", 3)
    publish(world)
    page = html_of(client.get(page_url(world.cycle)))
    assert "Digest." in page and not ARTICLE.search(page) and "Published on" in page
    details = [html_of(client.get(initiatives_url(world.cycle, n))) for n in (1, 2)]
    assert [ARTICLE.findall(html) for html in details] == [["alpha", "delta", "beta"], ["gamma"]]


# --- A published report's pages are rendered once ------------------------------------------------------------


def content_queries(queries) -> list[str]:
    """The queries that read the frozen report's JSON."""
    return [q["sql"] for q in queries if '"monitoring_stocktakingreport"."content"' in q["sql"]]


@pytest.mark.parametrize("url", [page_url, initiatives_url])
def test_a_published_page_is_served_from_the_cache(client, world, url, django_assert_max_num_queries):
    publish(world)
    with CaptureQueriesContext(connection) as first:
        response = client.get(url(world.cycle))
    assert response.status_code == 200 and content_queries(first.captured_queries)
    assert response["Cache-Control"] == "public, max-age=300"
    # At most the cycle and the frozen report's row without its content (the page cache: the version alone).
    with django_assert_max_num_queries(2) as second, mock.patch.object(services, "report_data") as report_data:
        again = client.get(url(world.cycle))
    assert again.content == response.content and again["Cache-Control"] == "public, max-age=300"
    assert not report_data.called and not content_queries(second.captured_queries)
    assert len(second.captured_queries) < len(first.captured_queries)


def test_the_cached_report_carries_no_readers_controls(client, world):
    """The cached part is the same for everybody; the Secretariat's links are added around it on each request."""
    publish(world)
    secretariat_link = "Completeness by organisation"
    assert secretariat_link not in html_of(client.get(page_url(world.cycle)))  # fills the cache
    client.force_login(world.secretariat)
    response = client.get(page_url(world.cycle))
    assert secretariat_link in html_of(response) and "Log out" in html_of(response)
    assert "Publish this report" not in html_of(response)  # published already
    assert response["Cache-Control"] == "private, max-age=300"  # it carries the reader's own links
    client.logout()
    anonymous = html_of(client.get(page_url(world.cycle)))
    assert secretariat_link not in anonymous and "Log out" not in anonymous


def test_a_new_publication_is_a_new_cache_entry(client, world):
    first = publish(world)
    assert "Alpha" in html_of(client.get(page_url(world.cycle)))
    # Publishing is final; should a report ever be published anew (here: forced), its pages follow.
    world.alpha.title = "Alpha, as published again"
    world.alpha.save()
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(published_on=None)
    second = publish(world)
    assert second.pk == first.pk and second.published_at > first.published_at
    assert views.frozen_key(second, "page") != views.frozen_key(first, "page")
    assert "Alpha, as published again" in html_of(client.get(page_url(world.cycle)))
    assert "Alpha, as published again" in html_of(client.get(initiatives_url(world.cycle)))


@pytest.mark.parametrize("url", [page_url, initiatives_url])
def test_a_draft_is_never_cached(client, world, url):
    client.force_login(world.secretariat)
    with mock.patch.object(views.cache, "set") as cache_set, mock.patch.object(views.cache, "get") as cache_get:
        response = client.get(url(world.cycle))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert not cache_set.called and not cache_get.called


# --- Query budgets ---------------------------------------------------------------------------------------------


def test_the_detail_page_needs_the_same_queries_at_both_sizes(client, secretariat_user, monkeypatch):
    monkeypatch.setattr(views, "INITIATIVES_PER_PAGE", 5)
    cycle = plan_in_a_cycle(5)
    client.force_login(secretariat_user)
    counts = []
    for added in (0, 15):  # 5, then 20 initiatives: one page, then four
        grow(cycle, added)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(initiatives_url(cycle, 1)).status_code == 200
        counts.append(len(queries))
    # session, user, groups (Secretariat?), the cycle, its frozen report (none), the builder's 22 queries
    assert counts[0] == counts[1] <= 34, counts  # the builder's queries include the updates' writers (4)


@pytest.mark.parametrize("size", [5, 20])
def test_a_published_detail_page_reads_one_row(client, secretariat_user, django_assert_max_num_queries, size):
    cycle = plan_in_a_cycle(size)
    services.publish_report(cycle=cycle, user=secretariat_user, confirmed=True)
    # the content version (the page cache), the cycle, the frozen report's row (its stamp), the frozen report,
    # whether demonstration data is loaded (the banner)
    with django_assert_max_num_queries(5):
        assert client.get(initiatives_url(cycle)).status_code == 200
    # the content version: the whole page comes from the page cache
    with django_assert_max_num_queries(1):
        assert client.get(initiatives_url(cycle)).status_code == 200
