"""Coordinators (and the Secretariat) edit an initiative's public profile: summary, links, milestones, indicators.

The plan's row texts (activities, expected outcomes) are edited in the admin only; a milestone's status and
achieved date are set by approved progress updates, so the form shows them but does not edit them. Each part of
the form saves only the fields it edits, and ``profile_services.save_profile`` saves them all, or none if the
initiative's version moved since the form was opened: then the user's input is shown again, with the current
version, so that saving again after a review goes through.

A milestone or indicator that progress updates report on cannot be deleted here (the database protects it
too): those reports are other organisations' records. A milestone that will not happen is reported as
cancelled in an update instead.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from core.exceptions import ConflictError
from core.parsing import parse_id
from projects.models import Indicator, Milestone, Project, ProjectLink

from . import permissions
from .models import IndicatorValue, MilestoneReport
from .profile_services import INDICATOR_FIELDS, LINK_FIELDS, MILESTONE_FIELDS, PROFILE_FIELDS, save_profile
from .update_forms import DateInput


class ProfileForm(forms.ModelForm):
    # The initiative's version the form was opened at (read by save_profile, from the request).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = PROFILE_FIELDS
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

    def save(self, commit: bool = True) -> Project:
        # Only what the form edits: a change made meanwhile to anything else of the initiative stays.
        self.instance.save(update_fields=[*self._meta.fields, "updated_at"])
        return self.instance


class EditedFieldsFormSet(forms.BaseInlineFormSet):
    """Saves of each existing row only the fields the form edits (an approval may have changed the others)."""

    legend = ""  # the page's heading of the formset's fieldset
    intro = ""
    new_row_name = ""  # how the page and the error summary name a row not saved yet
    delete_label = gettext_lazy("Delete it")

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a saved row's own box, said in words that stand alone
            form.fields["DELETE"].label = self.delete_label

    def save_existing(self, form, obj, commit=True):
        obj = form.save(commit=False)
        obj.save(update_fields=[name for name in form._meta.fields if name != self.fk.name])
        return obj


class ReportedOnFormSet(EditedFieldsFormSet):
    """Refuses to delete a row that progress updates report on (``report_model`` points at it by ``report_field``)."""

    report_model: type[models.Model]
    report_field: str
    refusal: str

    def clean(self):
        super().clean()
        doomed = [form.instance.pk for form in self.deleted_forms if form.instance.pk]
        reported = self.report_model.objects.filter(**{f"{self.report_field}__in": doomed}).values(self.report_field)
        # Named as stored: the posted form may have renamed the row it deletes.
        names = sorted(str(row) for row in self.model.objects.filter(pk__in=reported)) if doomed else []
        if names:
            raise forms.ValidationError(
                [forms.ValidationError(self.refusal, params={"name": name}, code="reported_on") for name in names]
            )


class MilestoneBaseFormSet(ReportedOnFormSet):
    legend = gettext_lazy("Milestones")
    intro = gettext_lazy(
        "A milestone's status and the date it was achieved come from approved progress updates; report them there."
    )
    new_row_name = gettext_lazy("New milestone")
    delete_label = gettext_lazy("Delete this milestone")
    report_model = MilestoneReport
    report_field = "milestone"
    refusal = gettext_lazy(
        "The milestone “%(name)s” cannot be deleted: progress updates report on it. "
        "If it will not happen, report it as cancelled in a progress update instead."
    )


class IndicatorBaseFormSet(ReportedOnFormSet):
    legend = gettext_lazy("Indicators")
    new_row_name = gettext_lazy("New indicator")
    delete_label = gettext_lazy("Delete this indicator")
    report_model = IndicatorValue
    report_field = "indicator"
    refusal = gettext_lazy(
        "The indicator “%(name)s” cannot be deleted: progress updates report values for it. "
        "Keep it; a progress update can say that it is no longer followed."
    )


class LinkBaseFormSet(EditedFieldsFormSet):
    legend = gettext_lazy("Links")
    new_row_name = gettext_lazy("New link")
    delete_label = gettext_lazy("Delete this link")

    def clean(self):
        super().clean()
        # An address is allowed once per initiative, but inline forms leave the initiative out of their checks:
        # without this, a repeated address is a database error. Compared with the links as saved now.
        changed = [
            form
            for form in self.forms
            if form.has_changed() and form not in self.deleted_forms and form.cleaned_data.get("url")
        ]
        if not changed:
            return
        saved = dict(ProjectLink.objects.filter(project=self.instance).values_list("url", "pk"))
        for form in changed:
            other = saved.get(form.cleaned_data["url"])
            if other is not None and other != form.instance.pk:
                form.add_error("url", _("This address is already one of the initiative's links."))


# One empty row to add one more; only saved rows can be deleted.
FORMSET_OPTIONS = {"extra": 1, "can_delete": True, "can_delete_extra": False, "validate_max": True}
LinkFormSet = forms.inlineformset_factory(
    Project, ProjectLink, formset=LinkBaseFormSet, fields=LINK_FIELDS, max_num=30, **FORMSET_OPTIONS
)
MilestoneFormSet = forms.inlineformset_factory(
    Project,
    Milestone,
    formset=MilestoneBaseFormSet,
    fields=MILESTONE_FIELDS,
    widgets={"planned_start": DateInput, "planned_end": DateInput, "note": forms.Textarea(attrs={"rows": 3})},
    max_num=100,
    **FORMSET_OPTIONS,
)
IndicatorFormSet = forms.inlineformset_factory(
    Project, Indicator, formset=IndicatorBaseFormSet, fields=INDICATOR_FIELDS, max_num=50, **FORMSET_OPTIONS
)


class ProjectProfileEditView(LoginRequiredMixin, TemplateResponseMixin, View):
    template_name = "projects/project_profile_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = get_object_or_404(Project, slug=kwargs["slug"])
        permissions.require(request.user, permissions.EDIT_PROFILE, self.project)
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None, *, version=None):
        """The profile form and the three formsets; ``version`` replaces the version posted in ``data``."""
        if data is not None and version is not None:
            data = data.copy()
            data["version"] = str(version)
        return (
            ProfileForm(data, instance=self.project, initial={"version": self.project.version}),
            LinkFormSet(data, instance=self.project, prefix="links"),
            MilestoneFormSet(data, instance=self.project, prefix="milestones"),
            IndicatorFormSet(data, instance=self.project, prefix="indicators"),
        )

    def render(self, all_forms, *, conflict=None, status=200):
        names = ("form", "link_formset", "milestone_formset", "indicator_formset")
        context = {
            "project": self.project,
            "conflict": conflict,
            "formsets": all_forms[1:],
            **dict(zip(names, all_forms, strict=True)),
        }
        return self.render_to_response(context, status=status)

    def get(self, request, slug):
        return self.render(self.forms())

    def post(self, request, slug):
        all_forms = self.forms(request.POST)
        try:
            save_profile(
                project=self.project,
                user=request.user,
                parts=all_forms,
                expected_version=parse_id(request.POST.get("version")),
            )
        except ConflictError as error:
            # The user's input (and its errors) with the current version: saving again goes through.
            self.project.refresh_from_db()
            conflicting = self.forms(request.POST, version=self.project.version)
            for form in conflicting:
                form.is_valid()
            return self.render(conflicting, conflict=str(error), status=409)
        except ValidationError:
            return self.render(all_forms, status=400)  # each form shows its errors
        messages.success(request, _("The initiative's profile was saved."))
        return HttpResponseRedirect(self.project.get_absolute_url())
