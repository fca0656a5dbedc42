"""The progress-update form: narrative, a report per milestone, indicator values, work-plan items, evidence.

Within a reporting cycle the form shows the cycle, its period defaults to the cycle's two years (and must lie
within them), and it asks about each of the cycle's work-plan items for the initiative: done or not, and a note.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.forms import ErrorLink, error_links, field_anchor
from core.parsing import parse_id
from core.uploads import ACCEPTED_EXTENSIONS, validate_evidence_file
from projects.models import Project, ProjectStatus
from stakeholders.models import Organisation

from .models import MilestoneOutcome, ProgressRating, ProgressUpdate
from .update_services import (
    NOTHING_TO_REPORT_REASON_MAX_CHARS,
    EvidenceFile,
    EvidenceLink,
    IndicatorValueData,
    MilestoneReportData,
    UpdateContent,
    WorkPlanReportData,
    approve_update,
    return_update,
    validate_content,
)

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
    """The browser's own date picker; its value is always an ISO date, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


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


class RowForm(forms.Form):
    """One row of the update form about one of the initiative's milestones, indicators or work-plan items: the
    object named by its hidden id (``key``), and what the update says about it."""

    key = ""
    content_fields: dict[str, str] = {}
    gone = _("The initiative changed since you opened this form: open it again to report on this row.")

    def __init__(self, *args, objects: dict[int, object], **kwargs):
        super().__init__(*args, **kwargs)
        self.objects = objects

    @property
    def object(self):
        """The milestone, indicator or work-plan item of this row (None for an id that is not the initiative's)."""
        return self.objects.get(parse_id(str(self[self.key].value())))

    @property
    def row_name(self) -> str:
        """How the error summary names this row: its milestone, indicator or work-plan item."""
        obj = self.object
        return Truncator(str(obj)).chars(80) if obj is not None else ""

    def clean(self):
        cleaned = super().clean()
        if self.key in cleaned and cleaned[self.key] not in self.objects:
            raise forms.ValidationError(self.gone, code="unknown_row")
        return cleaned

    def reported(self) -> bool:
        """Whether this row, valid, says something (a row left "not reported" or empty is no part of the update)."""
        raise NotImplementedError


class MilestoneRowForm(RowForm):
    key = "milestone"
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[(NOT_REPORTED, _("Not reported"))] + list(MilestoneOutcome.choices)
    )
    achieved_on = forms.DateField(
        label=_("Date achieved"), required=False, widget=DateInput, help_text=_("Only if it was achieved.")
    )
    new_date = forms.DateField(
        label=_("New date"),
        required=False,
        widget=DateInput,
        help_text=_("Only if it is delayed: when it is now expected, after the planned date."),
    )
    note = note_field()

    #: The fields of a milestone report that validate_content names, and the fields here that show their errors
    #: (any other error is the row's own).
    content_fields = {"achieved_on": "achieved_on", "new_date": "new_date"}

    def reported(self) -> bool:
        return bool(self.cleaned_data.get("outcome"))

    def content(self) -> MilestoneReportData:
        data = self.cleaned_data
        return MilestoneReportData(
            milestone=self.objects[data["milestone"]],
            outcome=data["outcome"],
            achieved_on=data["achieved_on"],
            new_date=data["new_date"],
            note=data["note"],
        )

    @staticmethod
    def initial_from(report) -> dict:
        return {
            "outcome": report.outcome,
            "achieved_on": report.achieved_on,
            "new_date": report.new_date,
            "note": report.note,
        }


