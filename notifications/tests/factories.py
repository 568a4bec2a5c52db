import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import MembershipFactory
from cases.models import Application
from cases.tests.factories import CampaignFactory


class ApplicationFactory(DjangoModelFactory):
    """A draft by a member of an organisation (the member and organisation made when not given)."""

    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    applicant = factory.LazyAttribute(lambda o: MembershipFactory().user)
    organisation = factory.LazyAttribute(lambda o: o.applicant.memberships.first().organisation)
    title = factory.Sequence(lambda n: f"社区服务案例{n}")
    status = Application.Status.DRAFT
