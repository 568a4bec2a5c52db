"""Thin Celery tasks: ids in, a service call out. Both are safe to run twice (see services)."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="awards.certificate_export", bind=True)
def certificate_export_task(self, export_id: int) -> None:
    try:
        services.certificate_export_run(export_id=export_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:  # the last try: the progress bar stops and says why
            services.certificate_export_fail(export_id=export_id, error=str(exc))
        raise


@portal_task(name="awards.certificate_generate")
def certificate_generate_task(certificate_id: int) -> None:
    services.certificate_ensure_files(certificate_id=certificate_id)


@portal_task(name="awards.certificates_issue")
def certificates_issue_task(campaign_id: int) -> None:
    services.certificates_issue(campaign_id=campaign_id)
