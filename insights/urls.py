from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.StatisticsView.as_view(), name="statistics"),
    path("statistics.xlsx", views.statistics_xlsx_view, name="statistics_xlsx"),
]
