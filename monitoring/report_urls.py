from django.urls import path

from core.cache import cached_public_page

from . import report_views as views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("reports/completeness/remind/", views.SendReminderView.as_view(), name="send-reminder"),
    path("reports/<int:number>/", cached_public_page(views.ReportDetailView.as_view()), name="report-detail"),
    path(
        "reports/<int:number>/initiatives/",
        cached_public_page(views.ReportInitiativesView.as_view()),
        name="report-initiatives",
    ),
    path("reports/<int:number>/report.pdf", views.ReportExportView.as_view(format="pdf"), name="report-pdf"),
    path("reports/<int:number>/report.xlsx", views.ReportExportView.as_view(format="xlsx"), name="report-xlsx"),
    path("reports/<int:number>/report.csv", views.ReportExportView.as_view(format="csv"), name="report-csv"),
    path("reports/<int:number>/publish/", views.PublishView.as_view(), name="report-publish"),
    path("reports/<int:number>/next-cycle/", views.NextCycleView.as_view(), name="next-cycle"),
]
