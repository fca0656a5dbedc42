"""Progress updates through the API: the workflow, the permission matrix of the web forms repeated, bad input.

The personas and outcomes mirror tests/projects/test_progress_updates.py. Where the web answers a redirect to
the login page, the API answers 401; everything else (404 for what one may not see, 403 for what one may
see but not do, the resulting states) is the same.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from monitoring import update_services as services
from monitoring.models import ProgressUpdate, UpdateStatus, UpdateTransition
from projects.models import MilestoneStatus
from tests.conftest import PERSONAS, content, draft
from tests.outbox import deliver, queued

from .conftest import as_persona

pytestmark = pytest.mark.django_db

UPDATES = "/api/v1/updates/"


def body(world, **overrides) -> dict:
    data = {
        "initiative": "duo-fellowship",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "achievements": "120 pairs exchanged.",
        "challenges": "Few European funders.",
        "next_steps": "Outreach.",
        "initiative_status": "ongoing",
        "milestone_reports": [
            {"milestone": world["milestone"].pk, "outcome": "achieved", "achieved_on": "2026-05-02", "note": "Seoul"}
        ],
        "indicator_values": [{"indicator": world["indicator"].pk, "value": "120", "as_of": "2026-06-30"}],
        "links": [{"title": "Report", "url": "https://example.org/report.pdf"}],
    }
    data.update(overrides)
    return data


def client_for(world, persona) -> APIClient:
    return as_persona(APIClient(), world, persona)


# --- The workflow ------------------------------------------------------------------------------------------------


def test_contributor_drafts_edits_and_submits_and_the_secretariat_returns_and_approves(
    world, django_capture_on_commit_callbacks
):
    author, colleague = client_for(world, "author"), client_for(world, "colleague")
    created = author.post(UPDATES, body(world), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "draft" and data["version"] == 1
    assert data["initiative"]["slug"] == "duo-fellowship" and data["organisation"]["slug"] == "duo"
    assert data["milestone_reports"][0]["note"] == "Seoul"
    assert data["indicator_values"][0]["value"] == 120
    assert data["evidence"] == [
        {"title": "Report", "url": "https://example.org/report.pdf", "file": None, "size": None}
    ]
    assert data["allowed"] == {
        "edit": True,
        "submit": True,
        "approve": False,
        "return": False,
        "withdraw_approval": False,
    }
    url = data["url"]

    # A colleague edits only the achievements; the rest is kept.
    edited = colleague.patch(url, {"version": 1, "achievements": "120 pairs; 40 alumni met."}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["version"] == 2
    assert edited.json()["milestone_reports"][0]["outcome"] == "achieved"
    assert edited.json()["evidence"][0]["url"] == "https://example.org/report.pdf"

    submitted = author.post(url + "submit/", {"version": 2}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    secretariat = client_for(world, "secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        returned = secretariat.post(
            url + "return/", {"reason": "Add the number of alumni.", "version": 3}, format="json"
        )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Add the number of alumni."
    assert queued() == [
        (["reviewer2@example.org", "secretariat@example.org"], "Progress update submitted: DUO Fellowship"),
        (["author@example.org"], "Your progress update on DUO Fellowship was returned"),
    ]
    assert deliver()[-1].to == ["author@example.org"]

    version = author.get(url).json()["version"]
    assert author.patch(url, {"version": version, "challenges": "None."}, format="json").status_code == 200
    assert author.post(url + "submit/", {"version": version + 1}, format="json").status_code == 200
    version = secretariat.get(url).json()["version"]
    with django_capture_on_commit_callbacks(execute=True):
        approved = secretariat.post(url + "approve/", {"version": version}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    update = ProgressUpdate.objects.get()
    assert [t.to_status for t in update.transitions.all()] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert update.transitions.get(to_status="approved").actor == world["secretariat"]
    world["milestone"].refresh_from_db()
    world["indicator"].refresh_from_db()
    assert world["milestone"].status == MilestoneStatus.ACHIEVED
    assert world["indicator"].latest_value == Decimal("120.00")
    # Public now, without the author's name.
    public = APIClient().get(url).json()
    assert public["status"] == "approved" and public["author"] is None

    withdrawn = client_for(world, "reviewer2").post(url + "withdraw-approval/", {"reason": "Disputed."}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "submitted"


def test_the_reporting_organisation_is_required_when_the_user_has_several(world):
    from tests.factories import MembershipFactory, OrganisationFactory, ProjectOrganisationFactory

    second = OrganisationFactory(slug="second")
    ProjectOrganisationFactory(project=world["project"], organisation=second, role="partner")
    MembershipFactory(user=world["author"], organisation=second)
    author = client_for(world, "author")
    missing = author.post(UPDATES, body(world), format="json")
    assert missing.status_code == 400 and "organisation" in missing.json()["errors"]
    assert author.post(UPDATES, body(world, organisation="second"), format="json").status_code == 201
    wrong = author.post(UPDATES, body(world, organisation="other"), format="json")
    assert wrong.status_code == 400 and "organisation" in wrong.json()["errors"]


# --- Who sees and does what (the web matrix, through the API) -------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", {"me": 401, "create": 401, "draft": 404, "edit": 401, "submitted": 404, "approved": 200, "queue": 401}),
        ("outsider", {"me": 200, "create": 403, "draft": 404, "edit": 404, "submitted": 404, "approved": 200, "queue": 403}),
        ("author", {"me": 200, "create": 201, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("colleague", {"me": 200, "create": 201, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("coordinator", {"me": 200, "create": 201, "draft": 200, "edit": 200, "submitted": 200, "approved": 200, "queue": 403}),
        ("secretariat", {"me": 200, "create": 403, "draft": 404, "edit": 404, "submitted": 200, "approved": 200, "queue": 200}),
    ],
)  # fmt: skip
def test_permission_matrix_of_endpoints(world, persona, expected):
    drafted = draft(world)
    submitted = services.submit_update(update=draft(world), user=world["author"])
    approved = services.submit_update(update=draft(world), user=world["author"])
    services.approve_update(update=approved, reviewer=world["reviewer2"])
    client = client_for(world, persona)
    statuses = {
        "me": client.get("/api/v1/me/").status_code,
        # A period of its own: the drafts above have theirs (one update in progress per period).
        "create": client.post(UPDATES, body(world, period_end="2026-07-31"), format="json").status_code,
        "draft": client.get(f"{UPDATES}{drafted.pk}/").status_code,
        "edit": client.patch(f"{UPDATES}{drafted.pk}/", {"version": 1}, format="json").status_code,
        "submitted": client.get(f"{UPDATES}{submitted.pk}/").status_code,
        "approved": client.get(f"{UPDATES}{approved.pk}/").status_code,
        "queue": client.get(f"{UPDATES}review-queue/").status_code,
    }
    assert statuses == expected


@pytest.mark.parametrize(
    "persona, expected, codes",
    [
        ("anonymous", {"submit": "draft", "approve": "submitted", "return": "submitted"}, [401, 401, 401]),
        ("outsider", {"submit": "draft", "approve": "submitted", "return": "submitted"}, [404, 404, 404]),
        ("author", {"submit": "submitted", "approve": "submitted", "return": "submitted"}, [200, 403, 403]),
        ("colleague", {"submit": "submitted", "approve": "submitted", "return": "submitted"}, [200, 403, 403]),
        ("coordinator", {"submit": "submitted", "approve": "submitted", "return": "submitted"}, [200, 403, 403]),
        ("secretariat", {"submit": "draft", "approve": "approved", "return": "returned"}, [404, 200, 200]),
    ],
)
def test_permission_matrix_of_transitions(world, persona, expected, codes):
    drafted = draft(world)
    to_approve, to_return = (services.submit_update(update=draft(world), user=world["author"]) for _ in range(2))
    client = client_for(world, persona)
    responses = [
        client.post(f"{UPDATES}{drafted.pk}/submit/", {"version": drafted.version}, format="json"),
        client.post(f"{UPDATES}{to_approve.pk}/approve/", {"version": to_approve.version}, format="json"),
        client.post(f"{UPDATES}{to_return.pk}/return/", {"reason": "No.", "version": to_return.version}, format="json"),
    ]
    assert [r.status_code for r in responses] == codes
    for response in responses:
        if response.status_code >= 400:
            assert set(response.json()) == {"detail", "code"}
    statuses = {
        name: ProgressUpdate.objects.get(pk=update.pk).status
        for name, update in (("submit", drafted), ("approve", to_approve), ("return", to_return))
    }
    assert statuses == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_what_the_permission_module_lets_each_persona_see(world, persona):
    drafted = draft(world)
    submitted = services.submit_update(update=draft(world), user=world["author"])
    approved = services.submit_update(update=draft(world), user=world["author"])
    services.approve_update(update=approved, reviewer=world["reviewer2"])
    seen = {item["id"] for item in client_for(world, persona).get(UPDATES).json()["results"]}
    expected = {
        "anonymous": {approved.pk},
        "outsider": {approved.pk},
        "secretariat": {submitted.pk, approved.pk},
    }.get(persona, {drafted.pk, submitted.pk, approved.pk})
    assert seen == expected


def test_nobody_approves_their_own_update_through_the_api(world):
    world["secretariat"].memberships.create(organisation=world["lead"])
    secretariat = client_for(world, "secretariat")
    created = secretariat.post(UPDATES, body(world), format="json").json()
    submitted = secretariat.post(created["url"] + "submit/", {"version": created["version"]}, format="json")
    assert submitted.status_code == 200
    version = {"version": submitted.json()["version"]}
    refused = secretariat.post(created["url"] + "approve/", version, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == (
        "Nobody approves an update they wrote, edited or submitted, or one of their organisation's."
    )
    assert client_for(world, "reviewer2").post(created["url"] + "approve/", version, format="json").status_code == 200


def test_session_authentication_needs_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["author"])
    refused = client.post(UPDATES, body(world), format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.get(UPDATES).status_code == 200  # reading needs no token


def test_a_revoked_or_unknown_token_is_401_even_on_public_endpoints(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/initiatives/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


# --- Optimistic locking and wrong states: 409 ---------------------------------------------------------------------


def test_a_stale_version_is_409_with_a_clear_message_and_changes_nothing(world):
    update = draft(world)
    author, colleague = client_for(world, "author"), client_for(world, "colleague")
    assert (
        author.patch(f"{UPDATES}{update.pk}/", {"version": 1, "achievements": "Mine."}, format="json").status_code
        == 200
    )
    stale = colleague.patch(f"{UPDATES}{update.pk}/", {"version": 1, "achievements": "Theirs."}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == 2
    assert "Someone else saved this update since you opened it." in stale.json()["detail"]
    assert "the current version is 2" in stale.json()["detail"]
    update.refresh_from_db()
    assert update.achievements == "Mine."

    stale_submit = colleague.post(f"{UPDATES}{update.pk}/submit/", {"version": 1}, format="json")
    assert stale_submit.status_code == 409 and stale_submit.json()["code"] == "stale_version"
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.DRAFT


def test_transitions_from_the_wrong_state_are_409(world):
    update = draft(world)
    author, secretariat = client_for(world, "author"), client_for(world, "secretariat")
    url = f"{UPDATES}{update.pk}/"
    assert author.post(url + "submit/", {"version": 1}, format="json").status_code == 200
    again = author.post(url + "submit/", {"version": 1}, format="json")  # a second click
    assert again.status_code == 409 and again.json() == {
        "detail": "This update has already been submitted.",
        "code": "invalid_transition",
    }
    edit_submitted = author.patch(url, {"version": 2, "achievements": "Late."}, format="json")
    assert edit_submitted.status_code == 409 and "can no longer be edited" in edit_submitted.json()["detail"]
    assert secretariat.post(url + "approve/", {"version": 2}, format="json").status_code == 200
    for action, payload in (("approve/", {"version": 3}), ("return/", {"reason": "Too late.", "version": 3})):
        response = secretariat.post(url + action, payload, format="json")
        assert response.status_code == 409, action
        assert response.json()["code"] == "invalid_transition"
    assert UpdateTransition.objects.filter(update=update).count() == 3


def test_submit_needs_the_version_read_and_refuses_a_stale_one(world):
    update = draft(world)
    author, url = client_for(world, "author"), f"{UPDATES}{update.pk}/"
    missing = author.post(url + "submit/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        "version": ["Send the version you read: it guards against overwriting someone else's work."]
    }
    for odd in ("²", "9" * 5000, None, 0):
        assert author.post(url + "submit/", {"version": odd}, format="json").status_code == 400, odd
    services.save_draft(
        update=update, user=world["colleague"], content=content(period_start=update.period_start), expected_version=1
    )
    stale = author.post(url + "submit/", {"version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.DRAFT
    assert author.post(url + "submit/", {"version": 2}, format="json").status_code == 200


def test_approve_and_return_need_the_version_read_and_refuse_a_stale_one(world):
    update = services.submit_update(update=draft(world), user=world["author"])
    secretariat, url = client_for(world, "secretariat"), f"{UPDATES}{update.pk}/"
    for action, payload in (("approve/", {}), ("return/", {"reason": "No."})):
        missing = secretariat.post(url + action, payload, format="json")
        assert missing.status_code == 400 and "version" in missing.json()["errors"], action
        for odd in ("²", "9" * 5000):
            assert secretariat.post(url + action, {**payload, "version": odd}, format="json").status_code == 400
        stale = secretariat.post(url + action, {**payload, "version": update.version - 1}, format="json")
        assert stale.status_code == 409, action
        assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == update.version
        assert "changed since you opened it" in stale.json()["detail"]
    assert ProgressUpdate.objects.get(pk=update.pk).status == UpdateStatus.SUBMITTED
    assert UpdateTransition.objects.filter(update=update).count() == 2
    approved = secretariat.post(url + "approve/", {"version": update.version}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_an_empty_update_cannot_be_submitted(world):
    update = draft(world, achievements="", challenges="", next_steps="")
    response = client_for(world, "author").post(f"{UPDATES}{update.pk}/submit/", {"version": 1}, format="json")
    assert response.status_code == 409 and "Write at least" in response.json()["detail"]


# --- Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"period_start": None}, "period_start"),
        ({"period_end": "99999-01-01"}, "period_end"),
        ({"period_end": "2025-01-01"}, "period_end"),
        ({"achievements": "x" * 20001}, "achievements"),
        ({"indicator_values": [{"indicator": 1, "value": "-5", "as_of": "2026-06-30"}]}, "indicator_values"),
        ({"indicator_values": [{"indicator": 1, "value": "lots", "as_of": "2026-06-30"}]}, "indicator_values"),
        ({"indicator_values": [{"indicator": 99999, "value": "5", "as_of": "2026-06-30"}]}, "indicator_values"),
        ({"milestone_reports": [{"milestone": 1, "outcome": "achieved"}]}, "milestone_reports"),
        ({"milestone_reports": [{"milestone": 1, "outcome": "exploded"}]}, "milestone_reports"),
        ({"milestone_reports": [{"milestone": 1, "outcome": "achieved", "achieved_on": "2999-01-01"}]}, "milestone_reports"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links"),
        ({"links": [{"url": f"https://example.org/{n}"} for n in range(21)]}, "links"),
        ({"initiative": "no-such-initiative"}, "initiative"),
        ({"initiative": None}, "initiative"),
    ],
)  # fmt: skip
def test_bad_input_is_400_with_the_field_and_saves_nothing(world, overrides, field):
    data = body(world, **overrides)
    for item in data.get("indicator_values", []):
        item["indicator"] = world["indicator"].pk if item["indicator"] == 1 else item["indicator"]
    for item in data.get("milestone_reports", []):
        item["milestone"] = world["milestone"].pk
    data = {key: value for key, value in data.items() if value is not None}
    response = client_for(world, "author").post(UPDATES, data, format="json")
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert payload["code"] == "invalid" and field in payload["errors"], payload
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("initiative", ["²", "٣", "9" * 5000, "0" * 18 + "1"])
def test_initiative_ids_that_are_not_numbers_are_400_not_500(world, initiative):
    response = client_for(world, "author").post(UPDATES, body(world, initiative=initiative), format="json")
    assert response.status_code == 400 and "initiative" in response.json()["errors"]
    assert not ProgressUpdate.objects.exists()


def test_an_initiative_is_found_by_its_id_too(world):
    response = client_for(world, "author").post(
        UPDATES, body(world, initiative=str(world["project"].pk)), format="json"
    )
    assert response.status_code == 201 and response.json()["initiative"]["slug"] == "duo-fellowship"


def test_only_an_organisation_taking_part_in_the_initiative_reports_through_the_api(world):
    from tests.factories import MembershipFactory, OrganisationFactory, ProjectOrganisationFactory

    funder = OrganisationFactory(slug="funder")
    ProjectOrganisationFactory(project=world["project"], organisation=funder, role="funder")
    MembershipFactory(user=world["author"], organisation=funder)
    author = client_for(world, "author")
    refused = author.post(UPDATES, body(world, organisation="funder"), format="json")
    assert refused.status_code == 400 and "organisation" in refused.json()["errors"]
    # Left out, the only organisation of the author's that takes part (the lead) reports.
    created = author.post(UPDATES, body(world), format="json")
    assert created.status_code == 201 and created.json()["organisation"]["slug"] == "duo"


def test_the_api_messages_are_translatable(world, monkeypatch):
    """A pseudo-translation marks every string that goes through gettext: the API's own messages must."""
    from django.utils import translation

    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"«{message}»")
    outsider = client_for(world, "outsider").post(UPDATES, body(world), format="json")
    assert outsider.json()["detail"] == "«You may only report on your organisation's initiatives.»"
    author = client_for(world, "author")
    unknown = author.post(UPDATES, body(world, initiative="no-such-initiative"), format="json")
    assert unknown.json()["errors"]["initiative"] == ["«There is no initiative with this slug or id.»"]
    update = draft(world)
    no_version = author.patch(f"{UPDATES}{update.pk}/", {"achievements": "x"}, format="json")
    assert no_version.json()["errors"]["version"][0].startswith("«Send the version you read")
    author.patch(f"{UPDATES}{update.pk}/", {"version": 1, "achievements": "Mine."}, format="json")
    stale = author.patch(f"{UPDATES}{update.pk}/", {"version": 1, "achievements": "Theirs."}, format="json")
    assert stale.status_code == 409 and stale.json()["detail"].endswith("then send your changes with it.)»")


