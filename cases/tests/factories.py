import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import Campaign


def _now_plus(days: float):
    return lambda: timezone.now() + dt.timedelta(days=days)


class CampaignFactory(DjangoModelFactory):
    """A published campaign whose submission window is open now."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"第{n}期昆山市优秀社工案例评选")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    is_published = True
    case_period_start = dt.date(2023, 1, 1)
    case_period_end = dt.date(2025, 12, 31)
    submission_opens_at = factory.LazyFunction(_now_plus(-5))
    submission_closes_at = factory.LazyFunction(_now_plus(5))
    review_opens_at = factory.LazyFunction(_now_plus(6))
    review_closes_at = factory.LazyFunction(_now_plus(8))
    publicity_starts_at = factory.LazyFunction(_now_plus(9))
    publicity_ends_at = factory.LazyFunction(_now_plus(12))
    ceremony_at = factory.LazyFunction(_now_plus(19))
