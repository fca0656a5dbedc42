"""``build_report``: the report of a cycle, section by section."""

from __future__ import annotations

import dataclasses
import datetime

from django.utils import timezone

from ..models import CycleStatus, Document, Meeting, ReportingCycle
from .changes import build_changes, read_baseline
from .charts import build_charts
from .data import SCHEMA_VERSION, CycleInfo, MeetingInfo, StocktakingReportData
from .initiatives import build_initiatives
from .plan import read_plan
from .sections import build_balance, build_coverage, build_sections, build_summary


def _copy(kind, obj, **computed):
    """A ``kind`` whose fields are ``obj``'s attributes of the same names, but for the ``computed`` ones."""
    copied = {f.name: getattr(obj, f.name) for f in dataclasses.fields(kind) if f.name not in computed}
    return kind(**copied, **computed)


def meeting_info(meeting: Meeting | None, conclusions: dict[int, str]) -> MeetingInfo | None:
    """The meeting as the report names it; ``conclusions``: meeting pk → the page of its Chair's Conclusions."""
    if meeting is None:
        return None
    host = meeting.host_country.name if meeting.host_country else ""
    return _copy(
        MeetingInfo,
        meeting,
        name=meeting.short_name,
        kind_label=str(meeting.get_kind_display()),
        host=host,
        conclusions_url=conclusions.get(meeting.pk, ""),
    )


def chairs_conclusions(*meetings: Meeting | None) -> dict[int, str]:
    """Meeting pk → the page of its Chair's Conclusions in the repository (English first), in one query."""
    pks = [meeting.pk for meeting in meetings if meeting is not None]
    pages: dict[int, str] = {}
    for document in Document.objects.chairs_conclusions().filter(meeting_id__in=pks).only("slug", "meeting_id"):
        pages.setdefault(document.meeting_id, document.get_absolute_url())
    return pages


def cycle_info(cycle: ReportingCycle, previous: ReportingCycle | None, today: datetime.date) -> CycleInfo:
    conclusions = chairs_conclusions(cycle.opening_meeting, cycle.closing_meeting)
    status = cycle.status_on(today)
    return _copy(
        CycleInfo,
        cycle,
        status=status.value,
        status_label=str(status.label),
        opening_meeting=meeting_info(cycle.opening_meeting, conclusions),
        closing_meeting=meeting_info(cycle.closing_meeting, conclusions),
        previous_number=previous.number if previous else None,
        previous_label=previous.label if previous else "",
    )


def build_report(
    cycle: ReportingCycle, *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> StocktakingReportData:
    """The stocktaking report of ``cycle`` as of ``today``, in about twenty queries whatever the plan's size."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    hosts = ("opening_meeting__host_country", "closing_meeting__host_country")
    cycle = ReportingCycle.objects.select_related(*hosts).get(pk=cycle.pk)
    previous = ReportingCycle.objects.filter(number__lt=cycle.number).order_by("-number").first()
    plan = read_plan()
    baseline = read_baseline(cycle, previous)
    initiatives = build_initiatives(cycle, previous, today, plan, is_new=baseline.is_new)
    objectives, per_objective, per_action = build_sections(plan, initiatives)
    data = StocktakingReportData(
        schema_version=SCHEMA_VERSION,
        cycle=cycle_info(cycle, previous, today),
        generated_at=now,
        as_of=today,
        published=cycle.status_on(today) == CycleStatus.PUBLISHED,
        executive_summary=cycle.executive_summary.strip(),
        summary=build_summary(cycle, initiatives, per_objective, per_action),
        objectives=objectives,
        initiatives=list(initiatives.entries.values()),
        coverage=build_coverage(cycle, initiatives),
        balance=build_balance(plan),
        changes=build_changes(cycle, baseline, initiatives),
    )
    data.charts = build_charts(data)
    return data
