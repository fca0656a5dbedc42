"""Coordinators (and the Secretariat) edit an initiative's public profile: summary, links, milestones, indicators.

The plan's row texts (activities, expected outcomes) are edited in the admin only; a milestone's status and
achieved date are set by approved progress updates, so the form shows them but does not edit them.

Concurrent edits (another user, an approval, an admin edit): the form carries a fingerprint of everything it
edits, recomputed under row locks when it is saved. Any difference is a 409 with the user's input kept and the
current fingerprint, so saving again after a review goes through.

A milestone or indicator that progress updates report on cannot be deleted here (the database protects it
too): those reports are other organisations' records. A milestone that will not happen is reported as
cancelled in an update instead.
"""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from projects.models import Indicator, Milestone, Project, ProjectLink

from . import permissions
from .models import IndicatorValue, MilestoneReport
from .update_forms import DateInput


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


class ReportedOnFormSet(forms.BaseInlineFormSet):
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
    report_model = MilestoneReport
    report_field = "milestone"
    refusal = gettext_lazy(
        "The milestone “%(name)s” cannot be deleted: progress updates report on it. "
        "If it will not happen, report it as cancelled in a progress update instead."
    )


class IndicatorBaseFormSet(ReportedOnFormSet):
    report_model = IndicatorValue
    report_field = "indicator"
    refusal = gettext_lazy(
        "The indicator “%(name)s” cannot be deleted: progress updates report values for it. "
        "Keep it; a progress update can say that it is no longer followed."
    )


class LinkBaseFormSet(forms.BaseInlineFormSet):
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


# What the form edits, row by row, and the fingerprint hashes. (Tuples: Django appends the parent's key to a
# formset's field list, which must not change the fingerprint.)
LINK_FIELDS = ("url", "label")
MILESTONE_FIELDS = ("title", "planned_start", "planned_end", "period_label", "note")
INDICATOR_FIELDS = ("name", "unit", "baseline", "baseline_year", "target_comparator", "target", "target_year")

FORMSET_OPTIONS = {"extra": 1, "can_delete": True, "validate_max": True}
LinkFormSet = forms.inlineformset_factory(
    Project, ProjectLink, formset=LinkBaseFormSet, fields=LINK_FIELDS, max_num=30, **FORMSET_OPTIONS
)
MilestoneFormSet = forms.inlineformset_factory(
    Project,
    Milestone,
    formset=MilestoneBaseFormSet,
    fields=MILESTONE_FIELDS,
    widgets={"planned_start": DateInput, "planned_end": DateInput},
    max_num=100,
    **FORMSET_OPTIONS,
)
IndicatorFormSet = forms.inlineformset_factory(
    Project, Indicator, formset=IndicatorBaseFormSet, fields=INDICATOR_FIELDS, max_num=50, **FORMSET_OPTIONS
)


def profile_fingerprint(project: Project, *, lock: bool = False) -> str:
    """A hash of what the profile form edits: the initiative's ``updated_at`` and its rows' ids and edited fields.

    Approvals and admin edits change milestones and indicators without touching the initiative, so ``updated_at``
    alone would miss them. With ``lock`` (inside a transaction) the rows stay locked until it ends.
    """
    digest = hashlib.sha256(project.updated_at.isoformat().encode())
    for model, fields in ((ProjectLink, LINK_FIELDS), (Milestone, MILESTONE_FIELDS), (Indicator, INDICATOR_FIELDS)):
        rows = model.objects.filter(project=project).order_by("pk")
        if lock:
            rows = rows.select_for_update()
        digest.update(model._meta.label.encode())
        for row in rows.values_list("pk", *fields):
            digest.update(json.dumps(row, default=str).encode())
    return digest.hexdigest()


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

    def forms(self, data=None, *, version=None):
        """The profile form and the three formsets; ``version`` replaces the fingerprint posted in ``data``."""
        if data is None and version is None:
            # Read before the formsets load their rows: a change in between makes the form conflict.
            version = profile_fingerprint(self.project)
        if data is not None and version is not None:
            data = data.copy()
            data["version"] = version
        return (
            ProfileForm(data, instance=self.project, initial={"version": version}),
            LinkFormSet(data, instance=self.project, prefix="links"),
            MilestoneFormSet(data, instance=self.project, prefix="milestones"),
            IndicatorFormSet(data, instance=self.project, prefix="indicators"),
        )

    def render(self, all_forms, *, conflict=None, status=200):
        names = ("form", "link_formset", "milestone_formset", "indicator_formset")
        context = {"project": self.project, "conflict": conflict, **dict(zip(names, all_forms, strict=True))}
        return self.render_to_response(context, status=status)

    def get(self, request, slug):
        return self.render(self.forms())

    def post(self, request, slug):
        with transaction.atomic():
            # Lock first, then load and validate: an approval or admin edit waits for this save.
            self.project = Project.objects.select_for_update().get(pk=self.project.pk)
            current = profile_fingerprint(self.project, lock=True)
            if request.POST.get("version") != current:
                # The user's input (and its errors) with the current fingerprint: saving again goes through.
                conflicting = self.forms(request.POST, version=current)
                for form in conflicting:
                    form.is_valid()
                return self.render(
                    conflicting,
                    conflict=_(
                        "Someone else saved this initiative since you opened it. Its milestones or indicators may "
                        "also have changed through an approved progress update. Nothing was saved and your changes "
                        "are kept below: compare them with the current profile, then save again to apply them."
                    ),
                    status=409,
                )
            all_forms = self.forms(request.POST)
            if not all([f.is_valid() for f in all_forms]):  # a list: every form shows its errors
                return self.render(all_forms, status=400)
            for form in all_forms:
                form.save()  # the profile's save moves updated_at: the next stale form conflicts
        messages.success(request, _("The initiative's profile was saved."))
        return HttpResponseRedirect(self.project.get_absolute_url())
