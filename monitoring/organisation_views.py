from __future__ import annotations

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from projects.models import ProjectOrganisation
from stakeholders.models import Country, Organisation

from .progress import Cycles, attach_progress


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
    model = Country
    context_object_name = "countries"
