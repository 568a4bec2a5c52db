from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.FestivalListView.as_view(), name="festival_list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/calendar.ics", views.activity_ics_view, name="activity_ics"),
    path("activities/<int:pk>/report/", views.report_create, name="report_create"),
    path("reports/mine/", views.MyReportsView.as_view(), name="my_reports"),
    path("reports/queue/", views.ReportQueueView.as_view(), name="report_queue"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_update, name="report_update"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("photos/<int:pk>/<str:size>/", views.report_photo_view, name="report_photo"),
    path("manage/<slug:slug>/units/", views.festival_units_view, name="festival_units"),
    path("manage/<slug:slug>/units/import/", views.festival_units_import_view, name="festival_units_import"),
    path(
        "manage/<slug:slug>/units/import/template/", views.festival_units_template_view, name="festival_units_template"
    ),
    path("manage/<slug:slug>/units/export/", views.festival_units_export_view, name="festival_units_export"),
    path("<slug:slug>/", views.FestivalDetailView.as_view(), name="festival_detail"),
    path("<slug:slug>/calendar.ics", views.festival_ics_view, name="festival_ics"),
    path("<slug:slug>/banner.png", views.festival_banner_view, name="festival_banner"),
    path("<slug:slug>/cover/", views.festival_cover_view, name="festival_cover"),
]
