"""Read-only API of who takes part: ``/api/v1/organisations/``, ``/countries/``; and ``/me/`` for a client."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin, KeyLookupMixin, read_only_schema
from projects import permissions
from projects.models import ProjectOrganisation

from .models import Country, Membership, Organisation
from .serializers import CountrySerializer, OrganisationSerializer


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


MeSerializer = inline_serializer(
    name="Me",
    fields={
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "is_secretariat": serializers.BooleanField(),
        "organisations": inline_serializer(
            name="MyMembership",
            fields={"slug": serializers.SlugField(), "name": serializers.CharField(), "role": serializers.CharField()},
            many=True,
        ),
        "initiatives": inline_serializer(
            name="MyInitiative",
            fields={"slug": serializers.SlugField(), "title": serializers.CharField()},
            many=True,
            help_text="The initiatives you may report on.",
        ),
    },
)


class MeView(APIView):
    """Who the token or session belongs to, their organisations and the initiatives they may report on."""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(summary="You: your organisations and the initiatives you may report on", responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
        initiatives = permissions.projects_for(user).order_by("title", "slug").values("slug", "title")
        return Response(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "is_secretariat": permissions.is_secretariat(user),
                "organisations": [
                    {"slug": m.organisation.slug, "name": m.organisation.name, "role": m.role} for m in memberships
                ],
                "initiatives": list(initiatives),
            }
        )
