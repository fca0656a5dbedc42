"""Each initiative's action and region bit sets (projects.facets): kept by every kind of change, repaired by
``refresh_facets``, and the directory's filters answer from them as they did from the rows themselves."""

from __future__ import annotations

import pytest

from actions.models import MAX_ACTION_NUMBER
from monitoring.filters import ProjectFilterSet
from projects.facets import REGION_BITS, action_bit, masks_of, refresh_facets
from projects.models import OrganisationRole, Project
from stakeholders.models import Region
from tests.factories import (
    ActionContributionFactory,
    ActionFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
)

pytestmark = pytest.mark.django_db


def masks(project: Project) -> tuple[int, int]:
    project.refresh_from_db(fields=["action_mask", "region_mask"])
    return project.action_mask, project.region_mask


def test_rows_set_and_clear_action_bits():
    project = ProjectFactory()
    assert masks(project) == (0, 0)
    row = ActionContributionFactory(project=project, action=ActionFactory(number=3))
    ActionContributionFactory(project=project, action=ActionFactory(number=17))
    assert masks(project) == (action_bit(3) | action_bit(17), 0)
    row.delete()
    assert masks(project) == (action_bit(17), 0)


def test_a_row_moved_to_another_initiative_leaves_the_first_one():
    first, second = ProjectFactory(), ProjectFactory()
    row = ActionContributionFactory(project=first, action=ActionFactory(number=5))
    row.project = second
    row.save()
    assert masks(first) == (0, 0)
    assert masks(second) == (action_bit(5), 0)


def test_regions_of_leads_and_partners_not_funders():
    project = ProjectFactory()
    ProjectOrganisationFactory(project=project, organisation=OrganisationFactory(region=Region.ASIA))
    funder = ProjectOrganisationFactory(
        project=project, organisation=OrganisationFactory(region=Region.INTERNATIONAL), role=OrganisationRole.FUNDER
    )
    assert masks(project) == (0, REGION_BITS[Region.ASIA])
    partner = ProjectOrganisationFactory(
        project=project, organisation=OrganisationFactory(region=Region.EUROPE), role=OrganisationRole.PARTNER
    )
    assert masks(project)[1] == REGION_BITS[Region.ASIA] | REGION_BITS[Region.EUROPE]
    partner.delete()
    funder.role = OrganisationRole.PARTNER  # the funder becomes a partner: its region counts now
    funder.save()
    assert masks(project)[1] == REGION_BITS[Region.ASIA] | REGION_BITS[Region.INTERNATIONAL]


def test_an_organisation_changing_region_moves_its_initiatives():
    organisation = OrganisationFactory(region=Region.ASIA)
    projects = [ProjectFactory(), ProjectFactory()]
    for project in projects:
        ProjectOrganisationFactory(project=project, organisation=organisation)
    organisation.region = Region.EUROPE
    organisation.save()
    assert [masks(p)[1] for p in projects] == [REGION_BITS[Region.EUROPE]] * 2
    assert ProjectFilterSet({"region": "asia"}, queryset=Project.objects.all()).qs.count() == 0
    assert ProjectFilterSet({"region": "europe"}, queryset=Project.objects.all()).qs.count() == 2


def test_refresh_repairs_masks_written_behind_its_back():
    project = ProjectFactory()
    ActionContributionFactory(project=project, action=ActionFactory(number=2))
    ProjectOrganisationFactory(project=project, organisation=OrganisationFactory(region=Region.ASIA))
    Project.objects.filter(pk=project.pk).update(action_mask=0, region_mask=7)  # no signals
    assert refresh_facets() == 1
    assert masks(project) == (action_bit(2), REGION_BITS[Region.ASIA])
    assert refresh_facets([project.pk]) == 0  # nothing left to change
    assert masks_of([project.pk]) == {project.pk: (action_bit(2), REGION_BITS[Region.ASIA])}


def test_action_numbers_fit_the_bit_set():
    assert action_bit(MAX_ACTION_NUMBER) == 1 << MAX_ACTION_NUMBER < 2**63
    for bad in (0, MAX_ACTION_NUMBER + 1):
        with pytest.raises(ValueError, match="Action numbers run from 1"):
            action_bit(bad)


def test_an_objective_filter_follows_the_actions_subgoals():
    """Remapping an action to other subgoals changes what an objective finds, with no initiative saved."""
    from tests.factories import ObjectiveFactory, SubgoalFactory

    first, second = ObjectiveFactory(number=1), ObjectiveFactory(number=2)
    subgoal_1, subgoal_2 = SubgoalFactory(objective=first, code="1.1"), SubgoalFactory(objective=second, code="2.1")
    action = ActionFactory(number=7, subgoals=[subgoal_1])
    project = ProjectFactory()
    ActionContributionFactory(project=project, action=action)

    def found(objective: int) -> list[str]:
        filterset = ProjectFilterSet({"objective": str(objective)}, queryset=Project.objects.all())
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs.values_list("slug", flat=True))

    assert (found(1), found(2)) == ([project.slug], [])
    action.subgoals.set([subgoal_2])
    assert (found(1), found(2)) == ([], [project.slug])


def test_saving_a_stale_instance_keeps_the_masks_right():
    project = ProjectFactory()  # in memory: no actions, no regions
    ActionContributionFactory(project=project, action=ActionFactory(number=4))
    ProjectOrganisationFactory(project=project, organisation=OrganisationFactory(region=Region.ASIA))
    project.title = "Renamed"
    project.save()  # writes the masks it read before the rows existed
    assert masks(project) == (action_bit(4), REGION_BITS[Region.ASIA])


def test_renumbering_an_action_moves_its_initiatives_bits():
    action = ActionFactory(number=17)
    project = ProjectFactory()
    ActionContributionFactory(project=project, action=action)
    action.number = 18
    action.save()
    assert masks(project)[0] == action_bit(18)
    assert ProjectFilterSet({"action": "18"}, queryset=Project.objects.all()).qs.get() == project
