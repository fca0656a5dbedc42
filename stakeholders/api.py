"""Read-only API of the ASEM partner countries: ``/api/v1/countries/``."""

from __future__ import annotations

from rest_framework import viewsets

from core.api import ConditionalGetMixin, KeyLookupMixin, read_only_schema

from .models import Country
from .serializers import CountrySerializer


@read_only_schema(
    "The ASEM partner countries (and others named by organisations)",
    "One country",
    "id_or_iso_code",
    "Its id or ISO 3166-1 code (DE).",
)
class CountryViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    filterset_fields = ["region", "is_asem_partner"]
    pagination_class = None  # about sixty
    key_field = "iso_code"
    lookup_url_kwarg = "id_or_iso_code"
    queryset = Country.objects.order_by("name")

    def get_object(self):
        self.kwargs[self.lookup_url_kwarg] = self.kwargs[self.lookup_url_kwarg].upper()
        return super().get_object()
