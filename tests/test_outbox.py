"""E-mail is never lost: every message goes through the durable outbox (django-mailer), a refused delivery is
deferred with its error and retried, and once the SMTP server accepts again it is delivered exactly once.

The SMTP tests talk to a real SMTP server (aiosmtpd) on 127.0.0.1 through Django's SMTP backend.
"""

from __future__ import annotations

import socket
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

from core import mail as outbox
from monitoring import update_services as services
from monitoring.models import ProgressUpdate, UpdateStatus
from stakeholders.models import Membership
from tests.conftest import draft
from tests.factories import (
    OrganisationFactory,
    UserFactory,
)
from tests.outbox import deliver, queued

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("asem_portal", "actions", "projects", "stakeholders", "monitoring")


# --- A real SMTP server ---------------------------------------------------------------------------------------


class Handler:
    """aiosmtpd handler: accepts, or refuses with ``refuse_rcpt`` / ``refuse_data``; records what it accepted."""

    def __init__(self) -> None:
        self.refuse_rcpt: str | None = None
        self.refuse_data: str | None = None
        self.received: list[tuple[list[str], str]] = []  # (recipients, subject)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse_data:
            return self.refuse_data
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)["Subject"]))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """An SMTP server on a free port of 127.0.0.1 (not started), and the outbox delivering to it."""
    server = SMTPServer()
    with override_settings(
        MAILER_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


# --- A progress update to notify about --------------------------------------------------------------------------


@pytest.fixture
def submitted(world) -> ProgressUpdate:
    """The author's update on the world's initiative (tests/conftest.py), submitted; the reviewers' notice of the
    submission is taken out of the outbox (tests/test_review_workspace.py checks it), leaving it empty."""
    update = services.submit_update(update=draft(world), user=world.author)
    assert [subject for _to, subject in queued()] == ["Progress update submitted: DUO Fellowship"]
    Message.objects.all().delete()
    return update


def return_through_the_web(client, update: ProgressUpdate, reviewer) -> None:
    client.force_login(reviewer)
    response = client.post(
        reverse("updates:update-return", args=[update.pk]), {"reason": "Add the figures.", "version": update.version}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED


SUBJECT = "Your progress update on DUO Fellowship was returned"


def attempts() -> list[tuple[str, str]]:
    return list(MessageLog.objects.order_by("when_attempted", "pk").values_list("result", "log_message"))


# --- The key tests: a refusing SMTP server loses nothing; once it accepts, the notice arrives once ---------------


@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param({"refuse_data": "451 4.3.0 Try again later"}, id="451-at-data"),
        pytest.param({"refuse_rcpt": "550 5.1.1 Mailbox unavailable"}, id="550-at-rcpt"),
    ],
)
def test_a_notice_the_smtp_server_refuses_is_deferred_and_delivered_once_it_accepts(
    client, submitted, secretariat_user, smtp, refusal
):
    smtp.start()
    for name, reply in refusal.items():
        setattr(smtp.handler, name, reply)
    return_through_the_web(client, submitted, secretariat_user)
    assert queued() == [(["author@example.org"], SUBJECT)]

    call_command("send_mail")
    # Not lost: still in the outbox, deferred, with the server's answer in the log.
    message = Message.objects.get()
    assert message.priority == 4 and list(Message.objects.deferred()) == [message]  # 4: django-mailer's "deferred"
    [(result, error)] = attempts()
    assert result == RESULT_FAILURE and next(iter(refusal.values())).split()[0] in error
    assert smtp.handler.received == [] and mail.outbox == []
    call_command("send_mail")  # the sender skips deferred messages: nothing is hammered at the server
    assert len(attempts()) == 1

    # The server accepts again; retry_deferred (cron) puts the message back in the queue, send_mail delivers it.
    smtp.handler.refuse_rcpt = smtp.handler.refuse_data = None
    call_command("retry_deferred")
    assert Message.objects.get().retry_count == 1 and not Message.objects.deferred().exists()
    call_command("send_mail")
    assert smtp.handler.received == [(["author@example.org"], SUBJECT)]
    assert not Message.objects.exists()
    assert [result for result, _error in attempts()] == [RESULT_FAILURE, RESULT_SUCCESS]

    # Exactly once: more runs of both commands send nothing again.
    call_command("retry_deferred")
    call_command("send_mail")
    assert smtp.handler.received == [(["author@example.org"], SUBJECT)]


def test_a_notice_survives_a_mail_server_that_is_not_listening_at_all(submitted, secretariat_user, smtp):
    services.return_update(update=submitted, reviewer=secretariat_user, reason="Add the figures.")
    call_command("send_mail")  # nothing listens on the port: connection refused
    assert Message.objects.deferred().count() == 1
    [(result, error)] = attempts()
    assert result == RESULT_FAILURE and "refused" in error.lower()

    smtp.start()
    call_command("retry_deferred")
    call_command("send_mail")
    call_command("send_mail")
    assert smtp.handler.received == [(["author@example.org"], SUBJECT)] and not Message.objects.exists()


def test_a_mail_server_that_never_answers_defers_the_notice_after_email_timeout(submitted, secretariat_user, smtp):
    services.return_update(update=submitted, reviewer=secretariat_user, reason="Add the figures.")
    with socket.socket() as silent:  # accepts the connection, never sends its greeting
        silent.bind(("127.0.0.1", smtp.port))
        silent.listen()
        with override_settings(EMAIL_TIMEOUT=1):
            call_command("send_mail")
    assert Message.objects.deferred().count() == 1
    [(result, error)] = attempts()
    assert result == RESULT_FAILURE and "timed out" in error


