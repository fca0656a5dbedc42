"""The durable outbox (django-mailer): every e-mail is first a row in the database, committed with the change
it announces or not at all. Delivery and retries are described with the e-mail settings in ``settings.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from mailer.backend import DbBackend
from mailer.engine import handle_delivery_exception, send_all
from mailer.models import RESULT_FAILURE, MessageLog

logger = logging.getLogger(__name__)


class OutboxBackend(DbBackend):
    """django-mailer's database backend; with ``MAIL_SEND_ON_COMMIT`` it delivers the queue once committed."""

    def send_messages(self, email_messages):
        count = super().send_messages(email_messages)
        if count and getattr(settings, "MAIL_SEND_ON_COMMIT", False):
            transaction.on_commit(send_all)
        return count


#: How the portal names itself in e-mails (never the request's host name).
SITE_NAME = "ASEM Education Portal"


def site_link(path: str) -> str:
    """The absolute address of ``path`` (from ``reverse()``) for an e-mail: always ``settings.SITE_URL``.

    Never the request's ``Host`` header: a request under another allowed host name (or a forged one behind a
    lenient proxy) must not decide where the links in a message point.
    """
    return settings.SITE_URL.rstrip("/") + path


def queue_mail(subject: str, body: str, recipients: Iterable[str]) -> int:
    """Put one plain-text message to ``recipients`` (empty addresses dropped) in the outbox; 1 if queued.

    Always the outbox, whatever ``EMAIL_BACKEND`` says (the test runner swaps that for its memory backend):
    call it inside the transaction of the change the message announces.
    """
    to = [address for address in recipients if address]
    if not to:
        return 0
    return EmailMessage(subject, body, None, to, connection=OutboxBackend()).send()


def defer_on_error(connection, message, exc):
    """``MAILER_ERROR_HANDLER``: defer the message on any error, not only the SMTP and socket errors.

    django-mailer's own handler defers those and re-raises anything else (a malformed address, a bug in a
    backend), which would leave the message at the head of the queue and stop every later run at it.
    """
    try:
        return handle_delivery_exception(connection, message, exc)
    except Exception:  # noqa: BLE001 - anything a backend raises defers the message, with the error logged
        logger.exception("Message %s deferred on an unexpected error", message.pk)
        message.defer()
        MessageLog.objects.log(message, RESULT_FAILURE, log_message=f"{type(exc).__name__}: {exc}")
        return None, "deferred"
