"""The directory's plan and region filters read the rows and organisations themselves: every kind of change
shows in them at once, with nothing to refresh."""

from __future__ import annotations

import pytest

from monitoring.filters import ProjectFilterSet
from projects.models import OrganisationRole, Project
from stakeholders.models import Region
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    SubgoalFactory,
)

pytestmark = pytest.mark.django_db


def found(**data: str) -> list[str]:
    filterset = ProjectFilterSet(data, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


def test_rows_added_moved_and_deleted_show_in_the_action_filter():
    first, second = ProjectFactory(slug="first"), ProjectFactory(slug="second")
    row = ActionContributionFactory(project=first, action=ActionFactory(number=5))
    assert found(action="5") == ["first"]
    row.project = second
    row.save()
    assert found(action="5") == ["second"]
    row.delete()
    assert found(action="5") == []


def test_regions_of_leads_and_partners_count_not_funders():
    project = ProjectFactory(slug="p")
    ProjectOrganisationFactory(project=project, organisation=OrganisationFactory(region=Region.ASIA))
    funder = ProjectOrganisationFactory(
        project=project, organisation=OrganisationFactory(region=Region.INTERNATIONAL), role=OrganisationRole.FUNDER
    )
    assert (found(region="asia"), found(region="international")) == (["p"], [])
    funder.role = OrganisationRole.PARTNER  # the funder becomes a partner: its region counts now
    funder.save()
    assert found(region="international") == ["p"]


def test_an_organisation_changing_region_moves_its_initiatives():
    organisation = OrganisationFactory(region=Region.ASIA)
    for slug in ("a", "b"):
        ProjectOrganisationFactory(project=ProjectFactory(slug=slug), organisation=organisation)
    organisation.region = Region.EUROPE
    organisation.save()
    assert (found(region="asia"), found(region="europe")) == ([], ["a", "b"])


def test_an_objective_filter_follows_the_actions_subgoals():
    """Remapping an action to other subgoals changes what an objective finds, with no initiative saved."""
    first, second = ObjectiveFactory(number=1), ObjectiveFactory(number=2)
    subgoal_1, subgoal_2 = SubgoalFactory(objective=first, code="1.1"), SubgoalFactory(objective=second, code="2.1")
    action = ActionFactory(number=7, subgoals=[subgoal_1])
    ActionContributionFactory(project=ProjectFactory(slug="p"), action=action)
    assert (found(objective="1"), found(objective="2"), found(subgoal="1.1")) == (["p"], [], ["p"])
    action.subgoals.set([subgoal_2])
    assert (found(objective="1"), found(objective="2"), found(subgoal="2.1")) == ([], ["p"], ["p"])


def test_an_action_may_have_any_number_now():
    """No upper limit: the filters no longer keep actions as bits of a 64-bit integer."""
    action = ActionFactory(number=17)
    ActionContributionFactory(project=ProjectFactory(slug="p"), action=action)
    action.number = 120
    action.full_clean()
    action.save()
    assert found(action="120") == ["p"]


def test_an_unknown_action_number_is_a_form_error():
    ActionFactory(number=3)
    filterset = ProjectFilterSet({"action": "63"}, queryset=Project.objects.all())
    assert not filterset.is_valid() and "action" in filterset.errors
