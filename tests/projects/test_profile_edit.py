"""Coordinators edit their initiative's profile, milestones and indicators; nobody else does.

What the form must never do: put back a milestone an approved progress update
changed, save over an edit it never showed, or delete another organisation's
reports with the milestone or indicator they report on.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ConflictError
from monitoring import update_services as services
from monitoring.models import IndicatorValue, MilestoneOutcome, MilestoneReport, ProgressUpdate
from monitoring.profile_services import save_profile
from monitoring.profile_views import ProjectProfileEditView
from projects.models import Indicator, Milestone, MilestoneStatus, OrganisationRole, Project
from stakeholders.models import MembershipRole
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectLinkFactory,
    ProjectOrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URL = reverse("initiatives:project-edit", args=["duo-fellowship"])


@pytest.fixture
def setup(world):
    """The personas' world (tests/conftest.py), its initiative with a partner organisation whose member
    (``reporter``) reports on it, and the outsider coordinating their own organisation."""
    partner = OrganisationFactory(slug="partner")
    ProjectOrganisationFactory(project=world.project, organisation=partner, role=OrganisationRole.PARTNER)
    Project.objects.filter(pk=world.project.pk).update(summary="Old summary.")
    world.project.refresh_from_db()
    world.outsider.memberships.update(role=MembershipRole.COORDINATOR)
    return {
        "project": world.project,
        "milestone": world.milestone,
        "indicator": world.indicator,
        "partner": partner,
        "coordinator": world.coordinator,
        "contributor": world.author,
        "reporter": MembershipFactory(organisation=partner).user,
        "outsider": world.outsider,
        "secretariat": world.secretariat,
    }


def approved_update(setup, *, outcome=None, new_date=None, value=None):
    """The partner's progress update on the milestone and/or indicator, approved (and applied) by the Secretariat."""
    reports = ()
    if outcome:
        achieved_on = TODAY - datetime.timedelta(days=3) if outcome == MilestoneOutcome.ACHIEVED else None
        reports = (
            services.MilestoneReportData(
                milestone=setup["milestone"], outcome=outcome, achieved_on=achieved_on, new_date=new_date
            ),
        )
    values = (
        ()
        if value is None
        else (
            services.IndicatorValueData(
                indicator=setup["indicator"], value=Decimal(value), as_of=datetime.date(2026, 6, 30)
            ),
        )
    )
    content = services.UpdateContent(
        # A period of its own for each update (one update in progress per period): its start a day later.
        period_start=datetime.date(2026, 1, 1) + datetime.timedelta(days=ProgressUpdate.objects.count()),
        period_end=datetime.date(2026, 6, 30),
        achievements="Done.",
        initiative_status="ongoing",
        milestone_reports=reports,
        indicator_values=values,
    )
    update = services.create_update(
        project=setup["project"], organisation=setup["partner"], author=setup["reporter"], content=content
    )
    services.submit_update(update=update, user=setup["reporter"])
    return services.approve_update(update=update, reviewer=setup["secretariat"])


def management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def version_in(page: str) -> str:
    """The version the rendered form carries, as the browser posts it back."""
    return re.search(r'name="version" value="([^"]+)"', page).group(1)


def opened(client) -> str:
    """Open the form as a browser does; its version."""
    response = client.get(URL)
    assert response.status_code == 200
    return version_in(response.content.decode())


def form_data(setup, version=None, **overrides):
    project, milestone, indicator = setup["project"], setup["milestone"], setup["indicator"]
    project.refresh_from_db()
    data = {
        "version": version or str(project.version),
        "summary": "New summary.",
        "status": "ongoing",
        **management("links", 1, 0),
        "links-0-url": "https://example.org/duo",
        "links-0-label": "Programme site",
        **management("milestones", 1, 1),
        "milestones-0-id": str(milestone.pk),
        "milestones-0-title": "Alumni meeting 2026",
        "milestones-0-planned_start": "2026-05-01",
        **management("indicators", 1, 1),
        "indicators-0-id": str(indicator.pk),
        "indicators-0-name": indicator.name,
        "indicators-0-unit": "pairs",
        "indicators-0-baseline": "100",
        "indicators-0-target": "300",
        "indicators-0-target_comparator": "gt",
        "indicators-0-target_year": "2030",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("outsider", 403), ("contributor", 403), ("coordinator", 200), ("secretariat", 200)],
)
def test_who_may_edit_the_profile(client, setup, persona, status):
    if persona != "anonymous":
        client.force_login(setup[persona])
    assert client.get(URL).status_code == status
    response = client.post(URL, form_data(setup))
    assert response.status_code == (302 if status == 200 else status)
    saved = Project.objects.get(slug="duo-fellowship").summary
    assert saved == ("New summary." if status == 200 else "Old summary.")
    # The button shows only to those who may use it.
    page = client.get(setup["project"].get_absolute_url()).content.decode()
    assert ("Edit the profile, milestones and indicators" in page) == (status == 200)


