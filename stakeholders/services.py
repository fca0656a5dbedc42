"""Writes with rules for stakeholders: groups and memberships, accounts' credentials, two-factor devices."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from core.mail import queue_mail, site_link

from .models import Membership, MembershipRole, Organisation
from .roles import SECRETARIAT_GROUP

# The Secretariat curates everything of the plan, but not users or groups.
SECRETARIAT_APPS = ("actions", "stakeholders", "projects", "monitoring")
# The e-mail outbox (django-mailer): the Secretariat sees the queue and each attempt, and sends messages again
# (the admin's "send" action); never changes one (its data is a serialised e-mail).
SECRETARIAT_MAILER_PERMISSIONS = ("view_message", "view_messagelog")


@transaction.atomic
def ensure_secretariat_group() -> bool:
    """Create or refresh the Secretariat group's permissions; True when anything changed."""
    group, created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    wanted = set(
        Permission.objects.filter(
            Q(content_type__app_label__in=SECRETARIAT_APPS)
            # Seeing users lets the Secretariat pick them in memberships (autocomplete).
            | Q(content_type__app_label="auth", codename="view_user")
            | Q(content_type__app_label="mailer", codename__in=SECRETARIAT_MAILER_PERMISSIONS)
        ).values_list("pk", flat=True)
    )
    current = set(group.permissions.values_list("pk", flat=True))
    if wanted != current:
        group.permissions.set(wanted)
        return True
    return created


@dataclass(frozen=True, kw_only=True)
class DemoAccount:
    username: str
    description: str
    organisation: str | None = None
    role: str = ""
    superuser: bool = False
    secretariat: bool = False

    @property
    def password(self) -> str:
        return f"{self.username}-demo-2030"


DEMO_ACCOUNTS = [
    DemoAccount(username="admin", description="Superuser (the admin)", superuser=True),
    DemoAccount(username="secretariat", description="Secretariat reviewer (staff)", secretariat=True),
    DemoAccount(
        username="coordinator",
        description="Coordinator, ASEM-DUO Secretariat",
        organisation="asem-duo-secretariat",
        role="coordinator",
    ),
    DemoAccount(
        username="contributor",
        description="Contributor, ASEM-DUO Secretariat",
        organisation="asem-duo-secretariat",
        role="contributor",
    ),
    DemoAccount(
        username="outsider",
        description="Contributor, Asia-Europe Foundation (ASEF)",
        organisation="asef",
        role="contributor",
    ),
]


@transaction.atomic
def ensure_demo_accounts() -> None:
    """Create the local demo accounts; existing ones keep their passwords."""
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


def invitation_link(user) -> str:
    """A one-time link to set a password (it stops working once the password is set)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return site_link(reverse("accounts:invitation-accept", args=[uidb64, default_token_generator.make_token(user)]))


@transaction.atomic
def invite_contact(*, email: str, organisation, role: str, invited_by, first_name: str = "", last_name: str = ""):
    """Make ``email`` a member of ``organisation`` and e-mail them a link to set their password.

    An existing account (same e-mail) just gets the membership and a notice.
    """
    User = get_user_model()
    email = User.objects.normalize_email(email).strip()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        base = email.split("@")[0][:140] or "member"
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    membership, created_membership = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    # Inviting again may promote a contributor to coordinator, never demote silently.
    if not created_membership and role == MembershipRole.COORDINATOR and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    names = {"inviter": invited_by.get_full_name() or invited_by.username, "organisation": organisation}
    if created:
        subject = _("You are invited to the ASEM Education Action Plan portal")
        body = _(
            "%(inviter)s invited you to report on the initiatives of %(organisation)s.\n\n"
            "Set your password with this link (it works once):\n%(link)s\n\nYour user name is %(username)s."
        ) % {**names, "link": invitation_link(user), "username": user.username}
    else:
        subject = _("You can now report for %(organisation)s") % names
        body = _("%(inviter)s added you to %(organisation)s on the ASEM Education Action Plan portal.") % names
    # Into the outbox with the membership, in one transaction: a mail server's trouble only defers the delivery.
    queue_mail(subject, body, [email])
    return membership


# --- Credentials ----------------------------------------------------------------------------------------------------


def end_sessions(user, *, keep_session_key: str | None = None) -> int:
    """Delete ``user``'s sessions but ``keep_session_key``; how many ended.

    Django keeps no index of sessions by user, so the unexpired ones are read and decoded: a few hundred rows for
    this portal's accounts, and only on rare events (a lockout, a deactivation). A password change needs none of
    this: Django ends the other sessions itself (their hash no longer matches).
    """
    user_id = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.pk != keep_session_key and session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def sign_out_everywhere(user, *, keep_session_key: str | None = None) -> None:
    """End every way ``user`` is signed in: their API tokens, and their sessions but ``keep_session_key``."""
    Token.objects.filter(user=user).delete()
    end_sessions(user, keep_session_key=keep_session_key)


# --- Two-factor sign-in ------------------------------------------------------------------------------------------


@transaction.atomic
def start_two_factor_setup(*, user) -> TOTPDevice:
    """A new authenticator secret for ``user``, unconfirmed until a code from it arrives (a set-up begun before
    and never finished is replaced). The account signs in as before until then."""
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_two_factor(*, device: TOTPDevice, code: str) -> bool:
    """Confirm the authenticator being set up if ``code`` is its current one; from then on sign-in asks for a code."""
    if device.confirmed or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def remove_two_factor(*, user) -> None:
    """Remove ``user``'s authenticators: sign-in asks for the password only again."""
    TOTPDevice.objects.devices_for_user(user, confirmed=None).delete()
