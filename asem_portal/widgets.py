"""Form widgets rendered without a template per option.

Django renders each ``<option>`` through a template, which costs tens of
milliseconds for a select of a thousand organisations. These widgets build the
same markup directly (escaped), so a filter form stays cheap as the plan grows.
"""

from __future__ import annotations

from django import forms
from django.core.cache import caches
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .cache import request_content_version


def _option_markup(choices) -> list[tuple[str, str]]:
    """``(value, <option> markup)`` for each choice, escaped, none selected."""
    options = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an optgroup: not used by our filters
            raise NotImplementedError("FastSelect does not render option groups")
        key = "" if value is None else str(value)
        options.append((key, f'<option value="{escape(key)}">{conditional_escape(label)}</option>'))
    return options


#: This process's copy of the cached options (unpickling a thousand options costs more than building
#: the page around them): only the current content version's entries are kept.
_local_options: dict[str, list[tuple[str, str]]] = {}


def _options(name: str, choices) -> list[tuple[str, str]]:
    """The options' markup; a model's options (hundreds of organisations) are cached per content version
    and language, so a page escapes them once per change of the plan rather than on every request."""
    if isinstance(choices, ModelChoiceIterator):
        version = request_content_version.get()
        if version is not None:
            key = f"options:{version}:{get_language()}:{name}"
            options = _local_options.get(key)
            if options is None:
                options = caches["fragments"].get(key)
                if options is None:
                    options = _option_markup(choices)
                    caches["fragments"].set(key, options, 3600)
                prefix = f"options:{version}:"
                for stale in [k for k in list(_local_options) if not k.startswith(prefix)]:
                    _local_options.pop(stale, None)  # another thread may have dropped it already
                _local_options[key] = options
            return options
    return _option_markup(choices)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        values = value if isinstance(value, (list, tuple)) else [value]
        selected = {"" if v is None else str(v) for v in values}
        parts = [
            markup.replace('">', '" selected>', 1) if key in selected else markup
            for key, markup in _options(name, self.choices)
        ]
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(parts)))  # noqa: S308
