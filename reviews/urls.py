from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    # Reviewer
    path("", views.QueueView.as_view(), name="queue"),
    path("cases/<int:pk>/", views.case_review_view, name="case"),
    path("cases/<int:pk>/docx/", views.case_docx_view, name="case_docx"),
    path("cases/<int:pk>/conflict/", views.conflict_declare_view, name="conflict_declare"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    # Staff
    path("manage/", views.ManageView.as_view(), name="manage"),
    path("manage/<slug:slug>/formal-check/", views.FormalCheckView.as_view(), name="formal_check"),
    path("manage/applications/<int:pk>/formal-check/", views.formal_check_decide_view, name="formal_check_decide"),
    path("manage/<slug:slug>/experts/", views.PoolView.as_view(), name="pool"),
    path("manage/<slug:slug>/experts/<int:user_pk>/panel/", views.panel_toggle_view, name="panel_toggle"),
    path("manage/<slug:slug>/experts/<int:user_pk>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("manage/<slug:slug>/experts/import/", views.experts_import_view, name="experts_import"),
    path("manage/<slug:slug>/experts/import/template/", views.experts_template_view, name="experts_template"),
    path("manage/<slug:slug>/experts/export/", views.experts_export_view, name="experts_export"),
    path("manage/<slug:slug>/rubric/", views.RubricView.as_view(), name="rubric"),
    path("manage/criteria/<int:pk>/", views.criterion_edit_view, name="criterion_edit"),
    path("manage/criteria/<int:pk>/delete/", views.criterion_delete_view, name="criterion_delete"),
    path("manage/criteria/<int:pk>/move/", views.criterion_move_view, name="criterion_move"),
    path("manage/rubric-parts/<int:pk>/", views.rubric_part_edit_view, name="rubric_part_edit"),
    path("manage/rubric-parts/<int:pk>/delete/", views.rubric_part_delete_view, name="rubric_part_delete"),
    path("manage/rubric-template/", views.rubric_template_view, name="rubric_template"),
    path("manage/<slug:slug>/rubric/export/", views.rubric_export_view, name="rubric_export"),
    path("manage/<slug:slug>/rubric/import/", views.RubricImportView.as_view(), name="rubric_import"),
    path("manage/<slug:slug>/rubric/import/confirm/", views.rubric_import_confirm_view, name="rubric_import_confirm"),
    path(
        "manage/<slug:slug>/materials/evidence/", views.evidence_slots_generate_view, name="evidence_slots_generate"
    ),
    path("manage/<slug:slug>/settings/", views.SettingsView.as_view(), name="settings"),
    path("manage/<slug:slug>/tiers/", views.TiersView.as_view(), name="tiers"),
    path("manage/<slug:slug>/assignments/", views.AssignmentsView.as_view(), name="assignments"),
    path("manage/<slug:slug>/assignments/auto/", views.assign_auto_view, name="assign_auto"),
    path("manage/<slug:slug>/assignments/notify/", views.reviewers_notify_view, name="reviewers_notify"),
    path("manage/applications/<int:pk>/assign/", views.assignment_add_view, name="assignment_add"),
    path("manage/assignments/<int:pk>/remove/", views.assignment_remove_view, name="assignment_remove"),
    path("manage/applications/<int:pk>/conflict/", views.conflict_add_view, name="conflict_add"),
    path("manage/conflict-flags/<int:pk>/", views.conflict_flag_decide_view, name="conflict_flag_decide"),
    path("manage/reviews/<int:pk>/reopen/", views.review_reopen_view, name="review_reopen"),
    path("manage/<slug:slug>/ranking/", views.RankingView.as_view(), name="ranking"),
    path("manage/<slug:slug>/ranking/rollup/", views.RollupView.as_view(), name="rollup"),
    path("manage/<slug:slug>/ranking/score-sheet/", views.score_sheet_view, name="score_sheet"),
    path("manage/score-sheets/<int:pk>/", views.score_sheet_detail_view, name="score_sheet_detail"),
    path("manage/score-sheets/<int:pk>/status/", views.score_sheet_status_view, name="score_sheet_status"),
    path("manage/score-sheets/<int:pk>/download/", views.score_sheet_download_view, name="score_sheet_download"),
    path("manage/applications/<int:pk>/tier/", views.tier_override_view, name="tier_override"),
    path("manage/<slug:slug>/decision/confirm/", views.decision_confirm_view, name="decision_confirm"),
]
