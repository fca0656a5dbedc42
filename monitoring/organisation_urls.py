from django.urls import path

from core.cache import cached_public_page

from . import organisation_views as views

app_name = "organisations"

urlpatterns = [
    path("organisations/", cached_public_page(views.OrganisationListView.as_view()), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        cached_public_page(views.OrganisationDetailView.as_view()),
        name="organisation-detail",
    ),
    path("countries/", cached_public_page(views.CountryListView.as_view()), name="country-list"),
]
