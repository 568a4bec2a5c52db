"""Background jobs that outlive faults: one abstract model, its state changes, its progress JSON and download.

A job (评选活动申报导出, 证书批量导出 …) is a row that a Celery task works on:

    pending ──claim──▶ running ──finish──▶ done
       ▲                  │  └────fail───▶ failed
       └──release/sweep───┘

- Queuing never breaks a page: `job_queue` publishes after the commit and records `queued_at` only when the
  broker took the message; with Redis down the row stays pending with no `queued_at`.
- A running job writes `heartbeat_at` at every progress step and from a heartbeat thread, so a worker that
  was SIGKILLed is known dead after `JOBS_STALE_SECONDS` (minutes), not after the broker's visibility timeout.
- `jobs_sweep` (beat, every minute) queues again the jobs that never started and resumes — or, after
  `JOBS_MAX_ATTEMPTS` runs, fails with a reason — the jobs whose worker stopped beating.
- A run owns the job through its `run_token`: a run whose token is gone (the sweep or another run took over)
  stops at its next progress step (`JobSuperseded`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.http import FileResponse, Http404, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# A pending job queued this long ago without a worker picking it up is queued again.
REQUEUE_AFTER = dt.timedelta(minutes=10)
# A pending job whose queuing failed is queued again by the sweep once it is this old (the commit has run).
UNQUEUED_GRACE = dt.timedelta(seconds=30)


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)


def job_upload_to(instance, filename):
    return instance.upload_path(filename)


class BackgroundJob(models.Model):
    """What every background job shows staff: status, progress, the file it made or why it failed."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    ACTIVE = (Status.PENDING, Status.RUNNING)
    # Dotted path of the Celery task that runs the job with the job's id (imported only when queuing).
    task_path: ClassVar[str] = ""
    # A job that writes results instead of a file (批量查重) links to them once done.
    produces_file: ClassVar[bool] = True

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    file = models.FileField("压缩包", upload_to=job_upload_to, max_length=200, blank=True)
    error = models.TextField("说明或失败原因", blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    queued_at = models.DateTimeField("入队时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def upload_path(self, filename: str) -> str:
        raise NotImplementedError

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class JobSuperseded(Exception):
    """Another run owns the job now (this one was presumed dead): stop quietly."""


class JobFailed(Exception):
    """A failure whose message is the reason staff read on the progress bar."""


def _stalled(now: dt.datetime) -> Q:
    return Q(status=BackgroundJob.Status.RUNNING) & (
        Q(heartbeat_at__lt=now - stale_after()) | Q(heartbeat_at__isnull=True)
    )


def _unstarted(now: dt.datetime) -> Q:
    return Q(status=BackgroundJob.Status.PENDING) & (
        Q(queued_at__isnull=True, created_at__lt=now - UNQUEUED_GRACE) | Q(queued_at__lt=now - REQUEUE_AFTER)
    )


def job_is_stalled(job: BackgroundJob, *, now: dt.datetime | None = None) -> bool:
    """Running, but its worker has not beaten for `JOBS_STALE_SECONDS`."""
    now = now or timezone.now()
    return job.status == job.Status.RUNNING and (job.heartbeat_at is None or job.heartbeat_at < now - stale_after())


# --- state changes -----------------------------------------------------------------------------------------


def job_queue(job: BackgroundJob) -> None:
    """Queue the job's task once the caller's transaction commits; `queued_at` records that the broker took it.
    A broker outage leaves the job pending without `queued_at`: the sweep (or the next start) queues it again."""
    from kunshan_portal.celery import publish

    model, pk = type(job), job.pk

    def send() -> None:
        if publish(import_string(model.task_path), pk):
            model.objects.filter(pk=pk, status=model.Status.PENDING).update(queued_at=timezone.now())

    transaction.on_commit(send)


def job_claim(model: type[BackgroundJob], pk: int, *, now: dt.datetime | None = None) -> str | None:
    """Take a pending job, or a running one whose worker stopped beating; returns this run's token, or None
    when the job is finished or another live run has it."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        model.objects.filter(pk=pk)
        .filter(Q(status=model.Status.PENDING) | _stalled(now))
        .update(status=model.Status.RUNNING, run_token=token, heartbeat_at=now, attempts=F("attempts") + 1, error="")
    )
    return token if claimed == 1 else None


def job_beat(model: type[BackgroundJob], pk: int, token: str, **fields) -> None:
    """Record that the run is alive (and its progress, e.g. done=…); raises JobSuperseded when it lost the job."""
    mine = model.objects.filter(pk=pk, run_token=token, status=model.Status.RUNNING)
    if mine.update(heartbeat_at=timezone.now(), **fields) != 1:
        raise JobSuperseded


def job_finish(model: type[BackgroundJob], pk: int, token: str, **fields) -> bool:
    """done, with the fields the run produced (file, total …). False when the run had lost the job."""
    mine = model.objects.filter(pk=pk, run_token=token, status=model.Status.RUNNING)
    return mine.update(status=model.Status.DONE, finished_at=timezone.now(), **fields) == 1


def job_fail(model: type[BackgroundJob], pk: int, reason: str, *, token: str | None = None) -> bool:
    """failed, with the reason staff read. Without a token: whatever run has it (the sweep, the last retry)."""
    jobs = model.objects.filter(pk=pk, status__in=model.ACTIVE)
    if token is not None:
        jobs = jobs.filter(run_token=token)
    return jobs.update(status=model.Status.FAILED, error=reason[:2000], finished_at=timezone.now()) == 1


def job_release(model: type[BackgroundJob], pk: int, token: str) -> None:
    """Hand the job back (pending) so a retry of the task, or the sweep, can claim it at once."""
    model.objects.filter(pk=pk, run_token=token, status=model.Status.RUNNING).update(
        status=model.Status.PENDING, run_token="", heartbeat_at=None
    )


@contextlib.contextmanager
def job_heartbeat(model: type[BackgroundJob], pk: int, token: str):
    """While the body runs, a thread writes the heartbeat every `JOBS_HEARTBEAT_SECONDS`, so a long step
    (one LibreOffice batch) does not look like a dead worker. The thread dies with the process."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
                model.objects.filter(pk=pk, run_token=token, status=model.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:
            logger.exception("后台任务 %s #%s 心跳写入失败。", model._meta.label, pk)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def job_run(
    model: type[BackgroundJob],
    pk: int,
    work: Callable[[BackgroundJob, Callable[..., None]], dict],
    *,
    final_attempt: bool = True,
) -> str:
    """Run `work(job, beat)` as the owner of the job and record how it ended; returns the final status,
    or "taken" / "superseded" when another run has the job. `beat(**fields)` records progress; `work`
    returns the fields of the finished job. An exception is raised again for Celery to retry (the job is
    handed back), except on the last attempt: then the job is failed with the reason."""
    token = job_claim(model, pk)
    if token is None:
        return "taken"
    job = model.objects.get(pk=pk)

    def beat(**fields) -> None:
        job_beat(model, pk, token, **fields)

    try:
        with job_heartbeat(model, pk, token):
            fields = work(job, beat)
        if not job_finish(model, pk, token, **fields):
            if fields.get("file"):
                job.file.storage.delete(str(fields["file"]))  # the run that took over writes its own
            raise JobSuperseded
    except JobSuperseded:
        return "superseded"
    except Exception as exc:
        if not final_attempt:
            job_release(model, pk, token)
            raise
        logger.exception("后台任务 %s #%s 失败。", model._meta.label, pk)
        reason = str(exc) if isinstance(exc, JobFailed) else f"导出失败（{type(exc).__name__}）：{exc}"
        job_fail(model, pk, reason, token=token)
        return model.Status.FAILED
    return model.Status.DONE


def job_prune_older_files(model: type[BackgroundJob], pk: int) -> None:
    """A finished job supersedes the campaign's older finished jobs of the same kind: free their files."""
    job = model.objects.get(pk=pk)
    older = model.objects.filter(campaign=job.campaign_id, status=model.Status.DONE).exclude(pk=pk).exclude(file="")
    for old in older:
        old.file.delete(save=False)
        model.objects.filter(pk=old.pk).update(file="")


def job_active(model: type[BackgroundJob], **lookup) -> BackgroundJob | None:
    """The live active job matching `lookup`, for a starter that wants one at a time. A job whose worker
    stopped beating is failed (it must not block a new start); one never queued is queued again."""
    job = model.objects.filter(status__in=model.ACTIVE, **lookup).first()
    if job is None:
        return None
    if job_is_stalled(job):
        job_fail(model, job.pk, "后台任务中断（处理它的进程已停止），已被新的导出取代。")
        return None
    if job.status == model.Status.PENDING and job.queued_at is None:
        job_queue(job)
    return job


def job_models() -> list[type[BackgroundJob]]:
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Beat, every minute: queue again the jobs that never started; resume the jobs whose worker stopped
    beating, or fail them once they have run `JOBS_MAX_ATTEMPTS` times. Returns counts for the log."""
    now = now or timezone.now()
    counts = {"requeued": 0, "resumed": 0, "failed": 0}
    for model in job_models():
        for job in model.objects.filter(_unstarted(now)).order_by("pk")[:100]:
            job_queue(job)
            counts["requeued"] += 1
        for job in model.objects.filter(_stalled(now)).order_by("pk")[:100]:
            mine = model.objects.filter(pk=job.pk, run_token=job.run_token).filter(_stalled(now))
            if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
                reason = f"后台任务中断：处理它的进程已停止响应，已尝试 {job.attempts} 次。请重新导出。"
                if mine.update(status=model.Status.FAILED, error=reason, finished_at=now):
                    counts["failed"] += 1
            elif mine.update(status=model.Status.PENDING, run_token="", heartbeat_at=None, queued_at=None):
                job_queue(job)
                counts["resumed"] += 1
    return counts


# --- the progress endpoint and the download, shared by every job's views -------------------------------------


def job_state(job: BackgroundJob, *, download_url: str) -> dict:
    """What the progress bar shows (static/js/job_progress.js reads it)."""
    note = job.error
    if job.status == job.Status.PENDING and job.queued_at is None and job.attempts == 0:
        note = note or "正在排队；如消息队列暂不可用，系统会自动重试。"
    return {
        "status": job.status,
        "status_display": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error if job.status == job.Status.FAILED else "",
        "note": note if job.status != job.Status.FAILED else "",
        "download_url": download_url if job.status == job.Status.DONE and (job.file or not job.produces_file) else "",
    }


def job_status_response(job: BackgroundJob, *, download_url: str) -> JsonResponse:
    response = JsonResponse(job_state(job, download_url=download_url))
    response["Cache-Control"] = "no-store"
    return response


def job_download_response(job: BackgroundJob, *, filename: str, content_type: str = "application/zip") -> FileResponse:
    """The job's file as an attachment; the name (Chinese too) goes through content_disposition_header."""
    if job.status != job.Status.DONE or not job.file:
        raise Http404("该导出尚未完成或文件已被更新的导出取代。")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("导出文件已不存在，请重新导出。") from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
