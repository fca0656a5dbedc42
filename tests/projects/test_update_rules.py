"""Each rule of progress updates is defined once: the content's rules below the form and the API, and who may do
what (``permissions.require``) below every entry point.

The personas and their initiative are tests/conftest.py's ``world``.
"""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from core.exceptions import WorkflowError
from monitoring import permissions
from monitoring import update_services as services
from monitoring.models import Meeting, MeetingKind, ProgressUpdate, ReportingCycle
from tests.conftest import PERSONAS, content, draft, login, update_form_data

pytestmark = pytest.mark.django_db

TOMORROW = datetime.date.today() + datetime.timedelta(days=1)


# --- The content's rules: one message, through the form, the API and the service --------------------------------


def open_cycle_2026() -> ReportingCycle:
    opening = Meeting.objects.create(kind=MeetingKind.ASEMME, number=10, year=2025)
    return ReportingCycle.objects.create(
        number=3,
        opening_meeting=opening,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        submission_opens=datetime.date(2026, 1, 1),
        submission_closes=datetime.date(2027, 12, 31),
    )


# Each case: what the web form posts, what the API sends, what the service gets; where the error is in each
# (the form's field as posted, the API's error path, validate_content's key); and the message all three show.
CASES = {
    "achieved in the future": (
        {"milestones": [{"outcome": "achieved", "achieved_on": TOMORROW}]},
        {"milestone_reports": [{"outcome": "achieved", "achieved_on": TOMORROW}]},
        ("milestones-0-achieved_on", "milestone_reports.0.achieved_on"),
        "A milestone cannot be achieved in the future.",
    ),
    "achieved without a date": (
        {"milestones": [{"outcome": "achieved", "achieved_on": ""}]},
        {"milestone_reports": [{"outcome": "achieved"}]},
        ("milestones-0-achieved_on", "milestone_reports.0.achieved_on"),
        "Say when the milestone was achieved.",
    ),
    "delayed without its new date": (
        {"milestones": [{"outcome": "delayed", "new_date": ""}]},
        {"milestone_reports": [{"outcome": "delayed"}]},
        ("milestones-0-new_date", "milestone_reports.0.new_date"),
        "Give the new date of a delayed milestone.",
    ),
    "achieved long ago (a year mistyped)": (
        {"milestones": [{"outcome": "achieved", "achieved_on": "0026-05-02"}]},
        {"milestone_reports": [{"outcome": "achieved", "achieved_on": "0026-05-02"}]},
        ("milestones-0-achieved_on", "milestone_reports.0.achieved_on"),
        "Check the date: it is before 1 January 2000.",
    ),
    "achieved, with a new date as if delayed": (
        {"milestones": [{"outcome": "achieved", "achieved_on": "2026-05-02", "new_date": "2026-09-01"}]},
        {"milestone_reports": [{"outcome": "achieved", "achieved_on": "2026-05-02", "new_date": "2026-09-01"}]},
        ("milestones-0-new_date", "milestone_reports.0.new_date"),
        "Only a delayed milestone has a new date: clear it.",
    ),
    "delayed to a date before the planned one": (
        {"milestones": [{"outcome": "delayed", "new_date": "2026-04-01"}]},
        {"milestone_reports": [{"outcome": "delayed", "new_date": "2026-04-01"}]},
        ("milestones-0-new_date", "milestone_reports.0.new_date"),
        "A delayed milestone's new date comes after its planned date, 1 May 2026.",
    ),
    "on track, with a date": (
        {"milestones": [{"outcome": "on_track", "achieved_on": "2026-05-02"}]},
        {"milestone_reports": [{"outcome": "on_track", "achieved_on": "2026-05-02"}]},
        ("milestones-0-achieved_on", "milestone_reports.0.achieved_on"),
        "Only an achieved milestone has the date it was achieved: clear it.",
    ),
    "cancelled, with a new date": (
        {"milestones": [{"outcome": "cancelled", "new_date": "2026-09-01"}]},
        {"milestone_reports": [{"outcome": "cancelled", "new_date": "2026-09-01"}]},
        ("milestones-0-new_date", "milestone_reports.0.new_date"),
        "Only a delayed milestone has a new date: clear it.",
    ),
    "a negative count": (
        {"indicators": [{"value": "-3", "as_of": "2026-06-30"}]},
        {"indicator_values": [{"value": "-3", "as_of": "2026-06-30"}]},
        ("indicators-0-value", "indicator_values.0.value"),
        "A value cannot be negative.",
    ),
    "a value dated outside the update's period": (
        {"indicators": [{"value": "120", "as_of": "2026-07-01"}]},
        {"indicator_values": [{"value": "120", "as_of": "2026-07-01"}]},
        ("indicators-0-as_of", "indicator_values.0.as_of"),
        "Give a date within the update's period, 1 January 2026 – 30 June 2026: this value belongs to another one.",
    ),
    "a value without its date": (
        {"indicators": [{"value": "120", "as_of": ""}]},
        {"indicator_values": [{"value": "120"}]},
        ("indicators-0-as_of", "indicator_values.0.as_of"),
        "Give the date this value was measured on.",
    ),
    "a period that ends before it starts": (
        {"period_start": "2026-06-30", "period_end": "2026-03-31"},
        {"period_start": "2026-06-30", "period_end": "2026-03-31"},
        ("period_end", "period_end"),
        "The period cannot end before it starts.",
    ),
    "a period outside the cycle": (
        {"period_end": "2028-06-30"},
        {"period_end": "2028-06-30"},
        ("period_end", "period_end"),
        "Choose a date within the reporting cycle, 1 January 2026 – 31 December 2027.",
    ),
}