def test_coordinator_saves_profile_links_milestones_and_indicators(client, setup):
    client.force_login(setup["coordinator"])
    response = client.post(URL, form_data(setup, version=opened(client)))
    assert response.status_code == 302
    project = Project.objects.get(slug="duo-fellowship")
    assert project.summary == "New summary."
    assert project.links.get().label == "Programme site"
    milestone = Milestone.objects.get(pk=setup["milestone"].pk)
    assert (milestone.title, milestone.status, milestone.achieved_on) == ("Alumni meeting 2026", "planned", None)
    assert project.history.first().history_user == setup["coordinator"]


def test_milestone_status_and_achieved_date_are_shown_but_not_edited(client, setup):
    approved_update(setup, outcome=MilestoneOutcome.ACHIEVED)
    client.force_login(setup["coordinator"])
    page = client.get(URL).content.decode()
    assert 'name="milestones-0-status"' not in page and 'name="milestones-0-achieved_on"' not in page
    assert "Status: <strong>Achieved</strong>" in page
    # A form that still posts them (an old tab, a hand-made request) changes neither.
    data = form_data(setup, **{"milestones-0-status": "planned", "milestones-0-achieved_on": ""})
    assert client.post(URL, data).status_code == 302
    milestone = Milestone.objects.get(pk=setup["milestone"].pk)
    assert milestone.title == "Alumni meeting 2026"
    assert (milestone.status, milestone.achieved_on) == (MilestoneStatus.ACHIEVED, TODAY - datetime.timedelta(days=3))


def test_a_form_opened_before_an_approval_does_not_undo_it(client, setup):
    client.force_login(setup["coordinator"])
    version = opened(client)
    approved_update(setup, outcome=MilestoneOutcome.ACHIEVED)
    # The form as it was before this fix posted the status it showed: "planned".
    data = form_data(setup, version, **{"milestones-0-status": "planned", "milestones-0-achieved_on": ""})
    assert client.post(URL, data).status_code == 302
    milestone = Milestone.objects.get(pk=setup["milestone"].pk)
    assert (milestone.status, milestone.achieved_on) == (MilestoneStatus.ACHIEVED, TODAY - datetime.timedelta(days=3))


def test_an_approval_that_moves_edited_fields_is_a_conflict(client, setup):
    client.force_login(setup["coordinator"])
    version = opened(client)
    approved_update(setup, outcome=MilestoneOutcome.DELAYED, new_date=datetime.date(2026, 9, 1))
    response = client.post(URL, form_data(setup, version))
    assert response.status_code == 409
    assert "Someone else saved this initiative since you opened it" in response.content.decode()
    milestone = Milestone.objects.get(pk=setup["milestone"].pk)
    assert (milestone.title, milestone.status, milestone.planned_end) == (
        "Alumni meeting",
        MilestoneStatus.DELAYED,
        datetime.date(2026, 9, 1),
    )
    assert Project.objects.get(slug="duo-fellowship").summary == "Old summary."


