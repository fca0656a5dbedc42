"""Property-based testing of the API against its own OpenAPI schema (schemathesis 4, in-process WSGI).

Schemathesis loads ``/api/v1/schema/`` from the Django application itself and calls every operation with
generated input, valid and invalid, as three clients: anonymous, a contributor with a token and the Secretariat
with a token. No answer may be a 5xx, and every answer must match the schema (status code, content type,
headers, body). The run is part of the normal suite (``-m "not schemathesis"`` leaves it out), derandomized (the
same cases every run) and bounded: ``MAX_EXAMPLES`` per operation and input mode, each sent as every client, at
least ``MIN_CASES`` calls in all, in well under a minute of CPU time.

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
from monitoring.models import Meeting, MeetingKind
from tests.conftest import draft
from tests.factories import build_plan

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

#: Generated cases per operation and input mode (valid, invalid), each sent as each of the three clients.
#: Operations without parameters or a body have few distinct cases (Hypothesis stops early), so the whole run
#: is somewhat fewer than operations x 2 modes x 3 clients x MAX_EXAMPLES calls.
MAX_EXAMPLES = 10
#: The run is only a test of the whole API if it is at least this large.
MIN_CASES = 1000

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def plan_and_people(world):
    """Some of everything, so that lists are not empty, the contributor has drafts to touch and the Secretariat
    updates to review; and the sparse shapes the schema must allow (a meeting without a host country or a cycle,
    an update without narrative or links)."""
    build_plan(3)
    Meeting.objects.create(kind=MeetingKind.ASEMME, number=9, year=2024)
    draft(world)
    draft(world, achievements="", challenges="", next_steps="")
    services.submit_update(update=draft(world), user=world["author"])
    returned = services.submit_update(update=draft(world), user=world["author"])
    services.return_update(update=returned, reviewer=world["secretariat"], reason="Add figures.")
    approved = services.submit_update(update=draft(world), user=world["author"])
    services.approve_update(update=approved, reviewer=world["secretariat"])
    return {
        "anonymous": {},
        "contributor": {"Authorization": f"Token {Token.objects.create(user=world['author']).key}"},
        "secretariat": {"Authorization": f"Token {Token.objects.create(user=world['secretariat']).key}"},
    }


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


def run_every_operation(app, clients: dict[str, dict[str, str]]) -> dict[str, int]:
    """Valid and invalid input for every operation of the live schema, each case sent as every client (one
    generation for all three: generating is most of the run's cost); the number of calls per operation.

    (The operations are driven from here rather than through ``schemathesis.pytest``: its fixture-based
    loader does not run under pytest 9 yet, and this keeps the test's database fixtures in one place.)
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    calls: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        calls[operation.label] = sum(
            run_operation(app, clients, operation, mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        )
    return calls


def run_operation(app, clients: dict[str, dict[str, str]], operation, mode: GenerationMode) -> int:
    """One operation's generated cases in ``mode``, each sent as every client; the number of calls."""
    calls = 0

    @HYPOTHESIS
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        nonlocal calls
        for headers in clients.values():
            calls += 1
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    try:
        call()
    except Unsatisfiable:
        # An operation without parameters or body has no invalid input to generate.
        if mode is not GenerationMode.NEGATIVE:
            raise
    return calls


def test_every_operation_as_every_client_gets_no_5xx_and_only_documented_answers(plan_and_people, wsgi_app):
    calls = run_every_operation(wsgi_app, clients=plan_and_people)
    assert len(calls) >= 29, sorted(calls)  # every operation of the schema (29 when this was written)
    assert all(calls.values()), calls  # each one called
    assert sum(calls.values()) >= MIN_CASES, sum(calls.values())
