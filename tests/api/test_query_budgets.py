"""Every list endpoint (and the exports) has a fixed query budget, asserted at two data sizes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import build_plan

from .conftest import as_persona

pytestmark = pytest.mark.django_db

# (persona, url, budget): the expected queries in the comment of each line.
BUDGETS = [
    # fingerprint, objectives, their subgoals
    ("anonymous", "/api/v1/objectives/", 3),
    # fingerprint, subgoals with objective, their actions
    ("anonymous", "/api/v1/subgoals/", 3),
    # fingerprint, actions, their subgoals with objective
    ("anonymous", "/api/v1/actions/", 3),
    # fingerprint, count, page, organisations, rows (+ action), the actions' subgoals, milestones, links,
    # approved updates, indicators, their approved values (+ updates, organisations), the reporting cycles
    ("anonymous", "/api/v1/initiatives/", 12),
    # the same with the filter choices checked (objective, organisation) and the search
    ("anonymous", "/api/v1/initiatives/?objective=1&region=europe&q=initiative&ordering=-updated", 15),
    # the same, and the current cycle for `reported`
    ("anonymous", "/api/v1/initiatives/?reported=true&late_milestones=false&status=not_reported", 13),
    # fingerprint, count, page (+ country, parent), participations (+ initiative)
    ("anonymous", "/api/v1/organisations/", 4),
    # fingerprint, countries
    ("anonymous", "/api/v1/countries/", 2),
    # fingerprint, count, page (+ initiative, organisation, author), milestone reports, indicator values, evidence
    # (a visitor is shown no one's writers, so none are read)
    ("anonymous", "/api/v1/updates/", 6),
    # token, memberships, secretariat check, then as above, and the page's writers (authors, history, submissions,
    # names: permissions.attach_writers)
    ("secretariat", "/api/v1/updates/", 13),
    ("author", "/api/v1/updates/?status=draft", 13),
    # token, secretariat check, memberships, count, page, three prefetches, the page's writers (4)
    ("secretariat", "/api/v1/updates/review-queue/", 12),
    # token, memberships, secretariat check, my initiatives
    ("author", "/api/v1/me/", 4),
    # objectives (+ subgoals), subgoals (+ actions), actions (+ subgoals), organisations (+ participations),
    # initiatives (+ eight prefetches), the reporting cycles
    ("anonymous", "/api/v1/export/plan.json", 18),
    # rows (+ action, initiative), subgoals, organisations, milestones, indicators, links
    ("anonymous", "/api/v1/export/plan.csv", 6),
]


@pytest.mark.parametrize("persona, url, budget", BUDGETS)
@pytest.mark.parametrize("size", [4, 40])
def test_list_endpoints_have_a_fixed_query_budget(world, django_assert_max_num_queries, persona, url, budget, size):
    build_plan(size)
    client = as_persona(APIClient(), world, persona)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [4, 40])
def test_an_initiative_and_an_update_have_fixed_budgets(world, django_assert_max_num_queries, size):
    projects = build_plan(size)
    client = as_persona(APIClient(), world, "author")
    # token, fingerprint, the initiative, organisations, rows, subgoals, milestones, links, approved updates,
    # indicators, their approved values, the reporting cycles
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/initiatives/{projects[-1].slug}/").status_code == 200
    update = projects[0].updates.get()
    # token, memberships, secretariat check, fingerprint, the update, three prefetches
    with django_assert_max_num_queries(8):
        assert APIClient().get(f"/api/v1/updates/{update.pk}/").status_code == 200
