"""The portal's admin site: signed in through the site's own login, and, with ``ADMIN_REQUIRE_2FA``, only for staff
who gave a code from their authenticator app in this session.

It is ``admin.site`` (``asem_portal.apps.PortalAdminConfig.default_site``), so every app's ``@admin.register``
lands here unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .admin_exports import export_csv, export_xlsx


class PortalAdminSite(admin.AdminSite):
    # Django's side bar of every model takes a quarter of a 1366-pixel screen from the lists and forms; the index
    # and the breadcrumbs lead everywhere it does.
    enable_nav_sidebar = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every list exports what it shows (asem_portal/admin_exports.py).
        self.add_action(export_csv)
        self.add_action(export_xlsx)

    def has_permission(self, request: HttpRequest) -> bool:
        # is_verified() comes from django-otp's OTPMiddleware: this session gave a code from a confirmed device.
        return super().has_permission(request) and (not settings.ADMIN_REQUIRE_2FA or request.user.is_verified())

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """One way in for everybody: the site's login, which asks for the code when the account has an
        authenticator and which django-axes guards. The admin's own password-only form would skip the code."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if user.is_authenticated:
            if not (user.is_active and user.is_staff):
                raise PermissionDenied  # signed in, but not staff: the branded 403, not a second login form
            if settings.ADMIN_REQUIRE_2FA and not user.is_verified():
                two_factor = reverse("accounts:two-factor")
                return HttpResponseRedirect(f"{two_factor}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
            return HttpResponseRedirect(next_url)
        return redirect_to_login(next_url, reverse("accounts:login"))
