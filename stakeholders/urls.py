from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
]
