"""Demo data for ``make run``: a reporting cycle around today, and a first stocktaking report a newcomer can read.

The shipped plan's cycle 1 (2022–2023) closed long ago. So that a newcomer sees a cycle at work (an open window,
days left), the demo adds the cycles that follow it in the two-year rhythm up to the one whose two years hold
today, through the same service the Secretariat uses (``cycle_services.plan_next_cycle``), each with a note that
it is demo data: the past ones with a window that spanned their two years (closed now, unpublished), the current
one with a window from ``DEMO_WINDOW_BEFORE`` days ago to ``DEMO_WINDOW_AFTER`` days from now. Then approved demo
updates in it, written through the site's services by the demo accounts; every text says it is demo data.
Idempotent: once a cycle takes updates, no cycle is added; once the demo contributors have updates in it,
nothing more is written.

Demonstration data is flagged in the data (``is_demo`` on the cycles, updates and work-plan items it adds), and
while any is loaded every page shows a banner (``asem_portal.context_processors.demo_data``). The demo updates
report on demo work-plan items, never a milestone or an indicator value of a real initiative; they state the
initiative's status, as every update must. ``remove_demo_data()`` takes it all away again, withdrawing each
approval through the update services first, so that the initiatives show what they showed before.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q
from django.utils import timezone

from core.exceptions import WorkflowError
from projects.models import Project, ProjectStatus
from stakeholders.models import Organisation

from . import cycle_services, update_services
from .models import ProgressRating, ProgressUpdate, ReportingCycle, StocktakingReport, UpdateStatus, WorkPlanItem

DEMO = "(Demo data, not a real report.)"
DEMO_CYCLE_NOTE = (
    "Demo data, added by `make run` (monitoring/demo.py) so that a newcomer sees a cycle at work: the plan states "
    "nothing of this cycle or its dates. Delete the demo database before real use."
)
DEMO_WINDOW_BEFORE = 60
DEMO_WINDOW_AFTER = 24

# (initiative slug, planned activity, expected output): a demo work plan for the cycle.
DEMO_WORK_PLAN = [
    (
        "asem-duo-fellowship-programme",
        "Support the exchange of pairs of students and professors (demo work-plan item)",
        "More than 100 pairs exchanged each year.",
    ),
    (
        "asem-duo-fellowship-programme",
        "Organise the biennial ASEM-DUO Alumni meeting (demo work-plan item)",
        "An alumni meeting held in the cycle.",
    ),
    (
        "asem-duo-fellowship-programme",
        "Outreach to European partners to fund the programme (demo work-plan item)",
        "At least one new European contributing partner.",
    ),
    (
        "asef-education-programmes",
        "Run the ASEF education programmes for students and young professionals (demo work-plan item)",
        "Programmes run in the cycle, in Asia and in Europe.",
    ),
]


def ensure_demo_updates() -> list[str]:
    """Create the demo work plan and approved demo updates; return what was done, line by line."""
    User = get_user_model()
    done = []
    cycle = ReportingCycle.objects.current()
    if cycle is None:
        cycle, done = ensure_demo_cycle()
    if cycle is None:
        return ["No reporting cycle takes updates today, and none can be added: load the plan first."]
    users = {u.username: u for u in User.objects.filter(username__in=["contributor", "outsider", "secretariat"])}
    if len(users) < 3:
        return ["The demo accounts are missing: run create_demo_accounts first."]
    if ProgressUpdate.objects.filter(cycle=cycle, author__in=users.values()).exists():
        return [*done, f"Demo updates already exist in {cycle}."]
    projects = {p.slug: p for p in Project.objects.filter(slug__in={slug for slug, _a, _o in DEMO_WORK_PLAN})}
    if len(projects) < 2:
        return ["The demo initiatives are missing: run load_action_plan first."]

    with transaction.atomic():
        items = {}
        for position, (slug, activity, output) in enumerate(DEMO_WORK_PLAN, start=1):
            items[activity], _created = WorkPlanItem.objects.get_or_create(
                cycle=cycle,
                project=projects[slug],
                planned_activity=activity,
                defaults={"expected_output": output, "position": position, "is_demo": True},
            )
        done.append(f"Demo work plan of {cycle}: {len(items)} items.")
        end = min(cycle.period_end, datetime.date.today())
        duo = projects["asem-duo-fellowship-programme"]
        duo_items = [items[a] for s, a, _o in DEMO_WORK_PLAN if s == duo.slug]
        # No indicator value and no milestone report: a made-up figure would show as the real initiative's.
        content = update_services.UpdateContent(
            period_start=cycle.period_start,
            period_end=end,
            achievements=(
                f"{DEMO} 118 pairs of students and professors were exchanged over the two years, and the "
                "ASEM-DUO Alumni meeting was held online with fellows from both regions."
            ),
            challenges=f"{DEMO} Few European partners contribute funding, so exchanges remain unbalanced.",
            next_steps=f"{DEMO} Outreach to European ministries during the next Senior Officials' Meeting.",
            self_assessment=ProgressRating.MINOR_DELAYS,
            initiative_status=ProjectStatus.ONGOING,
            work_plan_reports=(
                update_services.WorkPlanReportData(item=duo_items[0], done=True, note="118 pairs (demo)."),
                update_services.WorkPlanReportData(item=duo_items[1], done=True, note="Held online (demo)."),
                update_services.WorkPlanReportData(item=duo_items[2], done=False, note="No new partner yet (demo)."),
            ),
        )
        done.append(_publish(duo, "asem-duo-secretariat", users["contributor"], users["secretariat"], content))
        asef = projects["asef-education-programmes"]
        asef_item = next(items[a] for s, a, _o in DEMO_WORK_PLAN if s == asef.slug)
        content = update_services.UpdateContent(
            period_start=cycle.period_start,
            period_end=end,
            achievements=f"{DEMO} ASEF's education programmes ran online and in person for students in both regions.",
            next_steps=f"{DEMO} Publish the programmes' outcomes for the next ASEMME.",
            self_assessment=ProgressRating.ON_TRACK,
            initiative_status=ProjectStatus.ONGOING,
            work_plan_reports=(update_services.WorkPlanReportData(item=asef_item, done=True, note="(demo)"),),
        )
        done.append(_publish(asef, "asef", users["outsider"], users["secretariat"], content))
    return done


def ensure_demo_cycle(today: datetime.date | None = None) -> tuple[ReportingCycle | None, list[str]]:
    """The cycles after the latest one, in the two-year rhythm, up to the one around ``today`` (see the module's
    docstring); None if there is no cycle to follow, or the latest one is still to come."""
    today = today or timezone.localdate()
    latest = ReportingCycle.objects.order_by("-number").first()
    if latest is None or latest.period_end >= today:
        return None, []
    done = []
    with transaction.atomic():
        while latest.period_end < today:
            proposal = cycle_services.propose_next_cycle(latest, today)
            if proposal.period_end < today:  # passed: its window spanned its two years, as cycle 1's
                opens, closes = proposal.period_start, proposal.period_end
            else:
                opens = max(proposal.period_start, today - datetime.timedelta(days=DEMO_WINDOW_BEFORE))
                closes = today + datetime.timedelta(days=DEMO_WINDOW_AFTER)
            latest = cycle_services.plan_next_cycle(
                previous=latest,
                user=None,
                period_start=proposal.period_start,
                period_end=proposal.period_end,
                opens=opens,
                closes=closes,
                note=DEMO_CYCLE_NOTE,
            )
            latest.is_demo = True
            latest.save(update_fields=["is_demo"])
            done.append(f"Demo {latest}: {cycle_services.cycle_status_message(latest, today)}.")
    return ReportingCycle.objects.current(today), done


def _publish(project: Project, organisation_slug: str, author, reviewer, content) -> str:
    organisation = Organisation.objects.get(slug=organisation_slug)
    update = update_services.create_update(project=project, organisation=organisation, author=author, content=content)
    update.is_demo = True
    update.save(update_fields=["is_demo"])
    update_services.submit_update(update=update, user=author)
    update_services.approve_update(
        update=update,
        reviewer=reviewer,
        rating=content.self_assessment,
        comment=f"{DEMO} The Secretariat agrees with the organisation's own assessment.",
    )
    return f"Approved demo update on {project.title} by {author.username}."


def demo_data_loaded() -> bool:
    """Whether any demonstration data is loaded: a demo cycle, or a cycle with a demo update (read from the small
    partial index of demo updates). One query; the cycles are few. (Demo work-plan items are only ever made
    together with demo updates.)"""
    return ReportingCycle.objects.filter(
        Q(is_demo=True) | Exists(ProgressUpdate.objects.filter(cycle=OuterRef("pk"), is_demo=True))
    ).exists()


def remove_demo_data(*, actor, dry_run: bool = False) -> list[str]:
    """Remove all demonstration data; return what was done, line by line.

    Each approved demo update's approval is first withdrawn through ``update_services.withdraw_approval`` (by
    ``actor``, who must be allowed to), which restores whatever the approval changed on the initiative (its
    status, and an indicator value older demo data reported); then the demo updates go, with their reports, the
    demo work-plan items, and the demo cycles with their reports and the reports' stored files. All or nothing:
    one transaction. A demo cycle something real still refers to (a real update reported in it) is an error.
    """
    updates = list(ProgressUpdate.objects.filter(is_demo=True).order_by("-reviewed_at", "-pk"))
    items = WorkPlanItem.objects.filter(is_demo=True)
    cycles = ReportingCycle.objects.filter(is_demo=True)
    done = [
        f"Demo progress updates: {len(updates)}.",
        f"Demo work-plan items: {items.count()}.",
        f"Demo reporting cycles: {cycles.count()}.",
    ]
    if dry_run or (not updates and not items.exists() and not cycles.exists()):
        return done
    with transaction.atomic():
        for update in updates:
            if update.status == UpdateStatus.APPROVED:
                update_services.withdraw_approval(update=update, reviewer=actor, reason="Demonstration data removed.")
            ProgressUpdate.objects.filter(pk=update.pk).delete()
        for report in StocktakingReport.objects.filter(cycle__is_demo=True):
            files = [stored for stored in (report.pdf_file, report.xlsx_file, report.csv_file) if stored]
            report.delete()
            for stored in files:
                transaction.on_commit(partial(stored.storage.delete, stored.name))
        try:
            items.delete()
            cycles.delete()
        except ProtectedError as error:
            raise WorkflowError(
                "Something that is not demonstration data refers to it (a progress update in a demo cycle, or on "
                "a demo work-plan item): remove or change that first."
            ) from error
    done.append("Removed.")
    return done
