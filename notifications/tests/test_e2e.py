"""Screenshots of a reminder e-mail (its HTML in Chromium) and the staff pages, at 1280 and 360 px."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Application
from cases.tests.factories import CampaignFactory
from notifications.models import OutboxEmail
from notifications.services import reminders_send_due
from reviews.tests.factories import AssignmentFactory

from .factories import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reminders_sent(cast, settings):
    settings.NOTIFICATIONS_QUIET_HOURS = ""
    campaign = CampaignFactory(
        title="第三届昆山市优秀社会工作案例评选", submission_closes_at=timezone.now() + dt.timedelta(hours=20)
    )
    ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        title="“银龄同行”——社区独居老人社会支持网络构建",
    )
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b)
    ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, status=Application.Status.SUBMITTED
    )
    accepted = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, status=Application.Status.ACCEPTED, reference="KS2026-0001"
    )
    AssignmentFactory(application=accepted, reviewer=cast.reviewer)
    reminders_send_due()
    return campaign


def shoot(page, screenshot_dir, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{screenshot_dir}/{name}-{width}.png", full_page=True)


def test_a_reminder_email_renders_in_chromium(page, reminders_sent, screenshot_dir):
    email = OutboxEmail.objects.filter(to=["a@example.cn"]).latest("pk")
    page.set_content(email.body_html)
    assert page.get_by_text("立即处理").is_visible()
    assert page.get_by_text("“银龄同行”——社区独居老人社会支持网络构建").is_visible()
    shoot(page, screenshot_dir, "notifications-reminder-email")


def test_staff_see_the_coming_reminders_and_the_email_log(
    page, live_server, login, cast, reminders_sent, screenshot_dir
):
    login(page, cast.staff)
    page.goto(f"{live_server.url}/notifications/manage/reminders/")
    assert page.get_by_role("heading", name="第三届昆山市优秀社会工作案例评选").is_visible()
    shoot(page, screenshot_dir, "notifications-reminders")
    page.goto(f"{live_server.url}/notifications/manage/emails/")
    assert page.get_by_test_id("email-log").is_visible()
    shoot(page, screenshot_dir, "notifications-email-log")
    page.goto(f"{live_server.url}/notifications/manage/previews/reminder_review/")
    page.frame_locator("iframe").get_by_text("立即处理").wait_for()
    shoot(page, screenshot_dir, "notifications-preview")
    page.context.clear_cookies()
    login(page, cast.org_admin)
    page.goto(f"{live_server.url}/notifications/preferences/")
    shoot(page, screenshot_dir, "notifications-preferences")