ROW_LISTS = ("milestone_reports", "indicator_values")
DATES = ("achieved_on", "new_date", "as_of")


def web_rows(world, posted: dict) -> dict:
    milestones = [{"milestone": world.milestone.pk, **row} for row in posted.pop("milestones", [])]
    indicators = [{"indicator": world.indicator.pk, **row} for row in posted.pop("indicators", [])]
    fields = {"period_start": "2026-01-01", "period_end": "2026-06-30", **posted}
    return update_form_data(
        organisation=world.lead.pk,
        achievements="120 pairs exchanged.",
        milestones=milestones,
        indicators=indicators,
        save="1",
        **fields,
    )


def api_body(world, sent: dict) -> dict:
    body = {"initiative": "duo-fellowship", "period_start": "2026-01-01", "period_end": "2026-06-30"}
    body.update(copy.deepcopy(sent))
    for row in body.get("milestone_reports", []):
        row["milestone"] = world.milestone.pk
    for row in body.get("indicator_values", []):
        row["indicator"] = world.indicator.pk
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))  # as a client sends it: dates as ISO text


def parsed(row: dict) -> dict:
    """A row as the service gets it: dates and numbers, not the text a client sends."""
    dates = {k: datetime.date.fromisoformat(v) for k, v in row.items() if k in DATES and isinstance(v, str)}
    numbers = {"value": Decimal(row["value"])} if "value" in row else {}
    return {**row, **dates, **numbers}


def service_content(world, sent: dict) -> services.UpdateContent:
    sent = {**sent, **{name: [parsed(row) for row in sent.get(name, [])] for name in ROW_LISTS}}
    rows = {
        "milestone_reports": tuple(
            services.MilestoneReportData(milestone=world.milestone, **row) for row in sent.get("milestone_reports", [])
        ),
        "indicator_values": tuple(
            services.IndicatorValueData(indicator=world.indicator, **{"as_of": None, **row})
            for row in sent.get("indicator_values", [])
        ),
    }
    period = {name: datetime.date.fromisoformat(sent[name]) for name in ("period_start", "period_end") if name in sent}
    return content(**period, **rows)


def api_error(errors: dict, path: str) -> list[str]:
    for part in path.split("."):
        errors = errors[part]
    return errors


@pytest.mark.parametrize("case", CASES)
def test_a_content_rule_says_the_same_through_the_form_the_api_and_the_service(client, world, case):
    open_cycle_2026()
    posted, sent, (web_field, path), message = CASES[case]

    page = login(client, world, "author").post(
        reverse("updates:update-create", args=["duo-fellowship"]), web_rows(world, copy.deepcopy(posted))
    )
    assert page.status_code == 400
    assert page.context["form"].errors_by_name()[web_field] == [message]
    assert message in page.content.decode().replace("&#x27;", "'")

    api = APIClient()
    api.force_authenticate(world.author)
    answer = api.post("/api/v1/updates/", api_body(world, sent), format="json")
    assert answer.status_code == 400, answer.json()
    assert api_error(answer.json()["errors"], path) == [message]

    with pytest.raises(ValidationError) as refused:
        services.create_update(
            project=world.project, organisation=world.lead, author=world.author, content=service_content(world, sent)
        )
    assert refused.value.message_dict == {path: [message]}
    assert not ProgressUpdate.objects.exists()


