"""Reminder e-mails before the submission window closes: who, when, once a day, and a dry run."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from mailer.models import Message

from monitoring.models import ReminderLog, ReportingCycle
from monitoring.reminders import send_reminders
from tests.factories import MembershipFactory, UserFactory
from tests.outbox import deliver, queued

pytestmark = pytest.mark.django_db

CLOSES = datetime.date(2023, 12, 31)


@pytest.fixture(autouse=True)
def _outbox_without_the_worlds_notices(world):
    """The world's approvals queued their notices; these tests look at reminders only. The cycle's window is
    2022–2023, and the tests say which day it is."""
    Message.objects.all().delete()
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(submission_opens=datetime.date(2022, 1, 1), submission_closes=CLOSES)


def test_members_of_initiatives_without_a_submitted_update_are_reminded_once_a_day(world):
    # Alpha and delta have approved updates, beta a submitted one: nobody is due. Make beta due (no update),
    # and add a colleague at ASI and a member without an e-mail address.
    world.beta.updates.all().delete()
    colleague = MembershipFactory(organisation=world.asi, user=UserFactory(username="colleague")).user
    MembershipFactory(organisation=world.asi, user=UserFactory(username="no-mail", email=""))
    run = send_reminders(days=14, today=CLOSES - datetime.timedelta(days=10))
    assert run.days_left == 10 and not run.reason
    assert sorted(address for address, _titles in run.sent) == sorted([colleague.email, world.author_asi.email])
    assert all(titles == ["Beta"] for _address, titles in run.sent)
    # "Sent" is queued in the outbox, with its record, in one transaction; the sender delivers the queue.
    assert sorted(to for to, _subject in queued()) == sorted([[colleague.email], [world.author_asi.email]])
    assert ReminderLog.objects.count() == 2
    assert len(deliver()) == 2 and queued() == []
    message = mail.outbox[0]
    assert "31 December 2023" in message.subject and "in 10 days" in message.body
    assert "/updates/initiatives/beta/new/" in message.body

    again = send_reminders(days=14, today=CLOSES - datetime.timedelta(days=10))
    assert again.sent == [] and again.already_sent_today == 2 and queued() == []
    assert len(deliver()) == 2
    tomorrow = send_reminders(days=14, today=CLOSES - datetime.timedelta(days=9))
    assert len(tomorrow.sent) == 2 and len(queued()) == 2
    assert len(deliver()) == 4


def test_a_reminder_the_mail_server_refuses_is_not_sent_twice_and_delivered_later(world, settings):
    """The record of the day and the queued message go together: a refused delivery is retried by the outbox,
    not by a second reminder run."""
    world.beta.updates.all().delete()
    day = CLOSES - datetime.timedelta(days=10)
    settings.MAILER_EMAIL_BACKEND = "tests.outbox.RefusingBackend"
    assert len(send_reminders(days=14, today=day).sent) == 1
    deliver()
    assert mail.outbox == [] and Message.objects.deferred().count() == 1
    assert send_reminders(days=14, today=day).already_sent_today == 1 and Message.objects.count() == 1
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("retry_deferred")
    assert [m.to for m in deliver()] == [[world.author_asi.email]] and queued() == []


def test_nothing_is_sent_too_early_after_the_window_or_without_an_open_cycle(world):
    world.beta.updates.all().delete()
    assert "more than 14" in send_reminders(days=14, today=CLOSES - datetime.timedelta(days=30)).reason
    assert "No reporting cycle takes updates" in send_reminders(days=14, today=CLOSES + datetime.timedelta(days=1)).reason
    # With a late-submission allowance, the reminders count the days to its end.
    ReportingCycle.objects.filter(pk=world.cycle.pk).update(late_submissions_until=CLOSES + datetime.timedelta(days=20))
    assert "closes in 19 days" in send_reminders(days=14, today=CLOSES + datetime.timedelta(days=1)).reason
    assert queued() == [] and not ReminderLog.objects.exists()


def test_the_command_dry_run_sends_and_records_nothing(world):
    world.beta.updates.all().delete()
    out = StringIO()
    call_command("send_reporting_reminders", "--days", "30", "--today", "2023-12-20", "--dry-run", stdout=out)
    assert "Would remind author-asi@example.org: Beta" in out.getvalue()
    assert queued() == [] and not ReminderLog.objects.exists()
    out = StringIO()
    call_command("send_reporting_reminders", "--days", "30", "--today", "2023-12-20", stdout=out)
    assert "Reminded author-asi@example.org: Beta" in out.getvalue()
    assert (
        "1 queued in the outbox, 0 already reminded today; the window of cycle 1 closes in 11 days." in out.getvalue()
    )
    assert [to for to, _subject in queued()] == [["author-asi@example.org"]]
    assert len(deliver()) == 1
