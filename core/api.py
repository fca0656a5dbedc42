"""Pieces shared by every endpoint of the REST API (``/api/v1/``): parsing, pagination, throttles, errors,
conditional GETs, detail lookups and the OpenAPI schema's error answers.

DRF imports this module while ``rest_framework.views`` is being imported (the settings name its parser), so
it must not import ``rest_framework.views``, ``generics`` or ``viewsets`` at the top.
"""

from __future__ import annotations

import codecs
import datetime
import difflib
import hashlib
import json
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, pagination, parsers, status, throttling
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.settings import api_settings

from core.cache import version_row
from core.exceptions import ConflictError, WorkflowError
from core.parsing import by_id_or_key
from core.ratelimit import client_address

#: The largest page a client may ask for with ``?page_size=``.
MAX_PAGE_SIZE = 100


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"

    @classmethod
    def over_the_limit(cls) -> RequestTooLarge:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return cls(_("The request body is too large: at most %(limit)d bytes.") % {"limit": limit})


#: The deepest JSON a client may send: the API's bodies are at most three levels deep (an update, its list of
#: milestone reports, one report). Anything deeper is refused before a serializer sees it.
MAX_JSON_DEPTH = 8


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: as much a non-number as Infinity
        raise ValueError(_("the number %(number)s is too large") % {"number": text[:40]})
    return value


def _no_constant(name: str):
    raise ValueError(_("%(constant)s is not JSON") % {"constant": name})


