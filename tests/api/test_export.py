"""The whole plan in one call, as versioned JSON and CSV, streamed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from monitoring.initiative_api import CSV_HEADER, EXPORT_SCHEMA_VERSION
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def read(response) -> str:
    assert response.streaming, "the export is streamed"
    return b"".join(response.streaming_content).decode()


def test_the_json_export_has_the_whole_plan_as_the_endpoints_show_it(api):
    projects = build_plan(5)
    projects[0].title = "=HYPERLINK(evil)"
    projects[0].save()
    response = api.get("/api/v1/export/plan.json", HTTP_ACCEPT="text/html")  # the address decides the format
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["X-Schema-Version"] == EXPORT_SCHEMA_VERSION
    assert 'filename="asem-education-action-plan-v1.json"' in response["Content-Disposition"]
    plan = json.loads(read(response))
    assert plan["schema_version"] == EXPORT_SCHEMA_VERSION
    assert [o["number"] for o in plan["objectives"]] == [1, 2]
    assert [s["code"] for s in plan["subgoals"]] == ["1.1", "1.2", "2.1"]
    assert [a["number"] for a in plan["actions"]] == [1, 2, 3]
    assert len(plan["organisations"]) == 10 and len(plan["initiatives"]) == 5
    # Each initiative exactly as its own endpoint shows it.
    one = plan["initiatives"][-1]
    assert one == api.get(f"/api/v1/initiatives/{one['slug']}/").json()


def test_the_csv_export_has_one_line_per_row_of_the_plan(api):
    projects = build_plan(4)
    projects[0].title = "=HYPERLINK(evil)"
    projects[0].save()
    response = api.get("/api/v1/export/plan.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.DictReader(io.StringIO(read(response))))
    assert tuple(lines[0]) == CSV_HEADER
    assert len(lines) == 6  # 4 initiatives, 2 of them under two actions
    assert {line["schema_version"] for line in lines} == {EXPORT_SCHEMA_VERSION}
    assert [int(line["action"]) for line in lines] == sorted(int(line["action"]) for line in lines)
    evil = [line for line in lines if line["initiative"] == projects[0].slug][0]
    assert evil["initiative_title"] == "'=HYPERLINK(evil)"  # never a formula in a spreadsheet
    assert (
        evil["leads"]
        and evil["partners"]
        and evil["milestones"]
        and "target at least 300.00 by 2030" in evil["indicators"]
    )


def test_the_export_has_its_own_throttle(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "export": "2/hour"},
    }
    assert api.get("/api/v1/export/plan.csv").status_code == 200
    assert api.get("/api/v1/export/plan.json").status_code == 200
    third = api.get("/api/v1/export/plan.csv")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert third.json()["code"] == "throttled"
    assert api.get("/api/v1/initiatives/").status_code == 200  # other endpoints are not affected
