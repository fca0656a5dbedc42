"""factory-boy factories for the plan's models."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from actions.models import Action, StrategicObjective, Subgoal
from monitoring.models import IndicatorValue, MilestoneReport, ProgressUpdate, UpdateStatus, UpdateTransition
from projects.models import (
    ActionContribution,
    Indicator,
    Milestone,
    OrganisationRole,
    Project,
    ProjectLink,
    ProjectOrganisation,
)
from stakeholders.models import Country, Membership, MembershipRole, Organisation, OrganisationKind, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pass-word-2030")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    slug = factory.LazyAttribute(lambda o: f"objective-{o.number}")
    title = factory.LazyAttribute(lambda o: f"Objective {o.number} title")
    colour = "#1f5fa8"


class SubgoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subgoal
        django_get_or_create = ("code",)

    objective = factory.SubFactory(ObjectiveFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"{o.objective.number}.{o.position}")
    text = factory.Faker("sentence")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        django_get_or_create = ("number",)
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: n + 1)
    description = factory.Faker("sentence")

    @factory.post_generation
    def subgoals(self, create, extracted, **kwargs):
        if create and extracted:
            self.subgoals.set(extracted)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = factory.Iterator(["DE", "TH", "KR", "BE", "SG", "FR", "JP", "SE"])
    name = factory.LazyAttribute(lambda o: f"Country {o.iso_code}")
    region = "europe"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.STAKEHOLDER
    region = Region.EUROPE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.CONTRIBUTOR


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = factory.Faker("paragraph")


class ProjectOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectOrganisation

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationRole.LEAD


class ActionContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionContribution

    project = factory.SubFactory(ProjectFactory)
    action = factory.SubFactory(ActionFactory)
    activities = factory.Faker("paragraph")
    expected_outcomes = factory.Faker("paragraph")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    planned_start = factory.Faker("date_between", start_date="-2y", end_date="+2y")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "participants"
    baseline = 100
    target = 300
    target_year = 2030


class ProjectLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectLink

    project = factory.SubFactory(ProjectFactory)
    url = factory.Sequence(lambda n: f"https://example.org/{n}")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 6, 30)
    achievements = factory.Faker("paragraph")
    challenges = factory.Faker("paragraph")
    next_steps = factory.Faker("paragraph")
    status = UpdateStatus.DRAFT


def build_plan(initiatives: int = 5) -> list[Project]:
    """A small plan: 2 objectives, 3 subgoals, 3 actions and ``initiatives`` initiatives with leads and rows."""
    obj1 = ObjectiveFactory(number=1)
    obj2 = ObjectiveFactory(number=2)
    s11 = SubgoalFactory(objective=obj1, position=1, code="1.1")
    s12 = SubgoalFactory(objective=obj1, position=2, code="1.2")
    s21 = SubgoalFactory(objective=obj2, position=1, code="2.1")
    a1 = ActionFactory(number=1, subgoals=[s11, s12])
    a2 = ActionFactory(number=2, subgoals=[s21])
    a3 = ActionFactory(number=3, subgoals=[s12, s21])
    actions = [a1, a2, a3]
    projects = []
    for i in range(initiatives):
        project = ProjectFactory(is_new=(i % 3 == 0))
        ProjectOrganisationFactory(
            project=project, role=OrganisationRole.LEAD, organisation__country=CountryFactory(iso_code="DE")
        )
        ProjectOrganisationFactory(project=project, role=OrganisationRole.PARTNER)
        ActionContributionFactory(project=project, action=actions[i % 3])
        if i % 2:
            ActionContributionFactory(project=project, action=actions[(i + 1) % 3])
        milestone = MilestoneFactory(project=project)
        indicator = IndicatorFactory(project=project)
        ProjectLinkFactory(project=project)
        lead = project.participations.get(role=OrganisationRole.LEAD).organisation
        update = ProgressUpdateFactory(
            project=project, organisation=lead, status=UpdateStatus.APPROVED if i % 2 == 0 else UpdateStatus.SUBMITTED
        )
        MilestoneReport.objects.create(update=update, milestone=milestone, outcome="on_track")
        IndicatorValue.objects.create(update=update, indicator=indicator, value=150, as_of=datetime.date(2026, 6, 30))
        UpdateTransition.objects.create(update=update, to_status=update.status, actor=update.author)
        projects.append(project)
    return projects
