import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from awards.models import Award, Objection, Publicity
from cases.tests.factories import CampaignFactory
from reviews.models import AwardDecision
from reviews.tests.factories import ApplicationFactory, TeamMemberFactory  # noqa: F401 (re-exported for tests)


def publicity_campaign(*, open_now: bool = True, **kwargs):
    """A campaign whose publicity window is open now (or ended two days ago with open_now=False)."""
    now = timezone.now()
    start = now - dt.timedelta(days=1) if open_now else now - dt.timedelta(days=5)
    defaults = dict(
        submission_opens_at=start - dt.timedelta(days=30),
        submission_closes_at=start - dt.timedelta(days=20),
        review_opens_at=start - dt.timedelta(days=15),
        review_closes_at=start - dt.timedelta(days=5),
        publicity_starts_at=start,
        publicity_ends_at=start + dt.timedelta(days=3),
        ceremony_at=start + dt.timedelta(days=10),
    )
    defaults.update(kwargs)
    return CampaignFactory(**defaults)


class AwardFactory(DjangoModelFactory):
    """An award with its tier in the case's decision (reviews.AwardDecision), the tier's one record."""

    class Meta:
        model = Award
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    application = factory.LazyAttribute(lambda o: ApplicationFactory(campaign=o.campaign))
    rank = factory.Sequence(lambda n: n + 1)
    confirmed_by = factory.SubFactory(UserFactory, is_staff=True)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tier(obj, create, extracted, **kwargs):
        if create:
            AwardDecision.objects.update_or_create(
                application=obj.application,
                defaults={"tier": "优秀" if extracted is None else extracted, "rank": obj.rank},
            )


class ObjectionFactory(DjangoModelFactory):
    class Meta:
        model = Objection

    award = factory.SubFactory(AwardFactory)
    campaign = factory.LazyAttribute(lambda o: o.award.campaign)
    name = "赵某某"
    phone = "13912345678"
    email = "objector@example.org"
    reason = "该案例的服务时间与实际不符，案例中描述的小组活动并未在所述时间开展。"


def publish_results(campaign, by):
    Publicity.objects.update_or_create(
        campaign=campaign, defaults={"results_published_at": timezone.now(), "results_published_by": by}
    )
