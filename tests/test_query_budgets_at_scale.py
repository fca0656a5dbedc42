"""Query budgets on the real plan and on the real plan plus 100 generated initiatives (150 in all): the same budget."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, StrategicObjective
from projects.models import Project
from stakeholders.models import Organisation

pytestmark = pytest.mark.django_db

# page → (url builder, budget). Comments: what the queries are; every HTML page also asks whether demonstration
# data is loaded (the banner).
# Progress (#21) adds: the reporting cycles; a rollup (3); each listed initiative's progress (3); reporting by
# objective or action (1); on the home page the latest report and the milestones around today (3); on the
# initiative's page its indicators' approved values; in the API the approved updates and indicator values.
PAGES = {
    # version, objectives (+counts), subgoals, new initiatives (+leads), latest updates, latest news, next meetings
    "home": (lambda: reverse("home"), 19),
    # version, objective, subgoals, actions serving it (+row counts), their subgoals, count and first page of
    # its initiatives (each once), their leads, their actions; and the test's own look-up of the objective
    "objective": (lambda: StrategicObjective.objects.get(number=1).get_absolute_url(), 19),
    # version, action, subgoals, page of rows with total, leads (+ organisations)
    "action": (lambda: Action.objects.get(number=1).get_absolute_url(), 15),
    # version, the objective chosen, count, page, leads, actions, organisation suggestions, the objective,
    # subgoal, action and country options
    "directory": (lambda: reverse("initiatives:project-list") + "?objective=1&region=asia", 16),
    # version, whether the words are found at all, count, page (ranked), leads, actions, organisation
    # suggestions, four option lists
    "directory searched": (lambda: reverse("initiatives:project-list") + "?q=higher+education", 16),
    # the same, with the organisation as typed (one query to match it) and a typo (similar words)
    "directory typed": (lambda: reverse("initiatives:project-list") + "?organisation=Asia-Europe&q=mobilty", 17),
    # version, initiative, participations, rows, subgoals, objectives, milestones, indicators, links,
    # published updates, related initiatives (+leads, +rows), the work plan's cycle (its mandate)
    "initiative": (lambda: Project.objects.get(slug="asem-duo-fellowship-programme").get_absolute_url(), 21),
    # version, organisation, children, participations (+initiatives)
    "organisation": (lambda: Organisation.objects.get(slug="asef").get_absolute_url(), 12),
    "api list": (lambda: "/api/v1/initiatives/?objective=2", 13),
    "feed": (lambda: reverse("updates-feed"), 2),
    # version, initiative, its updates
    "initiative feed": (lambda: "/initiatives/asem-duo-fellowship-programme/feed/", 3),
    # version, the countries with their counts
    "countries": (lambda: reverse("organisations:country-list"), 3),
    # version, country, its organisations (+counts), count, page, leads, actions, its organisations' roles
    "country": (lambda: "/countries/KR/", 13),
    # version, leads and partners by region overall, per objective, the objectives
    "balance": (lambda: reverse("organisations:balance"), 5),
    # version, count, page, objective, action and cycle options, organisation suggestions
    "published updates": (lambda: reverse("updates:published-list"), 8),
}


@pytest.mark.parametrize("scale", [0, 1])
def test_the_same_budget_on_the_plan_and_with_100_more_initiatives(client, loaded_plan, scale):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if scale:
        call_command("generate_synthetic_data", "--scale", str(scale), verbosity=0)
        assert 100 < Project.objects.count() <= 200
    used = {}
    for page, (url, _budget) in PAGES.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url())
        assert response.status_code == 200, page
        used[page] = len(queries)
    assert {page: n for page, n in used.items() if n > PAGES[page][1]} == {}, used
