"""A realistic synthetic plan on top of the real one, for benchmarks and scale tests.

``generate(scale)`` adds ``scale × 100`` initiatives spread over the 17 actions,
with organisations, members, milestones, indicators, links and about ten
progress updates per initiative across three reporting cycles (mostly
approved, some drafts, submissions and returns), with text of realistic length.
Everything it makes has the ``synthetic-`` slug or user-name prefix, so it
can be refused twice and removed. Deterministic for a seed; bulk inserts
throughout (no history rows for synthetic data).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from actions.models import Action
from core.cache import bump_content_version
from projects.models import (
    ActionContribution,
    Indicator,
    Milestone,
    MilestoneStatus,
    OrganisationRole,
    Project,
    ProjectLink,
    ProjectOrganisation,
    ProjectStatus,
)
from stakeholders.models import Country, Membership, MembershipRole, Organisation, OrganisationKind, Region

from .models import (
    IndicatorValue,
    MilestoneOutcome,
    MilestoneReport,
    ProgressUpdate,
    ReportingCycle,
    StocktakingReport,
    UpdateStatus,
    UpdateTransition,
    WorkPlanItem,
    WorkPlanItemReport,
)

PREFIX = "synthetic-"
BATCH = 2000

#: The terms of the synthetic texts, most frequent first. The first ones are the plan's commonest: in the real
#: plan "education" is in about half of the initiatives and "higher education" and "learning" with "network" in
#: a quarter each, so searches for them match thousands of initiatives at the benchmark's scale as they would.
WORDS = ("education", "learning", "network", "higher education") + tuple(
    "mobility exchange students universities staff recognition quality assurance credits outcomes "
    "lifelong vocational training skills digital virtual blended partners ministries workshop "
    "seminar conference survey report alumni fellowship research cooperation Asia Europe regional "
    "inclusive balanced programme pilot platform guidelines policy dialogue capacity building webinar "
    "participants institutions framework qualifications transparency sustainable development youth "
    "teachers employers industry graduates summer school curriculum microcredentials online campus".split()
)
TOPICS = [
    "Joint Master Programme", "Virtual Exchange Pilot", "Quality Assurance Dialogue", "Skills Observatory",
    "Lifelong Learning Network", "Student Mobility Scheme", "Recognition Toolkit", "Digital Campus",
    "Teacher Academy", "Green Skills Lab", "Credit Transfer Study", "Youth Leadership Forum",
]  # fmt: skip


class SyntheticDataError(Exception):
    pass


@dataclass(kw_only=True)
class Counts:
    organisations: int = 0
    users: int = 0
    initiatives: int = 0
    rows: int = 0
    milestones: int = 0
    indicators: int = 0
    updates: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{value} {name}" for name, value in vars(self).items())


@transaction.atomic
def remove() -> None:
    """Delete everything the generator made (and nothing else)."""
    projects = Project.objects.filter(slug__startswith=PREFIX)
    updates = ProgressUpdate.objects.filter(project__in=projects)
    WorkPlanItemReport.objects.filter(update__in=updates).delete()
    WorkPlanItem.objects.filter(project__in=projects).delete()
    UpdateTransition.objects.filter(update__in=updates).delete()
    updates.delete()
    ProjectOrganisation.objects.filter(project__in=projects).delete()
    projects.delete()
    Membership.objects.filter(organisation__slug__startswith=PREFIX).delete()
    Organisation.objects.filter(slug__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()
    # A synthetic cycle's published report (the benchmark publishes one), and its files once this commits.
    for report in StocktakingReport.objects.filter(cycle__note__startswith="synthetic"):
        files = [stored for stored in (report.pdf_file, report.xlsx_file, report.csv_file) if stored]
        report.delete()
        for stored in files:
            transaction.on_commit(partial(stored.storage.delete, stored.name))
    ReportingCycle.objects.filter(note__startswith="synthetic").delete()


#: The words between the plan's words: most are stop words, which search ignores.
FILLER = (
    "the of and to in for with on by at from as that this these their its an a is are will be has have "
    "which between through across each more new also other all both into within among under about"
).split()


def document_vocabulary(rng: random.Random) -> list[str]:
    """The terms one initiative's texts are about: each term of :data:`WORDS` with a chance falling with its
    rank, so a search matches a realistic share of the initiatives."""
    words = [word for rank, word in enumerate(WORDS) if rng.random() < 0.45 / (1 + rank / 4)]
    return words if len(words) >= 5 else words + list(WORDS[: 5 - len(words)])


def text(rng: random.Random, low: int, high: int, vocabulary: list[str] | tuple[str, ...] = WORDS) -> str:
    """Sentences of ``low`` to ``high`` words: a fifth from ``vocabulary`` (each topical word a few times,
    as in real prose), the rest connecting words."""
    words = [
        rng.choice(vocabulary) if rng.random() < 0.2 else rng.choice(FILLER) for _ in range(rng.randint(low, high))
    ]
    sentences = [[]]
    for word in words:
        sentences[-1].append(word)
        if len(sentences[-1]) >= rng.randint(8, 18):
            sentences.append([])
    return " ".join(" ".join(sentence).capitalize() + "." for sentence in sentences if sentence)


def reporting_cycles() -> list[ReportingCycle]:
    """Three two-year cycles: the real ones where they exist, synthetic closed ones before them otherwise."""
    cycles = list(ReportingCycle.objects.order_by("-period_start")[:3])
    while len(cycles) < 3:
        earliest = min((c.period_start for c in cycles), default=datetime.date(2025, 1, 1))
        number = (ReportingCycle.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        start = earliest.replace(year=earliest.year - 2)
        end = earliest - datetime.timedelta(days=1)
        cycles.append(
            ReportingCycle.objects.create(
                number=number,
                period_start=start,
                period_end=end,
                submission_opens=end - datetime.timedelta(days=120),
                submission_closes=end,
                note="synthetic cycle for benchmarks",
            )
        )
    return sorted(cycles, key=lambda c: c.period_start)


@transaction.atomic
def generate(scale: int, *, seed: int = 2030) -> Counts:
    if scale < 1:
        raise SyntheticDataError("The scale is at least 1 (100 initiatives).")
    if Project.objects.filter(slug__startswith=PREFIX).exists():
        raise SyntheticDataError("Synthetic data exists already: remove it first (--replace).")
    actions = list(Action.objects.order_by("number"))
    if not actions:
        raise SyntheticDataError("Load the plan first: python manage.py load_action_plan")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = timezone.now()
    countries = {r: list(Country.objects.filter(region=r).order_by("iso_code")) or [None] for r in ("asia", "europe")}
    user_model = get_user_model()
    password = make_password(None)  # unusable: synthetic users cannot log in

    # Organisations: 10 per 100 initiatives, with the plan's mix of regions.
    organisations = []
    for i in range(scale * 10):
        region = rng.choices([Region.ASIA, Region.EUROPE, Region.INTERNATIONAL], weights=[45, 45, 10])[0]
        organisations.append(
            Organisation(
                region=region,
                country=rng.choice(countries[region]) if region in countries else None,
                slug=f"{PREFIX}org-{i}",
                name=f"Synthetic {rng.choice(['University', 'Agency', 'Institute', 'Network', 'Council'])} {i}",
                acronym=f"SYN{i}",
                kind=rng.choice([OrganisationKind.STAKEHOLDER, OrganisationKind.PARTNER_GOVERNMENT]),
                website=f"https://synthetic-{i}.example.org/",
            )
        )
    organisations = Organisation.objects.bulk_create(organisations, batch_size=BATCH)

    # Two members per organisation (a coordinator and a contributor).
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"{PREFIX}user-{i}", email=f"user-{i}@synthetic.example.org", password=password)
            for i in range(len(organisations) * 2)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                organisation=organisations[i // 2],
                role=MembershipRole.COORDINATOR if i % 2 == 0 else MembershipRole.CONTRIBUTOR,
            )
            for i, user in enumerate(users)
        ],
        batch_size=BATCH,
    )

    vocabularies = [document_vocabulary(rng) for _ in range(scale * 100)]
    projects = Project.objects.bulk_create(
        [
            Project(
                slug=f"{PREFIX}initiative-{i}",
                title=f"{rng.choice(TOPICS)} {i}",
                summary=text(rng, 30, 90, vocabularies[i]),
                is_new=rng.random() < 0.3,
                # Each has approved updates below, which state this status.
                status=rng.choices(
                    [
                        ProjectStatus.ONGOING,
                        ProjectStatus.PLANNED,
                        ProjectStatus.COMPLETED,
                        ProjectStatus.DELAYED,
                        ProjectStatus.DISCONTINUED,
                    ],
                    weights=[60, 10, 15, 10, 5],
                )[0],
            )
            for i in range(scale * 100)
        ],
        batch_size=BATCH,
    )

    participations, rows, links, milestones, indicators = [], [], [], [], []
    leads: list[Organisation] = []
    positions: dict[int, int] = {}
    for i, project in enumerate(projects):
        lead = organisations[rng.randrange(len(organisations))]
        leads.append(lead)
        participations.append(ProjectOrganisation(project=project, organisation=lead, role=OrganisationRole.LEAD))
        participations += [
            ProjectOrganisation(project=project, organisation=partner, role=OrganisationRole.PARTNER, position=position)
            for position, partner in enumerate(rng.sample(organisations, rng.randint(0, 2)))
            if partner.pk != lead.pk
        ]
        for action in rng.sample(actions, 2 if rng.random() < 0.15 else 1):
            positions[action.pk] = positions.get(action.pk, 100) + 1
            rows.append(
                ActionContribution(
                    project=project,
                    action=action,
                    position=positions[action.pk],
                    activities=text(rng, 40, 160, vocabularies[i]),
                    expected_outcomes=text(rng, 20, 80, vocabularies[i]),
                )
            )
        links.append(ProjectLink(project=project, url=f"https://synthetic-{i}.example.org/initiative", position=0))
        for m in range(rng.randint(2, 4)):
            start = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(0, 3000))
            achieved = start < datetime.date(2025, 6, 1) and rng.random() < 0.6
            milestones.append(
                Milestone(
                    project=project,
                    title=f"Milestone {m + 1}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                    planned_start=start,
                    status=MilestoneStatus.ACHIEVED if achieved else MilestoneStatus.PLANNED,
                    achieved_on=start + datetime.timedelta(days=rng.randint(0, 30)) if achieved else None,
                )
            )
        for n in range(rng.randint(1, 2)):
            baseline = rng.randint(10, 500)
            indicators.append(
                Indicator(
                    project=project,
                    name=f"{rng.choice(['Participants', 'Institutions', 'Exchanges', 'Courses'])} ({n + 1})",
                    unit=rng.choice(["participants", "institutions", "pairs per year", "courses"]),
                    baseline=baseline,
                    baseline_year=2021,
                    target=baseline * rng.randint(2, 4),
                    target_comparator=rng.choice(["gt", "gte"]),
                    target_year=2030,
                )
            )
    ProjectOrganisation.objects.bulk_create(participations, batch_size=BATCH)
    ActionContribution.objects.bulk_create(rows, batch_size=BATCH)
    ProjectLink.objects.bulk_create(links, batch_size=BATCH)
    milestones = Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    indicators = Indicator.objects.bulk_create(indicators, batch_size=BATCH)

    first_milestones = {milestone.project_id: milestone for milestone in reversed(milestones)}
    project_indicators = {pk: list(group) for pk, group in groupby(indicators, key=attrgetter("project_id"))}
    members = {m.organisation_id: m.user_id for m in Membership.objects.filter(organisation__in=organisations)}
    reviewer = user_model.objects.filter(is_superuser=True).order_by("pk").first() or users[0]

    cycles = reporting_cycles()
    statuses = [UpdateStatus.APPROVED, UpdateStatus.SUBMITTED, UpdateStatus.DRAFT, UpdateStatus.RETURNED]
    updates = []
    for project, lead in zip(projects, leads, strict=True):
        for k in range(rng.randint(8, 12)):
            cycle = cycles[min(k * 3 // 10, 2)]
            period_start = cycle.period_start + datetime.timedelta(days=rng.randint(0, 300))
            status = (
                rng.choices(statuses, weights=[70, 10, 10, 10])[0] if cycle is cycles[-1] else UpdateStatus.APPROVED
            )
            reviewed = now - datetime.timedelta(days=rng.randint(1, 1500))
            updates.append(
                ProgressUpdate(
                    project=project,
                    organisation=lead,
                    author_id=members[lead.pk],
                    cycle=cycle,
                    status=status,
                    period_start=period_start,
                    period_end=min(cycle.period_end, period_start + datetime.timedelta(days=rng.randint(90, 360))),
                    achievements=text(rng, 60, 300),
                    challenges=text(rng, 20, 120),
                    next_steps=text(rng, 20, 120),
                    initiative_status=project.status,
                    return_reason=text(rng, 8, 20) if status == UpdateStatus.RETURNED else "",
                    submitted_at=reviewed if status != UpdateStatus.DRAFT else None,
                    reviewed_by=reviewer if status in (UpdateStatus.APPROVED, UpdateStatus.RETURNED) else None,
                    reviewed_at=reviewed if status in (UpdateStatus.APPROVED, UpdateStatus.RETURNED) else None,
                )
            )
    updates = ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)

    reports, values, transitions = [], [], []
    for update in updates:
        steps = [("", UpdateStatus.DRAFT)] + ([(UpdateStatus.DRAFT, update.status)] if update.status != "draft" else [])
        transitions += [
            UpdateTransition(update=update, from_status=a, to_status=b, actor_id=update.author_id) for a, b in steps
        ]
        if update.status != UpdateStatus.APPROVED:
            continue
        outcome = rng.choice([MilestoneOutcome.ON_TRACK, MilestoneOutcome.ACHIEVED, MilestoneOutcome.DELAYED])
        reports.append(
            MilestoneReport(
                update=update,
                milestone=first_milestones[update.project_id],
                outcome=outcome,
                achieved_on=update.period_end if outcome == MilestoneOutcome.ACHIEVED else None,
                new_date=update.period_end + datetime.timedelta(days=180)
                if outcome == MilestoneOutcome.DELAYED
                else None,
            )
        )
        for indicator in project_indicators[update.project_id]:
            values.append(
                IndicatorValue(
                    update=update,
                    indicator=indicator,
                    value=int(indicator.baseline * (1 + rng.random())),
                    as_of=update.period_end,
                    applied=True,
                )
            )
    MilestoneReport.objects.bulk_create(reports, batch_size=BATCH)
    IndicatorValue.objects.bulk_create(values, batch_size=BATCH)
    UpdateTransition.objects.bulk_create(transitions, batch_size=BATCH)

    # The indicators show their latest approved value, as the approval service would have left them.
    latest = {
        value.indicator_id: value for value in sorted(values, key=attrgetter("as_of"))
    }  # of equal dates: the last
    for indicator in indicators:
        if indicator.pk in latest:
            indicator.latest_value = latest[indicator.pk].value
            indicator.latest_value_on = latest[indicator.pk].as_of
    Indicator.objects.bulk_update(indicators, ["latest_value", "latest_value_on"], batch_size=BATCH)
    # Bulk inserts send no signals: fresh cached pages from here on (the database's triggers wrote the search
    # documents).
    bump_content_version()
    return Counts(
        organisations=len(organisations),
        users=len(users),
        initiatives=len(projects),
        rows=len(rows),
        milestones=len(milestones),
        indicators=len(indicators),
        updates=len(updates),
    )


def analyze(*, compact: bool = False) -> None:
    """Refresh the planner's statistics and the visibility map after a bulk load (PostgreSQL).

    ``compact``: first rewrite the initiatives' and indicators' tables without the dead first copies of their
    rows (written again for what is derived), which a real plan never has (VACUUM FULL locks them: for a
    benchmark's database, not one that serves visitors)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (the test suite's): statistics only, then.
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
                return
            if compact:
                for model in (Project, Indicator):
                    cursor.execute(f"VACUUM (FULL) {connection.ops.quote_name(model._meta.db_table)}")
            cursor.execute("VACUUM ANALYZE")
