"""The initiatives' full-text documents (PostgreSQL): title (A), summary (B), the rows' activities and expected
outcomes (C), and the words of the initiative's approved progress updates (D, without their positions: added by
``monitoring``'s migration 0012, which widens the one SQL function that makes a document and keeps it when an
update is approved, changed or withdrawn).

Stored in ``Project.search_vector`` behind a GIN index, so a search reads an index instead of building every
initiative's document on every request. The database keeps it: triggers made by the migration
``projects.0012_search_vector_triggers`` recompute an initiative's document when its title or summary is
written and when one of its rows is added, changed, moved or deleted, whoever writes (a form, the admin, a
queryset update, a bulk insert, a restore). No Python code refreshes it. Other databases (SQLite in
development) have no document: the directory's filters search them with ``icontains`` (``monitoring.filters``).
"""

from __future__ import annotations

#: The text search configuration of the documents (the triggers use the same) and of the queries.
SEARCH_CONFIG = "english"
