from django.urls import path

from core.cache import cached_public_page

from . import initiative_views as views
from . import profile_views
from .feeds import InitiativeUpdatesFeed

app_name = "initiatives"

urlpatterns = [
    path("", cached_public_page(views.ProjectListView.as_view()), name="project-list"),
    path("export.csv", views.ProjectExportView.as_view(format="csv"), name="project-export-csv"),
    path("export.json", views.ProjectExportView.as_view(format="json"), name="project-export-json"),
    path("<slug:slug>/", cached_public_page(views.ProjectDetailView.as_view()), name="project-detail"),
    path("<slug:slug>/edit/", profile_views.ProjectProfileEditView.as_view(), name="project-edit"),
    path("<slug:slug>/feed/", cached_public_page(InitiativeUpdatesFeed()), name="project-feed"),
]
