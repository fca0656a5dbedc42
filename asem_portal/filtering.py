"""A django-filter ``FilterSet`` that costs little to set up for each request.

For every request, django-filter deep-copies the filter set's filters and Django deep-copies its form's
fields: a deep copy walks every filter's options, labels and widget, about a millisecond for the
directory's nine filters, more than its search. What a request changes is only the copies' own attributes
(the filters' ``parent``, the fields' widget attributes, a model choice's queryset), so
:class:`FilterSet` gives each request copies that own exactly those and share the rest, which no request
changes (choice lists, labels, help texts). The form class is made once per filter set, not per request.
"""

from __future__ import annotations

import copy

from django import forms
from django_filters import rest_framework as filters
from django_filters.filters import FilterMethod


def _filter_copy(filter_: filters.Filter) -> filters.Filter:
    """A filter for one request: its own attributes (``parent``, ``model`` are set on it), its own ``extra``
    (from which its form field would be built), and a method bound to itself, not to the original."""
    new = copy.copy(filter_)
    new.extra = filter_.extra.copy()
    new.__dict__.pop("_field", None)  # built again from ``extra`` if asked for
    if isinstance(filter_.__dict__.get("filter"), FilterMethod):
        new.filter = FilterMethod(new)
    return new


def _field_copy(field: forms.Field) -> forms.Field:
    """A form field for one request: Django's copy of a field (its own widget, widget attributes, error
    messages and validators) without deep-copying its choices, which nothing changes in place; a model
    choice gets its own queryset (and options iterator), as Django's copy gives it, unless its options
    iterator reads a fresh copy of the queryset each time (``clones_queryset``)."""
    new = forms.Field.__deepcopy__(field, {})
    if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
        if getattr(field.iterator, "clones_queryset", False):  # options that never keep a result
            new.widget.choices = new.choices  # options of this copy (its labels), over the shared queryset
        else:
            new.queryset = field.queryset  # the setter clones it and binds the widget's options to the copy
    return new


class _PerRequestCopies(dict):
    """Filters or form fields by name: a deep copy of the mapping (django-filter and Django take one for each
    request) holds per-request copies of them (``copier``), not deep copies."""

    def __init__(self, items, copier):
        super().__init__(items)
        self.copier = copier

    def __deepcopy__(self, memo):
        return {name: self.copier(item) for name, item in self.items()}


class FilterSet(filters.FilterSet):
    """``django_filters.rest_framework.FilterSet`` with per-request copies (see the module) and one form
    class. Its filters' querysets and options must not depend on the request (callables that ignore it)."""

    @classmethod
    def get_filters(cls):
        return _PerRequestCopies(super().get_filters(), _filter_copy)

    def get_form_class(self):
        """django-filter builds a new form class for every request; the fields never depend on the request
        (their options are read per form), so one class per filter set serves every request."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _PerRequestCopies(form_class.base_fields, _field_copy)
            cls._form_class = form_class
        return cls._form_class
