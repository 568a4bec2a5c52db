"""Every write about e-mails and reminders.

The outbox: `outbox_email_create` writes the e-mail in the caller's transaction and queues its
delivery once that transaction commits. Queuing never fails the caller: with Redis down the row
stays pending and `outbox_flush` (beat, every minute) queues it again.

Delivery (`outbox_deliver`) is idempotent: pending → sending (a conditional update that records
the Celery task id) → sent. A second task for the same row finds it claimed and does nothing; the
same task delivered again (worker killed, `acks_late`) may take its own claim back. The one window
for a duplicate e-mail: the worker dies after the SMTP server accepted the message and before the
row is marked sent — the redelivered task sends it again. SMTP offers no way to close it.
"""

import datetime as dt
import logging
import time
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent
from kunshan_portal.selectors import site_settings

from .models import NotificationPreference, OutboxEmail, Reminder, ReminderRule
from .scheduler import DEFAULT_RULES, due_reminders, reminder_campaigns

logger = logging.getLogger(__name__)

# A row claimed longer ago than this belongs to a dead worker: it may be claimed again.
SENDING_LEASE = dt.timedelta(minutes=15)
# A pending row queued longer ago than this is queued again by the flush.
REQUEUE_AFTER = dt.timedelta(minutes=5)


def email_context(context: dict) -> dict:
    site = site_settings()
    return {
        "portal_name": site.name,
        "base_url": settings.PORTAL_BASE_URL,
        "organiser": site.issuing_body,
        "organiser_contact": site.contact,
        **context,
    }


def email_render(*, template: str, context: dict) -> tuple[str, str]:
    """(plain text, HTML) for a template "app/email/x.txt"; its HTML twin is "app/email/x.html",
    or, when there is none, the text set in the portal's HTML layout."""
    context = email_context(context)
    text = render_to_string(template, context)
    html_name = template.removesuffix(".txt") + ".html"
    try:
        get_template(html_name)
    except TemplateDoesNotExist:
        html = render_to_string("notifications/email/text_as_html.html", {**context, "text": text})
    else:
        html = render_to_string(html_name, context)
    return text, html


def email_subject_clean(subject: str) -> str:
    """The subject on one line: a line break in a user's title would make every send fail
    (Django refuses header injection with BadHeaderError), so runs of whitespace become one space."""
    return " ".join(str(subject).split())


def outbox_email_create(*, to: list[str], subject: str, template: str, context: dict) -> OutboxEmail:
    """Write one e-mail to the outbox in the caller's transaction; queue it after the commit."""
    text, html = email_render(template=template, context=context)
    email = OutboxEmail.objects.create(
        to=list(to), subject=email_subject_clean(subject)[:200], body_text=text, body_html=html, template=template[:120]
    )
    transaction.on_commit(partial(outbox_queue, email.pk))
    return email


# After a broker error this process stops trying for a while, so one request that sends several
# e-mails waits on a dead Redis once, not once per e-mail (the flush picks the rows up later).
BROKER_PAUSE_SECONDS = 30
_broker_down_until: dict[str, float] = {}


def outbox_queue(email_id: int) -> bool:
    """Hand the e-mail to Celery. A broker error is logged, never raised: the row stays
    pending and the flush queues it again once Redis answers."""
    from kunshan_portal.celery import app, task_signature

    broker = str(app.conf.broker_url)
    if time.monotonic() < _broker_down_until.get(broker, 0):
        logger.info("邮件 #%s 暂不入队：消息队列刚才不可用，稍后由定时任务重新入队。", email_id)
        return False
    try:
        task_signature("notifications.deliver_email", email_id).apply_async()
    except Exception as error:  # kombu OperationalError, redis ConnectionError; in eager mode the send itself
        if not app.conf.task_always_eager:
            _broker_down_until[broker] = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("邮件 #%s 暂未发出（%s），稍后由定时任务重新入队。", email_id, error)
        return False
    _broker_down_until.pop(broker, None)
    OutboxEmail.objects.filter(pk=email_id, status=OutboxEmail.Status.PENDING).update(queued_at=timezone.now())
    return True