def _in_the_admin(setup, address: str, **changes):
    """Change an object in the admin, as the Secretariat does, from its change form's own values."""
    admin = Client()
    admin.force_login(setup["secretariat"])
    data = admin_change_data(admin, address) if "/change/" in address else {}
    response = admin.post(address, {**data, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


def _rename_milestone(setup):
    url = reverse("admin:projects_milestone_change", args=[setup["milestone"].pk])
    _in_the_admin(setup, url, title="Renamed in the admin")


def _retarget_indicator(setup):
    _in_the_admin(setup, reverse("admin:projects_indicator_change", args=[setup["indicator"].pk]), target="500")


def _add_link(setup):
    url = reverse("admin:projects_projectlink_add")
    _in_the_admin(setup, url, project=setup["project"].pk, url="https://example.org/other", position="0")


def _delete_link(setup):
    link = ProjectLinkFactory(project=setup["project"], url="https://example.org/old")
    Project.objects.filter(pk=setup["project"].pk).update(version=1)  # as if it had always been there
    _in_the_admin(setup, reverse("admin:projects_projectlink_delete", args=[link.pk]), post="yes")


def _edit_the_initiative(setup):
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    _in_the_admin(setup, url, lead_note="Set in the admin.")


@pytest.mark.parametrize(
    "change", [_rename_milestone, _retarget_indicator, _add_link, _delete_link, _edit_the_initiative]
)
def test_any_change_in_the_admin_to_the_profile_is_a_conflict(client, setup, change):
    """The admin raises the initiative's version as the profile form does: a form opened before is stale."""
    client.force_login(setup["coordinator"])
    version = opened(client)
    change(setup)
    assert Project.objects.get(pk=setup["project"].pk).version == int(version) + 1
    response = client.post(URL, form_data(setup, version))
    assert response.status_code == 409
    assert "Someone else saved this initiative since you opened it" in response.content.decode()
    assert Project.objects.get(pk=setup["project"].pk).summary == "Old summary."
    assert Indicator.objects.get(pk=setup["indicator"].pk).unit == "participants"


def test_a_stale_save_through_the_service_is_refused_and_changes_nothing(client, setup):
    """save_profile itself refuses a stale version (the web form only passes it on): the user's input is
    shown again with the current version, and nothing of theirs or anyone's is lost."""
    client.force_login(setup["coordinator"])
    stale_version = opened(client)
    assert client.post(URL, form_data(setup, opened(client), summary="Theirs.")).status_code == 302
    project = Project.objects.get(pk=setup["project"].pk)
    assert project.version == int(stale_version) + 1
    parts = ProjectProfileEditView(project=project).forms(form_data(setup, stale_version, summary="Mine."))
    with pytest.raises(ConflictError):
        save_profile(project=project, user=setup["coordinator"], parts=parts, expected_version=int(stale_version))
    project.refresh_from_db()
    assert (project.summary, project.version) == ("Theirs.", int(stale_version) + 1)
    # Not a number, or no version at all (a hand-made request): a conflict too, never a save.
    for version in ("", "abc", "²"):
        response = client.post(URL, {**form_data(setup, summary="Mine."), "version": version})
        assert response.status_code == 409 and "Mine." in response.content.decode()
    assert Project.objects.get(pk=project.pk).summary == "Theirs."


def test_a_stale_form_gets_a_conflict_and_nothing_is_overwritten(client, setup):
    client.force_login(setup["coordinator"])
    stale = form_data(setup, opened(client), summary="Mine.")
    assert client.post(URL, form_data(setup, opened(client), summary="Theirs.")).status_code == 302
    response = client.post(URL, stale)
    assert response.status_code == 409
    assert "Someone else saved this initiative since you opened it." in response.content.decode()
    assert "Mine." in response.content.decode()
    assert Project.objects.get(slug="duo-fellowship").summary == "Theirs."


def test_after_a_conflict_saving_again_goes_through(client, setup):
    client.force_login(setup["coordinator"])
    stale = form_data(setup, opened(client), summary="Mine.")
    theirs = form_data(setup, opened(client), summary="Theirs.", **{"indicators-0-target": "400"})
    theirs.update(management("links", 0, 0))  # the user's new link must not meet itself
    assert client.post(URL, theirs).status_code == 302
    conflict = client.post(URL, stale)
    assert conflict.status_code == 409
    # The re-rendered form keeps the user's input but carries the current version.
    page = conflict.content.decode()
    assert "Mine." in page
    current = version_in(page)
    assert current != stale["version"]
    assert current == str(Project.objects.get(slug="duo-fellowship").version)
    assert client.post(URL, {**stale, "version": current}).status_code == 302
    project = Project.objects.get(slug="duo-fellowship")
    assert (project.summary, project.links.get().url) == ("Mine.", "https://example.org/duo")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"milestones-0-planned_end": "2026-04-01"}, "The planned end cannot be before the planned date."),
        ({"start_date": "2027-01-01", "end_date": "2026-01-01"}, "The end date cannot be before the start date."),
        ({"indicators-0-target": "-3"}, "Constraint"),
        # PostgreSQL's smallint range is a field error; SQLite has none, so the constraint speaks.
        (
            {"indicators-0-target_year": "99999"},
            ("Ensure this value is less than or equal to", "between 2000 and 2100"),
        ),
        ({"links-0-url": "not a url"}, "Enter a valid URL."),
        ({"summary": "x" * 6000}, "Keep the summary under 5,000 characters."),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(client, setup, overrides, message):
    client.force_login(setup["coordinator"])
    response = client.post(URL, form_data(setup, **overrides))
    assert response.status_code == 400
    messages = message if isinstance(message, tuple) else (message,)
    assert any(m in response.content.decode() for m in messages)
    assert Project.objects.get(slug="duo-fellowship").summary == "Old summary."
    assert Milestone.objects.get(pk=setup["milestone"].pk).title == "Alumni meeting"


