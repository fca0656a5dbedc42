"""Shared test set-up: fast hashing, personas, Debian's Chromium for Playwright."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the content version restarts with the database)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
