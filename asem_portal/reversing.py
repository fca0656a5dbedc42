"""Reversing one URL pattern for many values, cheaply."""

from __future__ import annotations

from django.urls import reverse


def url_maker(viewname: str, kwarg: str, placeholder: str | int):
    """``f(value)``: the URL ``reverse(viewname, kwargs={kwarg: value})``, reversed once and filled in after.

    For slugs and ids, which ``reverse`` writes as they are; thousands of ``reverse`` calls are slow."""
    url = reverse(viewname, kwargs={kwarg: placeholder})
    if url.count(str(placeholder)) != 1:  # pragma: no cover - a URL pattern that repeats the value
        return lambda value: reverse(viewname, kwargs={kwarg: value})
    head, _placeholder, tail = url.partition(str(placeholder))
    return lambda value: f"{head}{value}{tail}"
