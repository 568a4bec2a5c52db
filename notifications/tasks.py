"""Celery tasks: ids in, a service call out."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="notifications.deliver_email", bind=True, ignore_result=True)
def deliver_email(self, email_id: int) -> str:
    """Send one outbox e-mail; a retry (same task id) may take back its own claim."""
    final = self.request.retries >= self.max_retries
    # The same backoff Celery uses for the next retry, recorded on the row for the staff log.
    retry_in = min(2**self.request.retries, 600)
    return services.outbox_deliver(
        email_id=email_id, token=self.request.id or f"eager-{email_id}", final_attempt=final, retry_in=retry_in
    )


@portal_task(name="notifications.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    return services.outbox_flush()


@portal_task(name="notifications.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    return services.reminders_send_due()


@portal_task(name="notifications.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict:
    """Background jobs that never started are queued again; those whose worker died are resumed or failed."""
    from .jobs import jobs_sweep

    return jobs_sweep()
