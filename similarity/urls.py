from django.urls import path

from . import views

app_name = "similarity"

urlpatterns = [
    path("applications/<int:pk>/", views.application_report, name="application_report"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("campaigns/<slug:slug>/check/", views.campaign_check, name="campaign_check"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("corpus/", views.reference_documents, name="reference_documents"),
]
