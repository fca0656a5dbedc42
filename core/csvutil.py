"""Streaming CSV for open-data downloads, shared by the directory's export and the API's plan export."""

from __future__ import annotations


def csv_safe(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (OWASP "CSV injection")."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


class Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value
