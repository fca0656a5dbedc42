from django.urls import path

from core.cache import cached_public_page

from . import process_views as views

app_name = "meetings"

urlpatterns = [
    path("meetings/", cached_public_page(views.MeetingListView.as_view()), name="meeting-list"),
    path("meetings/<id:pk>/", cached_public_page(views.MeetingDetailView.as_view()), name="meeting-detail"),
    path("work-plans/<id:number>/", cached_public_page(views.WorkPlanView.as_view()), name="work-plan"),
]