def test_the_notice_is_queued_with_the_state_change_and_rolled_back_with_it(submitted, secretariat_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.return_update(update=submitted, reviewer=secretariat_user, reason="Add the figures.")
        assert queued() == [(["author@example.org"], SUBJECT)]
        raise RuntimeError("the request fails after the return")
    submitted.refresh_from_db()
    assert submitted.status == UpdateStatus.SUBMITTED and queued() == []


# --- Everything else that sends mail ------------------------------------------------------------------------------


def test_approval_notices_are_queued_and_delivered(submitted, secretariat_user):
    services.approve_update(update=submitted, reviewer=secretariat_user)
    assert queued() == [(["author@example.org"], "Your progress update on DUO Fellowship is published")]
    [message] = deliver()
    assert message.to == ["author@example.org"] and "It is public now" in message.body


def test_an_invitation_is_queued_with_the_membership(secretariat_client):
    organisation = OrganisationFactory(slug="asi", acronym="ASI")
    response = secretariat_client.post(
        reverse("accounts:invite"),
        {"email": "new.contact@example.org", "organisation": organisation.pk, "role": "contributor"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Membership.objects.filter(user__email="new.contact@example.org", organisation=organisation).exists()
    assert queued() == [(["new.contact@example.org"], "You are invited to the ASEM Education Action Plan portal")]
    [message] = deliver()
    assert "/accounts/invitation/" in message.body


def test_password_reset_mail_goes_through_the_outbox_too(client, settings):
    from asem_portal import settings as project_settings

    assert project_settings.EMAIL_BACKEND == "core.mail.OutboxBackend"
    settings.EMAIL_BACKEND = project_settings.EMAIL_BACKEND  # the test runner swaps it for its memory backend
    UserFactory(username="forgetful", email="forgetful@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert [to for to, _subject in queued()] == [["forgetful@example.org"]] and mail.outbox == []
    [message] = deliver()
    assert "/accounts/password/reset/" in message.body


def test_locally_the_queue_is_sent_as_soon_as_the_transaction_commits(
    submitted, secretariat_user, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_ON_COMMIT = True  # the default without EMAIL_HOST: `make run` needs no worker
    with django_capture_on_commit_callbacks(execute=True):
        services.return_update(update=submitted, reviewer=secretariat_user, reason="Add the figures.")
        assert queued() == [(["author@example.org"], SUBJECT)] and mail.outbox == []
    assert [m.subject for m in mail.outbox] == [SUBJECT] and queued() == []


def test_an_unexpected_delivery_error_defers_that_message_and_the_queue_goes_on(settings):
    outbox.queue_mail("First", "Body", ["first@example.org"])
    outbox.queue_mail("Second", "Body", ["second@example.org"])
    settings.MAILER_EMAIL_BACKEND = "tests.test_outbox.BrokenForFirstBackend"
    deliver()
    assert [m.subject for m in mail.outbox] == ["Second"]
    assert [m.subject for m in Message.objects.deferred()] == ["First"]
    assert attempts()[0] == (RESULT_FAILURE, "ValueError: a backend bug")


class BrokenForFirstBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        if messages[0].subject == "First":
            raise ValueError("a backend bug")
        return super().send_messages(messages)


def test_empty_addresses_queue_nothing():
    assert outbox.queue_mail("Subject", "Body", ["", None]) == 0 and queued() == []


# --- What the Secretariat sees -------------------------------------------------------------------------------


def test_the_secretariat_sees_queued_deferred_and_sent_mail_in_the_admin_and_can_send_again(secretariat_client):
    outbox.queue_mail("Refused", "Body", ["refused@example.org"])
    with override_settings(MAILER_EMAIL_BACKEND="tests.outbox.RefusingBackend"):
        call_command("send_mail")
    outbox.queue_mail("Waiting", "Body", ["waiting@example.org"])

    listing = secretariat_client.get(reverse("admin:mailer_message_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "refused@example.org" in page and "waiting@example.org" in page and "deferred" in page
    log = secretariat_client.get(reverse("admin:mailer_messagelog_changelist"))
    assert log.status_code == 200 and "refused@example.org" in log.content.decode()
    entry = MessageLog.objects.get()
    detail = secretariat_client.get(reverse("admin:mailer_messagelog_change", args=[entry.pk]))
    assert detail.status_code == 200 and "4.3.0 Try again later" in detail.content.decode()

    # Viewing only: the stored message is not edited by hand; the list's "send" action retries it now.
    deferred = Message.objects.deferred().get()
    change = secretariat_client.post(reverse("admin:mailer_message_change", args=[deferred.pk]), {"priority": 1})
    assert change.status_code == 403
    sent = secretariat_client.post(
        reverse("admin:mailer_message_changelist"), {"action": "send_messages", "_selected_action": [deferred.pk]}
    )
    assert sent.status_code == 302
    assert [m.to for m in mail.outbox] == [["refused@example.org"]]
    assert [m.subject for m in Message.objects.all()] == ["Waiting"]


# --- No silent failures left in the product code --------------------------------------------------------------


def test_no_product_code_sends_mail_with_fail_silently():
    sources = [path for package in PRODUCT_PACKAGES for path in (ROOT / package).rglob("*.py")]
    assert len(sources) > 20
    assert [path for path in sources if "fail_silently=True" in path.read_text(encoding="utf-8")] == []
