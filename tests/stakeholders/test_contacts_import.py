"""Contacts in bulk (issue 22, point 6): the Secretariat imports a CSV or XLSX file of contacts in the admin, a dry
run first; each new contact is invited; the same file twice changes nothing; a bad row is named by its line and
nothing of the file is written."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import Workbook

from stakeholders.models import Membership, MembershipRole
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.outbox import queued

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:stakeholders_membership_import")
CONFIRM_URL = reverse("admin:stakeholders_membership_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"  # the admin's import formats, in order
INVITATION = "You are invited to the ASEM Education Action Plan portal"

GOOD = (
    "Name,E-mail,Organisation,Role\n"
    "Kim Min-jun,min-jun.kim@example.org,ASI,coordinator\n"
    "Anna Maria Schmidt,anna.schmidt@example.org,eur,\n"
    "\n"  # a blank line is no contact
)


@pytest.fixture
def organisations(db):
    return {
        "asi": OrganisationFactory(slug="asi", acronym="ASI", name="Asia Org"),
        "eur": OrganisationFactory(slug="eur", acronym="EUR", name="Europe Org"),
    }


def upload(client, content: bytes, name: str, file_format: str = CSV_FORMAT):
    """The import page's first step: the dry run."""
    file = io.BytesIO(content)
    file.name = name
    return client.post(IMPORT_URL, {"import_file": file, "format": file_format})


def confirm(client, dry_run):
    """The second step: confirm what the dry run showed."""
    form = dry_run.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form[name].value() for name in form.fields})


def import_file(client, content: bytes, name: str = "contacts.csv", file_format: str = CSV_FORMAT):
    dry_run = upload(client, content, name, file_format)
    assert dry_run.status_code == 200 and "confirm_form" in dry_run.context, dry_run.content.decode()[-3000:]
    return dry_run, confirm(client, dry_run)


def contacts() -> set[tuple[str, str, str, str]]:
    return set(
        Membership.objects.values_list("user__email", "user__first_name", "user__last_name", "organisation__acronym")
    )


def test_a_good_file_is_dry_run_then_imported_and_each_new_contact_is_invited(secretariat_client, organisations):
    dry_run = upload(secretariat_client, GOOD.encode(), "contacts.csv")
    page = dry_run.content.decode()
    assert "Confirm import" in page and "min-jun.kim@example.org" in page
    # The dry run wrote nothing and sent nothing.
    assert not Membership.objects.exists() and queued() == []
    assert not get_user_model().objects.filter(email="min-jun.kim@example.org").exists()

    done = confirm(secretariat_client, dry_run)
    assert done.status_code == 302
    assert contacts() == {
        ("min-jun.kim@example.org", "Kim", "Min-jun", "ASI"),
        ("anna.schmidt@example.org", "Anna Maria", "Schmidt", "EUR"),
    }
    assert Membership.objects.get(user__email="min-jun.kim@example.org").role == MembershipRole.COORDINATOR
    assert Membership.objects.get(user__email="anna.schmidt@example.org").role == MembershipRole.CONTRIBUTOR
    assert sorted(queued()) == [
        (["anna.schmidt@example.org"], INVITATION),
        (["min-jun.kim@example.org"], INVITATION),
    ]


def test_the_same_file_imported_twice_creates_each_contact_once(secretariat_client, organisations):
    import_file(secretariat_client, GOOD.encode())
    users, mails = get_user_model().objects.count(), len(queued())
    dry_run, _done = import_file(secretariat_client, GOOD.encode())
    assert "Skipped" in dry_run.content.decode()
    assert Membership.objects.count() == 2 and get_user_model().objects.count() == users and len(queued()) == mails


def test_an_existing_account_joins_the_organisation_and_is_told(secretariat_client, organisations):
    UserFactory(username="anna", email="Anna.Schmidt@example.org")
    MembershipFactory(
        user=UserFactory(username="kim", email="min-jun.kim@example.org"), organisation=organisations["asi"]
    )
    import_file(secretariat_client, GOOD.encode())
    assert get_user_model().objects.filter(email__iexact="anna.schmidt@example.org").count() == 1
    assert Membership.objects.filter(user__username="anna", organisation=organisations["eur"]).exists()
    # Kim was already ASI's member: skipped, not told again.
    assert queued() == [(["anna.schmidt@example.org"], "You can now report for Europe Org (EUR)")]


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("Lee,not-an-address,ASI,contributor", "Line 3: “not-an-address” is not an e-mail address."),
        ("Lee,lee@example.org,Nowhere Org,contributor", "Line 3: no single organisation is called “Nowhere Org”"),
        ("Lee,lee@example.org,ASI,chair", "Line 3: the role is contributor or coordinator, not “chair”."),
    ],
)
def test_a_file_with_a_bad_row_imports_nothing_and_names_the_line(secretariat_client, organisations, bad_line, message):
    content = "name,email,organisation,role\nKim Min-jun,min-jun.kim@example.org,ASI,\n" + bad_line + "\n"
    dry_run = upload(secretariat_client, content.encode(), "contacts.csv")
    assert dry_run.status_code == 200
    page = dry_run.content.decode()
    assert message in page and "nothing was imported" in page
    assert "confirm_form" not in dry_run.context and "Confirm import" not in page
    assert (
        not Membership.objects.exists()
        and not get_user_model().objects.filter(email__endswith="example.org").exclude(username="secretariat").exists()
    )
    assert queued() == []


def test_an_xlsx_file_imports_the_same_way_and_a_bad_row_stops_it(secretariat_client, organisations):
    def workbook(rows) -> bytes:
        book = Workbook()
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    header = ["Name", "E-mail", "Organisation", "Role"]
    bad = workbook(
        [header, ["Kim Min-jun", "min-jun.kim@example.org", "ASI", "coordinator"], ["Lee", "lee", "EUR", ""]]
    )
    dry_run = upload(secretariat_client, bad, "contacts.xlsx", XLSX_FORMAT)
    assert "Line 3: “lee” is not an e-mail address." in dry_run.content.decode() and not Membership.objects.exists()

    good = workbook([header, ["Kim Min-jun", "min-jun.kim@example.org", "Asia Org", "Coordinator"]])
    import_file(secretariat_client, good, "contacts.xlsx", XLSX_FORMAT)
    assert contacts() == {("min-jun.kim@example.org", "Kim", "Min-jun", "ASI")}


def test_a_file_without_the_columns_or_not_a_spreadsheet_is_refused_without_an_error_page(
    secretariat_client, organisations
):
    missing = upload(secretariat_client, b"name,organisation\nKim,ASI\n", "contacts.csv")
    assert missing.status_code == 200 and "Missing: email." in missing.content.decode()
    for content, name, file_format in (
        (b"\x00\x01garbage", "contacts.xlsx", XLSX_FORMAT),
        (b"PK\x03\x04 not really a zip", "contacts.xlsx", XLSX_FORMAT),
        ("naïve,ünïcode\n".encode("utf-16"), "contacts.csv", CSV_FORMAT),
    ):
        response = upload(secretariat_client, content, name, file_format)
        assert response.status_code == 200, name
    assert not Membership.objects.exists() and queued() == []


def test_only_those_who_may_add_memberships_import(client, organisations):
    client.force_login(UserFactory(username="helpdesk", is_staff=True))  # staff without the permission
    assert client.get(IMPORT_URL).status_code == 403
    client.force_login(UserFactory(username="contributor"))  # not staff: the admin's login first
    assert client.get(IMPORT_URL).status_code == 302
