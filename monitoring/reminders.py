"""Reminder e-mails to contributors whose initiatives have no submitted update in the open cycle.

Run daily by ``send_reporting_reminders --days N``. Each e-mail is recorded (``ReminderLog``) in the same
transaction as it is queued in the outbox (``core.mail``): a second run the same day queues nothing,
and a recorded reminder will be delivered (the outbox retries while the mail server refuses it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.mail import queue_mail, site_link

from .completeness import contributors_to_remind
from .models import ReminderLog, ReportingCycle


@dataclass(kw_only=True)
class ReminderRun:
    cycle: ReportingCycle | None
    days_left: int | None
    reason: str = ""  # why nothing was sent, when nothing was due
    # (e-mail address, initiative titles): queued in the outbox (or, in a dry run, that would be)
    sent: list[tuple[str, list[str]]] = field(default_factory=list)
    already_sent_today: int = 0


def _message(cycle: ReportingCycle, user, projects, days_left: int) -> tuple[str, str]:
    lines = [
        f"- {project.title}: {site_link(reverse('updates:update-create', kwargs={'slug': project.slug}))}"
        for project in projects
    ]
    values = {
        "name": user.get_full_name() or user.username,
        "number": cycle.number,
        "label": cycle.label,
        "date": date_format(cycle.last_submission_day()),
        "days": days_left,
        "list": "\n".join(lines),
    }
    subject = _("Progress updates due by %(date)s (ASEM Education reporting cycle %(number)s)") % values
    body = (
        _(
            "Dear %(name)s,\n\n"
            "The submission window of reporting cycle %(number)s (%(label)s) closes on %(date)s, in %(days)s days. "
            "These initiatives of your organisation have no progress update submitted yet:\n\n%(list)s\n\n"
            "Your updates feed the Stocktaking Report presented to the Ministers. Thank you.\n\n"
            "The ASEM Education Secretariat"
        )
        % values
    )
    return subject, body


def send_reminders(
    *, days: int | None, today: datetime.date | None = None, dry_run: bool = False, organisation=None
) -> ReminderRun:
    """Remind who has initiatives without a submitted update in the open cycle, each person once a day.

    The command passes ``days`` (nothing is sent while the window closes later than that); the Secretariat's
    "Send a reminder" on the completeness page passes ``days=None`` and one ``organisation``, whose members are
    reminded of its initiatives only. Both share the daily limit (``ReminderLog``, one per person and day).
    """
    today = today or timezone.localdate()
    cycle = ReportingCycle.objects.current(today)
    if cycle is None:
        return ReminderRun(cycle=None, days_left=None, reason=_("No reporting cycle takes updates today."))
    # Until the last day anything may be submitted: the window's, or the late allowance's.
    days_left = (cycle.last_submission_day() - today).days
    run = ReminderRun(cycle=cycle, days_left=days_left)
    if days_left < 0:
        run.reason = _("The submission window closed on %(date)s.") % {"date": date_format(cycle.last_submission_day())}
        return run
    if days is not None and days_left > days:
        run.reason = _("The window closes in %(left)s days, more than %(days)s.") % {"left": days_left, "days": days}
        return run
    already = set(ReminderLog.objects.filter(cycle=cycle, sent_on=today).values_list("user_id", flat=True))
    for user_id, (user, projects) in contributors_to_remind(cycle, organisation=organisation).items():
        if user_id in already:
            run.already_sent_today += 1
            continue
        titles = [p.title for p in projects]
        if not dry_run:
            subject, body = _message(cycle, user, projects, days_left)
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(
                        cycle=cycle, user=user, sent_on=today, days_before_close=days_left, projects=titles
                    )
                    # Queued in the same transaction: the record and the message are committed together or not at all.
                    queue_mail(subject, body, [user.email])
            except IntegrityError:  # another run sent it a moment ago
                run.already_sent_today += 1
                continue
        run.sent.append((user.email, titles))
    return run
