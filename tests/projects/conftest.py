"""A small, hand-made plan for the directory and export tests, where every filter has a known answer.

Objectives 1-3; subgoals 1.1, 1.2, 2.1, 3.1; actions 1 (1.1), 2 (1.2, 2.1), 3 (3.1), 4 (no subgoal).

============  ==========  ==========================  ===================  =========  =====
initiative    actions     leads / partners / funders  objectives           status     new
============  ==========  ==========================  ===================  =========  =====
alpha         1, 2        L europe; P asia            1, 2                 ongoing    yes
beta          2           L asia                      1, 2                 planned    no
gamma         3           L intl; F funder (asia)     3                    completed  no
delta         4           L europe                    (none)               ongoing    yes
epsilon       1           L asia, L europe; P intl    1                    discontinued  no
============  ==========  ==========================  ===================  =========  =====

Alpha reaches objective 1 through two rows (1.1 under action 1, 1.2 under action 2) and epsilon has two
leads: a join-based filter would list them twice. "glacier" is in alpha's title, gamma's summary and beta's
activities (so search ranks them in that order); "tundra" only in epsilon's expected outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from projects.models import OrganisationRole, Project, ProjectStatus
from stakeholders.models import Organisation, Region
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    SubgoalFactory,
)


@dataclass
class Directory:
    alpha: Project
    beta: Project
    gamma: Project
    delta: Project
    epsilon: Project
    asia: Organisation
    europe: Organisation
    international: Organisation
    funder: Organisation


def _row(project, action, activities="Workshops and seminars.", outcomes="Better cooperation."):
    return ActionContributionFactory(project=project, action=action, activities=activities, expected_outcomes=outcomes)


@pytest.fixture
def directory(db) -> Directory:
    objectives = [ObjectiveFactory(number=n) for n in (1, 2, 3)]
    s11 = SubgoalFactory(objective=objectives[0], position=1, code="1.1")
    s12 = SubgoalFactory(objective=objectives[0], position=2, code="1.2")
    s21 = SubgoalFactory(objective=objectives[1], position=1, code="2.1")
    s31 = SubgoalFactory(objective=objectives[2], position=1, code="3.1")
    a1 = ActionFactory(number=1, subgoals=[s11])
    a2 = ActionFactory(number=2, subgoals=[s12, s21])
    a3 = ActionFactory(number=3, subgoals=[s31])
    a4 = ActionFactory(number=4)

    asia = OrganisationFactory(slug="asia-org", name="Asia Org", acronym="AO", region=Region.ASIA)
    europe = OrganisationFactory(slug="europe-org", name="Europe Org", acronym="EO", region=Region.EUROPE)
    international = OrganisationFactory(
        slug="intl-org", name="International Org", acronym="IO", region=Region.INTERNATIONAL
    )
    funder = OrganisationFactory(slug="funder-org", name="Funder Org", acronym="FO", region=Region.ASIA)

    def project(slug, title, summary, status, is_new):
        return ProjectFactory(slug=slug, title=title, summary=summary, status=status, is_new=is_new)

    alpha = project("alpha", "Alpha glacier observatory", "Measuring ice.", ProjectStatus.ONGOING, True)
    beta = project("beta", "Beta exchange", "Student exchange.", ProjectStatus.PLANNED, False)
    gamma = project("gamma", "Gamma network", "A network about the glacier.", ProjectStatus.COMPLETED, False)
    delta = project("delta", "Delta platform", "An online platform.", ProjectStatus.ONGOING, True)
    epsilon = project("epsilon", "Epsilon summer school", "Summer courses.", ProjectStatus.DISCONTINUED, False)

    _row(alpha, a1)
    _row(alpha, a2)
    _row(beta, a2, activities="Field trips to a glacier in spring.")
    _row(gamma, a3)
    _row(delta, a4)
    _row(epsilon, a1, outcomes="Research stations on the tundra.")

    def take_part(project, organisation, role, position=0):
        ProjectOrganisationFactory(project=project, organisation=organisation, role=role, position=position)

    take_part(alpha, europe, OrganisationRole.LEAD)
    take_part(alpha, asia, OrganisationRole.PARTNER)
    take_part(beta, asia, OrganisationRole.LEAD)
    take_part(gamma, international, OrganisationRole.LEAD)
    take_part(gamma, funder, OrganisationRole.FUNDER)
    take_part(delta, europe, OrganisationRole.LEAD)
    take_part(epsilon, asia, OrganisationRole.LEAD, position=0)
    take_part(epsilon, europe, OrganisationRole.LEAD, position=1)
    take_part(epsilon, international, OrganisationRole.PARTNER)

    return Directory(alpha, beta, gamma, delta, epsilon, asia, europe, international, funder)
