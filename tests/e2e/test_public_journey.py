"""The public's journey in Chromium, logged out and by links only: from the home page to the publicity page
(also through 评选活动 and the campaign page), lodge an objection; after publication, from the home page to
the 获奖名单. Screenshots at 1280 and 360 px go to var/screenshots/."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from awards.models import Objection
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.models import Campaign
from reviews.tests.factories import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The objection rate limits live in the cache (Redis in CI), which outlives the test database."""
    cache.clear()
    yield
    cache.clear()


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_public_reaches_publicity_and_results_from_the_home_page_by_links_only(
    page, live_server, cast, screenshot_dir
):
    campaign = publicity_campaign(slug="journey", title="2026年昆山市优秀社工案例评选")
    app_a = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, title="困境儿童成长陪伴个案"
    )
    app_b = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, title="社区老年人互助小组"
    )
    AwardFactory(campaign=campaign, application=app_a, rank=1, confirmed_by=cast.staff)
    AwardFactory(campaign=campaign, application=app_b, rank=2, confirmed_by=cast.staff)

    # During 公示: home → publicity page.
    page.goto(live_server.url + "/")
    card = page.get_by_test_id("open-campaign").filter(has_text=campaign.title)
    assert card.get_by_test_id("campaign-phase").inner_text() == "公示中"
    assert "还剩" in card.get_by_test_id("days-left").inner_text()
    _shots(page, f"{screenshot_dir}/journey-home-publicity")
    card.get_by_test_id("campaign-public-link").click()
    assert page.url.endswith(f"/awards/{campaign.slug}/publicity/")
    assert page.get_by_test_id("publicity-open").is_visible()
    assert page.get_by_test_id("objection-award-link").count() == 2  # each case links to the objection form
    _shots(page, f"{screenshot_dir}/journey-publicity-open")

    # The same page through 评选活动 and the campaign page.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="全部评选活动", exact=True).click()
    row = page.get_by_test_id("campaign-row").filter(has_text=campaign.title)
    assert "公示还剩" in row.get_by_test_id("publicity-days-left").inner_text()
    _shots(page, f"{screenshot_dir}/journey-campaign-list-publicity")
    row.get_by_role("link", name=campaign.title).click()
    assert "还剩" in page.get_by_test_id("publicity-days-left").inner_text()
    _shots(page, f"{screenshot_dir}/journey-campaign-publicity")
    page.get_by_test_id("campaign-public-box").get_by_role("link", name="提出异议").click()
    assert f"/awards/{campaign.slug}/publicity/" in page.url

    # Lodge an objection (the form has its own page, so the publicity list is served from the cache).
    _shots(page, f"{screenshot_dir}/journey-objection-form")
    page.fill("#id_name", "赵某某")
    page.fill("#id_phone", "13700002222")
    page.fill("#id_email", "objector@example.org")
    page.select_option("#id_award", index=2)
    page.fill("#id_reason", "该小组活动次数与案例描述不符，签到表显示只开展了两次活动，请予以核实。")
    page.click("[data-testid=objection-form] button[type=submit]")
    tracking = page.get_by_test_id("tracking-number").inner_text()
    assert Objection.objects.get(tracking_number=tracking).campaign_id == campaign.pk

    # The window ends and staff publish the results: home → 获奖名单.
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_at=now - dt.timedelta(days=4), publicity_ends_at=now - dt.timedelta(hours=1)
    )
    publish_results(campaign, cast.staff)
    page.goto(live_server.url + "/")
    assert "目前没有进行中的评选活动" in page.content()
    _shots(page, f"{screenshot_dir}/journey-home-results")
    page.get_by_test_id("results-by-year").get_by_role("link", name=f"{campaign.title}获奖名单").click()
    assert page.url.endswith(f"/awards/{campaign.slug}/results/")
    listed = page.get_by_test_id("award-list").inner_text()
    assert "困境儿童成长陪伴个案" in listed and "社区老年人互助小组" in listed
    _shots(page, f"{screenshot_dir}/journey-results")

    # And through 评选活动 → the campaign page → results.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="全部评选活动", exact=True).click()
    _shots(page, f"{screenshot_dir}/journey-campaign-list-results")
    page.get_by_test_id("campaign-row").filter(has_text=campaign.title).get_by_role("link", name=campaign.title).click()
    assert page.get_by_test_id("campaign-phase").inner_text() == "已公布"
    _shots(page, f"{screenshot_dir}/journey-campaign-results")
    page.get_by_test_id("campaign-public-link").click()
    assert page.url.endswith(f"/awards/{campaign.slug}/results/")
