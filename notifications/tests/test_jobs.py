"""Background jobs that outlive faults (notifications.jobs): a broker outage leaves a job pending and the sweep
queues it again; a job whose worker stopped beating is resumed or failed and never blocks a new export.
Tasks run eagerly here; tests/integration/test_jobs_faults.py does the same with real Redis and workers."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from awards.models import CertificateExport
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases import services as case_services
from cases.models import Application, CaseExport
from cases.tests.factories import ApplicationFactory, CampaignFactory
from kunshan_portal.celery import app
from notifications.jobs import job_models, jobs_sweep

pytestmark = pytest.mark.django_db
DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture(autouse=True)
def media(media_storage):
    return media_storage


@pytest.fixture
def dead_broker():
    """This process publishes to a broker that refuses connections (not in-process)."""
    eager, url = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, DEAD_BROKER
    app._after_fork()
    yield
    app.conf.task_always_eager, app.conf.broker_url = eager, url
    app._after_fork()


@pytest.fixture
def campaign():
    campaign = CampaignFactory()
    for i in range(2):
        ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, reference=f"KS2026-{i + 1:04d}")
    return campaign


def _ago(**kw) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kw)


def test_with_the_broker_down_an_export_start_answers_and_the_sweep_runs_the_job_once_it_is_back(
    client, cast, campaign, dead_broker, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:campaign_export", args=[campaign.slug]))
    job = CaseExport.objects.get()
    assert response.status_code == 302
    assert (job.status, job.queued_at) == (CaseExport.Status.PENDING, None)
    state = client.get(reverse("cases:case_export_status", args=[job.pk])).json()
    assert state["status"] == "pending" and "自动重试" in state["note"]

    app.conf.task_always_eager = True  # the broker is back (tasks run in-process here)
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs_sweep(now=timezone.now() + dt.timedelta(minutes=1))
    job.refresh_from_db()
    assert counts["requeued"] == 1
    assert job.status == CaseExport.Status.DONE and job.attempts == 1


def test_a_second_click_after_a_failed_queuing_queues_the_same_job_again(
    cast, campaign, dead_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = case_services.case_export_start(campaign=campaign, by=cast.staff)
    app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        second = case_services.case_export_start(campaign=campaign, by=cast.staff)
    first.refresh_from_db()
    assert second.pk == first.pk and first.status == CaseExport.Status.DONE


def test_a_running_export_whose_worker_stopped_beating_does_not_block_a_new_one(
    cast, campaign, django_capture_on_commit_callbacks
):
    dead = CaseExport.objects.create(
        campaign=campaign,
        requested_by=cast.staff,
        status=CaseExport.Status.RUNNING,
        total=2,
        done=1,
        run_token="dead",
        heartbeat_at=_ago(seconds=settings.JOBS_STALE_SECONDS + 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        new = case_services.case_export_start(campaign=campaign, by=cast.staff)
    dead.refresh_from_db()
    new.refresh_from_db()
    assert new.pk != dead.pk and new.status == CaseExport.Status.DONE
    assert dead.status == CaseExport.Status.FAILED and "中断" in dead.error


def test_a_running_export_that_still_beats_is_not_taken_over(cast, campaign, django_capture_on_commit_callbacks):
    alive = CaseExport.objects.create(
        campaign=campaign,
        requested_by=cast.staff,
        status=CaseExport.Status.RUNNING,
        run_token="alive",
        heartbeat_at=_ago(seconds=5),
    )
    assert case_services.case_export_run(export_id=alive.pk) == "taken"  # the broker delivered it twice
    with django_capture_on_commit_callbacks(execute=True):
        again = case_services.case_export_start(campaign=campaign, by=cast.staff)
        counts = jobs_sweep()
    alive.refresh_from_db()
    assert again.pk == alive.pk and counts == {"requeued": 0, "resumed": 0, "failed": 0}
    assert (alive.status, alive.run_token) == (CaseExport.Status.RUNNING, "alive")


def test_the_sweep_resumes_a_certificate_export_whose_worker_died(cast, django_capture_on_commit_callbacks):
    campaign = publicity_campaign(slug="sweep-resume", open_now=False)
    AwardFactory(campaign=campaign, rank=1, confirmed_by=cast.staff)
    publish_results(campaign, cast.staff)
    export = CertificateExport.objects.create(
        campaign=campaign,
        requested_by=cast.staff,
        status=CertificateExport.Status.RUNNING,
        attempts=1,
        total=3,
        done=1,
        run_token="killed",
        heartbeat_at=_ago(minutes=4),
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs_sweep()
    export.refresh_from_db()
    assert counts["resumed"] == 1
    assert export.status == CertificateExport.Status.DONE and export.attempts == 2 and export.file


def test_the_sweep_fails_a_job_that_lost_its_worker_too_often_and_says_why(cast, campaign):
    job = CaseExport.objects.create(
        campaign=campaign,
        requested_by=cast.staff,
        status=CaseExport.Status.RUNNING,
        attempts=settings.JOBS_MAX_ATTEMPTS,
        run_token="killed",
        heartbeat_at=_ago(minutes=10),
    )
    assert jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == CaseExport.Status.FAILED and job.finished_at is not None
    assert f"已尝试 {settings.JOBS_MAX_ATTEMPTS} 次" in job.error


def test_the_sweep_is_on_the_beat_schedule_and_covers_both_exports():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "notifications.sweep_jobs" in entries
    assert {CaseExport, CertificateExport} <= set(job_models())


def test_the_certificate_zip_downloads_under_the_chinese_campaign_title(
    client, cast, django_capture_on_commit_callbacks
):
    campaign = publicity_campaign(slug="zip-name", open_now=False)
    AwardFactory(campaign=campaign, rank=1, confirmed_by=cast.staff)
    publish_results(campaign, cast.staff)
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("awards:export_start", kwargs={"slug": campaign.slug}))
    export = CertificateExport.objects.get()
    page = client.get(reverse("awards:campaign", kwargs={"slug": campaign.slug}))
    response = client.get(reverse("awards:export_download", kwargs={"pk": export.pk}))

    assert page.status_code == 200 and "js/job_progress.js" in page.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    name = f"{campaign.title}-荣誉证书-{export.pk}.zip"
    assert response["Content-Disposition"] == content_disposition_header(True, name)
    assert unquote(response["Content-Disposition"]).endswith(name)


def test_the_publicity_list_downloads_with_the_header_django_builds(client, db):
    campaign = publicity_campaign(slug="list-name")
    AwardFactory(campaign=campaign)
    response = client.get(reverse("awards:publicity_file", kwargs={"slug": campaign.slug, "fmt": "docx"}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == content_disposition_header(True, f"{campaign.title}结果公示.docx")
