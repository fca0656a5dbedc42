from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.uploads import ACCEPTED_EXTENSIONS, validate_evidence_file

from . import cycle_services
from .models import Document, ReportingCycle
from .workplan_import import MAX_BYTES


class WorkPlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (UTF-8) or Excel (.xlsx). The first row names the columns: initiative (its slug or exact title), "
            "planned activity, expected output."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    replace = forms.BooleanField(
        label=_("Replace the cycle's work plan"),
        required=False,
        help_text=_("Delete the cycle's items that are not in the file (never those already reported on)."),
    )
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
        return uploaded


class DocumentForm(forms.ModelForm):
    """A document as the Secretariat adds it (admin, inline on a meeting too): an uploaded file is checked as
    evidence files are (``core.uploads``: its type read from its content, its size capped) and its type and size
    are kept for the download."""

    class Meta:
        model = Document
        fields = ["title", "slug", "kind", "date", "language", "description", "meeting", "actions", "initiatives"]
        fields += ["file", "url"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)})}

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            self.instance.content_type = validate_evidence_file(uploaded)
            self.instance.size = uploaded.size
        elif not uploaded:
            self.instance.content_type, self.instance.size = "", None
        return uploaded

    def clean(self):
        cleaned = super().clean()
        has_file, has_link = bool(cleaned.get("file")), bool(cleaned.get("url"))
        if has_file and has_link:
            self.add_error("url", _("Give either a file or a link, not both: clear one of them."))
        elif not has_file and not has_link and not self.has_error("file"):
            self.add_error("file", _("Upload the document's file or give a link to it."))
        return cleaned


class ExecutiveSummaryForm(forms.Form):
    executive_summary = forms.CharField(
        label=_("Executive summary"),
        required=False,
        max_length=20000,
        help_text=_(
            "Opens the report, on its page and in its PDF, before the figures: what the cycle achieved, in a few "
            "paragraphs of plain text (a blank line starts a new paragraph). Frozen with the report when you publish."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
    )


#: The dates that open and close a cycle: changed only through ``cycle_services.set_submission_window``.
WINDOW_FIELDS = ("submission_opens", "submission_closes", "late_submissions_until")


class ReportingCycleForm(forms.ModelForm):
    """A cycle in the admin: its window's dates checked by the one rule (``cycle_services.window_problems``), and
    frozen once its report is published."""

    class Meta:
        model = ReportingCycle
        fields = [
            "number", "opening_meeting", "closing_meeting", "period_start", "period_end", *WINDOW_FIELDS, "note",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.published_on is not None:
            for name in WINDOW_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Frozen: the cycle's report is published.")

    def clean(self):
        cleaned = super().clean()
        problems = cycle_services.window_problems(
            cycle=self.instance if self.instance.pk else None,
            opens=cleaned.get("submission_opens"),
            closes=cleaned.get("submission_closes"),
            late_until=cleaned.get("late_submissions_until"),
        )
        for name, message in problems.items():
            if not self.has_error(name):
                self.add_error(name, message)
        return cleaned


class PublishForm(ExecutiveSummaryForm):
    confirm_unresolved = forms.BooleanField(
        label=_("Publish with the items listed above left as they are"),
        required=False,
        help_text=_("Needed while anything is unresolved: what is left will not be in the report."),
    )


class DateInput(forms.DateInput):
    """The browser's own date picker; its value is always an ISO date."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class NextCycleForm(forms.Form):
    """The next cycle's dates, proposed from the two-year rhythm (``cycle_services.propose_next_cycle``)."""

    period_start = forms.DateField(label=_("Reporting period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Reporting period to"), widget=DateInput)
    submission_opens = forms.DateField(
        label=_("Submissions open"),
        widget=DateInput,
        help_text=_("The window's first day: today or earlier opens the cycle at once."),
    )
    submission_closes = forms.DateField(label=_("Submissions close"), widget=DateInput, help_text=_("Its last day."))
    late_submissions_until = forms.DateField(
        label=_("Late submissions accepted until"),
        required=False,
        widget=DateInput,
        help_text=_("Optional: a day after the window closes until which updates may still be submitted."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("The reporting period must end after it starts."))
        problems = cycle_services.window_problems(
            cycle=None,
            opens=cleaned.get("submission_opens"),
            closes=cleaned.get("submission_closes"),
            late_until=cleaned.get("late_submissions_until"),
        )
        for name, message in problems.items():
            if not self.has_error(name):
                self.add_error(name, message)
        return cleaned
