from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("activate/<uidb64>/<token>/", views.activate_view, name="activate"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("organisations/<int:pk>/profile/", views.organisation_profile_view, name="organisation_profile"),
    path(
        "organisations/<int:pk>/evidence/<int:evidence_pk>/",
        views.organisation_evidence_file,
        name="organisation_evidence",
    ),
    path("manage/", views.ManageView.as_view(), name="manage"),
    path("manage/organisations/", views.OrganisationRequestListView.as_view(), name="organisation_requests"),
    path("manage/organisations/import/", views.organisations_import_view, name="organisations_import"),
    path("manage/organisations/import/template/", views.organisations_template_view, name="organisations_template"),
    path("manage/organisations/export/", views.organisations_export_view, name="organisations_export"),
    path("manage/organisations/<int:pk>/decide/", views.organisation_decide_view, name="organisation_decide"),
    path("manage/audit/", views.AuditLogView.as_view(), name="audit_log"),
]
