"""Form markup rendered without templates.

Django renders each ``<option>``, each input and each field group through a
template, which costs tens of milliseconds for a select of a thousand
organisations and a few milliseconds for a form of nine fields. These widgets
and :class:`FieldGroupsForm` build the same markup directly (escaped), so a
filter form stays cheap as the plan grows (``tests/test_widgets.py`` compares
them with Django's own).
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .cache import per_version


def _attributes(attrs: dict) -> str:
    """Attributes in the given order, as Django's ``attrs.html`` writes them (``flatatt`` sorts them)."""
    return mark_safe(  # noqa: S308 - names are the widget's own, values escaped
        "".join(
            f" {name}" if value is True else f' {name}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


def _option_markup(choices) -> tuple[str, dict[str, str]]:
    """The ``<option>`` elements of these choices, escaped, none selected, as one string; and the markup of the
    first option of each value (the one a single select marks as selected)."""
    options, first = [], {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an optgroup: not used by our filters
            raise NotImplementedError("FastSelect does not render option groups")
        key = "" if value is None else str(value)
        markup = f'<option value="{escape(key)}">{conditional_escape(label)}</option>'
        options.append(markup)
        first.setdefault(key, markup)
    return "".join(options), first


def _options(cache_as: str | None, choices) -> tuple[str, dict[str, str]]:
    """The options' markup, built once per content version and language under the widget's ``cache_as``
    name (:func:`~asem_portal.cache.per_version`), so a page escapes hundreds of organisations once per
    change of the plan rather than on every request; built every time for a widget without one."""
    if cache_as is None:
        return _option_markup(choices)
    return per_version(f"select-options:{get_language()}:{cache_as}", lambda: _option_markup(choices))


class FastSelect(forms.Select):
    """Django's ``<select>``, without a template per option.

    ``cache_as``: a name for these options, unique in the site, when they are the same for every request
    of a content version (a model's rows, a fixed list): they are then built once per version and language.
    """

    def __init__(self, attrs=None, choices=(), cache_as: str | None = None):
        super().__init__(attrs, choices)
        self.cache_as = cache_as

    def render(self, name, value, attrs=None, renderer=None):
        markup, first = self.render_unselected(name, attrs)
        return _mark_selected(markup, first, value)

    def render_unselected(self, name, attrs=None) -> tuple[str, dict[str, str]]:
        """The select with no option selected, and its first option of each value (for ``_mark_selected``)."""
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        options, first = _options(self.cache_as, self.choices)
        return format_html("<select{}>{}</select>", _attributes(final_attrs), mark_safe(options)), first  # noqa: S308


def _mark_selected(markup: str, first: dict[str, str], value) -> str:
    """``markup`` (a select, or a field group holding one, rendered with nothing selected) with the option of
    ``value`` selected: one string search, not one test per option."""
    if isinstance(value, (list, tuple)):  # as Django: the first option with one of these values
        values = {"" if v is None else str(v) for v in value}
        option = next((option for key, option in first.items() if key in values), None)
    else:
        option = first.get("" if value is None else str(value))
    if option is None:
        return markup
    return mark_safe(markup.replace(option, option.replace('">', '" selected>', 1), 1))  # noqa: S308


class FastSearchInput(forms.SearchInput):
    """Django's ``<input type="search">``, without its template."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {"type": self.input_type, "name": name}
        value = self.format_value(value)
        if value is not None:
            final_attrs["value"] = value
        final_attrs.update(self.build_attrs(self.attrs, attrs))
        return format_html("<input{}>", _attributes(final_attrs))


class FieldGroupsForm(forms.Form):
    """A form whose fields render as Django's field groups (label, help text, errors, widget) in one pass.

    ``{{ form.field_groups }}`` is the markup of ``{% for field in form %}{{ field.as_field_group }}`` with
    each group in a ``<div class="{{ field_group_class }}">`` and a colon after the label."""

    field_group_class = "field"

    def field_groups(self) -> str:
        return mark_safe("".join(self._field_group(field) for field in self))  # noqa: S308 - escaped below

    def _field_group(self, field) -> str:
        widget = field.field.widget
        if field.errors or not isinstance(widget, FastSelect) or widget.cache_as is None:
            return self._group_markup(field, field.as_widget())
        # A select with cached options and no error: the same group for every request of a content version
        # and language but for the option selected, so it is built once and only that option is marked.
        name = f"field-group:{get_language()}:{type(self).__name__}:{self.field_group_class}:{field.auto_id}:"
        name += f"{field.html_name}:{widget.cache_as}"
        markup, first = per_version(name, lambda: self._unselected_group(field))
        return _mark_selected(markup, first, field.value())

    def _unselected_group(self, field) -> tuple[str, dict[str, str]]:
        widget = field.field.widget
        attrs = field.build_widget_attrs({}, widget)  # as BoundField.as_widget(), without a value
        if field.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", field.auto_id)
        select, first = widget.render_unselected(field.html_name, attrs)
        return self._group_markup(field, select), first

    def _group_markup(self, field, widget_markup: str) -> str:
        auto_id = field.auto_id
        parts = [format_html('<div class="{}"><label for="{}">{}:</label>', self.field_group_class,
                             field.id_for_label, field.label)]  # fmt: skip
        if field.help_text:
            parts.append(format_html('<div class="helptext" id="{}_helptext">{}</div>', auto_id, field.help_text))
        if field.errors:
            items = mark_safe("".join(format_html("<li>{}</li>", error) for error in field.errors))  # noqa: S308
            parts.append(format_html('<ul class="errorlist" id="{}_error">{}</ul>', auto_id, items))
        parts.append(widget_markup)
        parts.append("</div>")
        return "".join(parts)
