"""Serializer fields every API app uses: links to the public page and to API endpoints."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.URI)
class WebUrlField(serializers.Field):
    """The object's page on the public site, as an absolute address."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The page on the public site.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        url = value.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


def api_url(context: dict, view_name: str, query: dict) -> str:
    """An absolute API address with a query string, from the serializer's request."""
    url = f"{reverse(view_name)}?{urlencode(query)}"
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def detail_link(view_name: str, key: str = "slug", kwarg: str = "id_or_slug", source: str | None = None):
    """The address of the object's detail endpoint (of the related object ``source`` when given), by ``key``."""
    if source is None:
        return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field=key, lookup_url_kwarg=kwarg)
    return serializers.HyperlinkedRelatedField(
        source=source, view_name=view_name, lookup_field=key, lookup_url_kwarg=kwarg, read_only=True
    )
