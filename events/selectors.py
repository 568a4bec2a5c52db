from django.db.models import QuerySet

from cases.models import Campaign

from .models import Festival


def festivals_current(*, today) -> QuerySet[Festival]:
    return Festival.objects.current(today)


def festivals_past(*, today) -> QuerySet[Festival]:
    return Festival.objects.past(today)


def campaigns_active(*, now) -> QuerySet[Campaign]:
    """Published campaigns not yet past their ceremony (or publicity end), for the home page."""
    return (
        Campaign.objects.published()
        .filter(publicity_ends_at__gte=now)
        .select_related("festival")
        .order_by("submission_closes_at")
    )
