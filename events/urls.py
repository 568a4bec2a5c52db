from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.FestivalListView.as_view(), name="festival_list"),
    path("<slug:slug>/", views.FestivalDetailView.as_view(), name="festival_detail"),
]