def test_the_service_checks_the_rules_on_every_save_not_only_the_first(world):
    update = draft(world)
    late = services.MilestoneReportData(milestone=world.milestone, outcome="delayed")
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            update=update, user=world.author, content=content(milestone_reports=(late,)), expected_version=1
        )
    assert refused.value.message_dict == {"milestone_reports.0.new_date": ["Give the new date of a delayed milestone."]}
    update.refresh_from_db()
    assert update.version == 1 and not update.milestone_reports.exists()


def test_another_initiatives_milestone_is_refused_by_its_field(world):
    from tests.factories import MilestoneFactory

    elsewhere = MilestoneFactory()
    report = services.MilestoneReportData(milestone=elsewhere, outcome="on_track")
    with pytest.raises(ValidationError) as refused:
        draft(world, milestone_reports=(report,))
    assert refused.value.message_dict == {
        "milestone_reports.0.milestone": [f"The initiative has no milestone with id {elsewhere.pk}."]
    }
    api = APIClient()
    api.force_authenticate(world.author)
    body = api_body(world, {})
    body["milestone_reports"] = [{"milestone": elsewhere.pk, "outcome": "on_track"}]
    answer = api.post("/api/v1/updates/", body, format="json")
    assert answer.json()["errors"] == {
        "milestone_reports": {"0": {"milestone": [f"The initiative has no milestone with id {elsewhere.pk}."]}}
    }


# --- Who may do what: require() raises the one right error, can() agrees -----------------------------------------

# Per verb and persona, the outcome on the author's update in each state: draft, submitted, returned, approved.
# "." may; "3" PermissionDenied (403: may see, may not do); "4" Http404 (may not see); "9" WorkflowError (theirs to
# do, not in this state).
STATES = ("draft", "submitted", "returned", "approved")
UPDATE_MATRIX = {
    permissions.VIEW: {
        "anonymous": "444.",
        "outsider": "444.",
        "author": "....",
        "colleague": "....",
        "coordinator": "....",
        "secretariat": "4...",
    },
    permissions.VIEW_WORKFLOW: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": "....",
        "colleague": "....",
        "coordinator": "....",
        "secretariat": "....",
    },
    permissions.EDIT: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": ".9.9",
        "colleague": ".9.9",
        "coordinator": ".9.9",
        "secretariat": "3333",
    },
    permissions.SUBMIT: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": ".9.9",
        "colleague": ".9.9",
        "coordinator": ".9.9",
        "secretariat": "3333",
    },
    permissions.APPROVE: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": "3333",
        "colleague": "3333",
        "coordinator": "3333",
        "secretariat": "9.99",
    },
    permissions.RETURN: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": "3333",
        "colleague": "3333",
        "coordinator": "3333",
        "secretariat": "9.99",
    },
    permissions.WITHDRAW_APPROVAL: {
        "anonymous": "3333",
        "outsider": "3333",
        "author": "3333",
        "colleague": "3333",
        "coordinator": "3333",
        "secretariat": "999.",
    },
}
PROJECT_MATRIX = {  # on the world's initiative
    permissions.REPORT: {
        "anonymous": "3",
        "outsider": "3",
        "author": ".",
        "colleague": ".",
        "coordinator": ".",
        "secretariat": "3",
    },
    permissions.EDIT_PROFILE: {
        "anonymous": "3",
        "outsider": "3",
        "author": "3",
        "colleague": "3",
        "coordinator": ".",
        "secretariat": ".",
    },
}
OUTCOMES = {PermissionDenied: "3", Http404: "4", WorkflowError: "9"}


def outcome(user, verb, obj=None) -> str:
    try:
        permissions.require(user, verb, obj)
    except tuple(OUTCOMES) as error:
        code = OUTCOMES[type(error)]
    else:
        code = "."
    assert permissions.can(user, verb, obj) == (code == "."), (verb, obj)
    return code


