from __future__ import annotations

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from projects.models import ProjectOrganisation
from stakeholders.models import Country, Organisation


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


class CountryListView(ListView):
    model = Country
    context_object_name = "countries"
