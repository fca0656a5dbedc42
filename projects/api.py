"""Read-only API of the organisations taking part in initiatives: ``/api/v1/organisations/``."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import viewsets

from core.api import ConditionalGetMixin, KeyLookupMixin, read_only_schema
from stakeholders.models import Country, Organisation
from stakeholders.serializers import OrganisationSerializer

from .models import ProjectOrganisation


class OrganisationFilterSet(filters.FilterSet):
    country = filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="iso_code", help_text="ISO code, such as DE."
    )

    class Meta:
        model = Organisation
        fields = ["kind", "region", "country"]


#: The initiatives an organisation takes part in, by role and title.
BY_ROLE = ProjectOrganisation.objects.select_related("project").order_by("role", "project__title", "project__slug")


@read_only_schema(
    "Organisations: partner governments, institutional partners, stakeholders",
    "One organisation, with the initiatives it takes part in",
    "id_or_slug",
    "Its id or slug.",
)
class OrganisationViewSet(ConditionalGetMixin, KeyLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    queryset = (
        Organisation.objects.select_related("country", "parent")
        .prefetch_related(Prefetch("participations", queryset=BY_ROLE))
        .order_by("name", "slug")
    )
