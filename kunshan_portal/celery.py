"""The Celery app. Broker and behaviour come from settings (CELERY_*).

Tasks are thin: ids in, a service call out. `enqueue` is the only way the portal
queues one, so nothing is sent before its transaction commits.
"""

import logging
import os
from functools import partial

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")

app = Celery("kunshan_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every portal task retries a bounded number of times with exponential backoff.
portal_task = partial(
    app.task,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)


logger = logging.getLogger(__name__)


def task_signature(name: str, *args, **kwargs):
    """The registered task `name` with these arguments, ready to apply_async. A web process imports the
    apps' tasks modules on first use, as a worker does at start."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.signature(name, args=args, kwargs=kwargs)


def publish(task, *args, **kwargs) -> bool:
    """Hand `task` to the broker now: a task, or its registered name ("cases.make_blind_copies"),
    which is how services queue their app's tasks, so a services module never imports the tasks
    module that imports it (tasks stay leaves). A broker outage is logged and answered False,
    never raised: the caller's work keeps its own state in the database and is picked up again
    (e-mail: the outbox and its flush job; background jobs: notifications.jobs and its sweep)."""
    name = task if isinstance(task, str) else task.name
    try:
        task_signature(name, *args, **kwargs).apply_async()
    except Exception:
        if app.conf.task_always_eager:
            raise  # in-process: the exception is the task's own, let it show
        logger.exception("任务 %s 未能入队（消息队列不可用）。", name)
        return False
    return True


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task` (a task or its registered name) with primitive arguments once the current
    transaction commits.

    A rolled-back transaction queues nothing; outside a transaction it is queued at once.
    The user's action has already committed when the broker is asked, so a broker outage
    is logged, never turned into an error page (see `publish`).
    """
    from django.db import transaction

    transaction.on_commit(partial(publish, task, *args, **kwargs))
