from django.urls import path

from core.cache import cached_public_page

from . import update_views as views

app_name = "updates"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("published/", cached_public_page(views.PublishedUpdateListView.as_view()), name="published-list"),
    path("initiatives/<slug:slug>/new/", views.UpdateCreateView.as_view(), name="update-create"),
    path("<id:pk>/", views.UpdateDetailView.as_view(), name="update-detail"),
    path("<id:pk>/edit/", views.UpdateEditView.as_view(), name="update-edit"),
    path("<id:pk>/submit/", views.SubmitView.as_view(), name="update-submit"),
    path("<id:pk>/approve/", views.ApproveView.as_view(), name="update-approve"),
    path("<id:pk>/move/", views.MoveToCurrentCycleView.as_view(), name="update-move"),
    path("<id:pk>/return/", views.ReturnView.as_view(), name="update-return"),
    path("<id:pk>/compare/", views.CompareView.as_view(), name="update-compare"),
    path("<id:pk>/withdraw/", views.WithdrawApprovalView.as_view(), name="update-withdraw"),
    path("<id:pk>/evidence/<id:evidence_pk>/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
]
