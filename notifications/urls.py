from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.PreferenceView.as_view(), name="preferences"),
    path("manage/emails/", views.EmailLogView.as_view(), name="email_log"),
    path("manage/emails/<int:pk>/retry/", views.email_retry_view, name="email_retry"),
    path("manage/reminders/", views.RemindersView.as_view(), name="reminders"),
    path("manage/previews/", views.PreviewListView.as_view(), name="previews"),
    path("manage/previews/<slug:name>/", views.PreviewView.as_view(), name="preview"),
    path("manage/previews/<slug:name>/html/", views.preview_html_view, name="preview_html"),
]
