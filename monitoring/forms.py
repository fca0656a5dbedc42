from django import forms
from django.utils.translation import gettext_lazy as _

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
