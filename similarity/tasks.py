"""Celery tasks of 查重: ids in, a service call out."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="similarity.check_application", ignore_result=True)
def check_application(application_id: int, recheck_sources: bool = True) -> None:
    """查重 of one submitted application; safe to run twice (the result is replaced)."""
    services.application_check(application_id=application_id, recheck_sources=recheck_sources)


@portal_task(name="similarity.check_campaign", bind=True, ignore_result=True)
def check_campaign(self, run_id: int) -> str:
    """批量查重: every submitted application of a campaign; the last attempt marks a failure."""
    return services.campaign_check_run(run_id=run_id, final_attempt=self.request.retries >= self.max_retries)
