"""The builder's plain-row reads (``monitoring.report._rows``) give exactly what Django's iteration gives."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from monitoring import report
from projects.models import Milestone, ProgressUpdate, ProjectOrganisation
from tests.factories import MilestoneFactory, ProgressUpdateFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    projects = build_plan(4)
    MilestoneFactory(project=projects[0], title="Kick-off", planned_start=datetime.date(2025, 1, 1))
    ProgressUpdateFactory(project=projects[1])
    return projects


def test_plain_rows_equal_djangos_rows(plan):
    zone = timezone.get_current_timezone()
    querysets = [
        ProjectOrganisation.objects.order_by("pk").values_list(
            "position", "organisation_id", "pk", "project_id", "role"
        ),
        Milestone.objects.order_by("pk").values_list("project_id", "title", "planned_start", "planned_end", "status"),
        ProgressUpdate.objects.annotate(day=report._LocalDate("created_at", tzinfo=zone))
        .order_by("pk")
        .values_list("pk", "period_start", "day"),
        # An annotation asked before a field.
        ProgressUpdate.objects.annotate(day=report._LocalDate("created_at", tzinfo=zone))
        .order_by("pk")
        .values_list("day", "pk"),
        ProgressUpdate.objects.annotate(next_id=F("pk") + 1).order_by("pk").values_list("pk", "next_id"),
        ProgressUpdate.objects.none().values_list("pk"),
        # Not tuples of the columns asked: Django's own iteration.
        ProjectOrganisation.objects.order_by("pk").values_list("pk", flat=True),
        ProjectOrganisation.objects.order_by("pk").values_list("pk", "role", named=True),
        ProjectOrganisation.objects.order_by("pk").values("pk", "role"),
        ProjectOrganisation.objects.distinct().order_by("position", "pk").values_list("role"),
        ProjectOrganisation.objects.order_by("pk"),
    ]
    for queryset in querysets:
        assert report._rows(queryset) == list(queryset), str(queryset.query) if queryset.exists() else "empty"
    assert report._rows(querysets[0]), "the plan has roles: the comparison above compared something"
