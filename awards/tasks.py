"""Thin Celery tasks: ids in, a service call out. Both are safe to run twice (see services)."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="awards.certificate_export", bind=True, ignore_result=True)
def certificate_export_task(self, export_id: int) -> str:
    """证书批量导出; the last attempt marks a failure so the progress bar stops and says why."""
    return services.certificate_export_run(export_id=export_id, final_attempt=self.request.retries >= self.max_retries)


@portal_task(name="awards.certificate_generate")
def certificate_generate_task(certificate_id: int) -> None:
    services.certificate_ensure_files(certificate_id=certificate_id)


@portal_task(name="awards.certificates_issue")
def certificates_issue_task(campaign_id: int) -> None:
    services.certificates_issue(campaign_id=campaign_id)
