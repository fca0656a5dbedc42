"""The progress-update form: narrative, a report per milestone, indicator values, work-plan items, evidence.

Within a reporting cycle the form shows the cycle, its period defaults to the cycle's two years (and must lie
within them), and it asks about each of the cycle's work-plan items for the initiative: done or not, and a note.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from core.parsing import parse_id
from core.uploads import ACCEPTED_EXTENSIONS, validate_evidence_file
from projects.models import Project
from stakeholders.models import Organisation

from .models import MilestoneOutcome, ProgressUpdate
from .update_services import IndicatorValueData, MilestoneReportData, UpdateContent, WorkPlanReportData

EVIDENCE_FILE_SLOTS = 3
NOT_REPORTED = ""
WORK_PLAN_DONE = "done"
WORK_PLAN_NOT_DONE = "not_done"
WORK_PLAN_CHOICES = [
    (NOT_REPORTED, _("Not reported")),
    (WORK_PLAN_DONE, _("Done")),
    (WORK_PLAN_NOT_DONE, _("Not done")),
]


class DateInput(forms.DateInput):
    input_type = "date"


def note_field() -> forms.CharField:
    return forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput)


def narrative_field(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[MaxLengthValidator(settings.NARRATIVE_MAX_CHARS)],
        strip=True,
    )


class ProgressUpdateForm(forms.Form):
    """One form for the whole update; the milestone and indicator fields depend on the initiative."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Reporting for"), queryset=Organisation.objects.none(), empty_label=None
    )
    period_start = forms.DateField(label=_("Reporting period from"), widget=DateInput)
    period_end = forms.DateField(label=_("to"), widget=DateInput)
    achievements = narrative_field(_("Achievements"), _("What was done in the period. Plain text; links are kept."))
    challenges = narrative_field(_("Challenges"))
    next_steps = narrative_field(_("Next steps"))
    links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One per line: an address, or a title, a vertical bar and an address (Report | https://…)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(5000)],
    )

    def __init__(self, *args, project: Project, organisations, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.cycle = cycle
        if cycle is not None:
            self.fields["period_start"].initial = cycle.period_start
            self.fields["period_end"].initial = cycle.period_end
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations.first().pk
        self.milestones = list(project.milestones.all())
        self.indicators = list(project.indicators.all())
        self.work_plan_items = list(cycle.work_plan_items.filter(project=project)) if cycle is not None else []
        for item in self.work_plan_items:
            self.fields[f"workplan_{item.pk}_status"] = forms.ChoiceField(
                label=_("Done?"), required=False, choices=WORK_PLAN_CHOICES
            )
            self.fields[f"workplan_{item.pk}_note"] = note_field()
        for milestone in self.milestones:
            self.fields[f"milestone_{milestone.pk}_outcome"] = forms.ChoiceField(
                label=_("Outcome"),
                required=False,
                choices=[(NOT_REPORTED, _("Not reported"))] + list(MilestoneOutcome.choices),
            )
            self.fields[f"milestone_{milestone.pk}_date"] = forms.DateField(
                label=_("Achieved on, or delayed to"), required=False, widget=DateInput
            )
            self.fields[f"milestone_{milestone.pk}_note"] = note_field()
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}_value"] = forms.DecimalField(
                label=_("Value (%(unit)s)") % {"unit": indicator.unit},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"indicator_{indicator.pk}_as_of"] = forms.DateField(
                label=_("As of"), required=False, widget=DateInput
            )
        for slot in range(1, EVIDENCE_FILE_SLOTS + 1):
            self.fields[f"file_{slot}"] = forms.FileField(
                label=_("Evidence file %(number)s") % {"number": slot},
                required=False,
                help_text=_("PDF, image or office document, at most %(mb)s MB.")
                % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
                widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
            )

    # Grouped fields for the template: (object, its fields…) per row.
    def rows(self, kind, objects, parts):
        return [(obj, *(self[f"{kind}_{obj.pk}_{part}"] for part in parts)) for obj in objects]

    def milestone_rows(self):
        return self.rows("milestone", self.milestones, ("outcome", "date", "note"))

    def indicator_rows(self):
        return self.rows("indicator", self.indicators, ("value", "as_of"))

    def work_plan_rows(self):
        return self.rows("workplan", self.work_plan_items, ("status", "note"))

    def file_fields(self):
        return [self[f"file_{slot}"] for slot in range(1, EVIDENCE_FILE_SLOTS + 1)]

    @staticmethod
    def initial_from(update) -> dict:
        initial = {
            "version": update.version,
            "organisation": update.organisation_id,
            "period_start": update.period_start,
            "period_end": update.period_end,
            "achievements": update.achievements,
            "challenges": update.challenges,
            "next_steps": update.next_steps,
            "links": "\n".join(f"{e.title} | {e.url}" if e.title else e.url for e in update.evidence.all() if e.url),
        }
        for report in update.milestone_reports.all():
            prefix = f"milestone_{report.milestone_id}"
            initial[f"{prefix}_outcome"] = report.outcome
            initial[f"{prefix}_date"] = report.achieved_on or report.new_date
            initial[f"{prefix}_note"] = report.note
        for value in update.indicator_values.all():
            prefix = f"indicator_{value.indicator_id}"
            initial[f"{prefix}_value"] = value.value
            initial[f"{prefix}_as_of"] = value.as_of
        for report in update.work_plan_reports.all():
            prefix = f"workplan_{report.item_id}"
            initial[f"{prefix}_status"] = WORK_PLAN_DONE if report.done else WORK_PLAN_NOT_DONE
            initial[f"{prefix}_note"] = report.note
        return initial

    def clean_links(self):
        links = []
        validate = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
            title, url = title.strip()[:200], url.strip()
            try:
                validate(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Line %(number)s is not a web address (http:// or https://)."), params={"number": number}
                ) from None
            if len(url) > 500:
                raise forms.ValidationError(
                    _("Line %(number)s is longer than 500 characters."), params={"number": number}
                )
            links.append((title, url))
        if len(links) > 20:
            raise forms.ValidationError(_("Give at most 20 links."))
        return links

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        if self.cycle is not None:
            message = _("Choose a date within the reporting cycle, %(start)s – %(end)s.") % {
                "start": self.cycle.period_start.isoformat(),
                "end": self.cycle.period_end.isoformat(),
            }
            for name, value in (("period_start", start), ("period_end", end)):
                if value and not (self.cycle.period_start <= value <= self.cycle.period_end):
                    self.add_error(name, message)
        today = datetime.date.today()
        for milestone in self.milestones:
            prefix = f"milestone_{milestone.pk}"
            outcome, date = cleaned.get(f"{prefix}_outcome"), cleaned.get(f"{prefix}_date")
            if outcome == MilestoneOutcome.ACHIEVED:
                if not date:
                    self.add_error(f"{prefix}_date", _("Say when the milestone was achieved."))
                elif date > today:
                    self.add_error(f"{prefix}_date", _("A milestone cannot be achieved in the future."))
            if outcome == MilestoneOutcome.DELAYED and not date:
                self.add_error(f"{prefix}_date", _("Give the new date of a delayed milestone."))
        for indicator in self.indicators:
            prefix = f"indicator_{indicator.pk}"
            value, as_of = cleaned.get(f"{prefix}_value"), cleaned.get(f"{prefix}_as_of")
            if value is not None and not as_of:
                self.add_error(f"{prefix}_as_of", _("Give the date this value was measured on."))
            if as_of and value is None and not self.errors.get(f"{prefix}_value"):
                self.add_error(f"{prefix}_value", _("Give the value, or clear the date."))
        for field in self.file_fields():
            uploaded = cleaned.get(field.name)
            if uploaded:
                try:
                    cleaned[f"{field.name}_type"] = validate_evidence_file(uploaded)
                except forms.ValidationError as error:
                    self.add_error(field.name, error)
        return cleaned

    def content(self) -> UpdateContent:
        data = self.cleaned_data
        reports = [
            MilestoneReportData(
                milestone=m,
                outcome=data[f"milestone_{m.pk}_outcome"],
                # The service keeps the date that the outcome asks for (achieved on, or delayed to).
                achieved_on=data.get(f"milestone_{m.pk}_date"),
                new_date=data.get(f"milestone_{m.pk}_date"),
                note=data.get(f"milestone_{m.pk}_note", ""),
            )
            for m in self.milestones
            if data.get(f"milestone_{m.pk}_outcome")
        ]
        values = [
            IndicatorValueData(
                indicator=i, value=data[f"indicator_{i.pk}_value"], as_of=data[f"indicator_{i.pk}_as_of"]
            )
            for i in self.indicators
            if data.get(f"indicator_{i.pk}_value") is not None
        ]
        work_plan = [
            WorkPlanReportData(
                item=item,
                done=data[f"workplan_{item.pk}_status"] == WORK_PLAN_DONE,
                note=data.get(f"workplan_{item.pk}_note", ""),
            )
            for item in self.work_plan_items
            if data.get(f"workplan_{item.pk}_status")
        ]
        files = [
            (data[f.name].name, data[f.name], data[f"{f.name}_type"]) for f in self.file_fields() if data.get(f.name)
        ]
        return UpdateContent(
            period_start=data["period_start"],
            period_end=data["period_end"],
            achievements=data["achievements"],
            challenges=data["challenges"],
            next_steps=data["next_steps"],
            milestone_reports=tuple(reports),
            indicator_values=tuple(values),
            links=tuple(data["links"]),
            files=tuple(files),
            work_plan_reports=tuple(work_plan),
        )


class ReasonForm(forms.Form):
    """Why an approval is withdrawn."""

    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("The author receives it by e-mail and sees it on the update."),
    )


