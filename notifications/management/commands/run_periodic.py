"""Run the periodic jobs of settings.CELERY_BEAT_SCHEDULE in this process, on their schedule.

For a one-machine install without Redis (`make run` starts it beside runserver): the deadline reminders
(including the publicity opens/closes notices), the outbox flush and whatever later issues add to the beat
schedule keep running. In production run `celery beat` instead, exactly one; running both only does
harmless duplicate work, because every job is safe to run twice.
"""

import copy
import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kunshan_portal.celery import app as celery_app

logger = logging.getLogger(__name__)

# Sleep at most this long between checks, like celery beat's max loop interval, so a changed clock or a
# stop signal is noticed soon.
MAX_SLEEP = 60.0


@dataclass
class PeriodicJob:
    name: str
    task: str
    schedule: BaseSchedule
    args: tuple = ()
    kwargs: dict | None = None
    last_run_at: dt.datetime | None = None


class PeriodicRunner:
    """The beat schedule's entries with their last run; tick() runs those due. Every job runs at the first
    tick (catching up after the machine was off: the jobs are safe to run twice)."""

    def __init__(self, beat_schedule: dict, *, clock: Callable[[], dt.datetime] | None = None):
        self.clock = clock or celery_app.now
        celery_app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy)
        self.jobs = []
        for name, entry in beat_schedule.items():
            sched = copy.copy(maybe_schedule(entry["schedule"], app=celery_app))
            sched.nowfun = self.clock
            self.jobs.append(
                PeriodicJob(name, entry["task"], sched, tuple(entry.get("args", ())), entry.get("kwargs") or {})
            )

    def tick(self) -> tuple[list[str], float]:
        """Run the due jobs in-process; return their names and the seconds until the next check."""
        ran, waits = [], []
        for job in self.jobs:
            due = job.last_run_at is None or job.schedule.is_due(job.last_run_at)[0]
            if due:
                self._run(job)
                job.last_run_at = self.clock()
                ran.append(job.name)
            waits.append(job.schedule.is_due(job.last_run_at)[1])
        return ran, min(waits, default=MAX_SLEEP)

    def _run(self, job: PeriodicJob) -> None:
        try:
            celery_app.tasks[job.task].apply(args=job.args, kwargs=job.kwargs, throw=True)
        except Exception:
            # One failing job must not stop the others or the loop; the next tick tries again.
            logger.exception("定时任务 %s（%s）运行失败。", job.name, job.task)


class Command(BaseCommand):
    help = (
        "在本进程内按 CELERY_BEAT_SCHEDULE 运行定时任务（截止提醒、公示提醒、邮件补发），供不用 Redis 的单机安装使用。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每个定时任务运行一次后退出（可放进 cron）。")

    def handle(self, *args, once: bool = False, **options):
        runner = PeriodicRunner(settings.CELERY_BEAT_SCHEDULE)
        if once:
            ran, _ = runner.tick()
            self.stdout.write("已运行：" + "、".join(ran))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(
            f"定时任务在本进程内运行：{'、'.join(job.name for job in runner.jobs)}（Ctrl-C 或 SIGTERM 停止）"
        )
        while not stop.is_set():
            close_old_connections()  # a long-lived process: drop connections past their age or broken
            ran, wait = runner.tick()
            if ran:
                logger.info("已运行定时任务：%s", "、".join(ran))
            stop.wait(min(max(wait, 1.0), MAX_SLEEP))
        self.stdout.write("定时任务已停止。")
