"""The stored full-text documents follow every write of an initiative or its rows, whoever writes (PostgreSQL's
triggers: projects.search)."""

from __future__ import annotations

import pytest
from django.db import connection

from monitoring.filters import ProjectFilterSet
from projects.models import ActionContribution, Project
from tests.factories import ActionContributionFactory, ActionFactory, ProjectFactory

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


def test_a_stale_instance_saved_keeps_the_document_of_its_rows():
    project = ProjectFactory(slug="p", title="Observatory", summary="")  # in memory: no document of rows
    ActionContributionFactory(project=project, activities="Permafrost.", expected_outcomes="")
    project.summary = "Renamed"
    project.save()  # writes the search_vector it read before the row existed: the trigger makes it again
    assert found("permafrost") == ["p"] and found("renamed") == ["p"]


def test_bulk_writes_that_send_no_signals_keep_the_documents():
    first, second = ProjectFactory(slug="first", summary=""), ProjectFactory(slug="second", summary="")
    Project.objects.filter(pk=first.pk).update(summary="Tundra")
    ActionContribution.objects.bulk_create(
        [ActionContribution(project=second, action=ActionFactory(), activities="Moraine.", expected_outcomes="")]
    )
    assert (found("tundra"), found("moraine")) == (["first"], ["second"])
    ActionContribution.objects.filter(project=second).update(project=first)  # a row moved to another initiative
    assert found("moraine") == ["first"]
    ActionContribution.objects.filter(project=first).update(expected_outcomes="Lichens.")
    assert (found("moraine"), found("lichens")) == (["first"], ["first"])
    ActionContribution.objects.all().delete()
    assert found("moraine") == [] and found("tundra") == ["first"]
    Project.objects.bulk_create([Project(slug="third", title="Fjord school")])
    assert found("fjord") == ["third"]
