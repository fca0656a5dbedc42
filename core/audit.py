"""The audit log of Secretariat decisions, in Django's admin log (``LogEntry``) beside the admin's own changes:
one list answers "who approved, returned, withdrew, published or deleted what, and when"."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models


def record_decision(*, user, obj: models.Model, message: str) -> None:
    """Log a decision on ``obj`` by ``user`` (no-op without a user, e.g. a management command)."""
    if user is None or not getattr(user, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=type(obj)._default_manager.filter(pk=obj.pk),
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
