"""The portal's front door for e-mail: every app sends through `email_send`, which writes the
outbox row in the caller's transaction (notifications/services.py delivers it after commit)."""

from .services import outbox_email_create


def email_send(*, to: list[str], subject: str, template: str, context: dict):
    """Render a Chinese e-mail (plain text and HTML) into the outbox, in the caller's transaction;
    it is queued for sending once that transaction commits (notifications/services.py)."""
    return outbox_email_create(to=to, subject=subject, template=template, context=context)
