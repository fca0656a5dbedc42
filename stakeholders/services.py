"""Writes with rules for stakeholders: groups and memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

SECRETARIAT_GROUP = "Secretariat"

# The Secretariat curates everything of the plan, but not users or groups.
SECRETARIAT_APPS = ("actions", "stakeholders", "projects", "monitoring")


@transaction.atomic
def ensure_secretariat_group() -> bool:
    """Create or refresh the Secretariat group's permissions; True when anything changed."""
    group, created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    wanted = set(Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS).values_list("pk", flat=True))
    # Seeing users lets the Secretariat pick them in memberships (autocomplete).
    wanted |= set(
        Permission.objects.filter(content_type__app_label="auth", codename="view_user").values_list("pk", flat=True)
    )
    current = set(group.permissions.values_list("pk", flat=True))
    if wanted != current:
        group.permissions.set(wanted)
        return True
    return created


class DemoAccount:
    def __init__(
        self,
        username: str,
        description: str,
        *,
        organisation: str | None = None,
        role: str = "",
        superuser: bool = False,
        secretariat: bool = False,
    ) -> None:
        self.username = username
        self.password = f"{username}-demo-2030"
        self.description = description
        self.organisation = organisation
        self.role = role
        self.superuser = superuser
        self.secretariat = secretariat


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Superuser (the admin)", superuser=True),
    DemoAccount("secretariat", "Secretariat reviewer (staff)", secretariat=True),
    DemoAccount(
        "coordinator", "Coordinator, ASEM-DUO Secretariat", organisation="asem-duo-secretariat", role="coordinator"
    ),
    DemoAccount(
        "contributor", "Contributor, ASEM-DUO Secretariat", organisation="asem-duo-secretariat", role="contributor"
    ),
    DemoAccount("outsider", "Contributor, Asia-Europe Foundation (ASEF)", organisation="asef", role="contributor"),
]


@transaction.atomic
def ensure_demo_accounts() -> None:
    """Create the local demo accounts; existing ones keep their passwords."""
    from django.contrib.auth import get_user_model

    from .models import Membership, Organisation

    User = get_user_model()
    ensure_secretariat_group()
    secretariat = Group.objects.get(name=SECRETARIAT_GROUP)
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "email": f"{account.username}@example.org",
                "is_staff": account.superuser or account.secretariat,
                "is_superuser": account.superuser,
            },
        )
        if created:
            user.set_password(account.password)
            user.save(update_fields=["password"])
        if account.secretariat:
            user.groups.add(secretariat)
        if account.organisation:
            organisation = Organisation.objects.filter(slug=account.organisation).first()
            if organisation is not None:
                Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": account.role})
