"""Contacts in bulk: one contact a row of a CSV or XLSX file (name, e-mail, organisation, role), imported in the
admin through django-import-export (its dry run and confirmation).

Each new contact is invited by ``services.invite_contact`` (an account if the address has none, the membership,
the e-mail), the same as the invitation page. A contact already in the organisation is skipped, so importing the
same file again changes nothing. A row that cannot be read makes the whole file fail: the admin imports with
``rollback_on_validation_errors`` and reports each bad row by its line in the file (the column names are line 1).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import fields, resources

from .models import Membership, MembershipRole, Organisation
from .services import invite_contact

#: The columns, and the other spellings of their names a spreadsheet may use.
COLUMNS = {
    "name": ("name", "full name"),
    "email": ("email", "e-mail", "e-mail address", "email address"),
    "organisation": ("organisation", "organization"),
    "role": ("role",),
}
REQUIRED_COLUMNS = ("email", "organisation")


def line_of(row_number: int) -> int:
    """The line in the file of django-import-export's row ``row_number`` (1 for the first row after the names)."""
    return row_number + 1


def find_organisation(value: str) -> Organisation | None:
    """The organisation ``value`` names by its slug, acronym or name (any case), if exactly one."""
    value = (value or "").strip()
    if not value:
        return None
    matches = list(
        Organisation.objects.filter(Q(slug__iexact=value) | Q(acronym__iexact=value) | Q(name__iexact=value))[:2]
    )
    return matches[0] if len(matches) == 1 else None


def role_of(value: str) -> str | None:
    """The membership role ``value`` names (its value or its label, any case); a blank one is a contributor."""
    value = (value or "").strip().lower()
    if not value:
        return MembershipRole.CONTRIBUTOR
    for role, label in MembershipRole.choices:
        if value in (role, str(label).lower()):
            return role
    return None


def split_name(name: str) -> tuple[str, str]:
    """First and last name, so that the user's full name reads as written: the last word is the last name."""
    words = (name or "").split()
    if len(words) < 2:
        return " ".join(words), ""
    return " ".join(words[:-1]), words[-1]


class ContactResource(resources.ModelResource):
    """A row of the contacts file, imported as a membership through ``invite_contact``."""

    # What the dry run's preview shows of each row: ``contact``, the row as read (set on the membership).
    name = fields.Field(attribute="contact__name", column_name="name")
    email = fields.Field(attribute="contact__email", column_name="email")
    organisation = fields.Field(attribute="contact__organisation", column_name="organisation")
    role = fields.Field(attribute="contact__role", column_name="role")

    class Meta:
        model = Membership
        fields = ("name", "email", "organisation", "role")
        import_id_fields = ("email", "organisation")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        """Column names in any case and spelling of ``COLUMNS``; a file without the required ones is refused."""
        spellings = {spelling: name for name, names in COLUMNS.items() for spelling in names}
        headers = [spellings.get(str(header or "").strip().lower(), str(header or "")) for header in dataset.headers]
        missing = [name for name in REQUIRED_COLUMNS if name not in headers]
        if missing:
            raise ValidationError(
                _("Line 1 names the columns: name, e-mail, organisation, role. Missing: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        dataset.headers = headers

    def get_instance(self, instance_loader, row):
        """The membership of the row's e-mail address in its organisation, if it exists already."""
        email, organisation = (row.get("email") or "").strip(), find_organisation(row.get("organisation"))
        if not email or organisation is None:
            return None
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(user__email__iexact=email, organisation=organisation)
            .first()
        )
        if membership is not None:
            membership.contact = {
                "name": membership.user.get_full_name(),
                "email": membership.user.email,
                "organisation": organisation.short_name,
                "role": membership.get_role_display(),
            }
        return membership

    def import_instance(self, instance, row, **kwargs):
        """Read the row into ``instance`` (a new membership, or the existing one), or say what is wrong with it."""
        values = {name: str(row.get(name) or "").strip() for name in COLUMNS}
        instance.contact_is_blank = not any(values.values())
        if instance.contact_is_blank:
            return
        line = line_of(kwargs["row_number"])
        errors = {}
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = _("Line %(line)s: “%(value)s” is not an e-mail address.") % {
                "line": line,
                "value": values["email"],
            }
        organisation = find_organisation(values["organisation"])
        if organisation is None:
            errors["organisation"] = _(
                "Line %(line)s: no single organisation is called “%(value)s” (give its acronym, slug or name)."
            ) % {"line": line, "value": values["organisation"]}
        role = role_of(values["role"])
        if role is None:
            errors["role"] = _("Line %(line)s: the role is contributor or coordinator, not “%(value)s”.") % {
                "line": line,
                "value": values["role"],
            }
        if errors:
            raise ValidationError(errors)
        if instance.pk is None:
            instance.organisation, instance.role = organisation, role
            instance.contact = {
                "name": values["name"],
                "email": values["email"],
                "organisation": organisation.short_name,
                "role": instance.get_role_display(),
            }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A blank line, and a contact already in the organisation (left as it is: change a role in the admin).
        if import_validation_errors:
            return False
        return instance.contact_is_blank or instance.pk is not None

    def save_instance(self, instance, is_create, row, **kwargs):
        """Invite the new contact: the same service as the invitation page (in a dry run, rolled back after)."""
        first_name, last_name = split_name(instance.contact["name"])
        membership = invite_contact(
            email=instance.contact["email"],
            organisation=instance.organisation,
            role=instance.role,
            invited_by=kwargs["user"],
            first_name=first_name,
            last_name=last_name,
        )
        instance.pk, instance.user = membership.pk, membership.user
