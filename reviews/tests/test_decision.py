import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from reviews import selectors, services
from reviews.models import AwardDecision, ReviewSettings
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, ReviewFactory, review_window_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    settings_row = services.review_settings_get(campaign=campaign)
    settings_row.tiers = [{"name": "一等奖", "by": "count", "value": 1}, {"name": "二等奖", "by": "count", "value": 1}]
    settings_row.save()
    apps = []
    for total in (90, 80, 70):
        app = ApplicationFactory(campaign=campaign)
        ReviewFactory(assignment=AssignmentFactory(application=app), total=Decimal(total))
        apps.append(app)
    return campaign, apps


def test_staff_see_suggested_tiers_and_change_one_with_a_reason(ranked, cast):
    campaign, (first, second, third) = ranked
    assert [agg.final_tier for _a, agg, _p in selectors.ranking(campaign).rows] == ["一等奖", "二等奖", ""]
    with pytest.raises(ValidationError):
        services.tier_override(application=third, tier="二等奖", reason="", by=cast.staff)
    with pytest.raises(ValidationError):
        services.tier_override(application=third, tier="特等奖", reason="x", by=cast.staff)
    services.tier_override(application=third, tier="二等奖", reason="异议复核后维持加分", by=cast.staff)
    rows = selectors.ranking(campaign).rows
    assert [agg.final_tier for _a, agg, _p in rows] == ["一等奖", "二等奖", "二等奖"]
    assert rows[2][1].tier == "" and rows[2][1].override.reason == "异议复核后维持加分"
    assert AuditEvent.objects.filter(detail__contains="异议复核后维持加分").exists()


def test_confirming_records_the_decision_list_once_and_freezes_the_tiers(ranked, cast):
    campaign, (first, second, third) = ranked
    assert not selectors.decision_list(campaign).exists()
    services.tier_override(application=second, tier="", reason="材料存在抄袭嫌疑", by=cast.staff)
    assert services.decision_confirm(campaign=campaign, by=cast.staff) == 1
    listed = list(selectors.decision_list(campaign))
    assert [(d.application, d.rank, d.tier) for d in listed] == [(first, 1, "一等奖")]
    skipped = AwardDecision.objects.get(application=second)
    assert (skipped.suggested_tier, skipped.tier, skipped.rank, skipped.score) == ("二等奖", "", 2, Decimal("80.00"))
    assert ReviewSettings.objects.get(campaign=campaign).decision_confirmed_by == cast.staff
    with pytest.raises(ValidationError, match="已确认"):
        services.decision_confirm(campaign=campaign, by=cast.staff)
    with pytest.raises(ValidationError, match="已确认"):
        services.tier_override(application=third, tier="一等奖", reason="x", by=cast.staff)


def test_staff_set_huaian_thirds_in_the_settings_and_a_malformed_tier_is_refused_beside_the_field(client, cast):
    from django.urls import reverse

    campaign = review_window_campaign()
    client.force_login(cast.staff)
    url = reverse("reviews:settings", kwargs={"slug": campaign.slug})
    base = {
        "reviewers_per_application": 5,
        "ranking_method": "trimmed",
        "disagreement_threshold": "15",
        "opinion_min_chars": 50,
    }
    response = client.post(url, {**base, "tiers": '[{"name": "优秀", "by": "lottery", "value": 1}]'})
    assert response.status_code == 200 and "by 为 count、fraction 或 threshold" in response.content.decode()
    thirds = json.dumps([{"name": n, "by": "fraction", "value": 1 / 3} for n in ("优秀", "合格", "整改")])
    assert client.post(url, {**base, "tiers": thirds}).status_code == 302
    saved = ReviewSettings.objects.get(campaign=campaign)
    assert saved.ranking_method == "trimmed" and [t["name"] for t in saved.tiers] == ["优秀", "合格", "整改"]
