from tests.permission_table import NOT_FOUND, REDIRECT, any_user, staff_only


def build(world):
    from notifications.models import OutboxEmail

    world.failed_email = OutboxEmail.objects.create(
        to=["a@example.cn"], subject="测试邮件", body_text="正文", status=OutboxEmail.Status.FAILED
    )


ROWS = {
    "notifications:preferences": any_user(),
    "notifications:email_log": staff_only(),
    "notifications:email_retry": staff_only(ok=REDIRECT, method="post", kwargs=lambda w: {"pk": w.failed_email.pk}),
    "notifications:reminders": staff_only(),
    "notifications:previews": staff_only(),
    "notifications:preview": staff_only(kwargs=lambda w: {"name": "reminder_draft"}),
    "notifications:preview_html": staff_only(kwargs=lambda w: {"name": "reminder_draft"}),
    "notifications:preview#unknown": staff_only(ok=NOT_FOUND, kwargs=lambda w: {"name": "no-such-template"}),
}
