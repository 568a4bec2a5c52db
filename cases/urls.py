from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("my/", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/", views.OrganisationApplicationsView.as_view(), name="organisation_applications"),
]
