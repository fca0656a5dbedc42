"""Demonstration data is marked: flagged in the data, announced by a banner on every page while any is loaded,
removed entirely by ``manage.py remove_demo_data``, and never the source of a figure of the real plan."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitoring import update_services
from monitoring.models import IndicatorValue, ProgressUpdate, ReportingCycle, UpdateStatus, WorkPlanItem
from projects.models import Indicator, Milestone, Project

pytestmark = pytest.mark.django_db

BANNER = "Demonstration data."


@pytest.fixture
def demo(loaded_plan):
    call_command("create_demo_accounts", "--force", verbosity=0)  # tests run with DEBUG off
    call_command("create_demo_updates", "--force", stdout=StringIO())


def figures_of_the_real_plan() -> tuple:
    """What the real initiatives show: their statuses, their indicators' latest values, their milestones."""
    return (
        sorted(Project.objects.values_list("pk", "status")),
        sorted(Indicator.objects.values_list("pk", "latest_value", "latest_value_on")),
        sorted(Milestone.objects.values_list("pk", "status", "achieved_on", "planned_end")),
    )


def test_demo_data_is_flagged_in_the_data(demo):
    assert ProgressUpdate.objects.filter(is_demo=True).count() == 2
    assert ProgressUpdate.objects.filter(is_demo=False).count() == 0
    assert WorkPlanItem.objects.filter(is_demo=True).count() == 4
    assert all("(Demo data" in u.achievements for u in ProgressUpdate.objects.filter(is_demo=True))


def test_demo_data_reports_no_milestone_or_indicator_and_its_removal_restores_every_figure(loaded_plan):
    before = figures_of_the_real_plan()
    cycles_before = list(ReportingCycle.objects.values_list("number", flat=True))
    call_command("create_demo_accounts", "--force", verbosity=0)
    call_command("create_demo_updates", "--force", stdout=StringIO())
    # No indicator value, no milestone: only the status every update states (an approved update's), shown
    # under the banner while the demo is loaded.
    assert not IndicatorValue.objects.exists()
    assert figures_of_the_real_plan()[1:] == before[1:]
    call_command("remove_demo_data", stdout=StringIO())
    assert figures_of_the_real_plan() == before
    assert list(ReportingCycle.objects.values_list("number", flat=True)) == cycles_before


@pytest.mark.parametrize("url", ["/", "/initiatives/", "/initiatives/asem-duo-fellowship-programme/", "/about/",
                                 "/updates/published/", "/countries/KR/"])  # fmt: skip
def test_every_page_shows_the_banner_while_demo_data_is_loaded_and_not_after(client, demo, url):
    assert BANNER in client.get(url).content.decode()
    call_command("remove_demo_data", stdout=StringIO())
    assert BANNER not in client.get(url).content.decode()  # the removal raised the content version


def test_the_banner_costs_one_query_and_a_cached_page_none(client, demo, django_assert_max_num_queries):
    from monitoring.demo import demo_data_loaded

    with django_assert_max_num_queries(1):
        assert demo_data_loaded()
    client.get("/about/")
    with django_assert_max_num_queries(1):  # the content version; the banner is part of the cached page
        assert BANNER in client.get("/about/").content.decode()


def test_signed_in_pages_show_the_banner_too(client, demo, django_user_model):
    client.force_login(django_user_model.objects.get(username="contributor"))
    assert BANNER in client.get("/updates/").content.decode()


def test_remove_demo_data_removes_it_all_and_is_idempotent(client, demo):
    out = StringIO()
    call_command("remove_demo_data", "--dry-run", stdout=out)
    assert "Demo progress updates: 2." in out.getvalue() and "Demo reporting cycles:" in out.getvalue()
    assert ProgressUpdate.objects.filter(is_demo=True).count() == 2  # a dry run removes nothing
    out = StringIO()
    call_command("remove_demo_data", stdout=out)
    assert "Removed." in out.getvalue()
    assert not ProgressUpdate.objects.filter(is_demo=True).exists()
    assert not WorkPlanItem.objects.filter(is_demo=True).exists()
    assert not ReportingCycle.objects.filter(is_demo=True).exists()
    out = StringIO()
    call_command("remove_demo_data", stdout=out)
    assert "Demo progress updates: 0." in out.getvalue() and "Removed." not in out.getvalue()
    assert "Demo data" not in client.get("/updates/published/").content.decode()


def test_removal_undoes_what_an_older_demo_approval_changed(demo, django_user_model):
    """Demo data made before the flag reported an indicator value: removing it restores the real figure."""
    duo = Project.objects.get(slug="asem-duo-fellowship-programme")
    indicator = Indicator.objects.filter(project=duo).first()
    before = (indicator.latest_value, indicator.latest_value_on)
    secretariat = django_user_model.objects.get(username="secretariat")
    update = ProgressUpdate.objects.get(project=duo, is_demo=True)
    update_services.withdraw_approval(update=update, reviewer=secretariat, reason="Add a value, as old demos did.")
    IndicatorValue.objects.create(
        update=update, indicator=indicator, value=Decimal("118"), as_of=datetime.date(2023, 6, 30)
    )
    update_services.approve_update(update=update, reviewer=secretariat)
    indicator.refresh_from_db()
    assert indicator.latest_value == Decimal("118")
    call_command("remove_demo_data", stdout=StringIO())
    indicator.refresh_from_db()
    assert (indicator.latest_value, indicator.latest_value_on) == before


def test_remove_demo_data_needs_someone_allowed_to_withdraw_approvals(demo):
    with pytest.raises(CommandError, match="No active user"):
        call_command("remove_demo_data", "--user", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="Nothing was removed"):
        call_command("remove_demo_data", "--user", "outsider", stdout=StringIO())
    assert ProgressUpdate.objects.filter(is_demo=True, status=UpdateStatus.APPROVED).count() == 2


def test_the_migration_flags_demo_data_made_before_the_flag(demo):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("monitoring.migrations.0012_demo_data_flag")
    demo_cycles = ReportingCycle.objects.filter(is_demo=True).count()
    assert demo_cycles >= 1  # the demo adds the cycles up to today's
    ProgressUpdate.objects.update(is_demo=False)
    WorkPlanItem.objects.update(is_demo=False)
    ReportingCycle.objects.update(is_demo=False)
    migration.flag_existing_demo_data(apps, None)
    assert ProgressUpdate.objects.filter(is_demo=True).count() == 2
    assert WorkPlanItem.objects.filter(is_demo=True).count() == 4
    assert ReportingCycle.objects.filter(is_demo=True).count() == demo_cycles