OUT_OF_DATE = _("This page is out of date: open the update again, read it, then decide.")


class ReturnForm(ReasonForm):
    """Why an update is returned, and the version the reviewer read (a changed update is not returned unread)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def clean_version(self) -> int | None:
        return parse_id(self.cleaned_data["version"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") is None:
            raise forms.ValidationError(OUT_OF_DATE, code="no_version")
        return cleaned


class VersionedUpdatesField(forms.MultipleChoiceField):
    """A list of ``<id>:<version>`` strings; the form checks them against the queue (there are no fixed choices)."""

    def valid_value(self, value) -> bool:
        return True


class BulkApproveForm(forms.Form):
    """The review queue: each ticked box is ``<id>:<version>``, the update and the version the reviewer saw."""

    updates = VersionedUpdatesField(label=_("Updates"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def clean_updates(self) -> list[tuple[ProgressUpdate, int]]:
        """The chosen updates with the version read; an unknown id, or one without a version, is an error."""
        chosen: dict[int, int] = {}
        for value in self.cleaned_data["updates"]:
            pk, _colon, version = value.partition(":")
            pk, version = parse_id(pk), parse_id(version)
            if pk is None or version is None:
                raise forms.ValidationError(OUT_OF_DATE, code="invalid_choice")
            chosen[pk] = version
        updates = list(self.queryset.filter(pk__in=chosen))  # in the queue's order
        if len(updates) != len(chosen):
            raise forms.ValidationError(
                _("Some of the chosen updates are no longer waiting for review: reload the queue."),
                code="invalid_choice",
            )
        return [(update, chosen[update.pk]) for update in updates]
