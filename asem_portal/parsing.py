"""Reading numbers out of untrusted text (form fields, query strings, JSON bodies).

``str.isdigit()`` is not a test for "``int()`` will take this": it is true for "²" and other Unicode digits
that ``int()`` refuses, and ``int()`` also refuses strings of more than 4,300 digits. Either is a 500 where
the answer should be "not a valid id". ``parse_id`` accepts ASCII digits only, at most 18 of them (so the
result fits a 64-bit database column), and answers ``None`` for anything else.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: object) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits (at most 18), or ``None``."""
    if not isinstance(value, str) or _ID.fullmatch(value) is None:
        return None
    return int(value)
