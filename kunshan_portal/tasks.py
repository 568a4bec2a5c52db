"""Celery tasks of the deployment itself."""

from kunshan_portal.celery import app

from .health import worker_heartbeat_record


# Not a portal_task: a missed beat is not retried, the next one comes within a minute.
@app.task(name="kunshan_portal.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> float:
    return worker_heartbeat_record()
