"""The 淮安 station index end to end in Chromium: staff import the 7 / 27 / 67 index worth 150 from .xlsx
(preview first, then confirm), stations are scored, the ranking shows the part subtotals and the
区县汇总排名 splits the districts in thirds; screenshots at 1280 and 360 px."""

from decimal import Decimal

import pytest

from accounts.tests.factories import OrganisationFactory
from reviews import services
from reviews.models import Assignment, Criterion
from reviews.selectors import rubric_leaves, rubric_tree
from reviews.tests.factories import ApplicationFactory, ReviewerFactory, review_window_campaign
from reviews.tests.huaian import huaian_rows, xlsx_bytes

OPINION = "该社工站服务开展规范，资料齐全，建议进一步加强服务成效的评估与总结工作。"


def _shoot(page, screenshot_dir, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{screenshot_dir}/rubric-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=f"{screenshot_dir}/rubric-{name}-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_import_the_huaian_index_and_see_subtotals_and_the_county_thirds(
    page, live_server, login, cast, screenshot_dir, tmp_path
):
    campaign = review_window_campaign(slug="huaian-2026", title="淮安市社工站评估")
    bad = tmp_path / "有错误的指标.xlsx"
    bad.write_bytes(xlsx_bytes([["区县部分", "", "政策文件", "出台方案", "五", "", ""]]))
    good = tmp_path / "淮安社工站评价指标.xlsx"
    good.write_bytes(xlsx_bytes(huaian_rows()))
    login(page, cast.staff)

    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/rubric/")
    page.get_by_role("link", name="从 Excel 导入评分指标").click()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并预览").click()
    errors = page.get_by_test_id("import-errors")
    assert "第 2 行：缺少一级指标。" in errors.inner_text() and "第 2 行：分值“五”不是数字。" in errors.inner_text()
    assert not Criterion.objects.filter(campaign=campaign).exists()

    page.set_input_files("#id_file", str(good))
    page.fill("#id_stated_max", "150")
    page.get_by_role("button", name="上传并预览").click()
    assert "一级指标 7 项、二级指标 27 项、三级指标 67 项" in page.get_by_test_id("import-preview-ok").inner_text()
    _shoot(page, screenshot_dir, "import-preview")
    page.get_by_test_id("import-confirm").click()
    assert "评分指标已导入：共 101 项。" in page.content()
    assert "区县部分 50 分（按县区整体评价）；站点部分 100 分" not in page.content()  # not yet once per group
    assert "区县部分 50 分；站点部分 100 分" in page.get_by_test_id("rubric-part-totals").inner_text()
    _shoot(page, screenshot_dir, "page")

    # Six stations in three districts, scored by two experts (each point at a share that differs by district).
    leaves = rubric_leaves(rubric_tree(campaign))
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    for district, share in (("清江浦区", Decimal("0.9")), ("淮阴区", Decimal("0.6")), ("洪泽区", Decimal("0.8"))):
        organisation = OrganisationFactory(district=district)
        for _ in range(2):
            app = ApplicationFactory(campaign=campaign, organisation=organisation)
            for reviewer in reviewers:
                services.review_save(
                    assignment=Assignment.objects.create(application=app, reviewer=reviewer),
                    leaves=leaves,
                    points={leaf.pk: (leaf.max_points * share * 2).quantize(Decimal("1")) / 2 for leaf in leaves},
                    opinion=OPINION,
                    submit=True,
                )

    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/ranking/")
    assert page.locator("[data-testid=part-column]").all_inner_texts() == ["区县部分小计", "站点部分小计"]
    assert page.locator("[data-testid=part-subtotal]").count() == 12
    _shoot(page, screenshot_dir, "ranking")
    page.get_by_test_id("rollup-link").click()
    assert page.locator("[data-testid=rollup-result]").all_inner_texts() == ["优秀", "合格", "整改"]
    rows = page.locator("[data-testid=rollup-table] tbody tr").all_inner_texts()
    assert [row.split("\t")[1] for row in rows] == ["清江浦区", "洪泽区", "淮阴区"]
    _shoot(page, screenshot_dir, "rollup")

    # A reviewer's form: each part's subtotal follows the points as they are typed.
    station = ApplicationFactory(campaign=campaign, organisation=OrganisationFactory(district="淮安区"))
    Assignment.objects.create(application=station, reviewer=cast.reviewer)
    page.context.clear_cookies()
    login(page, cast.reviewer)
    page.goto(f"{live_server.url}/reviews/cases/{station.pk}/")
    county = page.locator("[data-testid=part-subtotals] strong").first
    assert county.inner_text() == "0"
    page.fill(f"#id_c{leaves[0].pk}", "2")
    page.fill(f"#id_c{leaves[1].pk}", "1.5")
    assert county.inner_text() == "3.5"
    assert page.locator("[data-testid=part-heading]").all_inner_texts() == [
        "区县部分（满分 50 分）",
        "站点部分（满分 100 分）",
    ]
    _shoot(page, screenshot_dir, "scoring")
