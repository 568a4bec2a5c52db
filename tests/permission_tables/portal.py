from tests.permission_table import FORBIDDEN, LOGIN, public, row, staff_only

# /readyz in the test world: database, cache, broker and storage answer, but no Celery worker has beaten.
NOT_READY = 503


def build(world):
    from django.core.cache import cache

    from kunshan_portal.health import HEARTBEAT_KEY

    cache.delete(HEARTBEAT_KEY)  # an earlier test (run_periodic) may have run the heartbeat job

    from kunshan_portal.tests.factories import huaian_site_settings

    huaian_site_settings(seal=True, logo=True)  # the logo and seal URLs answer only when the files exist


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
    # 系统设置 → 门户信息: staff and superusers only; a POST with nothing in it is refused beside the fields (400).
    "portal_settings": staff_only(),
    "portal_settings#post": row(
        anonymous=LOGIN,
        applicant_a=FORBIDDEN,
        applicant_b=FORBIDDEN,
        org_admin=FORBIDDEN,
        reviewer=FORBIDDEN,
        staff=400,
        method="post",
    ),
    "portal_seal": staff_only(),  # the seal is printed on certificates, never shown to the public
    "portal_logo": public(),
}
