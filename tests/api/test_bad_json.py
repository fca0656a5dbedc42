"""Bad JSON is the API's JSON 400, never a 500: nesting beyond any sane depth, NaN and Infinity, bytes that are
not UTF-8, text that is not Unicode, numbers without end and every other parser error (core.api.LimitedJSONParser).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.models import ProgressUpdate
from tests.conftest import draft

from .conftest import as_persona

pytestmark = pytest.mark.django_db

UPDATES = "/api/v1/updates/"


def post(world, payload: bytes | str, content_type: str = "application/json", url: str = UPDATES):
    client = as_persona(APIClient(), world, "author")
    return client.generic("POST", url, payload, content_type=content_type)


def assert_json_400(response, *words: str):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "parse_error", body
    for word in words:
        assert word in body["detail"], body["detail"]


def test_json_nested_1500_levels_deep_is_a_json_400(world):
    response = post(world, "[" * 1500 + "]" * 1500)
    assert_json_400(response, "nested")


def test_json_nested_far_deeper_than_the_recursion_limit_is_a_json_400_too(world):
    response = post(world, '{"a":' * 100_000 + "1" + "}" * 100_000)
    assert_json_400(response)


def test_nesting_deeper_than_the_api_ever_needs_is_refused_before_any_serializer_sees_it(world):
    # Well within Python's recursion limit, but no body of this API is more than a few levels deep.
    response = post(world, '{"achievements": ' + "[" * 40 + "]" * 40 + "}")
    assert_json_400(response, "nested")


def test_the_depth_the_api_uses_is_accepted(world):
    response = post(world, '{"initiative": "duo-fellowship", "links": [{"url": "https://example.org/"}]}')
    assert response.status_code == 400 and response.json()["code"] == "invalid"  # no period: a field error


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(world, constant):
    response = post(world, '{"indicator_values": [{"indicator": 1, "value": ' + constant + "}]}")
    assert_json_400(response, constant)


def test_a_number_too_large_for_a_float_is_refused(world):
    response = post(world, '{"version": 1e999}')
    assert_json_400(response)


def test_an_integer_of_thousands_of_digits_is_refused(world):
    response = post(world, '{"version": ' + "9" * 5000 + "}")
    assert_json_400(response)


def test_bytes_that_are_not_utf8_are_refused(world):
    response = post(world, b'{"achievements": "\xff\xfe caf\xe9"}')
    assert_json_400(response, "UTF-8")


def test_a_lone_surrogate_is_refused(world):
    # Valid JSON syntax, but not Unicode text: PostgreSQL could not store it.
    response = post(world, '{"achievements": "\\ud800"}')
    assert_json_400(response, "Unicode")


def test_a_lone_surrogate_in_a_key_is_refused(world):
    response = post(world, '{"\\udfff": 1}')
    assert_json_400(response, "Unicode")


def test_a_charset_other_than_utf8_is_read_as_given(world):
    update = draft(world)
    payload = '{"version": 1, "achievements": "Café"}'.encode("latin-1")
    response = post(world, payload, "application/json; charset=latin-1", url=f"{UPDATES}{update.pk}/")
    # (a POST to the detail: 405, after the body was read: the charset did not break the parser)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "payload",
    [
        "   ",
        "{",
        '{"a": 1,}',
        "{'a': 1}",
        '{"a": 1} trailing',
        '{"a": "\x01"}',  # a control character inside a string
        "\ufeff{}",  # a byte order mark
        '"\\x41"',
        "[1, 2" + ", 3" * 10_000,
    ],
)
def test_other_parser_errors_are_a_json_400(world, payload):
    assert_json_400(post(world, payload.encode("utf-8")))


def test_a_body_that_is_not_an_object_is_a_field_error_not_a_500(world):
    for payload in ("", "[]", "1", '"text"', "null", "true"):
        response = post(world, payload)
        assert response.status_code == 400, payload
        assert response.json()["code"] in ("invalid", "parse_error"), payload
    assert not ProgressUpdate.objects.exists()


def test_bad_json_on_every_write_endpoint_is_a_json_400(world):
    update = draft(world)
    client = as_persona(APIClient(), world, "author")
    deep = "[" * 1500 + "]" * 1500
    for method, url in [
        ("POST", UPDATES),
        ("PATCH", f"{UPDATES}{update.pk}/"),
        ("POST", f"{UPDATES}{update.pk}/submit/"),
    ]:
        assert_json_400(client.generic(method, url, deep, content_type="application/json"))
    submitted = services.submit_update(update=update, user=world["author"])
    secretariat = as_persona(APIClient(), world, "secretariat")
    for action in ("approve", "return", "withdraw-approval"):
        url = f"{UPDATES}{submitted.pk}/{action}/"
        assert_json_400(secretariat.generic("POST", url, deep, content_type="application/json"))