@pytest.fixture
def updates(world) -> dict[str, ProgressUpdate]:
    submitted, returned, approved = (services.submit_update(update=draft(world), user=world.author) for _ in range(3))
    services.return_update(update=returned, reviewer=world.secretariat, reason="Add figures.")
    services.approve_update(update=approved, reviewer=world.secretariat)
    by_state = {"draft": draft(world), "submitted": submitted, "returned": returned, "approved": approved}
    return {state: ProgressUpdate.objects.get(pk=update.pk) for state, update in by_state.items()}


def test_require_matrix_on_updates(world, updates):
    found = {
        verb: {
            persona: "".join(outcome(world[persona], verb, updates[state]) for state in STATES) for persona in PERSONAS
        }
        for verb in UPDATE_MATRIX
    }
    assert found == UPDATE_MATRIX


def test_require_matrix_on_initiatives_and_the_review_queue(world):
    found = {
        verb: {persona: outcome(world[persona], verb, world.project) for persona in PERSONAS} for verb in PROJECT_MATRIX
    }
    assert found == PROJECT_MATRIX
    review = {persona: outcome(world[persona], permissions.REVIEW) for persona in PERSONAS}
    assert review == {persona: "." if persona == "secretariat" else "3" for persona in PERSONAS}


def test_require_says_why_in_words(world, updates):
    """The messages the services, the views and the API pass on (one place says them)."""

    def message(user, verb, update) -> str:
        with pytest.raises((PermissionDenied, WorkflowError)) as refused:
            permissions.require(user, verb, update)
        return str(refused.value)

    assert message(world.author, permissions.SUBMIT, updates["submitted"]) == "This update has already been submitted."
    assert message(world.author, permissions.EDIT, updates["approved"]) == (
        "This update is approved and can no longer be edited."
    )
    assert message(world.outsider, permissions.EDIT, updates["draft"]) == "You may not edit this update."
    assert message(world.author, permissions.APPROVE, updates["submitted"]) == "Only the Secretariat approves updates."
    assert message(world.secretariat, permissions.APPROVE, updates["approved"]) == (
        "Only a submitted update can be approved."
    )
    assert message(world.secretariat, permissions.WITHDRAW_APPROVAL, updates["draft"]) == (
        "Only an approved update can be withdrawn."
    )
    # Nobody reviews their own update, the Secretariat included.
    world.secretariat.memberships.create(organisation=world.lead)
    secretariat = type(world.secretariat).objects.get(pk=world.secretariat.pk)  # its memberships read afresh
    own = services.create_update(
        project=world.project,
        organisation=world.lead,
        author=secretariat,
        content=content(period_end=datetime.date(2026, 7, 31)),  # a period of its own
    )
    own = services.submit_update(update=own, user=secretariat)
    assert message(secretariat, permissions.APPROVE, own) == (
        "Nobody approves an update they wrote, edited or submitted, or one of their organisation's."
    )
    assert message(secretariat, permissions.RETURN, own) == (
        "Nobody reviews an update they wrote, edited or submitted, or one of their organisation's."
    )


def test_an_inactive_member_may_do_nothing(world, updates):
    world.author.is_active = False
    world.author.save()
    assert outcome(world.author, permissions.EDIT, updates["draft"]) == "3"
    assert outcome(world.author, permissions.VIEW, updates["draft"]) == "4"
    assert outcome(world.author, permissions.REPORT, world.project) == "3"


def test_the_workflow_is_shown_to_members_and_the_secretariat_only(client, world, updates):
    """One verb (VIEW_WORKFLOW) says who sees an update's history and author: the page and the API read it."""
    approved = updates["approved"]
    for persona in PERSONAS:
        page = login(client.__class__(), world, persona).get(approved.get_absolute_url()).content.decode()
        api = APIClient()
        if persona != "anonymous":
            api.force_authenticate(world[persona])
        author = api.get(f"/api/v1/updates/{approved.pk}/").json()["author"]
        shown = permissions.can(world[persona], permissions.VIEW_WORKFLOW, approved)
        assert shown == (persona not in ("anonymous", "outsider"))
        assert ('id="workflow-heading"' in page) == shown, persona
        assert (author == "author") == shown, persona
