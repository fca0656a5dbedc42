"""The Secretariat's admin: every model's changelist and forms, as a non-superuser staff member."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from actions.models import Action, StrategicObjective
from projects.models import ActionContribution, Milestone, Project
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectOrganisationFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

PLAN_MODELS = [m for m in admin.site._registry if m._meta.app_label in {"actions", "stakeholders", "projects"}]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", PLAN_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("size", [3, 30])
def test_changelists_have_a_fixed_query_budget(secretariat_client, django_assert_max_num_queries, model, size):
    build_plan(size)
    MembershipFactory()
    # session + user + permissions (3), count + filtered count, the page's rows,
    # prefetches (leads, rows), list filters' choices (objectives, actions,
    # organisations, countries): under 20 whatever the size.
    with django_assert_max_num_queries(20):
        response = secretariat_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", PLAN_MODELS, ids=lambda m: m._meta.label)
def test_change_and_add_forms_render(secretariat_client, django_assert_max_num_queries, model):
    build_plan(3)
    MembershipFactory()
    obj = model.objects.first()
    # The change form with its inlines and history link; choices of small
    # selects (actions, roles) are rendered, organisations use autocomplete.
    with django_assert_max_num_queries(40):
        response = secretariat_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    # Progress updates and their audit log are written through the site, not added in the admin.
    expected_add = 403 if model._meta.model_name in {"progressupdate", "updatetransition"} else 200
    assert secretariat_client.get(admin_url(model, "add")).status_code == expected_add


def test_changelist_filters_and_search(secretariat_client, loaded_plan):
    url = admin_url(Project, "changelist")
    response = secretariat_client.get(url, {"q": "ASEM-DUO"})
    assert "ASEM-DUO Fellowship Programme" in response.content.decode()
    response = secretariat_client.get(url, {"objective": "4", "is_new__exact": "1"})
    titles = {p.title for p in response.context["cl"].result_list}
    expected = set(
        Project.objects.filter(is_new=True, rows__action__subgoals__objective__number=4).values_list("title", flat=True)
    )
    assert titles == expected and titles
    response = secretariat_client.get(url, {"region": "asia"})
    assert response.context["cl"].result_count == (
        Project.objects.filter(participations__organisation__region="asia").distinct().count()
    )
    # Nonsense filter values are no 500.
    assert secretariat_client.get(url, {"objective": "abc"}).status_code == 200
    assert secretariat_client.get(url, {"status__exact": "nonsense"}).status_code in (200, 302)


def inline_management(prefix: str, total: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def project_form_data(**overrides) -> dict[str, str]:
    data = {"title": "Asia-Europe Joint Micro-credentials", "slug": "joint-micro-credentials", "status": "ongoing"}
    for prefix in ("participations", "rows", "milestones", "indicators", "links"):
        data.update(inline_management(prefix))
    data.update(overrides)
    return data


def test_secretariat_adds_an_initiative_under_two_actions_and_sees_its_history(secretariat_client, secretariat_user):
    a1, a4 = ActionFactory(number=1), ActionFactory(number=4)
    lead = OrganisationFactory(acronym="ESN", name="Erasmus Student Network", slug="esn")
    data = project_form_data(
        **inline_management("participations", 1),
        **{
            "participations-0-organisation": str(lead.pk),
            "participations-0-role": "lead",
            "participations-0-position": "0",
        },
        **inline_management("rows", 2),
        **{
            "rows-0-action": str(a1.pk), "rows-0-position": "1", "rows-0-activities": "Exchanges.",
            "rows-0-expected_outcomes": "More exchanges.",
            "rows-1-action": str(a4.pk), "rows-1-position": "1", "rows-1-activities": "Research.",
            "rows-1-expected_outcomes": "More research.",
        },
        **inline_management("milestones", 1),
        **{
            "milestones-0-title": "Kick-off",
            "milestones-0-planned_start": "2027-03-01",
            "milestones-0-status": "planned",
        },
        **inline_management("indicators", 1),
        **{
            "indicators-0-name": "Students exchanged", "indicators-0-unit": "students", "indicators-0-baseline": "10",
            "indicators-0-target": "100", "indicators-0-target_comparator": "gte", "indicators-0-target_year": "2030",
        },
    )  # fmt: skip
    response = secretariat_client.post(admin_url(Project, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    project = Project.objects.get(slug="joint-micro-credentials")
    assert sorted(project.rows.values_list("action__number", flat=True)) == [1, 4]
    assert project.participations.get().organisation == lead
    assert project.milestones.get().title == "Kick-off"
    assert project.indicators.get().target == 100

    # Edit it, then read the history: who changed what.
    data["title"] = "Asia-Europe Joint Micro-credentials Pilot"
    for prefix in ("participations", "rows", "milestones", "indicators", "links"):
        data.update(inline_management(prefix))
    response = secretariat_client.post(admin_url(Project, "change", project.pk), data)
    assert response.status_code == 302
    record = project.history.first()
    assert record.history_user == secretariat_user
    assert record.diff_against(record.prev_record).changed_fields == ["title"]
    response = secretariat_client.get(admin_url(Project, "history", project.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Asia-Europe Joint Micro-credentials Pilot" in page and secretariat_user.username in page


def test_end_before_start_is_a_form_error(secretariat_client):
    data = project_form_data(start_date="2025-01-01", end_date="2024-01-01")
    response = secretariat_client.post(admin_url(Project, "add"), data)
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Project.objects.exists()


def test_same_row_twice_is_a_form_error(secretariat_client):
    action = ActionFactory(number=2)
    data = project_form_data(
        **inline_management("rows", 2),
        **{
            "rows-0-action": str(action.pk),
            "rows-0-position": "1",
            "rows-1-action": str(action.pk),
            "rows-1-position": "2",
        },
    )
    response = secretariat_client.post(admin_url(Project, "add"), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for action" in response.content.decode()
    assert not Project.objects.exists()

    # And against a row saved earlier, through the row's own admin.
    row = ActionContributionFactory(action=action)
    response = secretariat_client.post(
        admin_url(ActionContribution, "add"), {"project": row.project.pk, "action": action.pk, "position": 3}
    )
    assert response.status_code == 200
    assert "This initiative already has a row under this action." in response.content.decode()


def test_duplicate_numbers_are_form_errors(secretariat_client):
    ActionFactory(number=7)
    response = secretariat_client.post(admin_url(Action, "add"), {"number": "7", "description": "Again"})
    assert response.status_code == 200
    assert "Action with this Number already exists." in response.content.decode()
    StrategicObjective.objects.create(number=1, slug="one", title="One", colour="#112233")
    response = secretariat_client.post(
        admin_url(StrategicObjective, "add"),
        {"number": "1", "slug": "other", "title": "Other", "colour": "red", **inline_management("subgoals")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Strategic objective with this Number already exists." in page
    assert "Enter a colour as #rrggbb." in page


def test_achieved_milestone_needs_its_date(secretariat_client):
    project = ProjectOrganisationFactory().project
    response = secretariat_client.post(
        admin_url(Milestone, "add"), {"project": project.pk, "title": "Done", "status": "achieved"}
    )
    assert response.status_code == 200
    assert "An achieved milestone needs the date it was achieved on" in response.content.decode()


def test_staff_without_the_group_cannot_edit(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(admin_url(Project, "changelist")).status_code == 403


def test_audit_log_shows_admin_deletions_and_is_read_only(secretariat_client, secretariat_user):
    from django.contrib.admin.models import LogEntry

    project = ProjectOrganisationFactory().project
    response = secretariat_client.post(admin_url(Project, "delete", project.pk), {"post": "yes"})
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(project.pk))
    assert entry.user == secretariat_user and entry.is_deletion()
    page = secretariat_client.get(reverse("admin:admin_logentry_changelist"), {"action_flag__exact": "3"})
    assert page.status_code == 200 and project.title in page.content.decode()
    assert secretariat_client.get(reverse("admin:admin_logentry_change", args=[entry.pk])).status_code == 200
    assert (
        secretariat_client.post(reverse("admin:admin_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_progress_updates_in_the_admin_follow_the_sites_rules(secretariat_client, secretariat_user):
    from monitoring.models import ProgressUpdate
    from tests.factories import ProgressUpdateFactory

    draft = ProgressUpdateFactory(status="draft")
    submitted = ProgressUpdateFactory(status="submitted")
    page = secretariat_client.get(admin_url(ProgressUpdate, "changelist"))
    listed = {u.pk for u in page.context["cl"].result_list}
    assert submitted.pk in listed and draft.pk not in listed  # nobody's draft is the Secretariat's business
    assert (
        secretariat_client.get(admin_url(ProgressUpdate, "change", draft.pk)).status_code == 302
    )  # "not found" redirect
    assert secretariat_client.get(admin_url(ProgressUpdate, "delete", submitted.pk)).status_code == 403
    assert ProgressUpdate.objects.filter(pk=submitted.pk).exists()


def test_only_the_secretariat_reads_the_audit_log(client, django_user_model, secretariat_client):
    url = reverse("admin:admin_logentry_changelist")
    assert secretariat_client.get(url).status_code == 200
    staff = django_user_model.objects.create_user("staffer", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