def test_editing_needs_the_version(world):
    update = draft(world)
    response = client_for(world, "author").patch(f"{UPDATES}{update.pk}/", {"achievements": "x"}, format="json")
    assert response.status_code == 400 and "version" in response.json()["errors"]


def test_malformed_json_is_400(world):
    response = client_for(world, "author").post(UPDATES, '{"initiative": "duo-', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type, payload",
    [
        ("application/x-www-form-urlencoded", "initiative=duo-fellowship"),
        ("multipart/form-data; boundary=x", "--x--"),
        ("text/plain", "hello"),
        ("application/xml", "<update/>"),
    ],
)
def test_other_content_types_are_415(world, content_type, payload):
    response = client_for(world, "author").post(UPDATES, payload, content_type=content_type)
    assert response.status_code == 415
    assert (
        response.json()["code"] == "unsupported_media_type" and content_type.split(";")[0] in response.json()["detail"]
    )


def test_an_oversized_body_is_413_not_500(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = body(world, achievements="x" * 20_000)
    response = client_for(world, "author").post(UPDATES, big, format="json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: at most 10000 bytes.",
        "code": "request_too_large",
    }
    assert not ProgressUpdate.objects.exists()


def test_unknown_update_ids_and_non_numbers_are_json_404(world):
    client = client_for(world, "author")
    for url in (f"{UPDATES}999999/", f"{UPDATES}abc/", f"{UPDATES}99999999999999999999999/submit/"):
        response = client.post(url, format="json") if url.endswith("submit/") else client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url


def test_methods_that_are_not_offered_are_405(world):
    update = draft(world)
    client = client_for(world, "author")
    assert client.delete(f"{UPDATES}{update.pk}/").status_code == 405
    assert client.put(f"{UPDATES}{update.pk}/", {}, format="json").status_code == 405
    assert client.post("/api/v1/initiatives/", {}, format="json").status_code == 405


def test_me_lists_the_initiatives_one_may_report_on(world):
    me = client_for(world, "author").get("/api/v1/me/").json()
    assert me["username"] == "author" and me["is_secretariat"] is False
    assert me["organisations"] == [{"slug": "duo", "name": world["lead"].name, "role": "contributor"}]
    assert me["initiatives"] == [{"slug": "duo-fellowship", "title": "DUO Fellowship"}]
    assert client_for(world, "secretariat").get("/api/v1/me/").json()["is_secretariat"] is True


def test_the_review_queue_lists_submitted_updates_oldest_first(world):
    first = services.submit_update(update=draft(world), user=world["author"])
    second = services.submit_update(update=draft(world), user=world["author"])
    draft(world)
    queue = client_for(world, "secretariat").get(f"{UPDATES}review-queue/").json()
    assert [item["id"] for item in queue["results"]] == [first.pk, second.pk]
    assert all(item["allowed"]["approve"] for item in queue["results"])


def test_milestones_cannot_be_achieved_in_the_future(world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    data = body(
        world, milestone_reports=[{"milestone": world["milestone"].pk, "outcome": "achieved", "achieved_on": tomorrow}]
    )
    response = client_for(world, "author").post(UPDATES, data, format="json")
    assert response.status_code == 400
    # List errors are keyed by the item's index.
    assert response.json()["errors"]["milestone_reports"] == {
        "0": {"achieved_on": ["A milestone cannot be achieved in the future."]}
    }