class IndicatorRowForm(RowForm):
    key = "indicator"
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    # Not negative: validate_content says so, in the same words as through the API.
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=14, decimal_places=2)
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=DateInput, help_text=_("The date it was measured, within the period.")
    )

    content_fields = {"value": "value", "as_of": "as_of"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.object is not None:
            self.fields["value"].label = _("Value (%(unit)s)") % {"unit": self.object.unit}

    def clean(self):
        cleaned = super().clean()
        # The content has no "date without a value": only this form can be left so.
        if cleaned.get("as_of") and cleaned.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Give the value, or clear the date."))
        return cleaned

    def reported(self) -> bool:
        return self.cleaned_data.get("value") is not None

    def content(self) -> IndicatorValueData:
        data = self.cleaned_data
        return IndicatorValueData(indicator=self.objects[data["indicator"]], value=data["value"], as_of=data["as_of"])

    @staticmethod
    def initial_from(value) -> dict:
        return {"value": value.value, "as_of": value.as_of}


class WorkPlanRowForm(RowForm):
    key = "item"
    item = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Done?"), required=False, choices=WORK_PLAN_CHOICES)
    note = note_field()

    content_fields: dict[str, str] = {}

    def reported(self) -> bool:
        return bool(self.cleaned_data.get("status"))

    def content(self) -> WorkPlanReportData:
        data = self.cleaned_data
        return WorkPlanReportData(
            item=self.objects[data["item"]], done=data["status"] == WORK_PLAN_DONE, note=data["note"]
        )

    @staticmethod
    def initial_from(report) -> dict:
        return {"status": WORK_PLAN_DONE if report.done else WORK_PLAN_NOT_DONE, "note": report.note}


class RowFormSet(forms.BaseFormSet):
    """One form per object (milestone, indicator or work-plan item), in the objects' order."""

    def __init__(self, *args, objects: list, reports: Iterable = (), **kwargs):
        """``objects``: the initiative's milestones (indicators, work-plan items); ``reports``: what an update said
        about them (its milestone reports, …), the rows' initial values."""
        key = self.form.key
        answers = {getattr(report, f"{key}_id"): self.form.initial_from(report) for report in reports}
        initial = [{key: obj.pk, **answers.get(obj.pk, {})} for obj in objects]
        super().__init__(*args, initial=initial, form_kwargs={"objects": {obj.pk: obj for obj in objects}}, **kwargs)

    def reported_forms(self) -> list[RowForm]:
        """The valid rows that say something, in their order: what the update's content holds."""
        return [form for form in self.forms if form.is_valid() and form.cleaned_data and form.reported()]


MilestoneFormSet = forms.formset_factory(MilestoneRowForm, formset=RowFormSet, extra=0)
IndicatorFormSet = forms.formset_factory(IndicatorRowForm, formset=RowFormSet, extra=0)
WorkPlanFormSet = forms.formset_factory(WorkPlanRowForm, formset=RowFormSet, extra=0)


class ProgressUpdateForm(forms.Form):
    """One form for the whole update; its milestone, indicator and work-plan rows are formsets, one form per
    milestone, indicator and work-plan item of the initiative (``milestone_formset``, …)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Reporting for"), queryset=Organisation.objects.none(), empty_label=None
    )
    period_start = forms.DateField(label=_("Start of the period"), widget=DateInput)
    period_end = forms.DateField(label=_("End of the period"), widget=DateInput)
    achievements = narrative_field(_("Achievements"), _("What was done in the period. Plain text; links are kept."))
    challenges = narrative_field(_("Challenges"))
    next_steps = narrative_field(_("Next steps"))
    initiative_status = forms.ChoiceField(
        label=_("Status of the initiative"),
        required=False,  # a draft may leave it open; submitting asks for it (update_services)
        choices=ProjectStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("As of the end of the period. Needed to submit; once approved, the portal shows it."),
    )
    nothing_to_report = forms.BooleanField(
        label=_("Nothing to report this cycle"),
        required=False,
        help_text=_("The initiative had no activity to report in this cycle: it counts as reported."),
    )
    nothing_to_report_reason = forms.CharField(
        label=_("Why there is nothing to report"),
        required=False,
        max_length=NOTHING_TO_REPORT_REASON_MAX_CHARS,
        help_text=_("One sentence, published with the answer (for example: the next edition is in 2027)."),
    )
    self_assessment = forms.ChoiceField(
        label=_("Your assessment of progress"),
        required=False,
        choices=ProgressRating.choices,
        widget=forms.RadioSelect,
        help_text=_("How the initiative's work went in the period, as you see it; shown beside the Secretariat's."),
    )
    links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One per line: an address, or a title, a vertical bar and an address (Report | https://…)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[MaxLengthValidator(5000)],
    )

    def __init__(self, *args, project: Project, organisations, cycle=None, update=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.cycle = cycle
        self.update = update
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

        data = self.data if self.is_bound else None
        self.milestone_formset = MilestoneFormSet(
            data, prefix="milestones", objects=self.milestones, reports=update.milestone_reports.all() if update else ()
        )
        self.indicator_formset = IndicatorFormSet(
            data, prefix="indicators", objects=self.indicators, reports=update.indicator_values.all() if update else ()
        )
        self.work_plan_formset = WorkPlanFormSet(
            data,
            prefix="workplan",
            objects=self.work_plan_items,
            reports=update.work_plan_reports.all() if update else (),
        )
        for slot in range(1, EVIDENCE_FILE_SLOTS + 1):
            self.fields[f"file_{slot}"] = forms.FileField(
                label=_("Evidence file %(number)s") % {"number": slot},
                required=False,
                help_text=_("PDF, image or office document, at most %(mb)s MB.")
                % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
                widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
            )

    @property
    def formsets(self) -> dict[str, RowFormSet]:
        """The row formsets by the name of the content's list they fill."""
        return {
            "milestone_reports": self.milestone_formset,
            "indicator_values": self.indicator_formset,
            "work_plan_reports": self.work_plan_formset,
        }

    def is_valid(self) -> bool:
        valid = super().is_valid()  # cleans the rows too, and shows the content's rules by their fields
        return valid and all(formset.is_valid() for formset in self.formsets.values())

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(formset.total_error_count() for formset in self.formsets.values())

    def error_links(self) -> list[ErrorLink]:
        """The error summary's lines in the page's order: the update's fields, its rows, then the evidence (a
        row's own errors link to the row's fieldset, the update's own to the narrative's)."""
        own = error_links(self, anchor="narrative")
        evidence = {f"#{field_anchor(self[name])}" for name in ("links", *(f.name for f in self.file_fields()))}
        rows = error_links(self.work_plan_formset, self.milestone_formset, self.indicator_formset)
        return (
            [link for link in own if link.href not in evidence] + rows + [link for link in own if link.href in evidence]
        )

    def ask_for_files_again(self) -> None:
        """When nothing was saved: name each chosen file in its field's error (a browser never fills a file
        input again, so the person has to choose it anew)."""
        for field in self.file_fields():
            uploaded = self.files.get(field.html_name) if self.files else None
            if uploaded and not self.has_error(field.name):
                self.add_error(
                    field.name,
                    forms.ValidationError(
                        _("Choose the file again: %(name)s (nothing was saved, so it was not kept)."),
                        params={"name": uploaded.name},
                        code="choose_again",
                    ),
                )

    def errors_by_name(self) -> dict[str, list[str]]:
        """Every error of the form and of its rows, by the name of the field it is about as posted
        (``period_end``, ``milestones-0-date``); a row's own errors under its prefix (``milestones-0``), a
        formset's under its prefix (``milestones``), the form's under ``__all__``."""
        errors = {name: list(messages) for name, messages in self.errors.items()}
        for formset in self.formsets.values():
            if formset.non_form_errors():
                errors[formset.prefix] = list(formset.non_form_errors())
            for row in formset.forms:
                for name, messages in row.errors.items():
                    errors[row.prefix if name == NON_FIELD_ERRORS else row.add_prefix(name)] = list(messages)
        return errors

    def file_fields(self):
        return [self[f"file_{slot}"] for slot in range(1, EVIDENCE_FILE_SLOTS + 1)]

    #: The fields the page places itself (templates/updates/update_form.html).
    LAID_OUT = (
        "version", "organisation", "period_start", "period_end", "nothing_to_report", "nothing_to_report_reason",
        "achievements", "challenges", "next_steps",
    )  # fmt: skip

    def other_fields(self) -> list[forms.BoundField]:
        """Any other field of the update (its stated status, a rating, …), in the order declared: the page shows
        them after the narrative, each in the site's one layout, without a line of its own."""
        placed = {*self.LAID_OUT, "links", *(field.name for field in self.file_fields())}
        return [self[name] for name in self.fields if name not in placed]

    @staticmethod
    def initial_from(update) -> dict:
        """The update's own fields as the form's initial values (its rows come from ``update=``)."""
        return {
            "version": update.version,
            "organisation": update.organisation_id,
            "period_start": update.period_start,
            "period_end": update.period_end,
            "achievements": update.achievements,
            "challenges": update.challenges,
            "next_steps": update.next_steps,
            "nothing_to_report": update.nothing_to_report,
            "nothing_to_report_reason": update.nothing_to_report_reason,
            "self_assessment": update.self_assessment,
            "initiative_status": update.initiative_status,
            "links": "\n".join(f"{e.title} | {e.url}" if e.title else e.url for e in update.evidence.all() if e.url),
        }

    def clean_links(self) -> list[EvidenceLink]:
        links = []
        self.link_lines = []  # the line of the box each link is on, for the content rules' messages
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
            links.append(EvidenceLink(title=title, url=url))
            self.link_lines.append(number)
        if len(links) > 20:
            raise forms.ValidationError(_("Give at most 20 links."))
        return links

    def clean(self):
        cleaned = super().clean()
        if self.update is not None and cleaned.get("version") is None:
            # Saving over the update needs the version it was read at: without it, a change saved since would be
            # overwritten unseen (a browser always sends it; a hand-made or truncated request may not).
            self.add_error(None, NO_VERSION_TO_SAVE)
        for field in self.file_fields():
            uploaded = cleaned.get(field.name)
            if uploaded:
                try:
                    cleaned[f"{field.name}_type"] = validate_evidence_file(uploaded)
                except forms.ValidationError as error:
                    self.add_error(field.name, error)
        # Each row's own fields first; then the update's content rules, checked where the services check them and
        # shown by the fields they name.
        rows = {name: formset.reported_forms() for name, formset in self.formsets.items()}
        self._content = self._content_of(rows)
        try:
            validate_content(project=self.project, cycle=self.cycle, content=self._content)
        except forms.ValidationError as error:
            for path, errors in error.error_dict.items():
                name, _dot, rest = path.partition(".")
                if not rest:
                    self.add_error(name if name in self.fields else None, errors)
                    continue
                index, _dot, field = rest.partition(".")
                if name == "links":  # one box, a link per line: the message names the line
                    line = self.link_lines[int(index)]
                    message = _("Line %(number)s: %(error)s")
                    messages = forms.ValidationError(errors).messages
                    self.add_error("links", [message % {"number": line, "error": text} for text in messages])
                    continue
                row = rows[name][int(index)]
                row.add_error(row.content_fields.get(field), errors)
        return cleaned

    def _content_of(self, rows: dict[str, list[RowForm]]) -> UpdateContent:
        data = self.cleaned_data
        files = tuple(
            EvidenceFile(title=data[f.name].name, file=data[f.name], content_type=data[f"{f.name}_type"])
            for f in self.file_fields()
            if data.get(f.name) and f"{f.name}_type" in data
        )
        return UpdateContent(
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            achievements=data.get("achievements", ""),
            challenges=data.get("challenges", ""),
            next_steps=data.get("next_steps", ""),
            nothing_to_report=bool(data.get("nothing_to_report")),
            nothing_to_report_reason=data.get("nothing_to_report_reason", ""),
            self_assessment=data.get("self_assessment", ""),
            initiative_status=data.get("initiative_status") or None,
            links=tuple(data.get("links", ())),
            files=files,
            **{name: tuple(row.content() for row in forms) for name, forms in rows.items()},
        )

    def content(self) -> UpdateContent:
        """The update's content, once the form is valid: what the services save."""
        return self._content


class AssessmentForm(forms.Form):
    """The Secretariat's own assessment, given when approving (optional; published with the update)."""

    rating = forms.ChoiceField(
        label=_("The Secretariat's assessment of progress"),
        required=False,
        choices=[("", _("Not given")), *ProgressRating.choices],
    )
    comment = forms.CharField(
        label=_("The Secretariat's comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the update, beside the contributor's own assessment."),
    )


class ReasonForm(forms.Form):
    """Why an approval is withdrawn."""

    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("The author receives it by e-mail and sees it on the update."),
    )


