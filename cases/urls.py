from django.urls import path

from . import views, views_materials

app_name = "cases"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<slug:slug>/apply/", views.application_start, name="application_start"),
    path("campaigns/<slug:slug>/export/", views.campaign_export, name="campaign_export"),
    path("exports/<int:pk>/", views.case_export_detail, name="case_export_detail"),
    path("exports/<int:pk>/status/", views.case_export_status, name="case_export_status"),
    path("exports/<int:pk>/download/", views.case_export_download, name="case_export_download"),
    path("my/", views.dashboard, name="dashboard"),
    path("organisation/", views.organisation_applications, name="organisation_applications"),
    path("staff/applications/", views.staff_applications, name="staff_applications"),
    path("staff/campaigns/<slug:slug>/form/", views.campaign_form, name="campaign_form"),
    path("staff/campaigns/<slug:slug>/form/fields/add/", views.campaign_form_field_add, name="campaign_form_field_add"),
    path(
        "staff/campaigns/<slug:slug>/form/fields/<slug:key>/",
        views.campaign_form_field_edit,
        name="campaign_form_field_edit",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/fields/<slug:key>/remove/",
        views.campaign_form_field_remove,
        name="campaign_form_field_remove",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/fields/<slug:key>/move/",
        views.campaign_form_field_move,
        name="campaign_form_field_move",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/sections/add/",
        views.campaign_form_section_add,
        name="campaign_form_section_add",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/sections/<slug:key>/",
        views.campaign_form_section_edit,
        name="campaign_form_section_edit",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/sections/<slug:key>/remove/",
        views.campaign_form_section_remove,
        name="campaign_form_section_remove",
    ),
    path(
        "staff/campaigns/<slug:slug>/form/sections/<slug:key>/move/",
        views.campaign_form_section_move,
        name="campaign_form_section_move",
    ),
    path("staff/campaigns/<slug:slug>/materials/", views_materials.campaign_materials, name="campaign_materials"),
    path("staff/campaigns/<slug:slug>/eligibility/", views_materials.campaign_eligibility, name="campaign_eligibility"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/autosave/", views.application_autosave, name="application_autosave"),
    path("applications/<int:pk>/findings/", views.application_findings, name="application_findings"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/word/", views.application_docx, name="application_docx"),
    path("applications/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo_file"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_file, name="attachment_file"),
    path(
        "applications/<int:pk>/endorsements/<int:endorsement_pk>/scan/",
        views.endorsement_scan,
        name="endorsement_scan",
    ),
]
