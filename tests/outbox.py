"""Helpers for tests of e-mail: what the outbox holds, and delivering it as the cron job does."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from mailer.models import Message


def queued() -> list[tuple[list[str], str]]:
    """(recipients, subject) of each message waiting in the outbox, deferred or not, oldest first."""
    return [(message.to_addresses, message.subject) for message in Message.objects.order_by("when_added", "pk")]


def deliver() -> list:
    """Run ``manage.py send_mail`` once (through MAILER_EMAIL_BACKEND, memory in tests); return mail.outbox."""
    call_command("send_mail")
    return mail.outbox


class RefusingBackend(BaseEmailBackend):
    """A transport whose server answers every message with a temporary failure (no network needed)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
