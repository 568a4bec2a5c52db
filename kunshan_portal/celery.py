"""The Celery app. Broker and behaviour come from settings (CELERY_*).

Tasks are thin: ids in, a service call out. `enqueue` is the only way the portal
queues one, so nothing is sent before its transaction commits.
"""

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


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task` with primitive arguments once the current transaction commits.

    A rolled-back transaction queues nothing; outside a transaction it is queued at once.
    """
    from django.db import transaction

    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
