"""The outbox: written in the caller's transaction, sent once, retried, shown to staff."""

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.email import email_send
from notifications.models import OutboxEmail
from notifications.services import outbox_deliver, outbox_flush, outbox_retry

FAILING = "notifications.tests.backends.FailingBackend"


def welcome(user):
    return email_send(
        to=[user.email],
        subject="欢迎",
        template="accounts/email/welcome.txt",
        context={"user": user, "organisation": None},
    )


@pytest.mark.django_db
def test_an_email_is_written_to_the_outbox_and_sent_after_the_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = welcome(cast.applicant_a)
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.PENDING
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT and email.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email.startswith("昆山社工案例评选门户")
    assert message.alternatives[0][1] == "text/html"
    assert "此邮件由系统自动发送" in message.alternatives[0][0]


@pytest.mark.django_db
def test_a_rolled_back_action_leaves_no_email(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            welcome(cast.applicant_a)
            raise RuntimeError("动作失败")
    assert OutboxEmail.objects.count() == 0 and mail.outbox == []


@pytest.mark.django_db
def test_a_row_is_sent_once_however_many_tasks_deliver_it(cast, django_capture_on_commit_callbacks):
    email = welcome(cast.applicant_a)  # on_commit not run: still pending
    assert outbox_deliver(email_id=email.pk, token="task-1", final_attempt=False) == "sent"
    assert outbox_deliver(email_id=email.pk, token="task-2", final_attempt=False) == "skipped"
    assert outbox_deliver(email_id=email.pk, token="task-1", final_attempt=False) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_redelivered_task_takes_back_its_own_claim_but_another_task_does_not(cast):
    email = welcome(cast.applicant_a)
    # The worker running task-1 died after claiming the row.
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxEmail.Status.SENDING, claim_token="task-1", claimed_at=timezone.now()
    )
    assert outbox_deliver(email_id=email.pk, token="task-2", final_attempt=False) == "skipped"
    assert outbox_deliver(email_id=email.pk, token="task-1", final_attempt=False) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_claim_older_than_the_lease_may_be_taken_by_another_task(cast):
    email = welcome(cast.applicant_a)
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxEmail.Status.SENDING, claim_token="dead", claimed_at=timezone.now() - dt.timedelta(minutes=16)
    )
    assert outbox_deliver(email_id=email.pk, token="task-2", final_attempt=False) == "sent"


@pytest.mark.django_db
def test_a_failed_send_stays_pending_for_the_retry_and_the_last_failure_marks_it_failed(cast, settings):
    settings.EMAIL_BACKEND = FAILING
    email = welcome(cast.applicant_a)
    with pytest.raises(ConnectionRefusedError):
        outbox_deliver(email_id=email.pk, token="t", final_attempt=False, retry_in=4)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING and "拒绝连接" in email.last_error
    assert email.next_retry_at is not None and email.attempts == 1
    with pytest.raises(ConnectionRefusedError):
        outbox_deliver(email_id=email.pk, token="t", final_attempt=True)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED and email.attempts == 2


@pytest.mark.django_db
def test_the_task_keeps_the_row_pending_for_its_retries_and_fails_it_on_the_last(cast, settings):
    from notifications.tasks import deliver_email

    settings.EMAIL_BACKEND = FAILING
    email = welcome(cast.applicant_a)
    with pytest.raises(Retry):  # eager mode raises what a worker would schedule
        deliver_email.apply(args=[email.pk], task_id="t-1", retries=0)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING and email.next_retry_at is not None
    with pytest.raises(ConnectionRefusedError):
        deliver_email.apply(args=[email.pk], task_id="t-1", retries=deliver_email.max_retries)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED and email.attempts == 2


@pytest.mark.django_db
def test_the_flush_queues_rows_that_never_reached_the_broker(cast):
    email = welcome(cast.applicant_a)  # its on_commit never ran: as if Redis had been down
    fresh = OutboxEmail.objects.create(to=["x@example.cn"], subject="刚入队", body_text="x", queued_at=timezone.now())
    assert outbox_flush() == 1
    email.refresh_from_db()
    fresh.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert fresh.status == OutboxEmail.Status.PENDING  # queued a moment ago: the worker has it


