"""The chase list on the completeness page (issue 22, point 5): per organisation its progress, each initiative
without an approved update as a link, "Invite a contact" where nobody could report, "Send a reminder" through the
reminder service and its daily limit, and the reminders its members received.

The world is the small plan of tests/monitoring/conftest.py: EUR leads alpha and delta (both approved), ASI leads
beta (submitted only) and delta, PAR is alpha's partner and has no members.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from mailer.models import Message

from monitoring.models import ReminderLog
from monitoring.reminders import send_reminders
from tests.factories import MembershipFactory, UserFactory
from tests.outbox import deliver, queued

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _open_window_and_empty_outbox(world):
    """The window closes in ten days (the view reminds as of today); the world's own notices are out of the way."""
    world.cycle.submission_closes = TODAY + datetime.timedelta(days=10)
    world.cycle.save()
    Message.objects.all().delete()


def card(page: str, organisation) -> str:
    """The chase list's card of ``organisation`` in the page's HTML."""
    match = re.search(rf'<li class="row-card" id="organisation-{organisation.pk}">(.*?)\n</li>', page, re.S)
    assert match, f"no card for {organisation}"
    return match.group(1)


def test_each_organisation_shows_its_progress_what_is_missing_and_who_could_report(secretariat_client, world):
    world.beta.updates.all().delete()
    page = secretariat_client.get(reverse("reports:completeness")).content.decode()

    eur, asi, par = card(page, world.eur), card(page, world.asi), card(page, world.par)
    assert 'max="2" value="2"' in eur and "2 of 2 initiatives approved" in eur and "Send a reminder" not in eur
    assert 'max="2" value="1"' in asi and "1 of 2 initiatives approved" in asi
    # Each initiative without an approved update is its own link, with how far it got.
    assert f'<a href="{world.beta.get_absolute_url()}">Beta</a> <span class="meta">(nothing yet)</span>' in asi
    assert world.delta.get_absolute_url() not in asi
    # An organisation with initiatives and nobody to report is flagged, with the way to invite someone.
    assert "No members" in par and "No members" not in asi
    invite = f"{reverse('accounts:invite')}?organisation={world.par.pk}"
    assert invite in par and "Send a reminder" not in par
    form = secretariat_client.get(invite).content.decode()
    assert re.search(rf'<option value="{world.par.pk}" selected>', form)
    # A bogus organisation in the link is no error: the form just names none.
    assert secretariat_client.get(f"{reverse('accounts:invite')}?organisation=²").status_code == 200


def test_send_a_reminder_reaches_the_organisations_members_once_a_day_and_shows_in_its_history(
    secretariat_client, world
):
    world.beta.updates.all().delete()
    colleague = MembershipFactory(organisation=world.asi, user=UserFactory(username="colleague")).user
    page = secretariat_client.get(reverse("reports:completeness")).content.decode()
    assert "Send a reminder to ASI" in card(page, world.asi) and "No reminder sent in this cycle." in card(
        page, world.asi
    )

    response = secretariat_client.post(reverse("reports:send-reminder"), {"organisation": world.asi.pk}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#organisation-{world.asi.pk}")
    assert "Reminders to ASI are in the outbox" in response.content.decode()
    assert sorted(to for to, _subject in queued()) == sorted([[colleague.email], [world.author_asi.email]])
    [message, _other] = deliver()
    assert "Beta" in message.body and "Delta" not in message.body and "in 10 days" in message.body
    assert ReminderLog.objects.filter(cycle=world.cycle, sent_on=TODAY).count() == 2

    history = card(response.content.decode(), world.asi)
    assert f"2 reminders sent in this cycle, the last on {TODAY.day} " in history
    assert "author-asi@example.org — Beta" in history or f"{world.author_asi.get_full_name()} — Beta" in history

    # The same daily limit as the command: a second click, or the command, sends nothing more today.
    again = secretariat_client.post(reverse("reports:send-reminder"), {"organisation": world.asi.pk}, follow=True)
    assert "already reminded today" in again.content.decode()
    assert send_reminders(days=30).already_sent_today == 2
    assert queued() == []


def test_the_command_reminders_show_in_the_history_of_each_organisation_of_the_person(secretariat_client, world):
    world.beta.updates.all().delete()
    MembershipFactory(organisation=world.par, user=world.author_asi)  # ASI's author is PAR's member too
    send_reminders(days=30)
    page = secretariat_client.get(reverse("reports:completeness")).content.decode()
    assert "1 reminder sent in this cycle" in card(page, world.asi)
    assert "1 reminder sent in this cycle" in card(page, world.par)
    assert "No reminder sent in this cycle." in card(page, world.eur)


def test_nothing_due_or_a_closed_window_sends_nothing_and_says_why(secretariat_client, world):
    nothing = secretariat_client.post(reverse("reports:send-reminder"), {"organisation": world.eur.pk}, follow=True)
    assert "Nobody at EUR has anything due" in nothing.content.decode()
    world.beta.updates.all().delete()
    world.cycle.submission_closes = TODAY - datetime.timedelta(days=1)
    world.cycle.save()
    closed = secretariat_client.post(reverse("reports:send-reminder"), {"organisation": world.asi.pk}, follow=True)
    assert "No reminder sent to ASI. No reporting cycle takes updates today." in closed.content.decode()
    assert "Send a reminder" not in card(closed.content.decode(), world.asi)
    assert queued() == [] and not ReminderLog.objects.exists()


@pytest.mark.parametrize("persona, expected", [("anonymous", 302), ("author_asi", 403), ("outsider", 403)])
def test_only_the_secretariat_sends_reminders(client, world, persona, expected):
    world.beta.updates.all().delete()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    assert client.post(reverse("reports:send-reminder"), {"organisation": world.asi.pk}).status_code == expected
    assert queued() == []


@pytest.mark.parametrize("value", ["", "abc", "999999", "²", "9" * 5000])
def test_a_bogus_organisation_is_a_404(secretariat_client, world, value):
    assert secretariat_client.post(reverse("reports:send-reminder"), {"organisation": value}).status_code == 404
    assert secretariat_client.get(reverse("reports:send-reminder")).status_code == 405
