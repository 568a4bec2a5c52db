from django.conf import settings
from django.core.mail import send_mail

from kunshan_portal.celery import portal_task


@portal_task(name="accounts.send_email")
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail (already rendered) from the portal's address."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
