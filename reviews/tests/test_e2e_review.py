"""The expert review end to end in Chromium: formal check, automatic assignment, blind scoring with
"submit and next", and the ranking, with screenshots at 1280 and 360 px."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Application
from reviews import services
from reviews.models import Assignment, Review
from reviews.tests.factories import (
    ApplicationFactory,
    PanelMemberFactory,
    ReviewerProfileFactory,
    review_window_campaign,
)


def _shoot(page, screenshot_dir, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{screenshot_dir}/reviews-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=f"{screenshot_dir}/reviews-{name}-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _switch(page, login, user):
    page.context.clear_cookies()
    login(page, user)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_check_and_assign_a_reviewer_scores_blind_and_staff_see_the_ranking(
    page, live_server, login, cast, screenshot_dir
):
    campaign = review_window_campaign(blind_review=True, recommendation_required=True, slug="ks-3")
    services.rubric_ensure(campaign=campaign)
    recommended = Application.Status.RECOMMENDED
    mine = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        status=recommended,
        title="困境儿童成长陪伴个案",
        applicant_name="张敏",
        phone="13712345678",
        background="张敏在阳光社会工作服务中心接案，服务对象为一名留守儿童。",
    )
    other = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_b,
        organisation=cast.org_b,
        status=recommended,
        title="社区长者互助小组",
    )
    weak = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_b,
        organisation=cast.org_b,
        status=recommended,
        title="照片不全的案例",
    )
    PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory(user=cast.reviewer).user)
    PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory(user=cast.reviewer_unassigned).user)
    PanelMemberFactory(
        campaign=campaign,
        reviewer=ReviewerProfileFactory(user=cast.reviewer_conflicted, organisation=cast.org_a.name).user,
    )
    PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory().user)

    # Staff: the formal check — accept two, return one.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/formal-check/")
    _shoot(page, screenshot_dir, "formal-check")
    page.locator(f"[data-testid=formal-check-{mine.pk}] button[value=accept]").click()
    page.locator(f"[data-testid=formal-check-{other.pk}] button[value=accept]").click()
    card = page.locator(f"[data-testid=formal-check-{weak.pk}]")
    card.locator("input[name=reason]").fill("服务照片不足三张，请补充后重新提交。")
    until = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    card.locator("input[name=resubmit_until]").fill(until)
    card.locator("button[value=return]").click()
    assert "已退回修改" in page.content()
    statuses = dict(Application.objects.filter(campaign=campaign).values_list("title", "status"))
    assert statuses == {
        "困境儿童成长陪伴个案": "accepted",
        "社区长者互助小组": "accepted",
        "照片不全的案例": "returned",
    }

    # Automatic assignment: the reviewer from the applicant's organisation is not assigned.
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/assignments/")
    page.click("[data-testid=assign-auto]")
    row = page.locator(f"[data-testid=assignment-row-{mine.pk}]")
    assert cast.reviewer_conflicted.name in row.locator("td").nth(2).inner_text()  # listed under 回避
    assert cast.reviewer_conflicted.name not in row.locator("td").nth(1).inner_text()
    assert not Assignment.objects.filter(application=mine, reviewer=cast.reviewer_conflicted).exists()
    assert Assignment.objects.filter(reviewer=cast.reviewer).count() == 2
    _shoot(page, screenshot_dir, "assignments")
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/ranking/")
    assert "陈教授" not in page.locator("[data-testid=ranking-table]").inner_text()

    # The reviewer sees only their queue and scores blind, with "submit and next".
    _switch(page, login, cast.reviewer)
    page.click("[data-testid=nav-reviewer]")
    assert page.locator("[data-testid=queue-assigned] li").count() == 2
    _shoot(page, screenshot_dir, "queue")
    page.locator("[data-testid=queue-assigned] a").first.click()
    text = page.inner_text("body")
    for identifying in ("张敏", cast.org_a.name, "13712345678", cast.applicant_a.email):
        assert identifying not in text
    _shoot(page, screenshot_dir, "case-blind")
    first_url = page.url
    for points in (("18", "26.5", "17", "25"), ("15", "22", "16", "20")):
        inputs = page.locator("[data-testid=score-form] input[type=number]")
        for i, value in enumerate(points):
            inputs.nth(i).fill(value)
        page.fill(
            "textarea[name=opinion]", "案例服务过程记录详实，专业方法运用得当，评估部分建议补充服务对象的反馈数据。"
        )
        page.click("[data-testid=submit-next]")
        page.wait_for_load_state()
        if page.url == first_url:
            pytest.fail(page.inner_text("main"))
    assert "已全部评审完毕" in page.content()
    assert page.locator("[data-testid=queue-done] li").count() == 2
    assert sorted(Review.objects.filter(assignment__reviewer=cast.reviewer).values_list("total", flat=True)) == [
        73,
        86.5,
    ]

    # Staff see the reviewer's totals in the ranking.
    _switch(page, login, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/ranking/")
    table = page.locator("[data-testid=ranking-table]").inner_text()
    assert "陈教授 86.50" in table or "陈教授 73.00" in table
    first_row = page.locator("[data-testid=ranking-table] tbody tr").first.inner_text()
    assert first_row.startswith("1")
    _shoot(page, screenshot_dir, "ranking")
    # One review of the three the campaign asks for: both cases are marked, and confirming needs a reason.
    assert page.locator("[data-testid=ranking-table] tr[data-incomplete]").count() == 2
    page.click("[data-testid=decision-incomplete] summary")
    assert "1/3" in page.locator("[data-testid=decision-incomplete]").inner_text()
    _shoot(page, screenshot_dir, "ranking-incomplete")
    page.fill("#incomplete-reason", "本次演练只分配了一位评审专家，评审委员会同意按现有评审确认。")
    page.click("[data-testid=decision-confirm]")
    assert page.locator("[data-testid=decision-confirmed]").is_visible()
    assert "1 个案例获奖" in page.content()  # the default: 优秀 for the top 30 % (of 2, rounded: 1)

    # The score sheet is built by a background job (eager here): its page shows the bar, then the download.
    page.click("[data-testid=score-sheet]")
    page.wait_for_selector("[data-testid=export-download]:not(.d-none)")
    assert page.inner_text("[data-testid=export-bar]") == "100%"
    _shoot(page, screenshot_dir, "score-sheet-job")
    with page.expect_download() as download:
        page.click("[data-testid=export-download]")
    assert download.value.suggested_filename.endswith("评分汇总表.xlsx")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_pages_for_the_pool_rubric_and_settings_render_at_both_widths(
    page, live_server, login, cast, screenshot_dir
):
    from reviews.tests.factories import deep_rubric

    campaign = review_window_campaign(slug="ks-pages")
    deep_rubric(campaign)
    ReviewerProfileFactory(user=cast.reviewer, organisation="苏州大学社会学院", expertise=["医务社工", "老龄事业"])
    PanelMemberFactory(campaign=campaign, reviewer=cast.reviewer)
    login(page, cast.staff)
    page.goto(f"{live_server.url}/accounts/manage/")
    assert "专家评审" in page.inner_text("[data-testid=manage-sections]")
    page.goto(f"{live_server.url}/reviews/manage/")
    _shoot(page, screenshot_dir, "manage")
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/experts/")
    page.fill("#id_name", "孙教授")
    page.fill("#id_email", "not-an-email")
    page.click("form[novalidate] button")
    assert "请输入有效的电子邮箱" in page.content()
    assert page.input_value("#id_name") == "孙教授"
    _shoot(page, screenshot_dir, "pool")
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/rubric/")
    assert "所有类别（合计 150 分）" in page.content()
    _shoot(page, screenshot_dir, "rubric")
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/settings/")
    _shoot(page, screenshot_dir, "settings")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/reviews/invitation/MQ/spent-token/")
    _shoot(page, screenshot_dir, "invitation-invalid")