def _check_depth_and_text(data) -> None:
    """Refuse nesting deeper than ``MAX_JSON_DEPTH``, and strings (keys too) that are not Unicode text (a lone
    surrogate such as ``"\\ud800"`` is valid JSON, but nothing can store, encode or show it)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            items = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            items = value
        else:
            items = None
        if items is not None:
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(
                    _("The body is nested too deeply: at most %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
                )
            pending.extend((item, depth + 1) for item in items)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise exceptions.ParseError(
                    _("The body is not valid JSON: it holds a string that is not Unicode text (a lone surrogate).")
                ) from None


class LimitedJSONParser(parsers.JSONParser):
    """The API's JSON parser: every malformed body is a 400 (``parse_error``), never a 500.

    Like DRF's, with more refused: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413; DRF reads the stream
    itself, where Django does not apply its limit), bytes that are not text in the request's charset, ``NaN``,
    ``Infinity`` and numbers too large for a float, nesting deeper than ``MAX_JSON_DEPTH`` (Python's recursion
    limit would otherwise end the request) and strings that are not Unicode text.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestTooLarge.over_the_limit()
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as error:
            name = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
            raise exceptions.ParseError(
                _("The body is not valid %(encoding)s text (byte %(position)d).")
                % {"encoding": name, "position": error.start}
            ) from None
        try:
            data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
        except RecursionError:
            raise exceptions.ParseError(
                _("The body is nested too deeply: at most %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        except ValueError as error:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        _check_depth_and_text(data)
        return data


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """For downloads with one fixed format (plan.csv, plan.json): the address decides, not ``Accept``."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = gettext_lazy("Results per page (at most %(max)d).") % {"max": MAX_PAGE_SIZE}
    invalid_page_message = gettext_lazy("There is no such page of results.")


class RatesFromSettings:
    """Read the rate on each request (DRF's own classes freeze it at import), so ``override_settings`` applies;
    count a client by the address the site's own limits use (``core.ratelimit``), not by a raw
    ``X-Forwarded-For`` the client may choose."""

    def get_rate(self):
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        return super().get_rate()

    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RatesFromSettings, throttling.UserRateThrottle):
    pass


class ExportRateThrottle(RatesFromSettings, throttling.UserRateThrottle):
    """Whole-plan exports: per user, or per address for anonymous clients (as DRF's user throttle counts)."""

    scope = "export"


class Conflict(exceptions.APIException):
    """409: the update changed since the client read it, or it is not in a state that allows the change."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the resource.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


NOT_FOUND_DETAIL = gettext_lazy("Not found: there is nothing at this address, or nothing you may see.")


def exception_handler(exc, context):
    """DRF's handler, with one body shape: ``detail`` and ``code`` always, ``errors`` by field for a 400."""
    from rest_framework.serializers import as_serializer_error
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc), code="stale_version")
    elif isinstance(exc, WorkflowError):
        exc = Conflict(str(exc), code="invalid_transition")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge.over_the_limit()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_DETAIL)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        detail = _("The request is not valid: see the errors by field.")
        response.data = {"detail": detail, "code": "invalid", "errors": errors}
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        response.data = {"detail": str(exc.detail), "code": code, **getattr(exc, "extra", {})}
    return response


@csrf_exempt  # a 404 whatever the method: nothing to protect, and no HTML "CSRF failed" page instead
def api_not_found(request, *args, **kwargs):
    """Anything under /api/v1/ that matches no endpoint: a JSON 404 rather than the site's HTML page."""
    body = {"detail": str(NOT_FOUND_DETAIL), "code": "not_found"}
    slashed = request.path + "/"
    if not request.path.endswith("/"):
        try:
            resolved = resolve(slashed)
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            body["detail"] = _("Not found. Did you mean %(path)s (with the trailing slash)?") % {"path": slashed}
    return JsonResponse(body, status=404)


class ConditionalGetMixin:
    """ETag and Last-Modified on ``list`` and ``retrieve``; 304, before any object is read, when the client's
    copy is current.

    The ETag covers the content version (raised once per committed transaction that changes anything public),
    the day (states follow dates: a cycle's, a milestone's), the full path, the negotiated format and, with
    ``conditional_per_user``, who asks. Last-Modified is never before the day began, for the same reason.
    """

    conditional_per_user = False

    def conditional_user_key(self, request) -> str:
        return ""

    def conditional(self, handler, request, *args, **kwargs):
        version, changed_at = version_row() or (0, None)
        user_key = self.conditional_user_key(request) if self.conditional_per_user else ""
        today = timezone.localdate()
        parts = [str(version), today.isoformat(), request.get_full_path(), request.accepted_renderer.format, user_key]
        etag = quote_etag(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])
        last_modified = None
        if changed_at is not None:
            day_began = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
            last_modified = int(max(changed_at, day_began).timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = handler(request, *args, **kwargs)
        if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache" if self.conditional_per_user else "no-cache"
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
        if self.conditional_per_user:
            response["Vary"] = "Accept, Authorization, Cookie"
        return response

    def list(self, request, *args, **kwargs):
        return self.conditional(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.conditional(super().retrieve, request, *args, **kwargs)


#: Names people try for a list's parameters, and the ones the API uses.
PARAMETER_ALIASES = {
    "search": "q",
    "query": "q",
    "text": "q",
    "keyword": "q",
    "keywords": "q",
    "sort": "ordering",
    "sort_by": "ordering",
    "order": "ordering",
    "order_by": "ordering",
    "limit": "page_size",
    "per_page": "page_size",
    "offset": "page",
}


class KnownQueryParametersMixin:
    """A list refuses a query parameter it does not know with a 400 that names the right one (``search=`` →
    "use q"), rather than answering as if it had not been sent: a silently unfiltered list looks like an answer.
    Known: the filters of its ``filterset_class``, paging and ``format``."""

    def known_query_parameters(self) -> list[str]:
        filterset_class = getattr(self, "filterset_class", None)
        names = set(filterset_class.base_filters) if filterset_class else set()
        paginator = self.paginator
        if paginator is not None:
            names |= {paginator.page_query_param, paginator.page_size_query_param}
        names.add(api_settings.URL_FORMAT_OVERRIDE)
        return sorted(name for name in names if name)

    def unknown_query_parameter_errors(self, request) -> dict[str, list[str]]:
        known = self.known_query_parameters()
        errors = {}
        for name in request.query_params:
            if name in known:
                continue
            right = PARAMETER_ALIASES.get(name.lower())
            if right not in known:
                close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.75)
                right = close[0] if close else None
            if right:
                message = _("Unknown parameter “%(name)s”: use “%(right)s”.") % {"name": name, "right": right}
            else:
                message = _("Unknown parameter “%(name)s”. This list takes: %(known)s.") % {
                    "name": name,
                    "known": ", ".join(known),
                }
            errors[name] = [message]
        return errors

    def list(self, request, *args, **kwargs):
        errors = self.unknown_query_parameter_errors(request)
        if errors:
            raise exceptions.ValidationError(errors)
        return super().list(request, *args, **kwargs)


class KeyLookupMixin:
    """Detail URLs take the id or the readable ``key_field`` (tried in that order): ``/initiatives/12/`` and
    ``/initiatives/asem-duo/`` alike. Read from ``get_queryset()``, so what the user may not see is a 404.
    """

    key_field = "slug"
    lookup_url_kwarg = "id_or_slug"
    lookup_value_regex = r"[-a-zA-Z0-9_.]+"

    def get_object(self):
        obj = by_id_or_key(self.get_queryset(), self.kwargs[self.lookup_url_kwarg], self.key_field)
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


def read_only_schema(
    list_summary: str, detail_summary: str, lookup: str, described: str, lookup_type=str, **list_options
):
    """The OpenAPI summaries of a read-only viewset's list and detail, and what its detail's ``lookup`` takes."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, **list_options),
        retrieve=extend_schema(
            summary=detail_summary,
            parameters=[OpenApiParameter(lookup, lookup_type, OpenApiParameter.PATH, description=described)],
        ),
    )


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has a `detail` and a `code`; a 400 adds `errors`, the messages by field.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "By field name (`non_field_errors` for the whole request).",
        },
        "current_version": {"type": "integer", "description": "On a 409 for a stale version."},
    },
    "required": ["detail", "code"],
}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input (a filter, a parameter or the body): `errors` says what, by field.",
    "401": "Authentication failed (a wrong or revoked token), or this operation needs it.",
    "403": "Authenticated but not allowed to do this.",
    "404": "Nothing here, or nothing you may see.",
    "405": "Method not allowed.",
    "406": "The format in the Accept header cannot be produced.",
    "409": "The update changed since you read it (stale `version`), or is not in a state that allows this.",
    "413": "The request body is too large.",
    "415": "Send `Content-Type: application/json`.",
    "429": "Too many requests: wait for the number of seconds in `Retry-After`.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the error answers every operation may give, with their body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "404", "405", "406", "429"]
            if method != "get":
                codes += ["403", "409", "413", "415"]
            elif path.rstrip("/").endswith(("review-queue", "me")):
                codes += ["403"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": _ERROR_DESCRIPTIONS[code], "content": content})
            if method == "get" and "304" not in responses:
                responses["304"] = {"description": "Not modified since the ETag or date the client sent."}
    return result
