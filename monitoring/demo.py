"""Demo progress updates for ``make run``: a first stocktaking report a newcomer can read, and their removal.

Written through the site's services by the demo accounts, in the open cycle. Demonstration data is flagged in the
data (``is_demo`` on the updates and the work-plan items), every text says so, and while any is loaded every page
shows a banner (``asem_portal.context_processors.demo_data``). No figure of the real plan comes from it: the demo
updates report on demo work-plan items only, never a milestone or an indicator value of a real initiative.
Idempotent: once the demo contributors have updates in the cycle, nothing more is written.
``remove_demo_data()`` takes it all away again, undoing each approval through the update services.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from core.exceptions import WorkflowError
from projects.models import Project
from stakeholders.models import Organisation

from . import update_services
from .models import ProgressUpdate, ReportingCycle, UpdateStatus, WorkPlanItem

DEMO = "(Demo data, not a real report.)"

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
    cycle = ReportingCycle.objects.open().first()
    if cycle is None:
        return ["No reporting cycle is open: no demo updates (load the plan first)."]
    users = {u.username: u for u in User.objects.filter(username__in=["contributor", "outsider", "secretariat"])}
    if len(users) < 3:
        return ["The demo accounts are missing: run create_demo_accounts first."]
    if ProgressUpdate.objects.filter(cycle=cycle, author__in=users.values()).exists():
        return [f"Demo updates already exist in {cycle}."]
    projects = {p.slug: p for p in Project.objects.filter(slug__in={slug for slug, _a, _o in DEMO_WORK_PLAN})}
    if len(projects) < 2:
        return ["The demo initiatives are missing: run load_action_plan first."]

    done = []
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
            work_plan_reports=(update_services.WorkPlanReportData(item=asef_item, done=True, note="(demo)"),),
        )
        done.append(_publish(asef, "asef", users["outsider"], users["secretariat"], content))
    return done


def _publish(project: Project, organisation_slug: str, author, reviewer, content) -> str:
    organisation = Organisation.objects.get(slug=organisation_slug)
    update = update_services.create_update(project=project, organisation=organisation, author=author, content=content)
    update.is_demo = True
    update.save(update_fields=["is_demo"])
    update_services.submit_update(update=update, user=author)
    update_services.approve_update(update=update, reviewer=reviewer)
    return f"Approved demo update on {project.title} by {author.username}."


def demo_data_loaded() -> bool:
    """Whether any demonstration data is loaded: one read of a small partial index. (Demo work-plan items are
    only ever made together with demo updates.)"""
    return ProgressUpdate.objects.filter(is_demo=True).exists()


def remove_demo_data(*, actor, dry_run: bool = False) -> list[str]:
    """Remove every demo update and demo work-plan item; return what was done, line by line.

    Each approved demo update's approval is first withdrawn through ``update_services.withdraw_approval`` (by
    ``actor``, who must be allowed to), which restores whatever the approval changed on the initiative (older
    demo data reported an indicator value); then the updates go, with their reports, and the work-plan items.
    All or nothing: one transaction.
    """
    updates = list(ProgressUpdate.objects.filter(is_demo=True).select_related("project").order_by("-reviewed_at"))
    items = WorkPlanItem.objects.filter(is_demo=True)
    done = [f"Demo progress updates: {len(updates)}.", f"Demo work-plan items: {items.count()}."]
    if dry_run or (not updates and not items.exists()):
        return done
    with transaction.atomic():
        for update in updates:
            if update.status == UpdateStatus.APPROVED:
                update_services.withdraw_approval(update=update, reviewer=actor, reason="Demonstration data removed.")
            ProgressUpdate.objects.filter(pk=update.pk).delete()
        try:
            items.delete()
        except ProtectedError as error:
            raise WorkflowError(
                "A progress update that is not demonstration data reports on a demo work-plan item: "
                "remove or change it first."
            ) from error
    done.append("Removed.")
    return done
