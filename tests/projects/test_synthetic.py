"""The synthetic-data generator: realistic, deterministic, refuses to run twice, removable."""

from __future__ import annotations

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
