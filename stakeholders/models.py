"""Who takes part: partner countries, organisations and their members."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.TextChoices):
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    INTERNATIONAL = "international", _("International")


class CountryRegion(models.TextChoices):
    """ASEM's two regional groups (countries are in one or the other)."""

    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")


class Country(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Enter an ISO 3166-1 alpha-2 code such as DE."))],
    )
    region = models.CharField(_("region"), max_length=10, choices=CountryRegion.choices)
    is_asem_partner = models.BooleanField(_("ASEM partner"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(condition=models.Q(region__in=CountryRegion.values), name="country_region_valid")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:country-detail", kwargs={"code": self.iso_code})


class OrganisationKind(models.TextChoices):
    PARTNER_GOVERNMENT = "partner_government", _("Partner government")
    INSTITUTIONAL_PARTNER = "institutional_partner", _("Institutional partner")
    ASEM_BODY = "asem_body", _("ASEM body")
    STAKEHOLDER = "stakeholder", _("Stakeholder organisation")
    WIDER_ECOSYSTEM = "wider_ecosystem", _("Wider ecosystem")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    region = models.CharField(_("region"), max_length=15, choices=Region.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("country"),
    )
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(condition=models.Q(region__in=Region.values), name="organisation_region_valid"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="organisation_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.full_name(self.name, self.acronym)

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation-detail", kwargs={"slug": self.slug})

    @staticmethod
    def full_name(name: str, acronym: str) -> str:
        """The name with the acronym in brackets (where it differs): what lists of organisations show."""
        return f"{name} ({acronym})" if acronym and acronym != name else name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class MembershipRole(models.TextChoices):
    CONTRIBUTOR = "contributor", _("Contributor")
    COORDINATOR = "coordinator", _("Coordinator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.CONTRIBUTOR
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation.short_name} ({self.get_role_display()})"
