"""Progress updates within a reporting cycle: the form shows the cycle, defaults the period and asks about the work plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from monitoring import update_services as services
from monitoring.cycle_services import MonitoringError, open_submissions
from monitoring.models import CycleStatus, ProgressUpdate, WorkPlanItem, WorkPlanItemReport
from tests.conftest import update_form_data
from tests.factories import build_plan

from .conftest import make_cycle, set_status

pytestmark = pytest.mark.django_db


def form_data(*, work_plan=(), **overrides):
    data = update_form_data(
        version="",
        period_start="2022-01-01",
        period_end="2023-12-31",
        achievements="Done a lot.",
        challenges="",
        next_steps="",
        links="",
        save="1",
        work_plan=work_plan,
    )
    data.update(overrides)
    return data


def test_the_form_reports_to_the_open_cycle(client, world):
    client.force_login(world.author_eur)
    page = client.get(reverse("updates:update-create", args=["alpha"]))
    html = page.content.decode()
    assert "reporting cycle 1 (2022–2023)" in html
    form = page.context["form"]
    assert (form["period_start"].value(), form["period_end"].value()) == (
        datetime.date(2022, 1, 1),
        datetime.date(2023, 12, 31),
    )
    assert [item.planned_activity for item in form.work_plan_items] == ["w1 summer school", "w2 publish report"]
    assert "Work plan of cycle 1" in html and "w1 summer school" in html

    w1, w2 = world.items["w1"], world.items["w2"]
    response = client.post(
        reverse("updates:update-create", args=["alpha"]),
        form_data(
            organisation=world.eur.pk,
            work_plan=[{"item": w1.pk, "status": "done", "note": "Held."}, {"item": w2.pk, "status": ""}],
        ),
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.filter(project=world.alpha).latest("pk")
    assert update.cycle == world.cycle
    assert [(r.item.planned_activity, r.done, r.note) for r in update.work_plan_reports.all()] == [
        ("w1 summer school", True, "Held.")
    ]
    detail = client.get(update.get_absolute_url()).content.decode()
    assert "Cycle 1 (2022–2023)" in detail and "w1 summer school" in detail

    # Editing keeps the answers and changes them.
    edit_url = reverse("updates:update-edit", args=[update.pk])
    rows = client.get(edit_url).context["form"].work_plan_formset
    assert [(row.object, row["status"].value()) for row in rows] == [(w1, "done"), (w2, None)]
    response = client.post(
        edit_url,
        form_data(
            organisation=world.eur.pk, version=str(update.version), work_plan=[{"item": w1.pk, "status": "not_done"}]
        ),
    )
    assert response.status_code == 302
    assert list(update.work_plan_reports.values_list("done", flat=True)) == [False]


@pytest.mark.parametrize("field, value", [("period_start", "2021-12-31"), ("period_end", "2024-01-01")])
def test_the_period_must_lie_in_the_cycle(client, world, field, value):
    client.force_login(world.author_eur)
    before = ProgressUpdate.objects.count()
    response = client.post(
        reverse("updates:update-create", args=["alpha"]), form_data(organisation=world.eur.pk, **{field: value})
    )
    assert response.status_code == 400
    assert "within the reporting cycle" in str(response.context["form"].errors[field])
    assert ProgressUpdate.objects.count() == before
    with pytest.raises(ValidationError, match="within the reporting cycle"):
        services.create_update(
            project=world.alpha,
            organisation=world.eur,
            author=world.author_eur,
            content=services.UpdateContent(
                period_start=datetime.date(2021, 1, 1), period_end=datetime.date(2021, 6, 30), achievements="x"
            ),
        )


def test_work_plan_reports_only_on_the_updates_own_initiative_and_cycle(world):
    other = WorkPlanItem.objects.create(cycle=world.cycle, project=world.beta, planned_activity="beta's item")
    with pytest.raises(ValidationError, match="another initiative or cycle"):
        services.create_update(
            project=world.alpha,
            organisation=world.eur,
            author=world.author_eur,
            content=services.UpdateContent(
                period_start=datetime.date(2022, 1, 1),
                period_end=datetime.date(2022, 6, 30),
                work_plan_reports=(services.WorkPlanReportData(item=other, done=True),),
            ),
        )
    assert not WorkPlanItemReport.objects.filter(item=other).exists()


def test_without_an_open_cycle_the_period_is_free(client, world):
    set_status(world.cycle, CycleStatus.CLOSED)
    client.force_login(world.author_eur)
    page = client.get(reverse("updates:update-create", args=["alpha"]))
    assert page.context["form"].cycle is None and "reporting cycle 1" not in page.content.decode()
    response = client.post(
        reverse("updates:update-create", args=["alpha"]),
        form_data(organisation=world.eur.pk, period_start="2026-01-01", period_end="2026-03-31"),
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.latest("pk").cycle is None


def test_a_draft_from_before_the_cycle_joins_it_when_saved(world):
    set_status(world.cycle, CycleStatus.CLOSED)
    draft = services.create_update(
        project=world.alpha,
        organisation=world.eur,
        author=world.author_eur,
        content=services.UpdateContent(period_start=datetime.date(2023, 1, 1), period_end=datetime.date(2023, 3, 31)),
    )
    assert draft.cycle is None
    set_status(world.cycle, CycleStatus.OPEN)
    saved = services.save_draft(
        update=draft,
        user=world.author_eur,
        content=services.UpdateContent(period_start=datetime.date(2023, 1, 1), period_end=datetime.date(2023, 3, 31)),
        expected_version=draft.version,
    )
    assert saved.cycle == world.cycle


def test_the_dashboard_says_what_is_due_in_the_cycle(client, world):
    client.force_login(world.author_asi)  # ASI leads beta (only submitted) and delta (approved)
    page = client.get(reverse("updates:dashboard"))
    html = page.content.decode()
    closes = date_format(world.cycle.submission_closes)
    assert f"Reporting cycle 1 (2022–2023)</strong> — Open: submissions close on {closes} (100 days left)." in html
    assert [p.slug for p in page.context["due"]] == []  # beta's update is submitted, delta's approved
    ProgressUpdate.objects.filter(project=world.beta).delete()
    assert [p.slug for p in client.get(reverse("updates:dashboard")).context["due"]] == ["beta"]


@pytest.mark.parametrize("size", [4, 40])
def test_the_form_with_a_cycle_has_a_fixed_query_budget(client, world, django_assert_max_num_queries, size):
    build_plan(size)
    for n in range(size):
        WorkPlanItem.objects.create(cycle=world.cycle, project=world.alpha, planned_activity=f"extra {n}")
    client.force_login(world.author_eur)
    # session, user, project, memberships, organisations, an update in progress for the period?, milestones,
    # indicators, the open cycle, its work plan, whether demonstration data is loaded (the banner)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("updates:update-create", args=["alpha"])).status_code == 200
    # the same, and the dashboard's open cycle
    with django_assert_max_num_queries(10):
        assert client.get(reverse("updates:dashboard")).status_code == 200


def test_a_second_cycle_cannot_be_opened_while_one_takes_submissions(world):
    second = make_cycle(number=2, start=(2024, 1, 1), end=(2025, 12, 31), status=CycleStatus.PLANNED)
    with pytest.raises(MonitoringError, match="the windows of two cycles cannot overlap"):
        open_submissions(cycle=second, user=world.secretariat)
    assert second.status == CycleStatus.PLANNED
