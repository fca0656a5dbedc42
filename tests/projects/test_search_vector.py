"""The stored full-text documents follow every edit of an initiative or its rows (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from monitoring.filters import ProjectFilterSet
from projects.models import Project
from tests.factories import ActionContributionFactory, ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="stored search documents are PostgreSQL only"),
]


def found(words: str) -> list[str]:
    filterset = ProjectFilterSet({"q": words}, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    return [p.slug for p in filterset.qs]


def test_documents_follow_edits_of_initiatives_and_rows():
    project = ProjectFactory(slug="p", title="Glacier observatory", summary="")
    row = ActionContributionFactory(project=project, activities="Workshops on permafrost.", expected_outcomes="")
    assert found("permafrost") == ["p"]
    row.activities = "Workshops on sea ice."
    row.save()
    assert found("permafrost") == [] and found("sea ice") == ["p"]
    project.title = "Tundra observatory"
    project.save()
    assert found("glacier") == [] and found("tundra") == ["p"]
    row.delete()
    assert found("sea ice") == []
    # A title match ranks above a match in the rows.
    other = ProjectFactory(slug="q", title="Sea ice school", summary="")
    ActionContributionFactory(project=project, activities="Sea ice.", expected_outcomes="")
    assert found("sea ice") == ["q", "p"]
    assert other.pk