def test_a_link_the_initiative_already_has_is_a_form_error(client, setup):
    """Two coordinators adding the same link: the second gets a clear error, not a database error."""
    ProjectLinkFactory(project=setup["project"], url="https://example.org/duo")
    client.force_login(setup["coordinator"])
    response = client.post(URL, form_data(setup, opened(client)))
    assert response.status_code == 400
    assert "This address is already one of the initiative&#x27;s links." in response.content.decode()
    assert setup["project"].links.count() == 1


@pytest.mark.parametrize(
    "reported, delete, message",
    [
        ("milestone", {"milestones-0-DELETE": "on"}, "The milestone “Alumni meeting” cannot be deleted"),
        ("indicator", {"indicators-0-DELETE": "on"}, "cannot be deleted: progress updates report values for it"),
    ],
)
def test_a_reported_milestone_or_indicator_is_not_deleted(client, setup, reported, delete, message):
    update = approved_update(
        setup,
        outcome=MilestoneOutcome.ACHIEVED if reported == "milestone" else None,
        value="150" if reported == "indicator" else None,
    )
    client.force_login(setup["coordinator"])
    response = client.post(URL, form_data(setup, opened(client), **delete))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    # Nothing saved, and the partner's approved report is still there.
    assert Project.objects.get(slug="duo-fellowship").summary == "Old summary."
    assert Milestone.objects.filter(pk=setup["milestone"].pk).exists()
    assert Indicator.objects.filter(pk=setup["indicator"].pk).exists()
    assert (update.milestone_reports.count(), update.indicator_values.count()) == (
        (1, 0) if reported == "milestone" else (0, 1)
    )


def test_an_unreported_milestone_or_indicator_can_be_deleted(client, setup):
    client.force_login(setup["coordinator"])
    data = form_data(setup, opened(client), **{"milestones-0-DELETE": "on", "indicators-0-DELETE": "on"})
    assert client.post(URL, data).status_code == 302
    assert not Milestone.objects.filter(pk=setup["milestone"].pk).exists()
    assert not Indicator.objects.filter(pk=setup["indicator"].pk).exists()


def test_the_database_protects_reported_milestones_and_indicators(setup):
    approved_update(setup, outcome=MilestoneOutcome.ACHIEVED, value="150")
    with pytest.raises(ProtectedError):
        Milestone.objects.get(pk=setup["milestone"].pk).delete()
    with pytest.raises(ProtectedError):
        Indicator.objects.get(pk=setup["indicator"].pk).delete()
    assert MilestoneReport.objects.count() == IndicatorValue.objects.count() == 1


