"""The public pages answer, show the plan, keep a fixed query budget, and 404 on unknown slugs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import Project
from stakeholders.models import Organisation
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def pages():
    objective = StrategicObjective.objects.order_by("number").first()
    project = Project.objects.first()
    organisation = Organisation.objects.filter(participations__isnull=False).first()
    return {
        # The progress figures add: the reporting cycles (1); a rollup (3: initiatives by status and recency,
        # milestones by state, indicators); the listed initiatives' progress (3); a table of reporting by
        # objective or action (1); on the home page the latest report and the milestones around today (3). Every page
        # also asks whether demonstration data is loaded (the banner: 1).
        "home": (reverse("home"), 19),
        "objective": (objective.get_absolute_url(), 18),
        "subgoal": (Subgoal.objects.first().get_absolute_url(), 15),
        "actions": (reverse("plan:action-list"), 11),
        "action": (Action.objects.first().get_absolute_url(), 14),
        "initiative": (project.get_absolute_url(), 20),
        "organisations": (reverse("organisations:organisation-list"), 6),
        "organisation": (organisation.get_absolute_url(), 12),
        "countries": (reverse("organisations:country-list"), 4),
        "country": ("/countries/DE/", 13),
        "balance": (reverse("organisations:balance"), 5),
        "published": (reverse("updates:published-list"), 9),
        "open data": (reverse("open-data"), 3),
    }


@pytest.mark.parametrize("size", [5, 80])
@pytest.mark.parametrize(
    "page",
    [
        "home",
        "objective",
        "subgoal",
        "actions",
        "action",
        "initiative",
        "organisations",
        "organisation",
        "countries",
        "country",
        "balance",
        "published",
        "open data",
    ],
)
def test_public_pages_have_a_fixed_query_budget(client, django_assert_max_num_queries, size, page):
    build_plan(size)
    url, budget = pages()[page]
    # Each page's budget: the content version (1), whether demonstration
    # data is loaded (1, the banner), then one query per model shown
    # (objectives, subgoals, actions, rows, initiatives, their
    # organisations), never one per row.
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    # Seen again: from the cache, after one query for the content version.
    with django_assert_max_num_queries(1):
        again = client.get(url)
    assert again.content == response.content


def test_home_shows_the_plan_at_a_glance(client, loaded_plan):
    page = client.get(reverse("home")).content.decode()
    for objective in StrategicObjective.objects.all():
        assert objective.title in page
    assert "To raise the profile of LLL and TVET" in page
    assert 'role="search"' in page
    assert "50 initiatives" in page


def test_action_page_lists_its_initiatives_with_the_rows_text(client, loaded_plan):
    page = client.get(reverse("plan:action-detail", args=[1])).content.decode()
    assert "ASEM-DUO Fellowship Programme" in page
    assert "More than 300 pairs of students and professors are exchanged every year." in page
    assert "ASEM-DUO Secretariat" in page or "ASEM-DUO" in page


def test_initiative_page_shows_every_row_milestones_and_indicators(client, loaded_plan):
    page = client.get(reverse("initiatives:project-detail", args=["asem-duo-fellowship-programme"])).content.decode()
    assert "Action 1" in page and "Action 4" in page
    assert "http://www.asemduo.org/" in page
    page = client.get(reverse("initiatives:project-detail", args=["aei-asem-summer-school"])).content.decode()
    assert "14-18 September 2020" in page


def test_organisation_page_lists_its_initiatives(client, loaded_plan):
    page = client.get(reverse("organisations:organisation-detail", args=["asef"])).content.decode()
    assert "Asia-Europe Foundation" in page
    assert "ASEF’s Education Programmes" in page


@pytest.mark.parametrize(
    "url",
    [
        "/objectives/no-such-objective/",
        "/subgoals/9.9/",
        "/actions/99/",
        "/actions/99999999999999999999999/",
        "/initiatives/no-such-initiative/",
        "/organisations/nobody/",
    ],
)
def test_unknown_addresses_are_404_in_the_sites_look(client, loaded_plan, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_health_endpoints(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_objective_colours_come_from_a_stylesheet_not_inline_styles(client, loaded_plan):
    css = client.get("/objectives.css")
    assert css["Content-Type"].startswith("text/css")
    assert ".objective-1 { --objective-colour: #1f5fa8; }" in css.content.decode()
    home = client.get("/").content.decode()
    assert "style=" not in home
    assert 'class="card objective-card objective-1"' in home


def test_home_lists_the_latest_published_updates_only(client, db):
    from monitoring.models import ProgressUpdate

    build_plan(6)
    page = client.get(reverse("home")).content.decode()
    for update in ProgressUpdate.objects.select_related("project"):
        link = update.get_absolute_url()
        assert (link in page) == (update.status == "approved"), update.status


def test_cached_pages_change_at_once_after_an_edit(client, loaded_plan):
    from projects.models import Project

    url = reverse("initiatives:project-detail", args=["asem-duo-fellowship-programme"])
    first = client.get(url)
    assert first["ETag"] and "ASEM-DUO Fellowship Programme" in first.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    project = Project.objects.get(slug="asem-duo-fellowship-programme")
    project.title = "ASEM-DUO Fellowship Programme (renamed)"
    project.save()
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and "(renamed)" in second.content.decode()
    assert "(renamed)" in client.get(reverse("plan:action-detail", args=[1])).content.decode()


def test_signed_in_users_never_get_a_cached_page(client, loaded_plan, secretariat_user):
    url = reverse("initiatives:project-detail", args=["asem-duo-fellowship-programme"])
    client.get(url)  # cached for visitors
    client.force_login(secretariat_user)
    page = client.get(url)
    assert "Log out" in page.content.decode()
    assert "Cookie" in page["Vary"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_moves_the_content_version_a_rolled_back_one_not_at_all(settings):
    from django.core.management import call_command
    from django.db import transaction

    settings.CONTENT_VERSION_BUMP_ON_COMMIT = True  # as in production

    from core.cache import _bump, current_version

    _bump()  # the row exists (an earlier transactional test may have flushed it)
    before = current_version()
    with transaction.atomic():
        call_command("load_action_plan", verbosity=0)  # thousands of saves in one transaction
        assert current_version() == before  # (an uncommitted change moves nothing: pages stay as they were)
    after_load = current_version()
    assert after_load > before  # once per write, after the commit
    call_command("load_action_plan", verbosity=0)  # nothing changes: nothing saved
    assert current_version() == after_load

    project = Project.objects.first()
    with pytest.raises(RuntimeError), transaction.atomic():
        project.save()
        raise RuntimeError("rolled back")
    assert current_version() == after_load
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            project.save()  # its raise goes with the savepoint…
            raise RuntimeError("savepoint rolled back")
        project.save()  # …and this one's stands
    assert current_version() > after_load


def test_a_lost_database_is_a_503_with_a_clear_message(client, db, settings, monkeypatch):
    from django.db import OperationalError

    import monitoring.plan_views

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(monitoring.plan_views.ActionListView, "get_queryset", broken)
    client.raise_request_exception = False
    response = client.get(reverse("plan:action-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved by this request" in response.content.decode()
    monkeypatch.setattr(monitoring.plan_views.ActionListView, "get_queryset", lambda self: 1 / 0)
    assert client.get(reverse("plan:action-list")).status_code == 500


def test_listings_stay_small_as_the_plan_grows(client, db):
    from monitoring.plan_views import OBJECTIVE_INITIATIVES, ROWS_PER_ACTION, ROWS_PER_PAGE

    build_plan(90)  # 30 initiatives under each of the three actions
    action = Action.objects.get(number=1)
    total = action.rows.count()
    assert total > ROWS_PER_ACTION and total > ROWS_PER_PAGE
    objective = StrategicObjective.objects.get(number=1)
    response = client.get(objective.get_absolute_url())
    page = response.content.decode()
    # Objective 1 is served by actions 1 and 3 (build_plan): every initiative under one of them, each once.
    serving = Project.objects.filter(rows__action__number__in=[1, 3]).distinct().count()
    assert len(response.context["initiatives"]) == OBJECTIVE_INITIATIVES < serving
    assert f"All {serving} initiatives under objective 1" in page
    assert 'href="/initiatives/?objective=1"' in page
    assert f'href="/initiatives/?action=1">{total} initiatives</a>' in page
    detail = client.get(action.get_absolute_url())
    assert len(detail.context["rows"]) == ROWS_PER_PAGE
    assert detail.context["paginator"].count == total
    assert client.get(action.get_absolute_url(), {"page": "2"}).status_code == 200
    assert client.get(action.get_absolute_url(), {"page": "zzz"}).status_code == 200  # first page, not a 500


def test_home_lists_a_bounded_number_of_new_initiatives_with_their_leads(client, db):
    from asem_portal.views import HOME_NEW_INITIATIVES
    from tests.factories import OrganisationFactory, ProjectFactory, ProjectOrganisationFactory

    lead = OrganisationFactory(name="Lead University", acronym="LU")
    partner = OrganisationFactory(name="Partner Institute", acronym="PI")
    first = ProjectFactory(title="Aaa First New Initiative", is_new=True)
    ProjectOrganisationFactory(project=first, organisation=partner, role="partner")
    ProjectOrganisationFactory(project=first, organisation=lead, role="lead")
    for i in range(HOME_NEW_INITIATIVES + 4):
        ProjectFactory(title=f"New initiative {i:02}", is_new=True)
    ProjectFactory(title="An Old Initiative", is_new=False)

    page = client.get(reverse("home")).content.decode()
    new_section = page[page.index("New initiatives") :]
    assert new_section.count('<li><a href="/initiatives/') == HOME_NEW_INITIATIVES
    # Only leads are named, without a dangling separator before a partner.
    assert '<span class="meta">LU</span>' in new_section
    assert "Partner Institute" not in new_section and "PI</span>" not in new_section
    assert "An Old Initiative" not in page
    assert f"All {HOME_NEW_INITIATIVES + 5} new initiatives" in new_section
    assert f'href="{reverse("initiatives:project-list")}?is_new=true"' in new_section


def test_the_favicon_is_served_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico") and response["Location"].startswith("/static/")
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in page and 'href="/static/favicon.svg"' in page


def test_an_objective_page_lists_each_action_and_each_initiative_once(client, loaded_plan):
    import re

    for objective in StrategicObjective.objects.all():
        response = client.get(objective.get_absolute_url())
        page = response.content.decode()
        actions_section = page[page.index('id="actions-heading"') : page.index('id="initiatives-heading"')]
        numbers = re.findall(r'<h3><a href="/actions/(\d+)/">', actions_section)
        assert numbers and len(numbers) == len(set(numbers)), objective
        expected = set(
            Action.objects.filter(subgoals__objective=objective).values_list("number", flat=True).distinct()
        )
        assert {int(n) for n in numbers} == expected
        slugs = [project.slug for project in response.context["initiatives"]]
        assert len(slugs) == len(set(slugs)), objective
        assert response.context["initiative_total"] == (
            Project.objects.filter(rows__action__subgoals__objective=objective).distinct().count()
        )
