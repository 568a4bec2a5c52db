"""Celery tasks: ids in, a service call out."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="evaluations.open_due_stages", ignore_result=True)
def open_due_stages() -> int:
    """Create the records of the stages that opened (services.stages_open_due); safe to run twice."""
    return services.stages_open_due()
