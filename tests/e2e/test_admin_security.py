"""Staff in the admin, in Chromium: no superuser box for them, and what they change is audited."""

import os

import pytest

from accounts.models import AuditEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_see_no_superuser_box_and_their_admin_edit_shows_in_the_audit_log(
    page, live_server, cast, login, screenshot_dir
):
    login(page, cast.staff)
    # Their own account: the flags are shown as text, there is nothing to tick and no save button.
    page.goto(f"{live_server.url}/admin/accounts/user/{cast.staff.pk}/change/")
    assert page.locator("input[name=is_superuser]").count() == 0
    assert page.locator("input[name=is_staff]").count() == 0
    assert page.locator("input[name=_save]").count() == 0
    page.screenshot(path=os.path.join(screenshot_dir, "security-admin-own-account.png"), full_page=True)
    # The superuser's password cannot be reset by staff.
    response = page.goto(f"{live_server.url}/admin/accounts/user/{cast.superuser.pk}/password/")
    assert response.status == 403

    # An applicant's account: editable, still without the privilege boxes.
    page.goto(f"{live_server.url}/admin/accounts/user/{cast.applicant_a.pk}/change/")
    assert page.locator("input[name=is_superuser]").count() == 0
    page.fill("input[name=name]", "张敏（已核对）")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(cast.applicant_a.pk)).exists()

    page.goto(f"{live_server.url}/accounts/manage/audit/?kind=admin_change")
    row = page.locator("tbody tr").first
    assert "后台修改" in row.inner_text() and "张敏（已核对）" in row.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "security-audit-admin-change.png"), full_page=True)
