"""Logging pieces wired in ``settings.LOGGING``: the request-ID filter and the JSON formatter (``LOG_FORMAT=json``)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core.middleware import current_request_id

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def request_id_of(record: logging.LogRecord) -> str:
    """The ID of the request ``record`` names (``django.request`` passes it with ``extra=``, after the middleware
    has returned), else of the request being handled ("-" outside one)."""
    named = getattr(getattr(record, "request", None), "request_id", None)
    return named or current_request_id.get()


class RequestIDFilter(logging.Filter):
    """Put the request's ID on the record as ``request_id`` (:func:`request_id_of`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_of(record)
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_of(record),
        }
        # Simple values passed with ``extra=`` (django.request's status_code); objects such as the request are left out.
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry and isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
