"""公开 / 取消公开 from the workspace: a confirmation page under 基本信息, refused while the 组织申报 items of the
checklist are missing (each named), audited, and the public campaign page follows at once."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEvent
from cases.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(campaign, name="workspace:publish"):
    return reverse(name, kwargs={"slug": campaign.slug})


def test_the_basics_tab_and_the_checklist_link_to_the_publish_page(staff_client):
    campaign = CampaignFactory(is_published=False, description="说明")
    html = staff_client.get(_url(campaign, "workspace:campaign")).content.decode()
    assert f'href="{_url(campaign)}" data-testid="publish-link"' in html
    assert "评选活动尚未公开，申报人在门户上看不到。" in html
    assert 'name="is_published"' not in html  # no checkbox that would publish without the checks
    assert "组织申报（未公开）" in html


def test_the_page_asks_for_a_confirmation_and_says_applicants_may_apply_now(staff_client):
    campaign = CampaignFactory(is_published=False, description="说明")
    response = staff_client.get(_url(campaign))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="publish-confirm"' in html and "申报人即可在门户上申报" in html
    campaign.refresh_from_db()  # a GET changes nothing
    assert not campaign.is_published


def test_publishing_is_audited_and_the_public_page_shows_it_open(staff_client, cast):
    campaign = CampaignFactory(is_published=False, description="说明")
    response = staff_client.post(_url(campaign), {"action": "publish"}, follow=True)
    assert response.redirect_chain[-1][0] == _url(campaign, "workspace:campaign")
    assert "评选活动已公开。" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.is_published
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(campaign.pk))
    assert event.user == cast.staff and event.detail == "评选活动工作台·基本信息：公开评选活动"
    public = staff_client.get(campaign.get_absolute_url()).content.decode()
    assert 'data-testid="apply-button"' in public


def test_publishing_is_refused_naming_each_missing_submission_item(staff_client):
    campaign = CampaignFactory(is_published=False, description=" ", categories=[])
    page = staff_client.get(_url(campaign)).content.decode()
    assert 'data-testid="publish-confirm"' not in page and "暂不能公开" in page
    assert "尚未填写活动说明" in page and "尚未设置案例领域或开放的案例类别" in page
    assert _url(campaign, "workspace:rules") in page

    response = staff_client.post(_url(campaign), {"action": "publish"}, follow=True)
    html = response.content.decode()
    assert "公开前须先处理：尚未填写活动说明，申报人不知道申报要求。" in html
    assert "公开前须先处理：尚未设置案例领域或开放的案例类别。" in html
    campaign.refresh_from_db()
    assert not campaign.is_published
    assert not AuditEvent.objects.filter(object_id=str(campaign.pk), kind=AuditEvent.Kind.ADMIN_CHANGE).exists()


def test_unpublishing_takes_it_off_the_portal_for_visitors_at_once(staff_client, client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    campaign = CampaignFactory(description="说明")
    anonymous = client.__class__()
    assert anonymous.get(campaign.get_absolute_url()).status_code == 200  # now in the visitors' cache
    page = staff_client.get(_url(campaign)).content.decode()
    assert 'data-testid="unpublish-confirm"' in page
    response = staff_client.post(_url(campaign), {"action": "unpublish"}, follow=True)
    assert "已取消公开" in response.content.decode()
    campaign.refresh_from_db()
    assert not campaign.is_published
    assert AuditEvent.objects.get(object_id=str(campaign.pk)).detail == "评选活动工作台·基本信息：取消公开评选活动"
    assert anonymous.get(campaign.get_absolute_url()).status_code == 404


def test_publishing_twice_changes_nothing_the_second_time(staff_client):
    campaign = CampaignFactory(is_published=False, description="说明")
    staff_client.post(_url(campaign), {"action": "publish"})
    response = staff_client.post(_url(campaign), {"action": "publish"}, follow=True)
    assert "评选活动本来就是公开的。" in response.content.decode()
    assert AuditEvent.objects.filter(object_id=str(campaign.pk)).count() == 1


def test_a_post_without_an_action_changes_nothing(staff_client):
    campaign = CampaignFactory(is_published=False, description="说明")
    response = staff_client.post(_url(campaign), {})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.is_published


@pytest.mark.parametrize("preset", ["project_call", "station_evaluation"])
def test_a_campaign_with_its_own_form_publishes_without_case_categories(staff_client, preset):
    """A project call or a station evaluation has no 案例类别 (its form has none): publishing was refused for ever
    with "尚未设置案例领域或开放的案例类别", whatever staff did on the rules tab."""
    from cases.presets import preset_apply

    campaign = CampaignFactory(is_published=False, description="说明")
    preset_apply(campaign=campaign, key=preset)
    campaign.save()
    assert campaign.categories == []
    page = staff_client.get(_url(campaign)).content.decode()
    assert "尚未设置案例领域或开放的案例类别" not in page and 'data-testid="publish-confirm"' in page
    response = staff_client.post(_url(campaign), {"action": "publish"}, follow=True)
    assert "评选活动已公开。" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.is_published
