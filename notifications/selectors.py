"""Reads for the notification pages: the e-mail log and a user's reminder switches.
The reminder scheduler (who is due what, when) is notifications/scheduler.py."""

from accounts.models import User

from .models import NotificationPreference, OutboxEmail


def outbox_log(*, status: str = ""):
    queryset = OutboxEmail.objects.defer("body_text", "body_html")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def preference_for(user: User) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
