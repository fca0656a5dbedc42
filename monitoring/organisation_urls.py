from django.urls import path

from core.cache import cached_public_page

from . import organisation_views as views
from .feeds import OrganisationUpdatesFeed

app_name = "organisations"

urlpatterns = [
    path("organisations/", cached_public_page(views.OrganisationListView.as_view()), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        cached_public_page(views.OrganisationDetailView.as_view()),
        name="organisation-detail",
    ),
    path(
        "organisations/<slug:slug>/feed/",
        cached_public_page(OrganisationUpdatesFeed()),
        name="organisation-feed",
    ),
    path("countries/", cached_public_page(views.CountryListView.as_view()), name="country-list"),
    path("countries/<str:code>/", cached_public_page(views.CountryDetailView.as_view()), name="country-detail"),
    path("balance/", cached_public_page(views.BalanceView.as_view()), name="balance"),
]
