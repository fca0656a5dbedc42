"""Pieces shared by every endpoint of the REST API (``/api/v1/``).

- :class:`LimitedJSONParser`: JSON only, and never more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (DRF's own
  parser reads the stream directly and would skip Django's limit).
- :class:`PageNumberPagination`: ``?page=`` and ``?page_size=`` (at most :data:`MAX_PAGE_SIZE`).
- Throttles whose rates are read from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` on every request (DRF's
  own classes freeze them at import), themselves read from the environment in ``settings.py``.
- :func:`exception_handler`: one error body everywhere: ``{"detail": …, "code": …}``, plus ``"errors"`` (by
  field) for a 400, and the workflow's conflicts (stale version, wrong state) as 409.
- Conditional GETs (:class:`ConditionalGetMixin`): ETag and Last-Modified from :func:`data_fingerprint`, one
  query of ``MAX()``/``COUNT()`` over the plan's tables and the site's content version, so a 304 costs one
  query (two with a token) whatever the size.
- :func:`document_error_responses`: the OpenAPI schema says which errors each operation may answer.
- :class:`JSONRenderer`: DRF's, which also writes list items cached already encoded (:class:`EncodedJSON`).

This module is imported by DRF while ``rest_framework.views`` itself is being imported (it names the parser
class in the settings), so it must not import ``rest_framework.views``, ``generics`` or ``viewsets`` at the
top.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, parsers, renderers, status, throttling
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings

from asem_portal.cache import cached_per_key, request_content_version, version_row
from asem_portal.pagination import WindowCountPaginator
from asem_portal.parsing import parse_id

#: How long a serialized list item is kept (a new data version makes it unreachable anyway).
ITEM_CACHE_SECONDS = 60 * 60
#: The largest page a client may ask for with ``?page_size=``.
MAX_PAGE_SIZE = 100


# Parsing ---------------------------------------------------------------------------------------------------


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class LimitedJSONParser(parsers.JSONParser):
    """JSON, refused with 413 when the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    DRF 3.16+ reads JSON bodies through ``request.body``, where Django raises ``RequestDataTooBig`` (turned
    into the same 413 by :func:`exception_handler`); this parser also enforces the limit on a raw stream.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            request = (parser_context or {}).get("request")
            length = request.META.get("CONTENT_LENGTH") if request is not None else None
            try:
                declared = int(length or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise RequestTooLarge(_("The request body is too large: at most %(limit)d bytes.") % {"limit": limit})
            body = stream.read(limit + 1) if stream is not None else b""
            if len(body) > limit:
                raise RequestTooLarge(_("The request body is too large: at most %(limit)d bytes.") % {"limit": limit})
            try:
                return json.loads(body.decode((parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)))
            except (ValueError, UnicodeDecodeError) as exc:
                raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        return super().parse(stream, media_type, parser_context)


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """For downloads with one fixed format (plan.csv, plan.json): the address decides, not ``Accept``."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# Pagination and throttling ---------------------------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = WindowCountPaginator
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = gettext_lazy("Results per page (at most %(max)d).") % {"max": MAX_PAGE_SIZE}


class _RatesFromSettings:
    """Read the rate on each request, so ``override_settings`` and the environment both apply."""

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope not in rates:
            raise ImproperlyConfigured(f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}.")
        return rates[self.scope]


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    pass


class ExportRateThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """Whole-plan exports: per user, or per address for anonymous clients."""

    scope = "export"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# Errors ----------------------------------------------------------------------------------------------------


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
    from rest_framework.views import exception_handler as drf_exception_handler

    from projects.services import ConflictError, WorkflowError

    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc), code="stale_version")
    elif isinstance(exc, WorkflowError):
        exc = Conflict(str(exc), code="invalid_transition")
    elif isinstance(exc, DjangoValidationError):
        from rest_framework.serializers import as_serializer_error

        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = RequestTooLarge(_("The request body is too large: at most %(limit)d bytes.") % {"limit": limit})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_DETAIL)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        response.data = {
            "detail": _("The request is not valid: see the errors by field."),
            "code": "invalid",
            "errors": errors,
        }
        return response
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data.get("detail", "")
    if isinstance(exc, exceptions.NotFound) and str(detail) in ("Not found.", "Invalid page."):
        detail = NOT_FOUND_DETAIL if str(detail) == "Not found." else _("There is no such page of results.")
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = {"detail": str(detail), "code": code, **getattr(exc, "extra", {})}
    return response


@csrf_exempt  # a 404 whatever the method: nothing to protect, and no HTML "CSRF failed" page instead
def api_not_found(request, *args, **kwargs):
    """Anything under /api/v1/ that matches no endpoint: a JSON 404 rather than the site's HTML page."""
    body = {"detail": str(NOT_FOUND_DETAIL), "code": "not_found"}
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            body["detail"] = _("Not found. Did you mean %(path)s (with the trailing slash)?") % {
                "path": request.path + "/"
            }
    return JsonResponse(body, status=404)


# Conditional GETs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    token: str
    last_modified: datetime | None


def data_fingerprint() -> Fingerprint:
    """What the plan's data looks like now, in one primary-key read: the content version and its time.

    ``asem_portal.cache`` raises the version once per committed transaction that saves or deletes
    anything of the plan's apps, so it changes exactly when an answer of the API may change.
    """
    row = version_row()
    if row is None:
        return Fingerprint(token="0", last_modified=None)  # noqa: S106 - not a secret
    value, changed_at = row
    return Fingerprint(token=str(value), last_modified=changed_at)


class ConditionalGetMixin:
    """ETag and Last-Modified on ``list`` and ``retrieve``; 304 when the client's copy is current.

    The ETag covers the data (:func:`data_fingerprint`), the full path with its query string, the negotiated
    format and, for views whose answer depends on the user (``conditional_per_user``), who asks. A 304 is
    answered before the objects are read.
    """

    conditional_per_user = False

    def conditional_user_key(self, request) -> str:
        return ""

    def _validators(self, request) -> tuple[str, datetime | None]:
        fingerprint = data_fingerprint()
        self.data_version = fingerprint.token
        renderer = getattr(request, "accepted_renderer", None)
        parts = [
            fingerprint.token,
            request.get_full_path(),
            getattr(renderer, "format", ""),
            self.conditional_user_key(request) if self.conditional_per_user else "",
        ]
        etag = quote_etag(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])
        return etag, fingerprint.last_modified

    def _cache_headers(self, etag: str, last_modified: datetime | None) -> dict[str, str]:
        headers = {"ETag": etag, "Cache-Control": "private, no-cache" if self.conditional_per_user else "no-cache"}
        if last_modified is not None:
            headers["Last-Modified"] = http_date(last_modified.timestamp())
        return headers

    def _not_modified(self, request, etag: str, last_modified: datetime | None) -> bool:
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            candidates = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in candidates or etag in candidates
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        return since is not None and last_modified is not None and int(last_modified.timestamp()) <= since

    def _conditional(self, handler, request, *args, **kwargs):
        etag, last_modified = self._validators(request)
        headers = self._cache_headers(etag, last_modified)
        if self._not_modified(request, etag, last_modified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        else:
            # A public answer may use what is built once per data version (e.g. the filters' valid choices).
            token = request_content_version.set(None if self.conditional_per_user else int(self.data_version))
            try:
                response = handler(request, *args, **kwargs)
            finally:
                request_content_version.reset(token)
            if response.status_code == status.HTTP_200_OK:
                for name, value in headers.items():
                    response[name] = value
        if self.conditional_per_user:
            response["Vary"] = "Accept, Authorization, Cookie"
        return response

    def list(self, request, *args, **kwargs):
        return self._conditional(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._conditional(super().retrieve, request, *args, **kwargs)


# Rendering -------------------------------------------------------------------------------------------------


class EncodedJSON:
    """A value already encoded by :class:`JSONRenderer`: a list item cached as text. The renderer writes it
    as it is, so a page of cached items is neither decoded nor encoded again."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _SplicingEncoder(renderers.JSONRenderer.encoder_class):
    """Writes each :class:`EncodedJSON` as a numbered marker string and keeps its text for the renderer."""

    def __init__(self, *args, texts: list[str], marker: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts, self.marker = texts, marker

    def default(self, obj):
        if isinstance(obj, EncodedJSON):
            self.texts.append(obj.text)
            return f"\x00{self.marker}:{len(self.texts) - 1}\x00"
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; :class:`EncodedJSON` values are written as their text.

    They go through the encoder as marker strings (a NUL character, a random marker and their number: no
    text of ours holds a NUL, and the marker is new for each answer), replaced by their text afterwards."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        texts: list[str] = []
        marker = secrets.token_hex(8)
        self.encoder_class = partial(_SplicingEncoder, texts=texts, marker=marker)
        rendered = super().render(data, accepted_media_type, renderer_context)
        if not texts:
            return rendered
        pattern = re.compile(rb'"\\u0000' + marker.encode() + rb':(\d+)\\u0000"')
        return pattern.sub(lambda match: texts[int(match[1])].encode(), rendered)


class CachedItemsMixin:
    """List pages whose items are cached, serialized, per data version (with :class:`ConditionalGetMixin`).

    A list with a new filter on every request still shows the same objects again and again: each one's
    representation is kept under the data version read for the ETag (so any committed change makes new
    ones), the language and the host the URLs in it point to. A page then reads its keys and count in one
    query and only the objects no earlier page has serialized since the last change."""

    def cached_items(self, queryset, keys: list) -> list:
        version = getattr(self, "data_version", None)
        request = self.request
        # "api-json": items as JSON text (an earlier release kept them decoded, under "api").
        prefix = f"api-json:{self.basename}:{version}:{get_language()}:{request.scheme}://{request.get_host()}:"

        def serialize(missing: list) -> dict:
            objects = list(self.get_queryset().filter(pk__in=missing))
            # Cached as JSON text: nothing of DRF's objects is kept, and a page of them is written as it is.
            renderer = JSONRenderer()
            items = self.get_serializer(objects, many=True).data
            return {obj.pk: renderer.render(item).decode() for obj, item in zip(objects, items, strict=True)}

        items = cached_per_key(None if version is None else prefix, keys, serialize, ITEM_CACHE_SECONDS)
        return [EncodedJSON(text) for text in items.values()]

    def paginate_queryset(self, queryset):
        if self.paginator is not None:
            self.paginator.django_paginator_class = partial(WindowCountPaginator, rows=self.cached_items)
        return super().paginate_queryset(queryset)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if page is None:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(page)


# Detail lookups --------------------------------------------------------------------------------------------


class KeyLookupMixin:
    """Detail URLs take the id or a readable key: ``/initiatives/12/`` and ``/initiatives/asem-duo/`` alike.

    ``key_field`` names the readable key (a slug, a code). A value made only of digits is tried as the id
    first, then as the key. The detail is read from ``get_queryset()`` (never filtered by the list's query
    string), so what the user may not see is a 404.
    """

    key_field = "slug"
    lookup_url_kwarg = "id_or_slug"
    lookup_value_regex = r"[-a-zA-Z0-9_.]+"

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg]
        queryset = self.get_queryset()
        obj = None
        pk = parse_id(value)
        if pk is not None:
            obj = queryset.filter(pk=pk).first()
        if obj is None:
            obj = queryset.filter(**{self.key_field: value}).first()
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


# OpenAPI ---------------------------------------------------------------------------------------------------

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
    ref = {"$ref": "#/components/schemas/Error"}
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
                responses.setdefault(
                    code, {"description": _ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
                )
            if method == "get" and "304" not in responses:
                responses["304"] = {"description": "Not modified since the ETag or date the client sent."}
    return result
