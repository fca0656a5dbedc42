"""The initiatives' full-text documents (PostgreSQL): title (A), summary (B), the rows' texts (C).

Stored in ``Project.search_vector`` behind a GIN index, so a search reads an
index instead of building every initiative's document on every request. Kept
up to date from signals whenever an initiative or one of its rows is saved or
deleted (derived data, like an index); bulk writers call ``refresh_search_vectors``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat

SEARCH_CONFIG = "english"


def search_document():
    from .models import ActionContribution

    rows_text = (
        ActionContribution.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(
            text=StringAgg(
                Concat("activities", Value(" "), "expected_outcomes", output_field=TextField()), delimiter=" "
            )
        )
        .values("text")
    )
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(Subquery(rows_text), Value(""), output_field=TextField()), weight="C", config=SEARCH_CONFIG
        )
    )


def refresh_search_vectors(project_ids: Iterable[int] | None = None) -> int:
    """Recompute the documents of these initiatives (all when None); one UPDATE. No-op off PostgreSQL."""
    from .models import Project

    if connection.vendor != "postgresql":
        return 0
    projects = Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=list(project_ids))
    # A queryset update sends no signals and leaves updated_at alone.
    return projects.update(search_vector=search_document())


def _project_saved(sender, instance, raw=False, **kwargs):
    if not raw and not _suspended():
        refresh_search_vectors([instance.pk])


def _row_changed(sender, instance, raw=False, **kwargs):
    if not raw and not _suspended():
        refresh_search_vectors([instance.project_id])


def _suspended() -> bool:
    """Whether a bulk writer has suspended derived-data refreshes (``projects.facets.suspended``)."""
    from .facets import _suspended as flag

    return flag.get()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import ActionContribution, Project

    post_save.connect(_project_saved, sender=Project, dispatch_uid="project-search-vector")
    post_save.connect(_row_changed, sender=ActionContribution, dispatch_uid="row-search-vector-save")
    post_delete.connect(_row_changed, sender=ActionContribution, dispatch_uid="row-search-vector-delete")
