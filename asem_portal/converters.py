"""Path converters that keep out-of-range numbers from reaching the database (a 404, not a 500)."""

from django.urls import register_converter


class IdConverter:
    # A bigint holds 18 digits safely; longer numbers cannot be ids.
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
