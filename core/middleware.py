"""Site-wide middleware: request IDs (kept in a context variable for every log record), Permissions-Policy, and
``Cache-Control`` for signed-in users.

The ID is set for the time the middleware chain runs and reset when it returns. Django logs 4xx/5xx responses
(``django.request``) after the chain has returned, with the request on the record: the log filter
(``core.logging.RequestIDFilter``) reads those lines' ID from the request itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST_ID = "-"

# An incoming ID is copied into logs and a header: only short IDs of safe characters, which cannot forge either.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

#: The ID of the request being handled in this context, or ``"-"`` outside one.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default=NO_REQUEST_ID)


def request_id_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Give each request an ID (a proxy's ``X-Request-ID``, or a new uuid4) and echo it on the response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    return middleware


def permissions_policy_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Set ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (feature → allowlist; empty denies)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # Built per response (a few microseconds) so that a changed setting applies at once: camera=(), ...
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        header = ", ".join(f"{feature}=({' '.join(allowlist)})" for feature, allowlist in policy.items())
        if header:
            response.headers.setdefault("Permissions-Policy", header)
        return response

    return middleware


#: What a response to a signed-in user may carry at most: kept by this browser only, and not even there.
SIGNED_IN_CACHE_CONTROL = "private, no-store"


def cache_control_directives(header: str) -> set[str]:
    """The directive names of a ``Cache-Control`` value, lower-cased: ``"Private, max-age=0"`` → private, max-age."""
    return {part.split("=", 1)[0].strip().lower() for part in header.split(",") if part.strip()}


def signed_in_no_store_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """``Cache-Control: private, no-store`` on every response to a signed-in user.

    A signed-in page carries the user's name, links and a CSRF token, often their drafts: no shared cache may keep
    it, and the browser should not keep it on disk either (a shared computer, the back button after signing out).
    A view's own ``Cache-Control`` is kept only when it already keeps the response out of shared caches
    (``no-store``, or ``private``: the API's per-user revalidation, a published report's page for its reader, both
    chosen and tested where they are made); anything else (none, ``public``, a bare ``max-age``) is replaced.
    Placed below the authentication middleware, so ``request.user`` is the signed-in user (or, for the API, the
    user DRF authenticated by token, which it sets on the request too).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not cache_control_directives(response.get("Cache-Control", "")) & {"no-store", "private"}:
                response["Cache-Control"] = SIGNED_IN_CACHE_CONTROL
        return response

    return middleware
