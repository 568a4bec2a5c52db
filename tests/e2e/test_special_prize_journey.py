"""Journey (c) of issue #10 in Chromium: staff enter the graded tiers as rows, configure 项目创新奖, give it with
a reason to the case the ranking puts first (一等奖), confirm, run the publicity window, publish; the case gets
two certificates with two numbers and its applicant sees both. Screenshots at 1280 and 360 px go to
var/screenshots/."""

from decimal import Decimal

import pytest

from awards.models import Award, Certificate
from reviews import selectors, services
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, ReviewFactory, review_window_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_case_holds_yidengjiang_and_xiangmu_chuangxinjiang_and_gets_two_certificates(
    page, live_server, cast, login, screenshot_dir
):
    campaign = review_window_campaign(slug="jinjiang-prizes", title="2026年晋江市社会工作服务项目评选")
    services.rubric_ensure(campaign=campaign)
    settings_row = selectors.review_settings_get(campaign=campaign)
    settings_row.reviewers_per_application = 1
    settings_row.save()
    app_a = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, title="困境儿童成长陪伴项目"
    )
    app_b = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, title="社区老年人互助小组"
    )
    for app, total in ((app_a, 92), (app_b, 81)):
        ReviewFactory(assignment=AssignmentFactory(application=app), total=Decimal(total))
    base = f"{live_server.url}/reviews/manage/{campaign.slug}"

    login(page, cast.staff)

    # 奖项等级 as rows: the default row becomes 一等奖 (1 place), a second row 二等奖 (1 place).
    page.goto(f"{base}/tiers/")
    page.fill("#id_tiers-0-name", "一等奖")
    page.select_option("#id_tiers-0-by", "count")
    page.fill("#id_tiers-0-value", "1")
    page.fill("#id_tiers-1-ORDER", "2")
    page.fill("#id_tiers-1-name", "二等奖")
    page.select_option("#id_tiers-1-by", "count")
    page.fill("#id_tiers-1-value", "1.5")  # a bad cell first: answered beside it, nothing saved
    page.get_by_test_id("tiers-save").click()
    assert "名额应为 1 到" in page.locator("[data-row='1'] [data-field=value]").inner_text()
    assert page.input_value("#id_tiers-1-name") == "二等奖"  # what staff typed is kept
    _shots(page, f"{screenshot_dir}/special-journey-tiers-error")
    page.fill("#id_tiers-1-value", "1")
    page.get_by_test_id("tiers-save").click()
    assert "奖项等级已保存" in page.content()
    _shots(page, f"{screenshot_dir}/special-journey-tiers")

    # 单项奖设置: 项目创新奖.
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/special-prizes/")
    page.fill("#id_prizes-0-name", "项目创新奖")
    page.fill("#id_prizes-0-description", "服务模式有创新、可复制推广的项目")
    page.get_by_test_id("prizes-save").click()
    assert "单项奖已保存" in page.content()
    _shots(page, f"{screenshot_dir}/special-journey-prizes")

    # The ranking: app A is suggested 一等奖; staff give it 项目创新奖 with a reason, then confirm.
    page.goto(f"{base}/ranking/")
    row = page.get_by_test_id("ranking-table").locator("tr").filter(has_text=app_a.title)
    assert "一等奖" in row.inner_text()
    give = page.get_by_test_id(f"special-prize-give-{app_a.pk}")
    give.locator("summary").click()
    give.locator("select[name=prize]").select_option(label="项目创新奖")
    give.locator("input[name=reason]").fill("“五社联动”服务模式新颖，已在三个社区推广")
    give.get_by_role("button", name="授予").click()
    assert "已授予单项奖“项目创新奖”" in page.content()
    assert "项目创新奖" in page.get_by_test_id(f"special-prizes-{app_a.pk}").inner_text()
    _shots(page, f"{screenshot_dir}/special-journey-ranking")
    page.get_by_test_id("decision-confirm").click()
    assert page.get_by_test_id("decision-confirmed").is_visible()

    # The publicity list: imported, opened by hand (its page shows the 单项奖 section), closed, published.
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_role("button", name="导入专家评审确认的评审结果").click()
    page.get_by_role("button", name="手动开启公示").click()
    page.goto(f"{live_server.url}/awards/{campaign.slug}/publicity/")
    assert "一等奖" in page.get_by_test_id("award-list").inner_text()
    assert "项目创新奖" in page.get_by_test_id("special-prize-list").inner_text()
    _shots(page, f"{screenshot_dir}/special-journey-publicity")
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_role("button", name="手动关闭公示").click()
    page.get_by_test_id("publish-results").click()
    assert "获奖名单已发布" in page.content()
    _shots(page, f"{screenshot_dir}/special-journey-console")

    # Two certificates with two numbers for app A (issued when the results were published).
    certificates = list(Certificate.objects.filter(award__application=app_a).select_related("award__special_prize"))
    assert sorted(c.award.tier for c in certificates) == ["一等奖", "项目创新奖"]
    numbers = {c.number for c in certificates}
    assert len(numbers) == 2
    assert Award.objects.filter(application=app_a).count() == 2

    # The public results page lists the prize in its own section.
    page.goto(f"{live_server.url}/awards/{campaign.slug}/results/")
    assert "项目创新奖" in page.get_by_test_id("special-prize-list").inner_text()
    _shots(page, f"{screenshot_dir}/special-journey-results")

    # The applicant sees both awards and both certificates on their page.
    page.context.clear_cookies()
    login(page, cast.applicant_a)
    page.goto(f"{live_server.url}/awards/my/")
    mine = page.get_by_test_id("my-results").inner_text()
    assert "一等奖" in mine and "单项奖：项目创新奖" in mine.replace("\n", "")
    for number in numbers:
        assert number in mine
    _shots(page, f"{screenshot_dir}/special-journey-my-results")
