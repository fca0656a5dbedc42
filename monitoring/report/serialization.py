"""Freezing and thawing: the report as JSON-ready data, and back to the same dataclasses.

Dates are ISO strings and decimals strings (nothing is rounded); ``from_json`` reads the types back from the
dataclasses' annotations.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import types
import typing
from decimal import Decimal

from .data import StocktakingReportData


def to_json(data: StocktakingReportData) -> dict:
    """The report as JSON-ready data."""
    return _encode(data)


def from_json(content: dict) -> StocktakingReportData:
    """The report as frozen at publication, as the same dataclasses the builder returns."""
    return _decode(StocktakingReportData, content)


def _encode(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, datetime.date):  # and datetime.datetime
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@functools.cache
def _hints(kind: type) -> dict:
    return typing.get_type_hints(kind)


def _decode(kind, value):
    if value is None:
        return None
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # "X | None"
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _decode(inner, value)
    if typing.get_origin(kind) is list:
        (item_kind,) = typing.get_args(kind)
        return [_decode(item_kind, item) for item in value]
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        fields = dataclasses.fields(kind)
        return kind(**{f.name: _decode(hints[f.name], value[f.name]) for f in fields if f.name in value})
    if kind in (datetime.date, datetime.datetime):
        return kind.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value
