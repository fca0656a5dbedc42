"""The API's personas (the same as tests/projects/test_progress_updates.py), clients and a clean throttle cache."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring import update_services as services
from projects.models import OrganisationRole
from stakeholders.models import MembershipRole
from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectOrganisationFactory,
    UserFactory,
)
from tests.projects.conftest import directory  # noqa: F401 - the directory's hand-made plan, as a fixture here

PERSONAS = ["anonymous", "outsider", "author", "colleague", "coordinator", "secretariat"]
#: Rates high enough that no test but the throttling tests meets them.
GENEROUS_RATES = {"anon": "100000/minute", "user": "100000/minute", "export": "100000/minute"}


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Each test starts with empty throttle counters and generous rates (the throttling tests lower them)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": GENEROUS_RATES}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(db, secretariat_user):
    """An initiative led by DUO, with a milestone and an indicator, and the personas around it."""
    lead = OrganisationFactory(slug="duo", acronym="DUO")
    other = OrganisationFactory(slug="other", acronym="OTHER")
    project = ProjectFactory(slug="duo-fellowship", title="DUO Fellowship")
    ProjectOrganisationFactory(project=project, organisation=lead, role=OrganisationRole.LEAD)
    milestone = MilestoneFactory(project=project, title="Alumni meeting", planned_start=datetime.date(2026, 5, 1))
    indicator = IndicatorFactory(project=project, name="Pairs exchanged", baseline=100, target=300)
    author = MembershipFactory(organisation=lead, user=UserFactory(username="author", email="author@example.org")).user
    colleague = MembershipFactory(organisation=lead, user=UserFactory(username="colleague")).user
    coordinator = MembershipFactory(
        organisation=lead, user=UserFactory(username="coordinator"), role=MembershipRole.COORDINATOR
    ).user
    outsider = MembershipFactory(organisation=other, user=UserFactory(username="outsider")).user
    reviewer2 = UserFactory(username="reviewer2", is_staff=True)
    reviewer2.groups.add(*secretariat_user.groups.all())
    return {
        "project": project,
        "lead": lead,
        "milestone": milestone,
        "indicator": indicator,
        "author": author,
        "colleague": colleague,
        "coordinator": coordinator,
        "outsider": outsider,
        "secretariat": secretariat_user,
        "reviewer2": reviewer2,
    }


def content(**overrides) -> services.UpdateContent:
    values = {
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 6, 30),
        "achievements": "120 pairs exchanged.",
        "challenges": "Few European funders.",
        "next_steps": "Outreach.",
    }
    values.update(overrides)
    return services.UpdateContent(**values)


def draft(world, **overrides):
    return services.create_update(
        project=world["project"], organisation=world["lead"], author=world["author"], content=content(**overrides)
    )


def as_persona(client: APIClient, world, persona: str) -> APIClient:
    """Authenticate ``client`` with the persona's token (anonymous: no credentials)."""
    if persona != "anonymous":
        token, _ = Token.objects.get_or_create(user=world[persona])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
