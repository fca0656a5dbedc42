"""Settings come from the environment and fail fast in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_check(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def run_with_settings(code: str, *, unset: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` after ``django.setup()`` in a new process, with ``env`` added to this one's environment."""
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE="asem_portal.settings")
    return subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_with_nothing_set_start_up_stops_instead_of_running_in_debug():
    """Fail closed: DEBUG is off unless set, so a deployment that forgets its environment does not start."""
    result = run_check()
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DEBUG is off." in result.stderr


def test_debug_is_off_unless_set():
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = run_with_settings(code, unset=("DEBUG",), SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.org")
    assert result.stdout.strip() == "False", result.stderr


def test_debug_true_runs_with_the_local_key_and_hosts():
    """What `make run` does (DEBUG=true): no key or hosts needed on a developer's machine."""
    code = "from django.conf import settings; print(settings.DEBUG, 'localhost' in settings.ALLOWED_HOSTS)"
    result = run_with_settings(code, unset=("SECRET_KEY", "ALLOWED_HOSTS"), DEBUG="true")
    assert result.stdout.strip() == "True True", result.stderr


def test_debug_off_without_secret_key_stops_with_a_clear_message():
    result = run_check(DEBUG="false", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DEBUG is off." in result.stderr


def test_debug_off_without_allowed_hosts_stops_with_a_clear_message():
    result = run_check(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_debug_off_with_both_starts():
    result = run_check(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 0, result.stderr


def test_database_url_selects_the_engine():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_with_settings(code, DATABASE_URL="postgres://u@db.example.org:5432/asem")
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_redis_url_shares_the_cache_through_redis():
    """With REDIS_URL, the one cache lives in Redis, so every worker shares it. Against the Redis of this
    machine when one answers on 127.0.0.1:6379 (CI's machines have one)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        import pytest

        pytest.skip("no Redis on 127.0.0.1:6379")
    code = (
        "from django.core.cache import caches; "
        "caches['default'].set('probe', 'shared', 30); "
        "print(list(caches), type(caches['default']).__name__, caches['default'].get('probe')); "
        "caches['default'].delete('probe')"
    )
    result = run_with_settings(code, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.stdout.split() == ["['default']", "RedisCache", "shared"], result.stderr


def test_cache_release_is_part_of_every_key():
    code = "from django.core.cache import caches; print(list(caches), caches['default'].make_key('k'))"
    result = run_with_settings(code, unset=("REDIS_URL",), CACHE_RELEASE="abc123")
    assert result.stdout.split() == ["['default']", "abc123:1:k"], result.stderr
