"""A small plan in one reporting cycle, where every number of the stocktaking report is known by hand.

Objectives 1 and 2; subgoals 1.1, 1.2, 2.1; actions A1 (1.1), A2 (1.2, 2.1), A3 (2.1).
Organisations: EUR (Europe), ASI (Asia), INT (international), PAR (Asia, partner only).

==========  =======  ===============  =========  =====  ====================================================
initiative  actions  leads / partner  status     new    in cycle 1 (2022–2023), the report as of 30 June 2023
==========  =======  ===============  =========  =====  ====================================================
alpha       A1       EUR / PAR        ongoing    yes    approved update by EUR: milestone m1 achieved,
                                                        indicator i1 = 150, work plan w1 done, w2 not done
beta        A2       ASI              ongoing    no     submitted only (not reported); m2 overdue, m6 cancelled
gamma       A3       INT              completed  no     nothing (not expected); m4 on track; i4 has no target
delta       A1, A3   EUR + ASI        planned    yes    approved update by ASI: m3 delayed to 1 Oct 2023,
                                                        i2 = 25 (target met), w4 done
==========  =======  ===============  =========  =====  ====================================================

Outside the cycle: m5 (2021) and m7 (2025); an approved update of beta with no cycle.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from monitoring import update_services as services
from monitoring.models import (
    CycleStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ReportingCycle,
    UpdateStatus,
    WorkPlanItem,
)
from projects.models import Indicator, Milestone, MilestoneStatus, OrganisationRole, Project, ProjectStatus
from stakeholders.models import Organisation, Region
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    IndicatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    SubgoalFactory,
    UserFactory,
)

AS_OF = datetime.date(2023, 6, 30)


@dataclass
class World:
    cycle: ReportingCycle
    alpha: Project
    beta: Project
    gamma: Project
    delta: Project
    eur: Organisation
    asi: Organisation
    int_: Organisation
    par: Organisation
    milestones: dict[str, Milestone]
    indicators: dict[str, Indicator]
    items: dict[str, WorkPlanItem]
    author_eur: User
    author_asi: User
    outsider: User
    secretariat: User


def window_for(status: str, start: datetime.date, end: datetime.date, today: datetime.date | None = None):
    """A submission window that puts a cycle in ``status`` today (a cycle's state follows from its dates): open
    from the period's start until 100 days from now; closed after the period (or yesterday); planned from 30
    days from now."""
    today = today or timezone.localdate()
    day = datetime.timedelta(days=1)
    if status == CycleStatus.PLANNED:
        return today + 30 * day, today + 60 * day
    if status == CycleStatus.CLOSED:
        closes = min(end, today - day)
        return min(start, closes), closes
    return min(start, today), today + 100 * day  # open (and published: frozen whatever its dates)


def set_status(cycle: ReportingCycle, status: str) -> ReportingCycle:
    """Move ``cycle``'s window (as time passing, or the Secretariat, would) so that it is in ``status`` today."""
    cycle.submission_opens, cycle.submission_closes = window_for(status, cycle.period_start, cycle.period_end)
    cycle.late_submissions_until = None
    cycle.published_on = timezone.localdate() if status == CycleStatus.PUBLISHED else None
    cycle.save()
    return cycle


def make_cycle(number=1, start=(2022, 1, 1), end=(2023, 12, 31), status=CycleStatus.OPEN, **extra) -> ReportingCycle:
    opening, _ = Meeting.objects.get_or_create(
        kind=MeetingKind.ASEMME, number=7 + number, defaults={"year": start[0] - 1, "status": MeetingStatus.HELD}
    )
    opens, closes = window_for(status, datetime.date(*start), datetime.date(*end))
    return ReportingCycle.objects.create(
        number=number,
        opening_meeting=opening,
        period_start=datetime.date(*start),
        period_end=datetime.date(*end),
        submission_opens=extra.pop("opens", opens),
        submission_closes=extra.pop("closes", closes),
        published_on=timezone.localdate() if status == CycleStatus.PUBLISHED else None,
        **extra,
    )


@pytest.fixture(autouse=True)
def report_files_in_memory(settings):
    """Published reports' files go to a storage in memory, not to the media directory."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def world(db, secretariat_user) -> World:
    o1 = ObjectiveFactory(number=1, colour="#1f5fa8")
    o2 = ObjectiveFactory(number=2, colour="#a81f5f")
    s11 = SubgoalFactory(objective=o1, position=1, code="1.1")
    s12 = SubgoalFactory(objective=o1, position=2, code="1.2")
    s21 = SubgoalFactory(objective=o2, position=1, code="2.1")
    a1 = ActionFactory(number=1, subgoals=[s11])
    a2 = ActionFactory(number=2, subgoals=[s12, s21])
    a3 = ActionFactory(number=3, subgoals=[s21])

    eur = OrganisationFactory(slug="eur", name="Europe Org", acronym="EUR", region=Region.EUROPE)
    asi = OrganisationFactory(slug="asi", name="Asia Org", acronym="ASI", region=Region.ASIA)
    int_ = OrganisationFactory(slug="int", name="Intl Org", acronym="INT", region=Region.INTERNATIONAL)
    par = OrganisationFactory(slug="par", name="Partner Org", acronym="PAR", region=Region.ASIA)

    alpha = ProjectFactory(slug="alpha", title="Alpha", status=ProjectStatus.ONGOING, is_new=True)
    beta = ProjectFactory(slug="beta", title="Beta", status=ProjectStatus.ONGOING, is_new=False)
    gamma = ProjectFactory(slug="gamma", title="Gamma", status=ProjectStatus.COMPLETED, is_new=False)
    delta = ProjectFactory(slug="delta", title="Delta", status=ProjectStatus.PLANNED, is_new=True)
    for project, actions in ((alpha, [a1]), (beta, [a2]), (gamma, [a3]), (delta, [a1, a3])):
        for action in actions:
            ActionContributionFactory(project=project, action=action)
    ProjectOrganisationFactory(project=alpha, organisation=eur, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=alpha, organisation=par, role=OrganisationRole.PARTNER)
    ProjectOrganisationFactory(project=beta, organisation=asi, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=gamma, organisation=int_, role=OrganisationRole.LEAD)
    ProjectOrganisationFactory(project=delta, organisation=eur, role=OrganisationRole.LEAD, position=0)
    ProjectOrganisationFactory(project=delta, organisation=asi, role=OrganisationRole.LEAD, position=1)

    d = datetime.date
    milestones = {
        "m1": MilestoneFactory(project=alpha, title="m1 summer school", planned_start=d(2022, 3, 1)),
        "m2": MilestoneFactory(project=beta, title="m2 seminar", planned_start=d(2022, 6, 1)),
        "m3": MilestoneFactory(project=delta, title="m3 launch", planned_start=d(2023, 9, 1)),
        "m4": MilestoneFactory(project=gamma, title="m4 closing", planned_start=d(2023, 12, 1)),
        "m5": MilestoneFactory(project=alpha, title="m5 old", planned_start=d(2021, 5, 1)),
        "m6": MilestoneFactory(
            project=beta, title="m6 dropped", planned_start=d(2022, 2, 1), status=MilestoneStatus.CANCELLED
        ),
        "m7": MilestoneFactory(project=delta, title="m7 later", planned_start=d(2025, 1, 1)),
    }
    indicators = {
        "i1": IndicatorFactory(
            project=alpha, name="i1 pairs", baseline=100, baseline_year=2021, target=300, target_comparator="gt"
        ),
        "i2": IndicatorFactory(
            project=delta, name="i2 courses", baseline=10, baseline_year=2020, target=20, target_year=2024
        ),
        "i3": IndicatorFactory(project=beta, name="i3 seminars", baseline=None, target=50),
        "i4": IndicatorFactory(project=gamma, name="i4 papers", baseline=5, target=None),
    }
    cycle = make_cycle()
    items = {
        "w1": WorkPlanItem.objects.create(cycle=cycle, project=alpha, position=1, planned_activity="w1 summer school"),
        "w2": WorkPlanItem.objects.create(cycle=cycle, project=alpha, position=2, planned_activity="w2 publish report"),
        "w3": WorkPlanItem.objects.create(cycle=cycle, project=beta, position=1, planned_activity="w3 hold seminar"),
        "w4": WorkPlanItem.objects.create(
            cycle=cycle, project=delta, position=1, planned_activity="w4 launch platform"
        ),
    }
    author_eur = MembershipFactory(organisation=eur, user=UserFactory(username="author-eur")).user
    author_asi = MembershipFactory(organisation=asi, user=UserFactory(username="author-asi")).user
    outsider = MembershipFactory(organisation=int_, user=UserFactory(username="outsider")).user

    def report(project, organisation, author, **content):
        content.setdefault("initiative_status", project.status)  # as the world set it: the report's tests read it
        update = services.create_update(
            project=project,
            organisation=organisation,
            author=author,
            content=services.UpdateContent(
                period_start=d(2022, 1, 1),
                period_end=d(2023, 6, 30),
                achievements=f"{project.title} did well in the first cycle.",
                **content,
            ),
        )
        services.submit_update(update=update, user=author)
        return update

    alpha_update = report(
        alpha,
        eur,
        author_eur,
        milestone_reports=(
            services.MilestoneReportData(milestone=milestones["m1"], outcome="achieved", achieved_on=d(2022, 3, 5)),
        ),
        indicator_values=(
            services.IndicatorValueData(indicator=indicators["i1"], value=Decimal("150"), as_of=d(2023, 6, 30)),
        ),
        work_plan_reports=(
            services.WorkPlanReportData(item=items["w1"], done=True, note="Held in Seoul."),
            services.WorkPlanReportData(item=items["w2"], done=False, note="Next year."),
        ),
    )
    services.approve_update(update=alpha_update, reviewer=secretariat_user)
    report(  # submitted, never approved: beta does not count as reported
        beta,
        asi,
        author_asi,
        work_plan_reports=(services.WorkPlanReportData(item=items["w3"], done=True),),
    )
    delta_update = report(
        delta,
        asi,
        author_asi,
        milestone_reports=(
            services.MilestoneReportData(milestone=milestones["m3"], outcome="delayed", new_date=d(2023, 10, 1)),
        ),
        indicator_values=(
            services.IndicatorValueData(indicator=indicators["i2"], value=Decimal("25"), as_of=d(2023, 1, 31)),
        ),
        work_plan_reports=(services.WorkPlanReportData(item=items["w4"], done=True),),
    )
    services.approve_update(update=delta_update, reviewer=secretariat_user)
    # An approved update without a cycle (written before cycles existed) is not in the report.
    ProgressUpdateFactory(project=beta, organisation=asi, author=author_asi, status=UpdateStatus.APPROVED, cycle=None)

    return World(
        cycle=cycle,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        delta=delta,
        eur=eur,
        asi=asi,
        int_=int_,
        par=par,
        milestones=milestones,
        indicators=indicators,
        items=items,
        author_eur=author_eur,
        author_asi=author_asi,
        outsider=outsider,
        secretariat=secretariat_user,
    )
