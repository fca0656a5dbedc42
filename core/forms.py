"""How every form of the site is drawn: Django's form rendering, with the project's templates.

One layout, the GOV.UK design system's, written once (``templates/forms/``) and used by every form through
``FORM_RENDERER``: one column; for each field its label, then its hint, then its errors, then the field (a single
checkbox sits left of its label); optional fields say "(optional)" after the label, required ones nothing; the
field carries ``aria-invalid`` and ``aria-describedby`` (Django's ``BoundField`` sets them, pointing at the hint's
and the errors' ids, which the field template gives). After a failed submit, an error summary at the top of the
page lists every error as a link to its field (``error_links``; the ``{% error_summary %}`` tag of
``core.templatetags.form_errors`` draws it, ``static/js/forms.js`` focuses it).

A form whose every field is optional by nature (a filter form) sets ``mark_optional = False``: "(optional)" on
every field would say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Django's ``TemplatesSetting`` renderer (the project's template engine finds the templates, so
    ``templates/forms/`` overrides) with the site's form and field templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class FilterForm(forms.Form):
    """The base of filter forms (django-filter's ``Meta.form``): every field is optional, so none says so."""

    mark_optional = False


@dataclass(frozen=True)
class ErrorLink:
    """One line of an error summary: what the error is about, its message and the anchor it links to."""

    href: str
    message: str
    label: str = ""


def field_anchor(field: forms.BoundField) -> str:
    """The id a summary's link points at: the field's own input (the first box of a group of radio buttons or
    checkboxes)."""
    return field.id_for_label or f"{field.auto_id}_0"


def row_name(form: forms.BaseForm, formset: forms.BaseFormSet | None = None) -> str:
    """How a summary names a row of a formset: the form's ``row_name``, else its saved object, else the
    formset's ``new_row_name`` ("New milestone")."""
    name = getattr(form, "row_name", None)
    if name:
        return str(name)
    instance = getattr(form, "instance", None)
    if instance is not None and instance.pk is not None:
        return str(instance)
    return str(getattr(formset, "new_row_name", ""))


def _form_links(form: forms.BaseForm, *, row: str = "", anchor: str = "") -> list[ErrorLink]:
    """The errors of ``form``: each field's by its input; the form's own (and its hidden fields') by ``anchor``,
    the id of the nearest fieldset (a row's is its prefix; a form without either: its first field)."""
    if not anchor and not form.prefix:
        visible = form.visible_fields()
        anchor = field_anchor(visible[0]) if visible else ""
    anchor = anchor or form.prefix or ""
    links = [ErrorLink(href=f"#{anchor}", message=str(message), label=row) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            if field.is_hidden:
                links.append(ErrorLink(href=f"#{anchor}", message=str(message), label=row))
                continue
            label = f"{row}, {field.label}" if row else str(field.label)
            links.append(ErrorLink(href=f"#{field_anchor(field)}", message=str(message), label=label))
    return links


def error_links(*parts: forms.BaseForm | forms.BaseFormSet, anchor: str = "") -> list[ErrorLink]:
    """Every error of a page's forms and formsets, in the page's order, as links to the fields they are about.

    A formset's own errors link to its fieldset (``id`` = the formset's prefix), a row's own errors to the row's
    fieldset (``id`` = the row's prefix); a form's own errors to ``anchor`` (the id of its nearest fieldset or of
    the form itself).
    """
    links: list[ErrorLink] = []
    for part in parts:
        if part is None or not part.is_bound:
            continue
        if isinstance(part, forms.BaseFormSet):
            links += [ErrorLink(href=f"#{part.prefix}", message=str(m)) for m in part.non_form_errors()]
            for form in part.forms:
                links += _form_links(form, row=row_name(form, part))
        else:
            links += _form_links(part, anchor=anchor)
    return links
