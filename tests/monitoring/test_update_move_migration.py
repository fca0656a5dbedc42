"""Progress updates moved from the projects app to monitoring (monitoring 0003, projects 0009): a database built by
the migrations before the move, holding updates with every part, their history and the admin's log of them,
migrates forward with every row kept and still pointing at the same things."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

#: The migrations just before the move (and before anything since that changed these tables).
BEFORE = [
    ("actions", "0003_action_number_limit"),
    ("stakeholders", "0001_initial"),
    ("projects", "0008_update_excerpt"),
    ("monitoring", "0002_stocktaking_report_files"),
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("contenttypes", "0002_remove_content_type_name"),
]
MOVED = (
    "progressupdate",
    "historicalprogressupdate",
    "milestonereport",
    "indicatorvalue",
    "evidence",
    "updatetransition",
)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def fill_before_the_move(apps) -> dict:
    """One update with a milestone report, an indicator value, two pieces of evidence, a transition, two history
    rows, and an admin log entry: made as the projects app made them."""
    User = apps.get_model("auth", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Organisation = apps.get_model("stakeholders", "Organisation")
    Project = apps.get_model("projects", "Project")
    Milestone = apps.get_model("projects", "Milestone")
    Indicator = apps.get_model("projects", "Indicator")
    ProgressUpdate = apps.get_model("projects", "ProgressUpdate")
    HistoricalProgressUpdate = apps.get_model("projects", "HistoricalProgressUpdate")

    author = User.objects.create(username="author-before-the-move")
    organisation = Organisation.objects.create(
        name="Before the move", slug="before-the-move", kind="stakeholder", region="europe"
    )
    project = Project.objects.create(title="Moved", slug="moved")
    milestone = Milestone.objects.create(project=project, title="First fair", status="planned")
    indicator = Indicator.objects.create(project=project, name="Pairs", unit="pairs")
    update = ProgressUpdate.objects.create(
        project=project,
        organisation=organisation,
        author=author,
        status="approved",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2022, 12, 31),
        achievements="Forty pairs.",
        excerpt="Forty pairs.",
        version=3,
    )
    update.milestone_reports.create(milestone=milestone, outcome="achieved", achieved_on=datetime.date(2022, 5, 1))
    update.indicator_values.create(indicator=indicator, value=40, as_of=datetime.date(2022, 12, 31), applied=True)
    update.evidence.create(title="Site", url="https://example.org/report")
    update.evidence.create(title="Scan", file="evidence/1/1/scan.pdf", content_type="application/pdf", size=10)
    update.transitions.create(from_status="submitted", to_status="approved", actor=author, reason="")
    for version, status in ((1, "draft"), (3, "approved")):
        HistoricalProgressUpdate.objects.create(
            id=update.pk,
            project=project,
            organisation=organisation,
            author=author,
            status=status,
            period_start=update.period_start,
            period_end=update.period_end,
            version=version,
            created_at=update.created_at,
            updated_at=update.updated_at,
            history_date=update.updated_at,
            history_type="~",
            history_user=author,
        )
    content_type, _created = ContentType.objects.get_or_create(app_label="projects", model="progressupdate")
    LogEntry.objects.create(
        user=author,
        content_type=content_type,
        object_id=str(update.pk),
        object_repr="Moved",
        action_flag=2,
        change_message="Approved and published",
    )
    return {"update": update.pk, "content_type": content_type.pk, "author": author.pk}


@pytest.mark.django_db(transaction=True)
def test_updates_and_their_history_survive_the_move_to_monitoring():
    before = migrate(BEFORE)
    made = fill_before_the_move(before)
    tables = {model: connection.introspection.identifier_converter(f"projects_{model}") for model in MOVED}
    with connection.cursor() as cursor:
        counts_before = {}
        for model, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed names
            counts_before[model] = cursor.fetchone()[0]
    assert all(counts_before.values()), counts_before

    after = migrate(latest())

    ProgressUpdate = after.get_model("monitoring", "ProgressUpdate")
    update = ProgressUpdate.objects.get(pk=made["update"])
    assert (update.status, update.version, update.achievements) == ("approved", 3, "Forty pairs.")
    assert update.project.slug == "moved" and update.author_id == made["author"]
    assert update.milestone_reports.get().milestone.title == "First fair"
    assert update.indicator_values.get().value == 40
    assert sorted(update.evidence.values_list("title", flat=True)) == ["Scan", "Site"]
    assert update.evidence.get(title="Scan").file == "evidence/1/1/scan.pdf"
    assert update.transitions.get().to_status == "approved"
    history = after.get_model("monitoring", "HistoricalProgressUpdate")
    assert sorted(history.objects.filter(id=update.pk).values_list("version", flat=True)) == [1, 3]
    counts_after = {model: after.get_model("monitoring", model).objects.count() for model in MOVED}
    assert counts_after == counts_before

    # The content type was renamed, not replaced: the admin's log and the permissions still point at updates.
    ContentType = after.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.get(pk=made["content_type"])
    assert (content_type.app_label, content_type.model) == ("monitoring", "progressupdate")
    assert not ContentType.objects.filter(app_label="projects", model__in=MOVED).exists()
    entry = after.get_model("admin", "LogEntry").objects.get(object_id=str(update.pk))
    assert entry.content_type_id == content_type.pk
