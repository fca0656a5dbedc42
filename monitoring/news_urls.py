from django.urls import path

from core.cache import cached_public_page

from . import process_views as views
from .feeds import NewsFeed

app_name = "news"

urlpatterns = [
    path("", cached_public_page(views.NewsListView.as_view()), name="news-list"),
    path("feed/", cached_public_page(NewsFeed()), name="news-feed"),
    path("<slug:slug>/", cached_public_page(views.NewsDetailView.as_view()), name="news-detail"),
]
