"""The synthetic-data generator: realistic, deterministic, refuses to run twice, removable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import ProgressUpdate
from monitoring.synthetic import PREFIX
from projects.models import ActionContribution, Project
from stakeholders.models import Organisation

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Project.objects.filter(slug__startswith=PREFIX).order_by("slug").values_list("slug", "title", "status"))


def test_generates_a_deterministic_plan_and_refuses_twice(loaded_plan):
    real = Project.objects.count()
    call_command("generate_synthetic_data", "--scale", "1", "--seed", "7", verbosity=0)
    assert Project.objects.count() == real + 100
    synthetic = Project.objects.filter(slug__startswith=PREFIX)
    # Every initiative stands under at least one action and has a lead; about ten updates each.
    assert not synthetic.filter(rows=None).exists()
    assert not synthetic.exclude(participations__role="lead").exists()
    updates = ProgressUpdate.objects.filter(project__in=synthetic)
    assert 800 <= updates.count() <= 1200
    statuses = set(updates.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    assert updates.filter(status="approved").count() > updates.count() // 2
    assert set(
        ActionContribution.objects.filter(project__in=synthetic).values_list("action__number", flat=True)
    ) == set(range(1, 18))
    first = snapshot()

    with pytest.raises(CommandError, match="Synthetic data exists already"):
        call_command("generate_synthetic_data", "--scale", "1", verbosity=0)

    call_command("generate_synthetic_data", "--scale", "1", "--seed", "7", "--replace", verbosity=0)
    assert snapshot() == first  # same seed, same plan
    call_command("generate_synthetic_data", "--remove", verbosity=0)
    assert Project.objects.count() == real
    assert not Organisation.objects.filter(slug__startswith=PREFIX).exists()


def test_needs_the_plan_first(db):
    with pytest.raises(CommandError, match="Load the plan first"):
        call_command("generate_synthetic_data", "--scale", "1", verbosity=0)


def test_removes_a_synthetic_cycle_whose_report_was_published(
    loaded_plan, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The benchmark publishes the report of a synthetic cycle: replacing the data removes it, and its files."""
    from django.contrib.auth import get_user_model

    from monitoring.cycle_services import publish_report
    from monitoring.models import ReportingCycle, StocktakingReport

    settings.MEDIA_ROOT = tmp_path
    call_command("generate_synthetic_data", "--scale", "1", verbosity=0)
    cycle = ReportingCycle.objects.filter(note__startswith="synthetic").order_by("-number").first()
    admin = get_user_model().objects.create_superuser("bench-admin", "admin@example.org", "x" * 16)
    publish_report(cycle=cycle, user=admin, confirmed=True)
    stored = Path(StocktakingReport.objects.get(cycle=cycle).csv_file.path)
    assert stored.is_relative_to(tmp_path) and stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_synthetic_data", "--remove", verbosity=0)
    assert not ReportingCycle.objects.filter(note__startswith="synthetic").exists()
    assert not StocktakingReport.objects.exists()
    assert not Project.objects.filter(slug__startswith=PREFIX).exists()
    assert not stored.exists()
