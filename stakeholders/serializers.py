"""Countries and organisations as the API shows them (public data only: never members or e-mail addresses)."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import WebUrlField, detail_link

from .models import Country, Organisation


class CountrySerializer(serializers.ModelSerializer):
    url = detail_link("api:country-detail", "iso_code", "id_or_iso_code")

    class Meta:
        model = Country
        fields = ["id", "url", "iso_code", "name", "region", "is_asem_partner"]


class CountryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso_code", "name"]


class OrganisationBriefSerializer(serializers.ModelSerializer):
    """An organisation where another object names it."""

    url = detail_link("api:organisation-detail")

    class Meta:
        model = Organisation
        fields = ["slug", "name", "acronym", "url"]


class ParticipationSerializer(serializers.Serializer):
    initiative = serializers.SlugField(source="project.slug", help_text="The initiative's slug.")
    title = serializers.CharField(source="project.title")
    role = serializers.CharField(help_text="lead, partner or funder")
    url = detail_link("api:initiative-detail", source="project")


class OrganisationSerializer(serializers.ModelSerializer):
    url = detail_link("api:organisation-detail")
    country = CountryBriefSerializer(read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The parent organisation's slug."
    )
    initiatives = ParticipationSerializer(
        source="participations", many=True, read_only=True, help_text="The initiatives it takes part in, by role."
    )
    web_url = WebUrlField()

    class Meta:
        model = Organisation
        fields = [
            "id", "url", "slug", "name", "acronym", "kind", "region", "country", "website", "parent", "description",
            "initiatives", "web_url",
        ]  # fmt: skip
