"""A backup restores into an empty database with everything it held."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from monitoring import update_services as services
from tests.factories import build_plan

pytestmark = pytest.mark.django_db(transaction=True)


def to_milliseconds(row: dict) -> dict:
    # JSON keeps times to the millisecond (Django's encoder), which is what a backup promises.
    return {
        key: value.replace(microsecond=value.microsecond // 1000 * 1000)
        if isinstance(value, datetime.datetime)
        else value
        for key, value in row.items()
    }


def snapshot() -> dict[str, list]:
    """Every row of every backed-up model, as plain values, in primary-key order."""
    data = {}
    for app in ("actions", "stakeholders", "projects", "monitoring"):
        if not apps.is_installed(app):
            continue
        for model in apps.get_app_config(app).get_models():
            if model._meta.label == "core.ContentVersion":  # the page cache's counter, not data
                continue
            data[model._meta.label] = [to_milliseconds(row) for row in model.objects.order_by("pk").values()]
    data["auth.User"] = [to_milliseconds(row) for row in get_user_model().objects.order_by("pk").values()]
    return data


def test_export_then_restore_into_an_empty_database(tmp_path, secretariat_user):
    call_command("load_action_plan", verbosity=0)
    projects = build_plan(4)
    update = projects[1].updates.get()
    services.approve_update(update=update, reviewer=secretariat_user)
    before = snapshot()
    assert before["monitoring.ProgressUpdate"] and before["projects.HistoricalProject"]

    backup = tmp_path / "backup.json"
    call_command("export_data", "--output", str(backup), verbosity=0)
    assert backup.stat().st_size > 10_000

    # An empty database: every table emptied (as after a fresh migrate).
    call_command("flush", "--no-input", verbosity=0)
    assert not apps.get_model("projects", "Project").objects.exists()

    call_command("import_data", str(backup), verbosity=0)
    after = snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label

    # Restoring twice is refused rather than duplicating.
    with pytest.raises(Exception, match="already holds plan data"):
        call_command("import_data", str(backup), verbosity=0)
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search documents are PostgreSQL only")
def test_a_restored_backup_is_searchable_whatever_it_holds_of_the_search_documents(tmp_path, secretariat_user):
    """The database's triggers write each initiative's search document as the rows arrive: a backup without
    them (or with stale ones) restores searchable initiatives, filtered as before."""
    import json

    from monitoring.filters import ProjectFilterSet

    Project = apps.get_model("projects", "Project")

    def found(**data) -> list[str]:
        filterset = ProjectFilterSet(data, queryset=Project.objects.all())
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs.values_list("slug", flat=True))

    call_command("load_action_plan", verbosity=0)
    build_plan(3)
    queries = ({"q": "fellowship"}, {"q": "higher education"}, {"objective": "2", "region": "asia"}, {"action": "4"})
    before = [found(**query) for query in queries]
    assert all(before)
    backup = tmp_path / "backup.json"
    call_command("export_data", "--output", str(backup), verbosity=0)
    rows = json.loads(backup.read_text())
    for row in rows:
        if "search_vector" in row["fields"]:
            row["fields"]["search_vector"] = "'stale':1"
    backup.write_text(json.dumps(rows))
    call_command("flush", "--no-input", verbosity=0)

    call_command("import_data", str(backup), verbosity=0)
    assert [found(**query) for query in queries] == before
