"""Open data: the directory's filtered initiatives as streamed CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from monitoring.initiative_views import EXPORT_FIELDS
from projects.models import OrganisationRole, Project
from tests.factories import OrganisationFactory, ProjectFactory, ProjectOrganisationFactory, build_plan

pytestmark = pytest.mark.django_db

CSV_URL = "/initiatives/export.csv"
JSON_URL = "/initiatives/export.json"


def content(response) -> str:
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(response) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(content(response), newline=""))
    assert tuple(reader.fieldnames) == EXPORT_FIELDS
    return list(reader)


def read_json(response) -> list[dict]:
    return json.loads(content(response))["initiatives"]


def test_csv_has_one_row_per_initiative_with_every_field(client, directory):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="asem-initiatives.csv"'
    rows = read_csv(response)
    assert [row["slug"] for row in rows] == ["alpha", "beta", "delta", "epsilon", "gamma"]
    alpha = rows[0]
    assert alpha == {
        "slug": "alpha",
        "title": "Alpha glacier observatory",
        "is_new": "true",
        "status": "ongoing",
        "leads": "Europe Org",
        "partners": "Asia Org",
        "actions": "1 2",
        "subgoals": "1.1 1.2 2.1",
        "objectives": "1 2",
        "url": "http://testserver/initiatives/alpha/",
    }
    epsilon = rows[3]
    assert epsilon["leads"] == "Asia Org; Europe Org"
    assert epsilon["partners"] == "International Org"
    assert epsilon["is_new"] == "false"
    # Funders are neither leads nor partners.
    gamma = rows[4]
    assert gamma["leads"] == "International Org" and gamma["partners"] == ""
    # An action without subgoals gives no subgoal and no objective.
    delta = rows[2]
    assert (delta["actions"], delta["subgoals"], delta["objectives"]) == ("4", "", "")


def test_json_has_the_same_fields_as_lists(client, directory):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="asem-initiatives.json"'
    records = read_json(response)
    assert [record["slug"] for record in records] == ["alpha", "beta", "delta", "epsilon", "gamma"]
    assert records[0] == {
        "slug": "alpha",
        "title": "Alpha glacier observatory",
        "is_new": True,
        "status": "ongoing",
        "leads": [{"slug": "europe-org", "name": "Europe Org"}],
        "partners": [{"slug": "asia-org", "name": "Asia Org"}],
        "actions": [1, 2],
        "subgoals": ["1.1", "1.2", "2.1"],
        "objectives": [1, 2],
        "url": "http://testserver/initiatives/alpha/",
    }
    assert records[3]["leads"] == [
        {"slug": "asia-org", "name": "Asia Org"},
        {"slug": "europe-org", "name": "Europe Org"},
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "1", "region": "asia"},
        {"q": "glacier"},
        {"q": "glacier", "ordering": "title"},
        {"status": "ongoing", "is_new": "true"},
        {"organisation": "europe-org", "ordering": "objective"},
        {"objective": "3", "region": "asia"},
    ],
)
def test_exports_hold_exactly_the_directorys_initiatives_in_its_order(client, directory, params):
    listed = [project.slug for project in client.get("/initiatives/", params).context["projects"]]
    assert [row["slug"] for row in read_csv(client.get(CSV_URL, params))] == listed
    assert [record["slug"] for record in read_json(client.get(JSON_URL, params))] == listed


def test_directory_links_to_the_exports_with_its_query_string(client, directory):
    page = client.get("/initiatives/", {"region": "asia", "q": "glacier", "page": "1"}).content.decode()
    assert 'href="/initiatives/export.csv?region=asia&amp;q=glacier"' in page
    assert 'href="/initiatives/export.json?region=asia&amp;q=glacier"' in page


@pytest.mark.parametrize(
    "params",
    [{"objective": "abc"}, {"status": "bogus"}, {"q": "x" * 10_000}, {"subgoal": "1.1\x00"}],
)
def test_invalid_filters_give_400_with_the_reason(client, directory, params):
    (field,) = params
    response = client.get(JSON_URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    response = client.get(CSV_URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("The filters are not valid:")
    assert f"\n{field}: " in text


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, db):
    project = ProjectFactory(slug="formula", title='=HYPERLINK("http://evil.example","click")')
    ProjectOrganisationFactory(project=project, organisation=OrganisationFactory(name="@lead"))
    (row,) = read_csv(client.get(CSV_URL))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["leads"] == "'@lead"
    # JSON is data, not a spreadsheet: unchanged.
    (record,) = read_json(client.get(JSON_URL))
    assert record["title"] == '=HYPERLINK("http://evil.example","click")'


def test_exports_keep_text_exactly(client, db):
    ProjectFactory(slug="quotes", title='ASEF’s "Education", Programmes; ünïcode\nnew line')
    (row,) = read_csv(client.get(CSV_URL))
    assert row["title"] == 'ASEF’s "Education", Programmes; ünïcode\nnew line'
    (record,) = read_json(client.get(JSON_URL))
    assert record["title"] == 'ASEF’s "Education", Programmes; ünïcode\nnew line'


def test_empty_result_is_a_valid_empty_export(client, directory):
    assert read_csv(client.get(CSV_URL, {"q": "volcano"})) == []
    assert read_json(client.get(JSON_URL, {"q": "volcano"})) == []


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_exports_have_a_fixed_query_budget(client, django_assert_max_num_queries, size, url):
    build_plan(size)
    assert Project.objects.count() == size
    # 1 the initiatives; 1 their leads and partners (with organisations); 1 their rows (with actions);
    # 1 the actions' subgoals (with objectives). Consumed inside the block: the response streams.
    with django_assert_max_num_queries(4):
        response = client.get(url)
        body = content(response)
    assert body.count("/initiatives/initiative-") == size
    lead = Project.objects.first().participations.filter(role=OrganisationRole.LEAD).get().organisation
    # The same 4, plus 1 each to validate the objective, the action and the organisation, and 1 to ask whether
    # the search's words are found at all (else similar words are looked for).
    with django_assert_max_num_queries(8):
        response = client.get(url, {"objective": "1", "action": "1", "organisation": lead.slug, "q": "Initiative"})
        body = content(response)
    assert body.count("/initiatives/initiative-") == 1
