from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.uploads import ACCEPTED_EXTENSIONS, validate_evidence_file

from .models import Document
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
