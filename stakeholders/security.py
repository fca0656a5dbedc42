"""Account security: the sign-in lockout rules, what ends a user's API tokens and sessions, two-factor devices.

- **Lockout** (django-axes, ``AXES_HANDLER``): 5 failed sign-ins for one username from one client address lock
  that pair out (axes' own rule), and ``SIGN_IN_FAILURES_PER_ADDRESS`` failures from one address, whatever the
  usernames, lock the address out, both for ``AXES_COOLOFF_TIME``. An account that gets locked out loses its API
  tokens and sessions (``stakeholders.services.sign_out_everywhere``), once per cool-off.
- **A new password** ends the account's API tokens, whatever path set it (:class:`RevokeTokensOnPasswordChange`);
  its other sessions end by Django's own rule, as the session hash is derived from the password hash.
- **Deactivation** in the admin ends tokens and sessions (``stakeholders.admin.PortalUserAdmin``); Django and DRF
  refuse inactive accounts' sessions and tokens in any case.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Sum
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from .roles import is_secretariat
from .services import sign_out_everywhere


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a second, wider rule per client address across usernames.

    Axes compares one failure count with one limit, and with several lockout parameters it takes the largest
    count: a higher limit for the address alone cannot be said in its settings. So the address rule is added here,
    where axes documents that a handler may be specialised, counting the same recorded attempts (listed in the
    admin, cleared by ``axes_reset_ip``).
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_failures(request) >= (
            settings.SIGN_IN_FAILURES_PER_ADDRESS
        )

    def address_failures(self, request) -> int:
        """Failed sign-ins from the request's client address within the cool-off, for any username."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None:
            return
        username = get_client_username(request, credentials)
        # As axes does for its own rule: the failure that reaches the limit already gets the lockout page.
        if not request.axes_locked_out and self.address_failures(request) >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)
        # The account's own rule (username and address), not the address rule: a locked-out address must not
        # sign out everyone whose name is typed from it.
        if super().is_locked(request, credentials):
            lock_out_account(username)


def lock_out_account(username: str | None) -> None:
    """End the API tokens and sessions of the account ``username`` names, once per cool-off.

    Once: every further attempt during the lockout reports it again, and the owner may meanwhile have signed in
    from elsewhere (the lock is per address) and made a new token, which the attacker must not keep ending.
    """
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is None:
        return
    if cache.add(f"lockout-signed-out:{user.pk}", True, timeout=int(get_cool_off().total_seconds())):
        sign_out_everywhere(user)


class RevokeTokensOnPasswordChange:
    """In ``AUTH_PASSWORD_VALIDATORS`` for its ``password_changed`` hook, not to judge passwords.

    Django calls each validator's ``password_changed`` when ``User.save()`` stores a new password, whichever
    path set it (the change and reset forms, an invitation, the admin, ``manage.py changepassword``): the one
    place all of them share. The account's other sessions end by Django's own rule (the session hash is derived
    from the password hash); the form that changed it keeps its own session (``update_session_auth_hash``).
    """

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return _("A new password signs you out everywhere else and revokes your API token.")


# --- Two-factor sign-in (django-otp, time-based one-time passwords) ------------------------------------------------


def may_use_two_factor(user) -> bool:
    """Staff and the Secretariat set up an authenticator app (the accounts that can change the plan)."""
    return user.is_authenticated and (user.is_staff or is_secretariat(user))


def confirmed_device(user) -> TOTPDevice | None:
    """The authenticator the account signs in with, if it has set one up and confirmed it with a code."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def device_in_setup(user) -> TOTPDevice | None:
    """The authenticator being set up: its secret is shown until a code from it confirms it."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
