"""The publicity list comes from the expert review's confirmed decision (reviews.AwardDecision), or by hand."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from awards import services
from awards.models import Award
from cases.tests.factories import CampaignFactory
from reviews.models import AwardDecision
from reviews.selectors import review_settings_get
from reviews.tests.factories import ApplicationFactory


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="before-publicity")  # publicity starts in nine days


def _decide(campaign, confirmed=True):
    apps = [ApplicationFactory(campaign=campaign) for _ in range(3)]
    AwardDecision.objects.create(application=apps[0], rank=1, tier="一等奖", suggested_tier="一等奖")
    AwardDecision.objects.create(application=apps[1], rank=2, tier="二等奖", suggested_tier="二等奖")
    AwardDecision.objects.create(application=apps[2], rank=3, tier="", suggested_tier="")
    if confirmed:
        settings_row = review_settings_get(campaign=campaign)
        settings_row.decision_confirmed_at = timezone.now()
        settings_row.save()
    return apps


def test_the_confirmed_decision_becomes_the_list_once(campaign, cast):
    apps = _decide(campaign)
    assert services.awards_import_decision(campaign=campaign, by=cast.staff) == 2
    assert services.awards_import_decision(campaign=campaign, by=cast.staff) == 0
    assert list(Award.objects.values_list("application_id", "application__award_decision__tier", "rank")) == [
        (apps[0].pk, "一等奖", 1),
        (apps[1].pk, "二等奖", 2),
    ]


def test_an_unconfirmed_decision_cannot_be_imported(campaign, cast):
    _decide(campaign, confirmed=False)
    with pytest.raises(ValidationError, match="尚未确认"):
        services.awards_import_decision(campaign=campaign, by=cast.staff)


def test_staff_may_confirm_an_award_by_hand_before_publicity(campaign, cast):
    application = ApplicationFactory(campaign=campaign)
    award = services.award_confirm(application=application, tier="优秀", rank=1, by=cast.staff)
    assert award.tier == "优秀" and award.status == Award.Status.ACTIVE
    with pytest.raises(ValidationError, match="奖项等级"):
        services.award_confirm(application=application, tier=" ", rank=1, by=cast.staff)
