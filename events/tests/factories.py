import datetime as dt

import factory
from factory.django import DjangoModelFactory

from events.models import Festival


class FestivalFactory(DjangoModelFactory):
    class Meta:
        model = Festival

    title = factory.Sequence(lambda n: f"昆山市第{n}届社工节")
    slug = factory.Sequence(lambda n: f"festival-{n}")
    edition = "第三届"
    year = 2026
    theme = "追梦新征程，社工在行动"
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=25))
    status = Festival.Status.PUBLISHED
