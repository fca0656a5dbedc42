"""Coordinators (and the Secretariat) edit an initiative's public profile: summary, links, milestones, indicators.

The plan's row texts (activities, expected outcomes) are the Secretariat's and
are edited in the admin only. Two people editing one profile: the second save
is refused with a clear message (the initiative's ``updated_at`` is the
version), and their input stays in the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from . import permissions
from .models import Indicator, Milestone, Project, ProjectLink


class DateInput(forms.DateInput):
    input_type = "date"


class ProfileForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = ["summary", "status", "start_date", "end_date"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "start_date": DateInput,
            "end_date": DateInput,
        }
        help_texts = {"summary": gettext_lazy("A few sentences for the public page. Plain text.")}

    def clean_summary(self):
        summary = self.cleaned_data["summary"]
        if len(summary) > 5000:
            raise forms.ValidationError(_("Keep the summary under 5,000 characters."))
        return summary


LinkFormSet = forms.inlineformset_factory(
    Project, ProjectLink, fields=["url", "label"], extra=1, can_delete=True, max_num=30, validate_max=True
)
MilestoneFormSet = forms.inlineformset_factory(
    Project,
    Milestone,
    fields=["title", "planned_start", "planned_end", "period_label", "status", "achieved_on", "note"],
    widgets={"planned_start": DateInput, "planned_end": DateInput, "achieved_on": DateInput},
    extra=1,
    can_delete=True,
    max_num=100,
    validate_max=True,
)
IndicatorFormSet = forms.inlineformset_factory(
    Project,
    Indicator,
    fields=["name", "unit", "baseline", "baseline_year", "target_comparator", "target", "target_year"],
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class ProjectProfileEditView(LoginRequiredMixin, TemplateResponseMixin, View):
    template_name = "projects/project_profile_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = get_object_or_404(Project, slug=kwargs["slug"])
        if not permissions.can(request.user, permissions.EDIT_PROFILE, self.project):
            # The initiative is public: saying "not yours" reveals nothing.
            raise PermissionDenied(_("Only the coordinators of this initiative's organisations edit its profile."))
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        version = self.project.updated_at.isoformat()
        return (
            ProfileForm(data, instance=self.project, initial={"version": version}),
            LinkFormSet(data, instance=self.project, prefix="links"),
            MilestoneFormSet(data, instance=self.project, prefix="milestones"),
            IndicatorFormSet(data, instance=self.project, prefix="indicators"),
        )

    def render(self, all_forms, *, conflict=None, status=200):
        profile, links, milestones, indicators = all_forms
        return self.render_to_response(
            {
                "project": self.project,
                "form": profile,
                "link_formset": links,
                "milestone_formset": milestones,
                "indicator_formset": indicators,
                "conflict": conflict,
            },
            status=status,
        )

    def get(self, request, slug):
        return self.render(self.forms())

    def post(self, request, slug):
        all_forms = self.forms(request.POST)
        if not all(f.is_valid() for f in all_forms):
            return self.render(all_forms, status=400)
        profile, links, milestones, indicators = all_forms
        with transaction.atomic():
            current = Project.objects.select_for_update().get(pk=self.project.pk)
            if current.updated_at.isoformat() != profile.cleaned_data["version"]:
                return self.render(
                    all_forms,
                    conflict=_(
                        "Someone else saved this initiative since you opened it. Your changes are kept below; "
                        "reload the page to see theirs, then apply yours again."
                    ),
                    status=409,
                )
            profile.save()  # also moves updated_at: the next stale form conflicts
            links.save()
            milestones.save()
            indicators.save()
        messages.success(request, _("The initiative's profile was saved."))
        return HttpResponseRedirect(self.project.get_absolute_url())
