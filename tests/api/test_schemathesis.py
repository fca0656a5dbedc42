"""Property-based testing of the API against its own OpenAPI schema (schemathesis 4, in-process WSGI).

Schemathesis loads ``/api/v1/schema/`` from the Django application itself and calls every operation with
generated input (valid and invalid), anonymously and with a contributor's token. No answer may be a 5xx,
and every answer must match the schema (status code, content type, headers, body). The run is bounded
(``max_examples`` per operation), derandomized (the same cases every run) and takes well under a minute.

The requests go through Django's WSGI handler in this thread, so they see the test's transaction. Django
closes "old" connections at the start and end of each request; inside a test's transaction that would break
it, so (as Django's own test client does) those two signal handlers are disconnected for the run.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from monitoring import update_services as services
from tests.conftest import draft
from tests.factories import build_plan

pytestmark = pytest.mark.django_db

#: Generated cases per operation (and per persona): about 20 operations, so a few hundred requests in all.
MAX_EXAMPLES = 8

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def plan_and_people(world):
    """Some of everything, so that lists are not empty and the token's owner has drafts to touch."""
    build_plan(3)
    drafted = draft(world)
    submitted = services.submit_update(update=draft(world), user=world["author"])
    approved = services.submit_update(update=draft(world), user=world["author"])
    services.approve_update(update=approved, reviewer=world["secretariat"])
    return {"token": Token.objects.create(user=world["author"]).key, "updates": (drafted, submitted, approved)}


@pytest.fixture
def wsgi_app():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def run_every_operation(app, headers: dict[str, str]) -> int:
    """Valid and invalid input for every operation of the live schema; returns the number of calls made.

    (The operations are driven from here rather than through ``schemathesis.pytest``: its fixture-based
    loader does not run under pytest 9 yet, and this keeps the test's database fixtures in one place.)
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @HYPOTHESIS
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case):
                nonlocal calls
                calls += 1
                case.call_and_validate(app=app, headers=headers, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                # An operation without parameters or body has no invalid input to generate.
                if mode is not GenerationMode.NEGATIVE:
                    raise
    return calls


def test_anonymous_clients_get_no_5xx_and_only_documented_answers(plan_and_people, wsgi_app):
    calls = run_every_operation(wsgi_app, headers={})
    assert calls > 100


def test_a_contributor_with_a_token_gets_no_5xx_and_only_documented_answers(plan_and_people, wsgi_app):
    calls = run_every_operation(wsgi_app, headers={"Authorization": f"Token {plan_and_people['token']}"})
    assert calls > 100
