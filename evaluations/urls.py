from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    # Organisation admin
    path("records/<int:pk>/", views.record_view, name="record"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete_view, name="attachment_delete"),
    path("records/<int:pk>/contract/", views.contract_view, name="contract"),
    # Evaluator
    path("my/", views.queue_view, name="queue"),
    path("my/records/<int:pk>/", views.score_view, name="score"),
    # Staff
    path("manage/", views.manage_view, name="manage"),
    path("manage/<slug:slug>/", views.stage_list_view, name="stage_list"),
    path("manage/stages/<int:pk>/", views.stage_detail_view, name="stage_detail"),
    path("manage/stages/<int:pk>/criteria/", views.criterion_add_view, name="criterion_add"),
    path("manage/criteria/<int:pk>/delete/", views.criterion_delete_view, name="criterion_delete"),
    path("manage/stages/<int:pk>/evaluators/", views.evaluator_add_view, name="evaluator_add"),
    path("manage/evaluators/<int:pk>/remove/", views.evaluator_remove_view, name="evaluator_remove"),
    path("manage/stages/<int:pk>/records/", views.records_create_view, name="records_create"),
    path("manage/records/<int:pk>/", views.record_manage_view, name="record_manage"),
]
