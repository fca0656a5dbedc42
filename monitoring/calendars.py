"""iCalendar feeds (RFC 5545, written with the ``icalendar`` library) that calendar programs subscribe to: the
process's meetings and events, and the plan's milestones (all of them, or one initiative's).

Each event is all-day (``DTSTART``/``DTEND`` as DATE values; ``DTEND`` is the day after the last, as the standard
wants), has a ``UID`` that never changes (the object's kind and id at the site's host, from ``SITE_URL``, so a
calendar updates the event rather than adding it twice), a ``DTSTAMP``, a ``SUMMARY`` and the ``URL`` of its page.
Meetings and milestones without a date are left out: a calendar cannot place them.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from projects.models import Milestone, Project

from .models import Meeting

PRODUCT_ID = "-//ASEM Education Secretariat//ASEM Education Portal//EN"
ONE_DAY = datetime.timedelta(days=1)


def uid(kind: str, pk: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "asem-education-portal"
    return f"{kind}-{pk}@{host}"


def new_calendar(name: str, description: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    return calendar


def all_day_event(
    *,
    event_uid: str,
    stamp: datetime.datetime,
    first: datetime.date,
    last: datetime.date | None,
    summary: str,
    url: str,
) -> Event:
    event = Event()
    event.add("uid", event_uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)  # a date: written as VALUE=DATE
    event.add("dtend", max(last or first, first) + ONE_DAY)  # exclusive
    event.add("summary", summary)
    event.add("url", url)
    return event


def ics_response(calendar: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def meeting_summary(meeting: Meeting) -> str:
    if meeting.is_cycle_meeting:
        return f"{meeting.short_name}: {meeting.get_kind_display()}"
    return meeting.title


def meetings_calendar(request: HttpRequest) -> HttpResponse:
    """Every meeting and event with a date."""
    stamp = timezone.now()
    calendar = new_calendar(_("ASEM Education meetings"), _("Meetings and events of the ASEM Education Process."))
    meetings = Meeting.objects.filter(start_date__isnull=False).select_related("host_country").order_by("start_date")
    for meeting in meetings:
        event = all_day_event(
            event_uid=uid("meeting", meeting.pk),
            stamp=stamp,
            first=meeting.start_date,
            last=meeting.end_date,
            summary=meeting_summary(meeting),
            url=request.build_absolute_uri(meeting.get_absolute_url()),
        )
        place = [part for part in (meeting.city, meeting.host_country.name if meeting.host_country else "") if part]
        if meeting.is_online:
            place.append(_("online"))
        if place:
            event.add("location", ", ".join(place))
        event.add("status", "TENTATIVE" if meeting.status == "planned" else "CONFIRMED")
        calendar.add_component(event)
    return ics_response(calendar, "asem-education-meetings.ics")


def _milestone_events(calendar: Calendar, milestones, request: HttpRequest, stamp: datetime.datetime) -> None:
    for milestone in milestones:
        event = all_day_event(
            event_uid=uid("milestone", milestone.pk),
            stamp=stamp,
            first=milestone.planned_start,
            last=milestone.planned_end,
            summary=f"{milestone.project.title}: {milestone.title}",
            url=request.build_absolute_uri(milestone.project.get_absolute_url()),
        )
        description = [str(milestone.get_status_display())]
        if milestone.period_label:
            description.append(_("As the plan states it: %(period)s") % {"period": milestone.period_label})
        event.add("description", "\n".join(description))
        calendar.add_component(event)


def dated_milestones():
    return (
        Milestone.objects.filter(planned_start__isnull=False)
        .select_related("project")
        .only("title", "planned_start", "planned_end", "period_label", "status", "project__slug", "project__title")
        .order_by("planned_start", "pk")
    )


def milestones_calendar(request: HttpRequest) -> HttpResponse:
    """The milestones of every initiative of the plan."""
    calendar = new_calendar(
        _("ASEM Education 2030 Action Plan: milestones"), _("The dated milestones of the plan's initiatives.")
    )
    _milestone_events(calendar, dated_milestones(), request, timezone.now())
    return ics_response(calendar, "asem-action-plan-milestones.ics")


def initiative_milestones_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """One initiative's milestones."""
    project = get_object_or_404(Project.objects.only("slug", "title"), slug=slug)
    calendar = new_calendar(
        _("%(initiative)s: milestones") % {"initiative": project.title},
        _("The dated milestones of this initiative of the ASEM Education 2030 Action Plan."),
    )
    _milestone_events(calendar, dated_milestones().filter(project=project), request, timezone.now())
    return ics_response(calendar, f"{project.slug}-milestones.ics")
