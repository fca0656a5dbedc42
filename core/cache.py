"""The public-page cache: whole pages for anonymous visitors, never stale.

Every page is cached under the current *content version* (``core.ContentVersion``),
a number raised once per committed transaction that writes anything of the plan's
apps (one signal receiver, connected in ``core.apps``, registers the raise with
``transaction.on_commit``). Reading the version is one indexed primary-key query,
so a page changed by an edit or an approval in any process is re-rendered on the
very next request, while a visitor who reads the same pages again and again gets
them from the cache. Visitors with a session (signed-in users) or pending messages
always get a fresh page. The key holds the page's whole address, scheme and host
included.

Pages also depend on the day (a reporting cycle opens and closes by its dates, "24 days left", milestones
fall due, meetings become past): the day in the site's time zone is part of every key and ETag, so a page
cached yesterday is never served today.

Bulk writes that send no signals (``QuerySet.update``, ``bulk_create``) must call
``bump_content_version()`` themselves (the synthetic-data generator does).
"""

from __future__ import annotations

import datetime
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

#: The apps whose changes the public can see.
CONTENT_APPS = frozenset({"actions", "stakeholders", "projects", "monitoring"})
#: How long a cached page may live at most (a new version makes it unreachable anyway).
PAGE_TIMEOUT = 60 * 60


def version_row() -> tuple[int, datetime.datetime | None] | None:
    """``(value, changed_at)`` of the content version, or None before the first change (one primary-key read)."""
    from .models import ContentVersion

    return ContentVersion.objects.filter(pk=1).values_list("value", "changed_at").first()


def current_version() -> int:
    row = version_row()
    return row[0] if row else 0


def _bump() -> None:
    from .models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1, changed_at=timezone.now()):
        # The row is gone (a flushed database): start from the clock, so no earlier number comes back.
        ContentVersion.objects.get_or_create(pk=1, defaults={"value": int(time.time() * 1000)})


def bump_content_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise the content version once the current transaction commits (at once outside a transaction).

    Every write registers its own plain ``transaction.on_commit`` callback: a raise is never lost to a
    rolled-back savepoint, and a transaction of many writes raises the version by as many, which changes nothing
    a visitor sees. (A bulk delete of thousands of rows therefore ends with as many small updates; the benchmark
    recreates its database instead of deleting its data: docs/performance.md.) The test suite, whose
    transactions never commit, raises it at once instead: ``CONTENT_VERSION_BUMP_ON_COMMIT = False``.
    """
    if not getattr(settings, "CONTENT_VERSION_BUMP_ON_COMMIT", True):
        _bump()
        return
    transaction.on_commit(_bump, using=using)


def _on_change(sender, **kwargs) -> None:
    if sender._meta.app_label in CONTENT_APPS and sender._meta.model_name != "contentversion":
        bump_content_version(kwargs.get("using") or DEFAULT_DB_ALIAS)


def _on_m2m_change(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        _on_change(sender, **kwargs)


def connect_signals() -> None:
    post_save.connect(_on_change, dispatch_uid="content-version-save")
    post_delete.connect(_on_change, dispatch_uid="content-version-delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="content-version-m2m")


def is_cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cached_public_page(view):
    """Serve a public page from the cache for anonymous visitors; answer If-None-Match with 304."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = current_version() if is_cacheable_request(request) else None
        return _serve(view, request, version, *args, **kwargs)

    return wrapper


def _serve(view, request, version, *args, **kwargs):
    if version is None:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        return response
    # Scheme and host are part of the key: pages carry the request's own address (canonical links, the feed's
    # and the calendars' absolute URLs), so a request under another allowed host name (or over plain HTTP) gets
    # a page of its own, and never changes what visitors under the site's own address are served.
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    day = timezone.localdate().isoformat()
    key = f"page:{version}:{day}:{get_language()}:{digest}"
    etag = f'"{version}-{day}-{digest[:16]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    cached = cache.get(key)
    if cached is None:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming or response.cookies:
            patch_vary_headers(response, ["Cookie"])
            return response
        cache.set(key, (response.content, response["Content-Type"], response.get("Cache-Control")), PAGE_TIMEOUT)
    else:
        content, content_type, cache_control = cached
        response = HttpResponse(content, content_type=content_type)
        if cache_control:
            response["Cache-Control"] = cache_control
    response["ETag"] = etag
    response.headers.setdefault("Cache-Control", "public, max-age=0, must-revalidate")  # unless the view set one
    patch_vary_headers(response, ["Cookie"])
    return response