@pytest.mark.parametrize("model", [Milestone, Indicator], ids=["milestone", "indicator"])
def test_the_admin_refuses_to_delete_a_reported_milestone_or_indicator(secretariat_client, setup, model):
    approved_update(setup, outcome=MilestoneOutcome.ACHIEVED, value="150")
    obj = setup[model._meta.model_name]
    url = reverse(f"admin:projects_{model._meta.model_name}_delete", args=[obj.pk])
    for response in (secretariat_client.get(url), secretariat_client.post(url, {"post": "yes"})):
        assert response.status_code == 200
        assert "would require deleting the following protected related objects" in response.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()


def admin_change_data(client, url):
    """The admin's change form of an initiative, posted back as the browser would (inlines included)."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items() if name in form.fields}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(management(formset.prefix, formset.total_form_count(), formset.initial_form_count()))
        for subform in formset.initial_forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is not None and not isinstance(value, bool):
                    data[subform.add_prefix(name)] = value
    return data


def test_the_admin_inline_refuses_to_delete_a_reported_milestone(secretariat_client, setup):
    approved_update(setup, outcome=MilestoneOutcome.ACHIEVED)
    url = reverse("admin:projects_project_change", args=[setup["project"].pk])
    data = admin_change_data(secretariat_client, url)
    index = next(i for i in range(10) if data.get(f"milestones-{i}-id") == setup["milestone"].pk)
    response = secretariat_client.post(url, {**data, f"milestones-{index}-DELETE": "on"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Milestone.objects.filter(pk=setup["milestone"].pk).exists()
    # The same form without the deletion saves: the refusal above was the only error.
    assert secretariat_client.post(url, data).status_code == 302


@pytest.mark.parametrize(
    "achieved_on, status",
    [(TODAY + datetime.timedelta(days=1), 200), (TODAY, 302), (TODAY - datetime.timedelta(days=30), 302)],
)
def test_the_admin_refuses_a_milestone_achieved_in_the_future(secretariat_client, setup, achieved_on, status):
    """Milestone.clean(): the admin's forms and the profile form run the same rule."""
    data = {
        "project": setup["project"].pk,
        "title": "Done",
        "status": "achieved",
        "achieved_on": achieved_on.isoformat(),
    }
    response = secretariat_client.post(reverse("admin:projects_milestone_add"), data)
    assert response.status_code == status
    assert ("A milestone cannot be achieved in the future." in response.content.decode()) == (status == 200)
    assert Milestone.objects.filter(title="Done").exists() == (status == 302)


def test_row_texts_are_not_editable_by_coordinators(client, setup):
    client.force_login(setup["coordinator"])
    page = client.get(URL).content.decode()
    assert "activities" not in page.lower().split("secretariat")[-1] or 'name="rows-' not in page
    assert 'name="rows-' not in page


def test_an_outsider_with_a_project_of_their_own_still_cannot(client, setup):
    other = ProjectFactory()
    ProjectOrganisationFactory(project=other, organisation=setup["outsider"].memberships.get().organisation)
    client.force_login(setup["outsider"])
    assert client.get(reverse("initiatives:project-edit", args=[other.slug])).status_code == 200
    assert client.get(URL).status_code == 403
    assert UserFactory  # the factories module is shared


def test_approvals_raise_the_version_only_when_they_move_what_the_profile_edits(setup):
    """A delay moves the milestone's planned end (the profile edits it): the version rises, and again when the
    approval is withdrawn and the date restored. An achievement changes only the status (the profile does not
    edit it): a form opened before still saves (see test_a_form_opened_before_an_approval_does_not_undo_it)."""

    def version() -> int:
        return Project.objects.get(pk=setup["project"].pk).version

    start = version()
    achieved = approved_update(setup, outcome=MilestoneOutcome.ACHIEVED)
    assert version() == start
    services.withdraw_approval(update=achieved, reviewer=setup["secretariat"], reason="Not yet.")
    assert version() == start
    delayed = approved_update(setup, outcome=MilestoneOutcome.DELAYED, new_date=datetime.date(2026, 9, 1))
    assert version() == start + 1
    services.withdraw_approval(update=delayed, reviewer=setup["secretariat"], reason="Wrong date.")
    assert version() == start + 2
    assert Milestone.objects.get(pk=setup["milestone"].pk).planned_end is None
