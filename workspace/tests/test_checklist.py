"""The checklist at the top of the campaign page: what is missing before each phase, with where to fix it."""

import pytest
from django.urls import reverse

from awards.models import CertificateTemplate, Publicity
from cases.tests.factories import CampaignFactory
from reviews.models import ReviewSettings
from reviews.tests.factories import CriterionFactory, PanelMemberFactory
from workspace.selectors import campaign_checklist, campaign_for_workspace, review_summary

pytestmark = pytest.mark.django_db


def _items(campaign):
    campaign = campaign_for_workspace(slug=campaign.slug)
    groups = campaign_checklist(campaign=campaign, review=review_summary(campaign=campaign))
    return {(g.phase, item.text): item.url for g in groups for item in g.items}


def _texts(campaign):
    return {text for _, text in _items(campaign)}


def test_a_bare_campaign_lists_what_each_phase_is_missing_with_where_to_fix_it():
    campaign = CampaignFactory(description="", recommendation_closes_at=None, ceremony_at=None, is_published=False)
    items = _items(campaign)
    slug = {"slug": campaign.slug}
    assert items[("专家评审", "尚未设置评分指标，专家无法评分。")] == reverse("reviews:rubric", kwargs=slug)
    assert items[("专家评审", "评审组参与评审的专家 0 人，少于每个案例所需的 3 人。")] == reverse(
        "reviews:pool", kwargs=slug
    )
    assert items[("颁奖", "尚未保存证书模板（将使用默认模板）。")] == reverse("awards:campaign", kwargs=slug)
    assert items[("结果公示", "尚未填写公示的异议方式说明（将使用默认说明）。")] == reverse(
        "awards:campaign", kwargs=slug
    )
    assert items[("单位推荐", "须经单位推荐，但尚未设置单位推荐截止时间。")] == reverse(
        "workspace:timeline", kwargs=slug
    )
    assert items[("颁奖", "尚未设置颁奖时间。")] == reverse("workspace:timeline", kwargs=slug)
    assert items[("组织申报", "尚未填写活动说明，申报人不知道申报要求。")] == reverse("workspace:campaign", kwargs=slug)
    assert items[("组织申报", "评选活动尚未公开，申报人在门户上看不到。")] == reverse("workspace:publish", kwargs=slug)


def test_a_campaign_set_up_in_full_has_nothing_missing():
    campaign = CampaignFactory(description="说明")
    campaign.recommendation_closes_at = campaign.submission_closes_at
    campaign.formal_check_closes_at = campaign.submission_closes_at
    campaign.save()
    CriterionFactory(campaign=campaign)
    ReviewSettings.objects.create(campaign=campaign, reviewers_per_application=2)
    PanelMemberFactory.create_batch(2, campaign=campaign)
    CertificateTemplate.objects.create(campaign=campaign)
    Publicity.objects.create(campaign=campaign, how_to_object="实名提出")
    assert _texts(campaign) == set()


def test_inactive_experts_do_not_count_towards_the_panel():
    campaign = CampaignFactory()
    ReviewSettings.objects.create(campaign=campaign, reviewers_per_application=2)
    PanelMemberFactory(campaign=campaign)
    PanelMemberFactory(campaign=campaign, is_active=False)
    PanelMemberFactory(campaign=campaign, reviewer__is_active=False)
    assert "评审组参与评审的专家 1 人，少于每个案例所需的 2 人。" in _texts(campaign)


def test_no_recommendation_required_means_no_recommendation_date_is_missing():
    campaign = CampaignFactory(recommendation_required=False, recommendation_closes_at=None)
    assert not any("单位推荐" in text for text in _texts(campaign))


def test_the_checklist_is_shown_on_every_tab(client, cast):
    campaign = CampaignFactory()
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    for name in ("campaign", "timeline", "rules", "review", "awards", "reminders"):
        html = client.get(reverse(f"workspace:{name}", kwargs={"slug": campaign.slug})).content.decode()
        assert 'data-testid="workspace-checklist"' in html and "尚未设置评分指标" in html, name
