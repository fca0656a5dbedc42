"""Path converters that keep out-of-range numbers from reaching the database (a 404, not a 500)."""

from django.urls import register_converter
from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    # A bigint holds 18 digits safely; longer numbers cannot be ids.
    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
