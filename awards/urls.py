from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    # Public
    path("<slug:slug>/publicity/", views.publicity_view, name="publicity"),
    path("<slug:slug>/publicity/objection/", views.objection_view, name="objection"),
    path("<slug:slug>/publicity.<str:fmt>", views.publicity_file_view, name="publicity_file"),
    path("objections/<str:tracking>/", views.objection_receipt_view, name="objection_receipt"),
    path("<slug:slug>/results/", views.results_view, name="results"),
    path("<slug:slug>/results.<str:fmt>", views.results_file_view, name="results_file"),
    # Applicant
    path("my/", views.my_results_view, name="my_results"),
    path("certificates/<int:pk>.<str:fmt>", views.certificate_download_view, name="certificate_download"),
    # Staff
    path("manage/", views.manage_view, name="manage"),
    path("manage/<slug:slug>/", views.campaign_view, name="campaign"),
    path("manage/<slug:slug>/import-decision/", views.import_decision_view, name="import_decision"),
    path("manage/<slug:slug>/awards/add/", views.award_add_view, name="award_add"),
    path("manage/awards/<int:pk>/remove/", views.award_remove_view, name="award_remove"),
    path("manage/<slug:slug>/publicity/", views.publicity_override_view, name="publicity_override"),
    path("manage/<slug:slug>/publish/", views.results_publish_view, name="results_publish"),
    path("manage/<slug:slug>/template/", views.template_save_view, name="template_save"),
    path("manage/<slug:slug>/export/", views.export_start_view, name="export_start"),
    path("manage/exports/<int:pk>/", views.export_status_view, name="export_status"),
    path("manage/exports/<int:pk>/zip/", views.export_download_view, name="export_download"),
    path("manage/<slug:slug>/objections/", views.objection_list_view, name="objection_list"),
    path("manage/objections/<int:pk>/", views.objection_detail_view, name="objection_detail"),
    path("manage/objections/<int:pk>/assign/", views.objection_assign_view, name="objection_assign"),
    path("manage/objections/<int:pk>/note/", views.objection_note_view, name="objection_note"),
    path("manage/objections/<int:pk>/decide/", views.objection_decide_view, name="objection_decide"),
    path("manage/evidence/<int:pk>/", views.evidence_view, name="evidence"),
    path("manage/<slug:slug>/special-prizes/", views.special_prizes_view, name="special_prizes"),
    path("manage/applications/<int:pk>/special-prizes/", views.special_prize_award_view, name="special_prize_award"),
    path(
        "manage/awards/<int:pk>/withdraw-special-prize/",
        views.special_prize_withdraw_view,
        name="special_prize_withdraw",
    ),
]
