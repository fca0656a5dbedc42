from django.urls import path

from core.cache import cached_public_page

from . import plan_views as views
from .feeds import ActionUpdatesFeed

app_name = "plan"

urlpatterns = [
    path("objectives/<slug:slug>/", cached_public_page(views.ObjectiveDetailView.as_view()), name="objective-detail"),
    path("subgoals/<str:code>/", cached_public_page(views.SubgoalDetailView.as_view()), name="subgoal-detail"),
    path("actions/", cached_public_page(views.ActionListView.as_view()), name="action-list"),
    path("actions/<int:number>/", cached_public_page(views.ActionDetailView.as_view()), name="action-detail"),
    path("actions/<int:number>/feed/", cached_public_page(ActionUpdatesFeed()), name="action-feed"),
]
