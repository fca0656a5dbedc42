"""Public pages of who takes part: organisations, the partner countries (each with its organisations and the
initiatives they lead or join), and the Asia–Europe balance."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.views.generic import DetailView, ListView, TemplateView

from projects.models import TAKING_PART_ROLES, ProjectOrganisation
from stakeholders.models import Country, Organisation

from .balance import build_plan_balance
from .initiative_views import entry_queryset
from .progress import Cycles, attach_progress

#: Initiatives per page of a country's page.
COUNTRY_INITIATIVES_PER_PAGE = 25


class OrganisationListView(ListView):
    context_object_name = "organisations"
    paginate_by = 50
    queryset = (
        Organisation.objects.select_related("country")
        .annotate(initiative_total=Count("participations__project", distinct=True))
        .order_by("name")
    )


class OrganisationDetailView(DetailView):
    queryset = Organisation.objects.select_related("country", "parent").prefetch_related(
        "children",
        Prefetch(
            "participations",
            queryset=ProjectOrganisation.objects.select_related("project").order_by("role", "project__title"),
        ),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each initiative with its progress (three queries, however many it takes part in).
        attach_progress([part.project for part in self.object.participations.all()], Cycles.today())
        return context


class CountryListView(ListView):
    """The partner countries by region, each with how many organisations it has and how many initiatives they
    lead or join (one query)."""

    context_object_name = "countries"
    queryset = Country.objects.annotate(
        organisation_total=Count("organisations", distinct=True),
        initiative_total=Count(
            "organisations__participations__project",
            filter=Q(organisations__participations__role__in=TAKING_PART_ROLES),
            distinct=True,
        ),
    ).order_by("region", "name")


class CountryDetailView(DetailView):
    """A country: its organisations, and the initiatives they lead or join as partners (each once, with the
    country's organisations and their roles), 25 a page."""

    context_object_name = "country"
    queryset = Country.objects.all()

    def get_object(self, queryset=None):
        code = self.kwargs["code"]
        if len(code) != 2:
            raise Http404
        try:
            return self.get_queryset().get(iso_code=code.upper())
        except Country.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        country = self.object
        taking_part = ProjectOrganisation.objects.filter(
            organisation__country=country, role__in=TAKING_PART_ROLES
        ).select_related("organisation")
        initiatives = (
            entry_queryset()
            .filter(Exists(taking_part.filter(project=OuterRef("pk"))))
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=taking_part.order_by("role", "organisation__name"),
                    to_attr="country_participations",
                )
            )
            .order_by("title", "slug")
        )
        paginator = Paginator(initiatives, COUNTRY_INITIATIVES_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        for project in page.object_list:
            # The note an entry shows after its facts (includes/initiative_summary.html): who of this country
            # takes part, and how.
            project.related_reason = "; ".join(
                f"{part.organisation.short_name}: {part.get_role_display().lower()}"
                for part in project.country_participations
            )
        attach_progress(page.object_list, Cycles.today())
        organisations = (
            country.organisations.annotate(
                initiative_total=Count(
                    "participations__project", filter=Q(participations__role__in=TAKING_PART_ROLES), distinct=True
                )
            )
            .only("slug", "name", "acronym", "kind", "country")
            .order_by("name")
        )
        return super().get_context_data(
            **kwargs,
            organisations=organisations,
            projects=page.object_list,
            page_obj=page,
            paginator=paginator,
            is_paginated=page.has_other_pages(),
            canonical_url=self.request.build_absolute_uri(country.get_absolute_url()),
        )


class BalanceView(TemplateView):
    """The Asia–Europe balance of the plan: lead and partner organisations by region, overall and per objective."""

    template_name = "stakeholders/balance.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, charts=build_plan_balance())
