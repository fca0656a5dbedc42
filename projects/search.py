"""The initiatives' full-text documents (PostgreSQL): title (A), summary (B), the rows' texts (C).

Stored in ``Project.search_vector`` behind a GIN index, so a search reads an
index instead of building every initiative's document on every request. Kept
up to date, like the bit sets, whenever an initiative or one of its rows is saved
or deleted (``projects.facets``' signals); bulk writers call ``refresh_search_vectors``.
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
