"""The stocktaking report names everyone who wrote each approved update (monitoring.permissions.writers): on its
pages and in its files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring import exporters
from monitoring import update_services as services
from monitoring.report import build_report, from_json, to_json
from tests.factories import MembershipFactory, UserFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(world):
    """Delta's report, written by ASI's author, edited and submitted by a colleague, approved again."""
    colleague = MembershipFactory(
        organisation=world.asi, user=UserFactory(username="kim", first_name="Min-jun", last_name="Kim")
    ).user
    update = world.delta.updates.get()
    update = services.withdraw_approval(update=update, reviewer=world.secretariat, reason="Add the venue.")
    update = services.return_update(update=update, reviewer=world.secretariat, reason="Add the venue.")
    changed = services.UpdateContent(
        period_start=update.period_start,
        period_end=update.period_end,
        achievements=update.achievements + " In Bangkok.",
        initiative_status=update.initiative_status,
    )
    update = services.save_draft(update=update, user=colleague, content=changed, expected_version=update.version)
    update = services.submit_update(update=update, user=colleague)
    return services.approve_update(update=update, reviewer=world.secretariat)


def entry(report, slug):
    [initiative] = [i for i in report.initiatives if i.slug == slug]
    [update] = initiative.updates
    return update


def test_each_update_names_everyone_who_wrote_it(world, edited):
    report = build_report(world.cycle, today=AS_OF)
    assert entry(report, "alpha").written_by == ["author-eur"]
    assert entry(report, "delta").written_by == ["author-asi", "Min-jun Kim"]
    # Frozen with the report, and thawed again.
    assert entry(from_json(to_json(report)), "delta").written_by == ["author-asi", "Min-jun Kim"]


def test_a_report_published_before_writers_were_named_still_reads(world):
    content = to_json(build_report(world.cycle, today=AS_OF))
    for initiative in content["initiatives"]:
        for update in initiative["updates"]:
            del update["written_by"]
    assert entry(from_json(content), "alpha").written_by == []


def test_the_page_and_the_files_name_them(client, world, edited, secretariat_user):
    report = build_report(world.cycle, today=AS_OF)
    [updates_table] = [table for table in exporters.tables(report) if table[0] == "Updates"]
    _title, header, rows = updates_table
    column = header.index("Written by")
    assert sorted(row[column] for row in rows) == ["author-asi, Min-jun Kim", "author-eur"]
    assert ["update", f"delta#{edited.pk}", "written_by", "author-asi; Min-jun Kim"] in exporters.csv_rows(report)
    client.force_login(secretariat_user)
    page = client.get(reverse("reports:report-detail", args=[world.cycle.number])).content.decode()
    assert "written by author-asi, Min-jun Kim" in page
