from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("objectives/<slug:slug>/", views.ObjectiveDetailView.as_view(), name="objective-detail"),
    path("subgoals/<str:code>/", views.SubgoalDetailView.as_view(), name="subgoal-detail"),
    path("actions/", views.ActionListView.as_view(), name="action-list"),
    path("actions/<int:number>/", views.ActionDetailView.as_view(), name="action-detail"),
]
