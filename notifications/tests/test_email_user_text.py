"""What users type (titles, names, reasons) reaches every e-mail as text, never as markup or a header break."""

import pytest
from django.core import mail
from django.db import models

from notifications.models import OutboxEmail
from notifications.previews import previews
from notifications.services import email_render, outbox_deliver, outbox_email_create

HOSTILE = '<script>alert("x")</script>\n<img src=x onerror=alert(1)>'


def _poison(value, seen):
    """Every text field of every model in the context (and of the objects they hold) set to HOSTILE."""
    if isinstance(value, models.Model):
        if id(value) in seen:
            return value
        seen.add(id(value))
        for field in value._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not isinstance(
                field, models.EmailField | models.SlugField
            ):
                if not field.choices and field.name not in ("password", "reference", "tracking_number"):
                    setattr(value, field.attname, HOSTILE)
        for cached in list(value._state.fields_cache.values()):
            _poison(cached, seen)
        return value
    if isinstance(value, list | tuple):
        return type(value)(_poison(v, seen) for v in value)
    if isinstance(value, str):
        return HOSTILE
    if hasattr(value, "__dict__") and not isinstance(value, type):
        for item in vars(value).values():
            _poison(item, seen)
    return value


def _hostile_context(context: dict) -> dict:
    seen: set[int] = set()
    return {
        key: _poison(value, seen) if key not in ("link", "uid", "token") else value for key, value in context.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("preview", previews(), ids=lambda p: p.name)
def test_user_text_is_escaped_in_the_html_part_of_every_email(preview):
    _text, html = email_render(template=preview.template, context=_hostile_context(preview.context))
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html  # the user's text is there, as text


@pytest.mark.django_db
@pytest.mark.parametrize("preview", previews(), ids=lambda p: p.name)
def test_a_title_with_a_line_break_is_sent_on_one_subject_line(preview, django_capture_on_commit_callbacks):
    subject = f"{preview.subject} {HOSTILE}\r\n第二行"
    with django_capture_on_commit_callbacks(execute=True):
        email = outbox_email_create(
            to=["a@example.cn"], subject=subject, template=preview.template, context=preview.context
        )
    email.refresh_from_db()
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.status == OutboxEmail.Status.SENT
    assert mail.outbox[-1].subject.endswith("第二行")


@pytest.mark.django_db
def test_an_outbox_row_written_with_a_line_break_in_its_subject_is_still_sent():
    email = OutboxEmail.objects.create(to=["a@example.cn"], subject="申报回执：标题\n第二行", body_text="正文")
    assert outbox_deliver(email_id=email.pk, token="t", final_attempt=True) == "sent"
    assert mail.outbox[-1].subject == "申报回执：标题 第二行"
