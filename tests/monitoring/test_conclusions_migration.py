"""The Chair's Conclusions' address on a meeting (``Meeting.conclusions_url``, until monitoring 0005) becomes a
document of the repository, linked to its meeting; migrating back restores the address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("monitoring", "0004_meetings_documents_news")]
AFTER = [("monitoring", "0005_chairs_conclusions_become_documents")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_chairs_conclusions_address_becomes_a_document_and_comes_back():
    before = migrate(BEFORE)
    Meeting = before.get_model("monitoring", "Meeting")
    with_address = Meeting.objects.create(
        kind="asemme", number=8, year=2021, status="held", conclusions_url="https://example.org/asemme8.pdf"
    )
    Meeting.objects.create(kind="asemme", number=9, year=2023)  # no address: no document

    after = migrate(AFTER)
    Document = after.get_model("monitoring", "Document")
    document = Document.objects.get()
    assert (document.kind, document.meeting_id, document.url, document.language, document.file) == (
        "chairs_conclusions",
        with_address.pk,
        "https://example.org/asemme8.pdf",
        "en",
        "",
    )
    assert (document.title, document.slug) == (
        "Chair's Conclusions of ASEMME8 (2021)",
        "chairs-conclusions-asemme8-2021",
    )

    back = migrate(BEFORE)
    assert back.get_model("monitoring", "Meeting").objects.get(pk=with_address.pk).conclusions_url == document.url
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
