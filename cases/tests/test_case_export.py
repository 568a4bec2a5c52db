"""评选活动申报导出: a campaign's ZIP of Word files built by a background job (tasks run eagerly here)."""

import io
import zipfile

import docx
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import AuditEvent
from cases import services
from cases.docx_export import application_docx_filename, write_applications_zip
from cases.models import Application, CaseExport
from cases.tasks import export_campaign
from cases.tests.factories import ApplicationFactory, CampaignFactory, add_photo
from notifications.jobs import JobFailed


@pytest.fixture
def media(media_storage):
    return media_storage


@pytest.fixture
def campaign(db, media):
    return CampaignFactory()


def submitted(campaign, n: int, **kw) -> list[Application]:
    return [
        ApplicationFactory(
            campaign=campaign, status=Application.Status.SUBMITTED, reference=f"KS2026-{i + 1:04d}", **kw
        )
        for i in range(n)
    ]


def start(campaign, user, capture):
    with capture(execute=True):
        return services.case_export_start(campaign=campaign, by=user)


def zip_names(job: CaseExport) -> list[str]:
    with job.file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        return archive.namelist()


def test_a_second_click_while_the_job_is_queued_returns_the_same_job(campaign, cast):
    submitted(campaign, 1)
    first = services.case_export_start(campaign=campaign, by=cast.staff)  # on_commit not run: stays queued
    second = services.case_export_start(campaign=campaign, by=cast.staff)

    assert second.pk == first.pk and first.status == CaseExport.Status.PENDING and first.total == 1
    assert CaseExport.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OTHER, object_id=str(first.pk)).count() == 1


def test_the_job_writes_every_submitted_application_as_its_official_docx(
    campaign, cast, django_capture_on_commit_callbacks
):
    applications = submitted(campaign, 3)
    add_photo(applications[0])
    ApplicationFactory(campaign=campaign)  # a draft stays out
    ApplicationFactory(status=Application.Status.SUBMITTED)  # another campaign's too

    job = start(campaign, cast.staff, django_capture_on_commit_callbacks)
    job.refresh_from_db()

    assert job.status == CaseExport.Status.DONE and job.finished_at is not None
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert sorted(zip_names(job)) == sorted(application_docx_filename(a) for a in applications)
    with job.file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        document = docx.Document(io.BytesIO(archive.read(application_docx_filename(applications[0]))))
        assert document.inline_shapes  # the photo is in
    assert job.file.name.startswith(f"cases/exports/{campaign.pk}/")


def test_a_click_after_a_finished_job_starts_a_new_one_and_frees_the_old_file(
    campaign, cast, django_capture_on_commit_callbacks
):
    submitted(campaign, 1)
    old = start(campaign, cast.staff, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    old_name = old.file.name

    new = start(campaign, cast.staff, django_capture_on_commit_callbacks)
    old.refresh_from_db()

    new.refresh_from_db()

    assert new.pk != old.pk and new.status == CaseExport.Status.DONE and new.file
    assert not old.file and not default_storage.exists(old_name)


def test_progress_is_counted_after_each_application(campaign, cast):
    applications = submitted(campaign, 3)
    seen = []
    count = write_applications_zip(io.BytesIO(), applications, progress=seen.append)
    assert seen == [1, 2, 3] and count == 3


def test_rerunning_a_done_job_does_nothing(campaign, cast, django_capture_on_commit_callbacks):
    submitted(campaign, 1)
    job = start(campaign, cast.staff, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    name = job.file.name

    export_campaign.apply(args=[job.pk])
    job.refresh_from_db()

    assert job.status == CaseExport.Status.DONE and job.file.name == name


def test_a_running_job_whose_worker_died_is_restarted_by_a_rerun(campaign, cast):
    submitted(campaign, 2)
    job = CaseExport.objects.create(
        campaign=campaign, requested_by=cast.staff, status=CaseExport.Status.RUNNING, total=2, done=1, run_token="dead"
    )

    export_campaign.apply(args=[job.pk])
    job.refresh_from_db()

    assert (job.status, job.done, job.total) == (CaseExport.Status.DONE, 2, 2)
    assert len(zip_names(job)) == 2


def test_a_run_taken_over_by_another_stops_without_touching_the_job(campaign, cast):
    """The conditional progress update: once another run holds the job, this one writes nothing more."""
    from django.db import connection

    submitted(campaign, 2)
    job = CaseExport.objects.create(campaign=campaign, requested_by=cast.staff)
    taken = []

    def another_run_takes_over(execute, sql, params, many, context):
        # Just before this run's first progress update, a restarted run claims the job with its own token.
        if not taken and sql.startswith('UPDATE "cases_caseexport" SET "heartbeat_at"'):
            taken.append(True)
            CaseExport.objects.filter(pk=job.pk).update(run_token="another-run")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_run_takes_over):
        result = services.case_export_run(export_id=job.pk)
    job.refresh_from_db()

    assert taken and result == "superseded"
    assert job.status == CaseExport.Status.RUNNING and job.run_token == "another-run"
    assert job.done == 0 and not job.file


def test_an_application_that_cannot_be_exported_fails_the_job_with_a_reason_after_the_last_retry(campaign, cast):
    good, bad = submitted(campaign, 2)
    # A vertical tab in text that did not come through the editor (which strips it, see
    # test_services): a .docx cannot hold it and python-docx refuses.
    bad.title = "损坏的\x0b案例"
    bad.save()
    job = CaseExport.objects.create(campaign=campaign, requested_by=cast.staff)

    # An earlier attempt raises, for Celery to retry; the job is handed back for the retry to claim.
    with pytest.raises(JobFailed, match="第 2 份申报案例"):
        services.case_export_run(export_id=job.pk, final_attempt=False)
    job.refresh_from_db()
    assert job.status == CaseExport.Status.PENDING and not job.error and not job.run_token

    export_campaign.apply(args=[job.pk], retries=export_campaign.max_retries)
    job.refresh_from_db()

    assert job.status == CaseExport.Status.FAILED and not job.file and job.finished_at is not None
    assert "第 2 份申报案例（KS2026-0002 损坏的\x0b案例）" in job.error and "导出已停止" in job.error
    assert job.done == 1


def test_the_job_page_polls_and_the_download_streams_the_zip_under_the_campaign_name(
    client, campaign, cast, django_capture_on_commit_callbacks
):
    submitted(campaign, 2)
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:campaign_export", args=[campaign.slug]))
    job = CaseExport.objects.get()
    page = client.get(response["Location"]).content.decode()
    state = client.get(reverse("cases:case_export_status", args=[job.pk])).json()
    response = client.get(reverse("cases:case_export_download", args=[job.pk]))

    assert "progress-bar" in page and "js/job_progress.js" in page
    assert state["status"] == "done" and state["percent"] == 100 and state["download_url"]
    assert response.streaming and response["Content-Type"] == "application/zip"
    from urllib.parse import unquote

    assert unquote(response["Content-Disposition"]).endswith(f"{campaign.title}-申报案例.zip")
    assert len(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()) == 2


def test_an_unfinished_job_has_nothing_to_download(client, campaign, cast):
    job = CaseExport.objects.create(campaign=campaign, requested_by=cast.staff)
    client.force_login(cast.staff)
    assert client.get(reverse("cases:case_export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("cases:case_export_status", args=[job.pk])).json()["download_url"] == ""


def test_the_export_url_only_accepts_post(client, campaign, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("cases:campaign_export", args=[campaign.slug])).status_code == 405
