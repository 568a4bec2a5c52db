"""Celery tasks: ids in, a service call out."""

from kunshan_portal.celery import portal_task

from . import services


@portal_task(name="reviews.export_score_sheet", bind=True, ignore_result=True)
def export_score_sheet(self, export_id: int) -> str:
    """评分汇总表导出: build one campaign's score sheet; the last attempt marks a failure."""
    return services.score_sheet_export_run(export_id=export_id, final_attempt=self.request.retries >= self.max_retries)
