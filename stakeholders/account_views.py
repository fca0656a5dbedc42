from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rest_framework.authtoken.models import Token

from .models import MembershipRole, Organisation
from .roles import is_secretariat
from .services import invite_contact


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "registration/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.request.user.memberships.select_related("organisation")
        context["is_secretariat"] = is_secretariat(self.request.user)
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
        if request.user.is_authenticated and not is_secretariat(request.user):
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
