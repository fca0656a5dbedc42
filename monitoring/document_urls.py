from django.urls import path

from core.cache import cached_public_page

from . import process_views as views

app_name = "documents"

urlpatterns = [
    path("", cached_public_page(views.DocumentListView.as_view()), name="document-list"),
    path("<slug:slug>/", cached_public_page(views.DocumentDetailView.as_view()), name="document-detail"),
    path("<slug:slug>/download/", views.DocumentDownloadView.as_view(), name="document-download"),
]
