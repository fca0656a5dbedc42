"""The API's initiative list takes the directory's filters, says so in its schema, and refuses what it does not
know with a 400 that names the right parameter (never a silently unfiltered list)."""

from __future__ import annotations

import pytest

from tests.factories import build_plan

pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/"


@pytest.mark.parametrize(
    ("param", "right"),
    [("search", "q"), ("query", "q"), ("Search", "q"), ("sort", "ordering"), ("limit", "page_size"),
     ("organization", "organisation"), ("objectives", "objective"), ("countries", "country")],
)  # fmt: skip
def test_an_unknown_parameter_is_a_400_naming_the_right_one(client, param, right):
    build_plan(3)
    response = client.get(URL, {param: "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {param: [f"Unknown parameter “{param}”: use “{right}”."]}


def test_an_unknown_parameter_with_no_near_name_lists_the_known_ones(client):
    response = client.get(URL, {"colour": "red"})
    assert response.status_code == 400
    message = response.json()["errors"]["colour"][0]
    assert message.startswith("Unknown parameter “colour”. This list takes: action, country, format, is_new,")
    assert "q, region" in message


def test_known_parameters_paging_and_format_are_accepted(client):
    build_plan(3)
    for params in ({"q": "initiative"}, {"page": 1, "page_size": 2}, {"format": "json"}, {"country": "DE"}):
        assert client.get(URL, params).status_code == 200, params


def test_the_schema_documents_every_filter_of_the_list(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/initiatives/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    for name in ("objective", "subgoal", "action", "organisation", "country", "region", "status", "is_new", "q",
                 "ordering", "page", "page_size"):  # fmt: skip
        assert name in parameters, name
    assert "ASEF" in parameters["organisation"]["description"]
    assert "approved progress updates" in parameters["q"]["description"]
    assert parameters["region"]["schema"]["enum"] == ["asia", "europe", "international"]
    assert "`search=` → use `q`" in operation["description"]
