"""iCalendar feeds (``monitoring.calendars``), through the public page cache like the pages they mirror."""

from django.urls import path

from core.cache import cached_public_page

from . import calendars

app_name = "calendars"

urlpatterns = [
    path("meetings.ics", cached_public_page(calendars.meetings_calendar), name="meetings"),
    path("milestones.ics", cached_public_page(calendars.milestones_calendar), name="milestones"),
    path(
        "initiatives/<slug:slug>/milestones.ics",
        cached_public_page(calendars.initiative_milestones_calendar),
        name="initiative-milestones",
    ),
]
