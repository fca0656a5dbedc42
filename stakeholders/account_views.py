from __future__ import annotations

import base64
import io
import time
from urllib.parse import urlencode, urlsplit

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rest_framework.authtoken.models import Token

from core import ratelimit
from core.mail import SITE_NAME, site_link
from core.parsing import parse_id

from . import security, services
from .forms import CodeForm
from .models import MembershipRole, Organisation
from .roles import is_secretariat
from .services import invite_contact

#: The session key that remembers, between the password and the code, who gave the right password (and when).
PENDING_SIGN_IN = "pending_sign_in"
#: How long the code may come after the password.
SIGN_IN_CODE_SECONDS = 5 * 60


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "registration/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.request.user.memberships.select_related("organisation")
        context["is_secretariat"] = is_secretariat(self.request.user)
        context["api_token"] = Token.objects.filter(user=self.request.user).first()
        context["may_use_two_factor"] = security.may_use_two_factor(self.request.user)
        if context["may_use_two_factor"]:
            context["two_factor_device"] = security.confirmed_device(self.request.user)
        return context


class APITokenView(LoginRequiredMixin, View):
    """Replace (POST) or revoke (POST with ``revoke``) the user's API token; a new key is shown once, never again."""

    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        if "revoke" in request.POST:
            messages.success(request, _("Your API token is revoked: programs using it are refused from now on."))
            return HttpResponseRedirect(reverse("accounts:profile"))
        token = Token.objects.create(user=request.user)
        view = ProfileView(request=request, kwargs={})
        response = view.render_to_response(view.get_context_data(new_api_token=token.key))
        # The page carries a secret: never cached, never sent on to another site.
        response["Cache-Control"] = "no-store"
        return response


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.CONTRIBUTOR)


class InviteView(LoginRequiredMixin, FormView):
    """The Secretariat invites a contact into an organisation."""

    template_name = "registration/invite.html"
    form_class = InviteForm
    success_url = reverse_lazy("accounts:invite")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat invites contacts."))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # "Invite a contact" beside an organisation without members (the completeness page) names it.
        return {**super().get_initial(), "organisation": parse_id(self.request.GET.get("organisation"))}

    def form_valid(self, form):
        membership = invite_contact(**form.cleaned_data, invited_by=self.request.user)
        messages.success(
            self.request,
            _("%(email)s is now a %(role)s of %(organisation)s; an e-mail with a link to set a password is on its way.")
            % {
                "email": membership.user.email,
                "role": membership.get_role_display().lower(),
                "organisation": membership.organisation,
            },
        )
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with its links built from ``SITE_URL`` and its requests rate-limited.

    The limits count every valid request per client address and per e-mail address before any account is looked
    up, and a refusal reads the same whether or not the address has an account: the page never tells who is
    registered. A refused request sends nothing.
    """

    email_template_name = "registration/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:
        # PasswordResetForm.save() takes domain, protocol and site name from the request (its Host header) and
        # lets extra_email_context override them: every one of them comes from SITE_URL instead.
        parts = urlsplit(settings.SITE_URL)
        return {"site_url": site_link(""), "site_name": SITE_NAME, "protocol": parts.scheme, "domain": parts.netloc}

    def form_valid(self, form):
        # Both counters move on every request (no short-circuit), so neither can be drained through the other.
        allowed = [
            ratelimit.allow("reset-per-client", ratelimit.client_address(self.request)),
            ratelimit.allow("reset-per-email", form.cleaned_data["email"].strip().lower()),
        ]
        if not all(allowed):
            form.add_error(
                None,
                _(
                    "Too many requests for a reset link. Please wait a while before asking again; "
                    "a link that was sent earlier still works."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


# --- Sign-in with a second factor ----------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Step one: user name and password (django-axes counts the failures). An account with a confirmed
    authenticator is not signed in yet: the session remembers who gave the right password, for a few minutes, and
    :class:`SignInCodeView` asks for the code. Nobody is signed in on a password alone once they have set one up.
    """

    def form_valid(self, form):
        user = form.get_user()
        if security.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_SIGN_IN] = {"user": user.pk, "backend": user.backend, "since": int(time.time())}
        url = reverse("accounts:login-code")
        next_url = self.get_redirect_url()  # checked against the allowed hosts already
        return HttpResponseRedirect(f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url)


