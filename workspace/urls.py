from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<slug:slug>/", views.campaign_basics, name="campaign"),
    path("<slug:slug>/publish/", views.campaign_publish, name="publish"),
    path("<slug:slug>/timeline/", views.campaign_timeline, name="timeline"),
    path("<slug:slug>/rules/", views.campaign_rules, name="rules"),
    path("<slug:slug>/review/", views.campaign_review, name="review"),
    path("<slug:slug>/awards/", views.campaign_awards, name="awards"),
    path("<slug:slug>/reminders/", views.campaign_reminders, name="reminders"),
]
