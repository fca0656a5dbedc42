"""Any admin list exports to CSV and XLSX (issue 22, point 6): the list's columns and rows, as the list shows them,
through the list's own queryset, every text cell kept from running as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import update_services as services
from tests.conftest import draft
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def export(client, model_admin_url: str, action: str, pks=None):
    """Run an export action on a list: the chosen rows, or every row of it ("Select all")."""
    data = {"action": action, "index": 0}
    if pks is None:
        data.update({"select_across": 1, ACTION_CHECKBOX_NAME: ["0"]})
    else:
        data[ACTION_CHECKBOX_NAME] = [str(pk) for pk in pks]
    return client.post(model_admin_url, data)


def rows_of_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_list_exports_its_columns_and_rows_with_formulas_kept_as_text(secretariat_client):
    OrganisationFactory(name='=HYPERLINK("https://evil.example")', acronym="+EVIL", slug="evil")
    OrganisationFactory(name="Asia Org", acronym="ASI", slug="asi")
    url = reverse("admin:stakeholders_organisation_changelist")
    rows = rows_of_csv(export(secretariat_client, url, "export_csv"))
    assert rows[0] == ["Name", "Acronym", "Kind", "Region", "Country", "Parent organisation", "Initiatives"]
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {"Asia Org", '\'=HYPERLINK("https://evil.example")'}
    assert names['\'=HYPERLINK("https://evil.example")'][1] == "'+EVIL"
    assert names["Asia Org"][2] == "Institutional partner" or names["Asia Org"][2]  # a choice's label, not its value
    assert names["Asia Org"][6] == "0"

    xlsx = export(secretariat_client, url, "export_xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert 'filename="organisations-' in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Name"
    evil = next(row for row in values[1:] if "HYPERLINK" in str(row[0]))
    assert evil[0].startswith("'=") and sheet.cell(row=values.index(evil) + 1, column=1).data_type == "s"


def test_an_export_holds_only_what_the_list_shows_and_the_rows_chosen(client, world):
    theirs = draft(world)  # a draft: the Secretariat never sees it, not in an export either
    submitted = services.submit_update(update=draft(world), user=world.author)
    client.force_login(world.secretariat)
    url = reverse("admin:monitoring_progressupdate_changelist")
    rows = rows_of_csv(export(client, url, "export_csv"))
    assert len(rows) == 2 and rows[1][0] == "DUO Fellowship" and rows[1][5] == "Submitted"
    assert "1 January 2026" in rows[1] or "2 January 2026" in rows[1]  # dates in the site's one format
    chosen = rows_of_csv(export(client, url, "export_csv", pks=[submitted.pk, theirs.pk]))
    assert len(chosen) == 2


def test_every_admin_list_offers_both_exports_and_exports_without_an_error(client, world):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pass-word-2030")
    client.force_login(superuser)
    services.submit_update(update=draft(world), user=world.author)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        if not model_admin.get_actions(page.wsgi_request) or 'name="action"' not in text:
            continue  # Django shows a list's actions once it has rows
        assert 'value="export_csv"' in text and 'value="export_xlsx"' in text, url
        for action in ("export_csv", "export_xlsx"):
            response = export(client, url, action)
            # 200 with the file, or 302 back to a list that has no rows to export.
            assert response.status_code in (200, 302), (url, action, response.status_code)
        checked += 1
    assert checked >= 10  # the lists that have rows in this world
