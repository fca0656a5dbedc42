"""Shared test set-up: fast hashing, the personas' world, Debian's Chromium for Playwright.

The personas (healthchecks' alice / bob / charlie, in the plan's words) are defined once, here, by the ``world``
fixture: tests of the web forms, the API, the profile and the outbox read them from it. The stocktaking report's
tests (tests/monitoring/conftest.py) build a whole small plan around a cycle instead, with its own members.
"""

from __future__ import annotations

import datetime
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop; pytest-django's database set-up
# would otherwise raise SynchronousOnlyOperation in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SEED_FILE = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_ab9053e736b7a6ae.txt"


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No persistent connections in tests: live-server threads would keep the
    # test database open and block its removal at the end of the run.
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
    # Test transactions never commit: move the public-page cache's version at once.
    settings.CONTENT_VERSION_BUMP_ON_COMMIT = False
    # E-mail stays in the outbox (the database) until a test delivers it (tests/outbox.py: deliver()), and
    # then reaches Django's memory backend, mail.outbox.
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAIL_SEND_ON_COMMIT = False


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (REQUIRE_BROWSER=1) but is not installed")
        pytest.skip("Debian's chromium is not installed (scripts/ensure-chromium installs it as root)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def seed_text() -> str:
    if not SEED_FILE.exists():
        pytest.skip(f"the plan's seed text is not here ({SEED_FILE}); it lives in ../shared/seeds/")
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture
def loaded_plan(db):
    """The real plan, loaded by the same command a user runs."""
    from django.core.management import call_command

    call_command("load_action_plan", verbosity=0)


@pytest.fixture
def secretariat_user(db):
    from django.contrib.auth import get_user_model

    from stakeholders.services import SECRETARIAT_GROUP, ensure_secretariat_group

    ensure_secretariat_group()
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("secretariat", "secretariat@example.org", "pass-word-2030")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    return user


@pytest.fixture
def secretariat_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


#: Everyone who may ask something of the portal, from the least to the most allowed.
PERSONAS = ["anonymous", "outsider", "author", "colleague", "coordinator", "secretariat"]


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@dataclass(kw_only=True)
class World:
    """An initiative led by DUO, with a milestone and an indicator, and the personas around it.

    ``author`` and ``colleague`` are DUO's contributors, ``coordinator`` its coordinator; ``outsider`` is a
    contributor of another organisation (OTHER), on no initiative; ``secretariat`` and ``reviewer2`` are the
    Secretariat; ``anonymous`` is nobody signed in. ``world["author"]`` reads as ``world.author``.
    """

    project: object
    lead: object
    other: object
    milestone: object
    indicator: object
    author: object
    colleague: object
    coordinator: object
    outsider: object
    secretariat: object
    reviewer2: object
    anonymous: object = field(default_factory=_anonymous)

    def __getitem__(self, name: str):
        return getattr(self, name)


@pytest.fixture
def world(db, secretariat_user) -> World:
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

    lead = OrganisationFactory(slug="duo", acronym="DUO")
    other = OrganisationFactory(slug="other", acronym="OTHER")
    project = ProjectFactory(slug="duo-fellowship", title="DUO Fellowship")
    ProjectOrganisationFactory(project=project, organisation=lead, role=OrganisationRole.LEAD)

    def member(username: str, organisation, role=MembershipRole.CONTRIBUTOR):
        user = UserFactory(username=username, email=f"{username}@example.org")
        return MembershipFactory(organisation=organisation, user=user, role=role).user

    reviewer2 = UserFactory(username="reviewer2", is_staff=True)
    reviewer2.groups.add(*secretariat_user.groups.all())
    return World(
        project=project,
        lead=lead,
        other=other,
        milestone=MilestoneFactory(project=project, title="Alumni meeting", planned_start=datetime.date(2026, 5, 1)),
        indicator=IndicatorFactory(project=project, name="Pairs exchanged", baseline=100, target=300),
        author=member("author", lead),
        colleague=member("colleague", lead),
        coordinator=member("coordinator", lead, MembershipRole.COORDINATOR),
        outsider=member("outsider", other),
        secretariat=secretariat_user,
        reviewer2=reviewer2,
    )


def login(client, world: World, persona: str):
    """``client`` signed in as ``persona`` (anonymous: not signed in)."""
    if persona != "anonymous":
        client.force_login(world[persona])
    return client


def formset_data(prefix: str, rows: list[dict]) -> dict[str, str]:
    """A formset as a browser posts it: its management form and ``rows``, the fields of each of its forms."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": "" if value is None else str(value) for name, value in row.items()})
    return data


def update_form_data(*, milestones=(), indicators=(), work_plan=(), **fields) -> dict[str, str]:
    """The progress-update form as a browser posts it: ``fields`` and its three formsets' rows (``milestones``:
    dicts of ``milestone`` (the id), ``outcome``, ``date``, ``note``; ``indicators``: ``indicator``, ``value``,
    ``as_of``; ``work_plan``: ``item``, ``status``, ``note``)."""
    return {
        **formset_data("milestones", list(milestones)),
        **formset_data("indicators", list(indicators)),
        **formset_data("workplan", list(work_plan)),
        **fields,
    }


def content(**overrides):
    """An update's content for the world's initiative: a half-year's narrative (``overrides`` change it)."""
    from monitoring import update_services as services

    values = {
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 6, 30),
        "achievements": "120 pairs exchanged.",
        "challenges": "Few European funders.",
        "next_steps": "Outreach.",
        "initiative_status": "ongoing",
    }
    return services.UpdateContent(**{**values, **overrides})


def draft(world: World, **overrides):
    """The author's draft on the world's initiative, through the service.

    Without a period of its own, each draft gets one that no earlier update of the world has (its start a day
    later): an organisation has one update in progress per initiative and period.
    """
    from monitoring import update_services as services
    from monitoring.models import ProgressUpdate

    if "period_start" not in overrides:
        taken = ProgressUpdate.objects.filter(project=world.project, organisation=world.lead).count()
        overrides["period_start"] = datetime.date(2026, 1, 1) + datetime.timedelta(days=taken)

    return services.create_update(
        project=world.project, organisation=world.lead, author=world.author, content=content(**overrides)
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the content version restarts with the database)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