NO_VERSION_TO_SAVE = _(
    "This form does not say which version of the update it was opened on, so it cannot be saved without risking "
    "someone else's changes: open the update again, then make your changes."
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


class AdminReturnForm(ReturnForm):
    """The admin's Return: the same reason and version as the site's, the same service."""

    def decide(self, update: ProgressUpdate, reviewer) -> str:
        return_update(
            update=update,
            reviewer=reviewer,
            reason=self.cleaned_data["reason"],
            expected_version=self.cleaned_data["version"],
        )
        return str(_("The update was returned to its author."))


class AdminApproveForm(forms.Form):
    """The admin's Approve: the version the reviewer read on the update's admin page, the site's service."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def clean_version(self) -> int:
        version = parse_id(self.cleaned_data["version"])
        if version is None:
            raise forms.ValidationError(OUT_OF_DATE, code="no_version")
        return version

    def decide(self, update: ProgressUpdate, reviewer) -> str:
        approve_update(update=update, reviewer=reviewer, expected_version=self.cleaned_data["version"])
        return str(_("The update is approved and published."))


class VersionedUpdatesField(forms.MultipleChoiceField):
    """A list of ``<id>:<version>`` strings; the form checks them against the queue (there are no fixed choices)."""

    def valid_value(self, value) -> bool:
        return True


APPROVE, RETURN = "approve", "return"


class ReviewQueueForm(forms.Form):
    """The review queue: approve or return the ticked updates, or one row's own update.

    Each ticked box, and each row's own buttons, is ``<id>:<version>``: the update and the version the reviewer
    saw (a changed update is not decided unread). Returning needs a reason, e-mailed to each author.
    """

    updates = VersionedUpdatesField(label=_("Updates"), widget=forms.CheckboxSelectMultiple, required=False)
    approve_one = forms.CharField(required=False, max_length=60)  # a row's own "Approve" button
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return"))], required=False, initial=APPROVE
    )
    reason = forms.CharField(
        label=_("Reason for returning the selected updates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Needed to return them: each author receives it by e-mail and sees it on the update."),
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def clean_updates(self) -> list[tuple[ProgressUpdate, int]]:
        """The chosen updates with the version read; an unknown id, or one without a version, is an error."""
        return self._chosen(self.cleaned_data["updates"])

    def clean_approve_one(self) -> list[tuple[ProgressUpdate, int]]:
        value = self.cleaned_data["approve_one"]
        return self._chosen([value]) if value else []

    def _chosen(self, values) -> list[tuple[ProgressUpdate, int]]:
        chosen: dict[int, int] = {}
        for value in values:
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

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("approve_one"):  # one row's button decides for that row alone
            cleaned["decision"], cleaned["updates"] = APPROVE, cleaned["approve_one"]
        cleaned["decision"] = cleaned.get("decision") or APPROVE
        if not cleaned.get("updates"):
            self.add_error("updates", _("Select at least one update."))
        elif cleaned["decision"] == RETURN and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the updates are returned: each author reads it."))
        return cleaned