class SignInCodeView(auth_views.RedirectURLMixin, FormView):
    """Step two: the code from the authenticator app. django-otp checks it (each code once, with a growing pause
    after each wrong one) and records the device in the session, where ``request.user.is_verified()`` reads it."""

    template_name = "registration/login_code.html"
    form_class = CodeForm
    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request, *args, **kwargs):
        self.pending_user = self.user_who_gave_the_password()
        self.device = security.confirmed_device(self.pending_user) if self.pending_user else None
        if self.device is None:
            request.session.pop(PENDING_SIGN_IN, None)
            messages.info(request, _("Please sign in again."))
            return HttpResponseRedirect(reverse("accounts:login"))
        return super().dispatch(request, *args, **kwargs)

    def user_who_gave_the_password(self):
        pending = self.request.session.get(PENDING_SIGN_IN)
        if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > SIGN_IN_CODE_SECONDS:
            return None
        return get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.get_redirect_url())

    def form_valid(self, form):
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes: wait a minute, then enter the code the app shows then."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        device = django_otp.verify_token(self.pending_user, self.device.persistent_id, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", _("That code is not the one the app shows now. Enter the current one."))
            return self.form_invalid(form)
        backend = self.request.session.pop(PENDING_SIGN_IN)["backend"]
        auth_login(self.request, self.pending_user, backend=backend)
        django_otp.login(self.request, device)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TwoFactorView(LoginRequiredMixin, auth_views.RedirectURLMixin, TemplateView):
    """Set up, verify or remove the authenticator app (staff and the Secretariat).

    Set-up shows a new secret (as a QR code, an ``otpauth://`` link and text) until a code from the app confirms
    it; confirming also verifies this session. An account whose session is not verified (the admin asks for that
    with ``ADMIN_REQUIRE_2FA``) enters a code here. Removing takes a current code too: a session left open on a
    shared computer must not be enough to switch the second factor off.
    """

    template_name = "registration/two_factor.html"
    next_page = reverse_lazy("accounts:two-factor")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not security.may_use_two_factor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["device"] = device = security.confirmed_device(user)
        context["verified"] = user.is_verified()
        context["next"] = self.get_redirect_url()
        context.setdefault("form", CodeForm())
        setup = security.device_in_setup(user) if device is None else None
        if setup is not None:
            secret = base64.b32encode(setup.bin_key).decode()
            context["setup"] = {
                "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                "uri": setup.config_url,
                "qr_code": qr_code_data_uri(setup.config_url),
            }
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        user = request.user
        device = security.confirmed_device(user)
        if action == "start" and device is None:
            services.start_two_factor_setup(user=user)
            return HttpResponseRedirect(self.here())
        target = security.device_in_setup(user) if action == "confirm" and device is None else device
        if action not in ("confirm", "verify", "remove") or target is None:
            return HttpResponseRedirect(self.here())  # a page from before a change made elsewhere: show it anew
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        code = form.cleaned_data["code"]
        if action == "confirm":
            done = services.confirm_two_factor(device=target, code=code)
            message = _("Two-factor sign-in is on: from now on, signing in asks for a code from the app.")
        else:
            done = django_otp.verify_token(user, target.persistent_id, code) is not None
            message = _("Code accepted.")
        if not done:
            form.add_error("code", _("That code is not the one the app shows now. Enter the current one."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if action == "remove":
            services.remove_two_factor(user=user)
            message = _("Two-factor sign-in is off: signing in asks for your password only.")
        else:
            django_otp.login(request, target)  # this session has given a code
        messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url())

    def here(self) -> str:
        next_url = self.get_redirect_url()
        url = reverse("accounts:two-factor")
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


def qr_code_data_uri(text: str) -> str:
    """``text`` as a QR code, an SVG drawn on the server, in a ``data:`` URI: an ``<img>`` the CSP allows
    (``img-src data:``), with no script and no inline style."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
