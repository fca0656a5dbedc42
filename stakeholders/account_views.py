from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rest_framework.authtoken.models import Token

from asem_portal import ratelimit
from asem_portal.mail import SITE_NAME, site_link
from projects import permissions

from .models import MembershipRole, Organisation
from .services import invite_contact


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "registration/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.request.user.memberships.select_related("organisation")
        context["is_secretariat"] = permissions.is_secretariat(self.request.user)
        context["api_token"] = Token.objects.filter(user=self.request.user).first()
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
        if request.user.is_authenticated and not permissions.is_secretariat(request.user):
            raise PermissionDenied(_("Only the Secretariat invites contacts."))
        return super().dispatch(request, *args, **kwargs)

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
