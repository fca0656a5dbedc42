"""The plan's invariants hold in the database itself, whatever writes to it."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from actions.models import Action, StrategicObjective, Subgoal
from projects.models import ActionContribution, Indicator, Milestone, Project, ProjectOrganisation
from stakeholders.models import Membership, Organisation
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
)

pytestmark = pytest.mark.django_db


def violates(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_unique_numbers_and_codes():
    objective = ObjectiveFactory(number=1)
    ActionFactory(number=3)
    Subgoal.objects.create(objective=objective, code="1.1", position=1, text="x")
    assert violates(lambda: StrategicObjective.objects.create(number=1, slug="other", title="t", colour="#000000"))
    assert violates(lambda: Action.objects.create(number=3, description="again"))
    assert violates(lambda: Subgoal.objects.create(objective=objective, code="1.1", position=2, text="y"))
    assert violates(lambda: Subgoal.objects.create(objective=objective, code="1.9", position=1, text="y"))


def test_one_row_per_initiative_and_action():
    project, action = ProjectFactory(), ActionFactory()
    ActionContribution.objects.create(project=project, action=action)
    assert violates(lambda: ActionContribution.objects.create(project=project, action=action))
    assert not violates(lambda: ActionContribution.objects.create(project=project, action=ActionFactory()))


def test_end_not_before_start():
    day = datetime.date(2025, 1, 1)
    assert violates(lambda: ProjectFactory(start_date=day, end_date=day - datetime.timedelta(days=1)))
    assert not violates(lambda: ProjectFactory(start_date=day, end_date=day))
    project = ProjectFactory()
    assert violates(
        lambda: Milestone.objects.create(
            project=project, title="m", planned_start=day, planned_end=datetime.date(2024, 1, 1)
        )
    )


def test_achieved_milestones_carry_their_date():
    project = ProjectFactory()
    assert violates(lambda: Milestone.objects.create(project=project, title="m", status="achieved"))
    assert violates(
        lambda: Milestone.objects.create(
            project=project, title="m", status="planned", achieved_on=datetime.date.today()
        )
    )
    assert not violates(
        lambda: Milestone.objects.create(
            project=project, title="m", status="achieved", achieved_on=datetime.date.today()
        )
    )


def test_statuses_and_numbers_are_checked():
    assert violates(lambda: ProjectFactory(status="bogus"))
    project = ProjectFactory()
    assert violates(lambda: Indicator.objects.create(project=project, name="i", unit="u", target=-1))
    assert violates(lambda: Indicator.objects.create(project=project, name="i", unit="u", target=1, target_year=3000))
    assert violates(
        lambda: Indicator.objects.create(
            project=project, name="i", unit="u", target=1, baseline_year=2031, target_year=2030
        )
    )
    assert violates(lambda: OrganisationFactory(region="mars"))


def test_organisation_roles_and_memberships_are_unique():
    link = ProjectOrganisationFactory(role="lead")
    assert violates(
        lambda: ProjectOrganisation.objects.create(project=link.project, organisation=link.organisation, role="lead")
    )
    assert not violates(
        lambda: ProjectOrganisation.objects.create(project=link.project, organisation=link.organisation, role="funder")
    )
    membership = MembershipFactory()
    assert violates(lambda: Membership.objects.create(user=membership.user, organisation=membership.organisation))


def test_organisation_cannot_be_its_own_parent():
    organisation = OrganisationFactory()
    organisation.parent = organisation
    assert violates(organisation.save)
    assert Organisation.objects.get(pk=organisation.pk).parent is None


def test_deleting_an_initiative_keeps_its_history():
    project = ProjectFactory(title="Gone")
    pk = project.pk
    project.delete()
    assert not Project.objects.filter(pk=pk).exists()
    assert Project.history.filter(id=pk, history_type="-").exists()
