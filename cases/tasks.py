"""Celery tasks: ids in, a service call out."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="cases.export_campaign", bind=True, ignore_result=True)
def export_campaign(self, export_id: int) -> str:
    """评选活动申报导出: build one campaign's ZIP of Word files; the last attempt marks a failure."""
    return services.case_export_run(export_id=export_id, final_attempt=self.request.retries >= self.max_retries)


@portal_task(name="cases.make_blind_copies", ignore_result=True)
def make_blind_copies(application_id: int) -> int:
    """匿名评审副本: clean the attachments of a submitted application for blind reviewers, once."""
    return services.application_blind_copies_make(application_id=application_id)


@portal_task(name="cases.refresh_findings", ignore_result=True)
def refresh_findings(application_id: int) -> int | None:
    """The privacy check of a draft's changed texts, after its save has answered."""
    return services.application_findings_refresh(application_id=application_id)
