"""Demo progress updates for ``make run``: a first stocktaking report a newcomer can read.

Written through the site's services by the demo accounts, in the open cycle; every text says it is demo data.
Idempotent: once the demo contributors have updates in the cycle, nothing more is written.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from projects.models import Indicator, Project, ProjectStatus
from stakeholders.models import Organisation

from . import update_services
from .models import ProgressUpdate, ReportingCycle, WorkPlanItem

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
                defaults={"expected_output": output, "position": position},
            )
        done.append(f"Demo work plan of {cycle}: {len(items)} items.")
        end = min(cycle.period_end, datetime.date.today())
        duo = projects["asem-duo-fellowship-programme"]
        duo_items = [items[a] for s, a, _o in DEMO_WORK_PLAN if s == duo.slug]
        pairs = Indicator.objects.filter(project=duo).first()
        content = update_services.UpdateContent(
            period_start=cycle.period_start,
            period_end=end,
            achievements=(
                f"{DEMO} 118 pairs of students and professors were exchanged over the two years, and the "
                "ASEM-DUO Alumni meeting was held online with fellows from both regions."
            ),
            challenges=f"{DEMO} Few European partners contribute funding, so exchanges remain unbalanced.",
            next_steps=f"{DEMO} Outreach to European ministries during the next Senior Officials' Meeting.",
            initiative_status=ProjectStatus.ONGOING,
            indicator_values=(
                (update_services.IndicatorValueData(indicator=pairs, value=Decimal("118"), as_of=end),) if pairs else ()
            ),
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
            initiative_status=ProjectStatus.ONGOING,
            work_plan_reports=(update_services.WorkPlanReportData(item=asef_item, done=True, note="(demo)"),),
        )
        done.append(_publish(asef, "asef", users["outsider"], users["secretariat"], content))
    return done


def _publish(project: Project, organisation_slug: str, author, reviewer, content) -> str:
    organisation = Organisation.objects.get(slug=organisation_slug)
    update = update_services.create_update(project=project, organisation=organisation, author=author, content=content)
    update_services.submit_update(update=update, user=author)
    update_services.approve_update(update=update, reviewer=reviewer)
    return f"Approved demo update on {project.title} by {author.username}."
