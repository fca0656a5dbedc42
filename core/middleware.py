"""Site-wide middleware: request IDs (kept in a context variable for every log record) and Permissions-Policy.

The ID is cleared on ``request_finished``, not when the middleware returns: Django logs 4xx/5xx responses
(``django.request``) after the middleware chain has returned, and those lines need the ID most.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST_ID = "-"

# An incoming ID is copied into logs and a header: only short IDs of safe characters, which cannot forge either.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

#: The ID of the request being handled in this context, or ``"-"`` outside one.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default=NO_REQUEST_ID)


def _clear_request_id(**kwargs) -> None:
    current_request_id.set(NO_REQUEST_ID)


request_finished.connect(_clear_request_id, dispatch_uid="asem_portal.clear_request_id")


def request_id_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Give each request an ID (a proxy's ``X-Request-ID``, or a new uuid4) and echo it on the response."""

    def middleware(request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.request_id = request_id
        current_request_id.set(request_id)
        response = get_response(request)
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
