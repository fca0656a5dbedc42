"""Reading ids out of untrusted text. Not ``str.isdigit()``: it is true for "²", which ``int()`` refuses (a 500),
as ``int()`` refuses strings of over 4,300 digits. At most 18 ASCII digits also fit a 64-bit column.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: object) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits (at most 18), or ``None``."""
    if not isinstance(value, str) or _ID.fullmatch(value) is None:
        return None
    return int(value)


def by_id_or_key(queryset, value: str, key: str):
    """The object of ``queryset`` with the id ``value`` spells, else with ``key`` equal to ``value``, or ``None``."""
    pk = parse_id(value)
    return (queryset.filter(pk=pk).first() if pk is not None else None) or queryset.filter(**{key: value}).first()
