from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from reviews import selectors, services
from reviews.models import AwardDecision, ReviewSettings
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ReviewFactory,
    review_window_campaign,
    tiers_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    settings_row = selectors.review_settings_get(campaign=campaign)
    tiers_set(campaign, [{"name": "一等奖", "by": "count", "value": 1}, {"name": "二等奖", "by": "count", "value": 1}])
    settings_row.reviewers_per_application = 1  # every case below has all the reviews it needs
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


def test_staff_save_the_review_settings_without_any_tier_field(client, cast):
    """The tiers left the settings form for their own page (reviews:tiers, test_tier_rows.py)."""
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
    response = client.get(url)
    assert 'name="tiers"' not in response.content.decode()
    assert reverse("reviews:tiers", kwargs={"slug": campaign.slug}) in response.content.decode()
    assert client.post(url, base).status_code == 302
    saved = ReviewSettings.objects.get(campaign=campaign)
    assert saved.ranking_method == "trimmed" and saved.reviewers_per_application == 5


@pytest.fixture
def two_of_three(cast):
    """A campaign needing three reviews per case: `full` has three submitted, `short` two of three (the third
    expert's assignment has no submitted review)."""
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    full, short = ApplicationFactory(campaign=campaign), ApplicationFactory(campaign=campaign)
    for total in (90, 85, 80):
        ReviewFactory(assignment=AssignmentFactory(application=full), total=Decimal(total))
    for total in (95, 94):
        ReviewFactory(assignment=AssignmentFactory(application=short), total=Decimal(total))
    late = AssignmentFactory(application=short)
    return campaign, full, short, late


def test_the_ranking_marks_a_case_with_two_of_three_reviews_as_incomplete(two_of_three, client, cast):
    from django.urls import reverse

    campaign, full, short, _late = two_of_three
    result = selectors.ranking(campaign)
    assert [(app, agg.count, agg.expected) for app, agg in result.incomplete] == [(short, 2, 3)]
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-incomplete="1"') == 1 and "2/3" in page and "评审未完成" in page
    assert 'data-testid="decision-incomplete"' in page and short.reference in page


def test_confirming_with_a_missing_review_is_refused_and_lists_the_case(two_of_three, cast):
    campaign, _full, short, _late = two_of_three
    with pytest.raises(ValidationError, match=f"{short.reference}（2/3）"):
        services.decision_confirm(campaign=campaign, by=cast.staff)
    with pytest.raises(ValidationError):
        services.decision_confirm(campaign=campaign, by=cast.staff, incomplete_reason="   ")
    assert not ReviewSettings.objects.filter(campaign=campaign, decision_confirmed_at__isnull=False).exists()
    assert not AwardDecision.objects.filter(application__campaign=campaign).exists()


def test_confirming_with_a_missing_review_and_a_reason_is_audited_with_the_case(two_of_three, cast):
    campaign, _full, short, _late = two_of_three
    services.decision_confirm(campaign=campaign, by=cast.staff, incomplete_reason="第三位专家因病无法完成评审")
    assert ReviewSettings.objects.get(campaign=campaign).decision_confirmed_at is not None
    event = AuditEvent.objects.get(detail__startswith="确认评审结果")
    assert "第三位专家因病无法完成评审" in event.detail and f"{short.reference}（2/3）" in event.detail


def test_confirming_after_a_reassignment_needs_no_reason(two_of_three, cast):
    campaign, _full, short, late = two_of_three
    services.assignment_remove(assignment=late, by=cast.staff)
    assert selectors.ranking(campaign).incomplete  # still 2 of the 3 the campaign asks for
    ReviewFactory(assignment=AssignmentFactory(application=short), total=Decimal("70"))
    assert selectors.ranking(campaign).incomplete == []
    services.decision_confirm(campaign=campaign, by=cast.staff)
    assert ReviewSettings.objects.get(campaign=campaign).decision_confirmed_at is not None


def test_the_ranking_page_sends_the_reason_with_the_confirmation(two_of_three, client, cast):
    from django.urls import reverse

    campaign, *_ = two_of_three
    client.force_login(cast.staff)
    url = reverse("reviews:decision_confirm", kwargs={"slug": campaign.slug})
    client.post(url)
    assert not ReviewSettings.objects.filter(campaign=campaign, decision_confirmed_at__isnull=False).exists()
    client.post(url, {"incomplete_reason": "专家联系不上，评审委员会同意按两份评审确认"})
    assert ReviewSettings.objects.get(campaign=campaign).decision_confirmed_at is not None