def outbox_flush(*, now: dt.datetime | None = None) -> int:
    """Queue again the e-mails that never reached a worker: pending and never queued (Redis was
    down), queued long ago without result, or claimed by a worker that died. Returns how many."""
    now = now or timezone.now()
    ids = list(
        OutboxEmail.objects.filter(
            Q(status=OutboxEmail.Status.PENDING, queued_at__isnull=True)
            | Q(status=OutboxEmail.Status.PENDING, queued_at__lt=now - REQUEUE_AFTER)
            | Q(status=OutboxEmail.Status.SENDING, claimed_at__lt=now - SENDING_LEASE)
        )
        .filter(Q(next_retry_at__isnull=True) | Q(next_retry_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    queued = 0
    for email_id in ids:
        if not outbox_queue(email_id):
            break  # the broker is still down: try again at the next tick
        queued += 1
    return queued


def outbox_deliver(*, email_id: int, token: str, final_attempt: bool, retry_in: float | None = None) -> str:
    """Send one outbox e-mail once. Returns "sent" or "skipped"; raises when sending failed
    (the task retries it with backoff; the last failure marks the row failed)."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=email_id)
        .filter(
            Q(status=OutboxEmail.Status.PENDING)
            | Q(status=OutboxEmail.Status.SENDING, claim_token=token)
            | Q(status=OutboxEmail.Status.SENDING, claimed_at__lt=now - SENDING_LEASE)
        )
        .update(status=OutboxEmail.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return "skipped"
    email = OutboxEmail.objects.get(pk=email_id)
    # Rows written before subjects were cleaned may still hold a line break.
    message = EmailMultiAlternatives(
        email_subject_clean(email.subject), email.body_text, settings.DEFAULT_FROM_EMAIL, email.to
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as error:
        OutboxEmail.objects.filter(pk=email_id, status=OutboxEmail.Status.SENDING, claim_token=token).update(
            status=OutboxEmail.Status.FAILED if final_attempt else OutboxEmail.Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_retry_at=None if final_attempt or retry_in is None else now + dt.timedelta(seconds=retry_in),
        )
        raise
    # The only window for a duplicate: a crash right here, after the SMTP send (see module docstring).
    OutboxEmail.objects.filter(pk=email_id, claim_token=token).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), next_retry_at=None
    )
    return "sent"


@transaction.atomic
def outbox_retry(*, email: OutboxEmail) -> OutboxEmail:
    """Staff send a failed e-mail again."""
    from django.core.exceptions import ValidationError

    updated = OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.FAILED).update(
        status=OutboxEmail.Status.PENDING, queued_at=None, next_retry_at=None, claim_token=""
    )
    if updated != 1:
        raise ValidationError("该邮件不是“发送失败”状态，无需重发。")
    transaction.on_commit(partial(outbox_queue, email.pk))
    email.refresh_from_db()
    return email


# --- Reminder rules ---------------------------------------------------------------------------


def reminder_rules_ensure(*, campaign) -> int:
    """Give a campaign the default rules if it has none yet. Returns how many were created."""
    if ReminderRule.objects.filter(campaign=campaign).exists():
        return 0
    created = 0
    for kind, days, at_time in DEFAULT_RULES:
        _, was_created = ReminderRule.objects.get_or_create(
            campaign=campaign, kind=kind, days_before=days, at_time=at_time
        )
        created += was_created
    return created


# --- Sending reminders --------------------------------------------------------------------------


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Queue one e-mail per due reminder. Each reminder is recorded once (unique recipient,
    campaign, kind, milestone), so a rerun, an overlapping beat or a retry sends nothing twice."""
    now = now or timezone.now()
    for campaign in reminder_campaigns(now):
        reminder_rules_ensure(campaign=campaign)
    sent = 0
    for due in due_reminders(now):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = Reminder.objects.create(
                        recipient=due.recipient, campaign=due.campaign, kind=due.kind, milestone=due.milestone
                    )
            except IntegrityError:
                continue  # another beat or retry recorded it first
            record.email = outbox_email_create(
                to=[due.recipient.email],
                subject=due.subject,
                template=f"notifications/email/reminder_{due.kind}.txt",
                context=due.context(),
            )
            record.save(update_fields=["email"])
            sent += 1
    return sent


@transaction.atomic
def preference_update(*, user, recommendation: bool, publicity: bool, request=None) -> NotificationPreference:
    """Switch the optional reminders on or off; the change is audited."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    changed = (preference.recommendation, preference.publicity) != (recommendation, publicity)
    preference.recommendation = recommendation
    preference.publicity = publicity
    preference.save()
    if changed:
        on_off = {True: "开", False: "关"}
        audit_record(
            kind=AuditEvent.Kind.PROFILE_CHANGE,
            request=request,
            user=user,
            obj=preference,
            detail=f"邮件提醒：单位推荐提醒{on_off[recommendation]}，公示提醒{on_off[publicity]}",
        )
    return preference