@pytest.mark.django_db
def test_staff_resend_a_failed_email(cast, django_capture_on_commit_callbacks):
    email = OutboxEmail.objects.create(to=["x@example.cn"], subject="失败", body_text="x", status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(email=email)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT and len(mail.outbox) == 1


@pytest.mark.django_db
def test_resending_an_email_that_is_not_failed_is_refused(cast):
    from django.core.exceptions import ValidationError

    email = OutboxEmail.objects.create(to=["x@example.cn"], subject="已发", body_text="x", status="sent")
    with pytest.raises(ValidationError):
        outbox_retry(email=email)


# --- Pages ----------------------------------------------------------------------------------------


def _emails(n):
    OutboxEmail.objects.bulk_create(
        OutboxEmail(to=[f"u{i}@example.cn"], subject=f"邮件{i}", body_text="x", status="failed", last_error="超时")
        for i in range(n)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_the_email_log_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries, rows):
    _emails(rows)
    client.force_login(cast.staff)
    with django_assert_num_queries(8):
        response = client.get(reverse("notifications:email_log"))
    assert response.status_code == 200
    assert response.content.decode().count("重新发送") == rows


@pytest.mark.django_db
def test_the_email_log_filters_by_status(client, cast):
    _emails(2)
    OutboxEmail.objects.create(to=["ok@example.cn"], subject="已发出的邮件", body_text="x", status="sent")
    client.force_login(cast.staff)
    page = client.get(reverse("notifications:email_log"), {"status": "sent"}).content.decode()
    assert "已发出的邮件" in page and "邮件0" not in page


@pytest.mark.django_db
def test_every_template_renders_in_the_preview(client, cast):
    from notifications.previews import previews

    client.force_login(cast.staff)
    for preview in previews():
        response = client.get(reverse("notifications:preview", args=[preview.name]))
        assert response.status_code == 200, preview.name
        assert "此邮件由系统自动发送" in response.context["text"], preview.name
        assert "此邮件由系统自动发送" in response.context["html"], preview.name


@pytest.mark.django_db
def test_a_user_switches_off_recommendation_reminders(client, cast):
    client.force_login(cast.org_admin)
    assert "设置邮件提醒" in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("notifications:preferences"), {"publicity": "on"})
    assert response.status_code == 302
    preference = cast.org_admin.notification_preference
    assert preference.recommendation is False and preference.publicity is True
    assert preference.allows("draft") and preference.allows("review")


@pytest.mark.django_db
@pytest.mark.parametrize("drafts", [1, 20])
def test_the_coming_reminders_page_query_count_does_not_grow_with_drafts(
    client, cast, django_assert_num_queries, drafts
):
    from cases.tests.factories import CampaignFactory

    from .factories import ApplicationFactory

    campaign = CampaignFactory()
    for _ in range(drafts):
        ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, status="submitted")
    client.force_login(cast.staff)
    # 14: session, user, roles, campaigns, rules, applications, recipients… and the open objections.
    with django_assert_num_queries(14):
        response = client.get(reverse("notifications:reminders"))
    assert response.status_code == 200
    assert campaign.title in response.content.decode()


@pytest.mark.django_db
def test_after_a_broker_error_further_emails_are_not_handed_to_the_dead_broker(
    cast, django_capture_on_commit_callbacks, caplog
):
    """Only the first e-mail asks the dead broker; the next five are left for the flush without trying
    (how long that takes is measured by bench/outbox_broker_down.py, not here)."""
    import logging
    import time

    from kunshan_portal.celery import app
    from notifications import services

    eager, url = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:9/0"  # nothing listens there
    app._after_fork()
    try:
        with caplog.at_level(logging.INFO, logger="notifications.services"):
            with django_capture_on_commit_callbacks(execute=True):
                first = welcome(cast.applicant_a)
            with django_capture_on_commit_callbacks(execute=True):
                for _ in range(5):
                    welcome(cast.applicant_b)
        assert services._broker_down_until.get("redis://127.0.0.1:9/0", 0) > time.monotonic()
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, url
        app._after_fork()
        services._broker_down_until.clear()
    tried = [r for r in caplog.records if "暂未发出" in r.getMessage()]
    skipped = [r for r in caplog.records if "暂不入队" in r.getMessage()]
    assert len(tried) == 1 and len(skipped) == 5
    first.refresh_from_db()
    assert first.status == OutboxEmail.Status.PENDING and first.queued_at is None
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).count() == 6


@pytest.mark.django_db
def test_the_admin_does_not_show_email_bodies_which_may_hold_reset_links(client, cast):
    email = OutboxEmail.objects.create(to=["x@example.cn"], subject="重置密码", body_text="SECRET-RESET-LINK")
    client.force_login(cast.staff)
    page = client.get(reverse("admin:notifications_outboxemail_change", args=[email.pk])).content.decode()
    assert "重置密码" in page and "SECRET-RESET-LINK" not in page


def test_every_email_template_in_the_portal_has_a_preview():
    """A new e-mail template must be added to notifications/previews.py so staff can see it."""
    from pathlib import Path

    from django.conf import settings

    from notifications.previews import previews

    found = {
        str(path.relative_to(path.parents[2]))
        for path in Path(settings.BASE_DIR).glob("*/templates/*/email/*.txt")
        if "reminder_base" not in path.name
    }
    assert found - {p.template for p in previews()} == set()


@pytest.mark.django_db
def test_every_link_in_every_email_leads_to_a_page_of_the_portal(settings):
    """The e-mails build links from PORTAL_BASE_URL and a path: each path must resolve, so a
    renamed URL cannot leave a dead link in a receipt or a reminder."""
    import re

    from django.urls import Resolver404, resolve

    from notifications.previews import previews
    from notifications.services import email_render

    settings.PORTAL_BASE_URL = "https://portal.example.cn"
    dead, checked = [], 0
    for preview in previews():
        text, html = email_render(template=preview.template, context=preview.context)
        for path in re.findall(r"https://portal\.example\.cn(/[^\s\"'<>）)]*)", text + html):
            checked += 1
            try:
                resolve(path.split("?")[0])
            except Resolver404:
                dead.append((preview.name, path))
    assert checked >= 20  # the links were really found
    assert dead == []
