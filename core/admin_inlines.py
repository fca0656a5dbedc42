"""Admin inlines whose inputs are labelled: a tabular inline names each field in its column header only, which a
screen reader does not read for the input (axe-core: "label", "select-name"). Each input here carries its field's
label as ``aria-label``, the row's "Delete" box too; the stacked inlines label theirs already."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def label_inputs(form) -> None:
    """Give each of ``form``'s inputs its field's label, for a row of a tabular inline."""
    for name, field in form.fields.items():
        label = _("Delete this row") if name == "DELETE" else capfirst(str(field.label or name))
        # The admin wraps a related field's widget (its add and change links): the wrapped one renders the input.
        for widget in (field.widget, getattr(field.widget, "widget", None)):
            if widget is not None:
                widget.attrs.setdefault("aria-label", label)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline for a few short fields (wide ones stack: ``admin.StackedInline``), its inputs labelled."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                label_inputs(form)

        return LabelledFormSet
