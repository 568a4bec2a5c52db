from tests.permission_table import public, row

# /readyz in the test world: database, cache, broker and storage answer, but no Celery worker has beaten.
NOT_READY = 503


def build(world):
    from django.core.cache import cache

    from kunshan_portal.health import HEARTBEAT_KEY

    cache.delete(HEARTBEAT_KEY)  # an earlier test (run_periodic) may have run the heartbeat job


ROWS = {
    "healthz": public(),
    "readyz": row(
        anonymous=NOT_READY,
        applicant_a=NOT_READY,
        applicant_b=NOT_READY,
        org_admin=NOT_READY,
        reviewer=NOT_READY,
        staff=NOT_READY,
    ),
}
