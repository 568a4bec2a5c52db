"""导入评分指标 from .xlsx: a preview with a message per bad row, nothing written before the confirmation and
nothing half-written by it; the 淮安 150-point index; export → import gives the same rubric."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from reviews import services
from reviews.models import Criterion, RubricPart
from reviews.rubric_xlsx import HEADER, TOTAL_COLUMN, rubric_export_bytes, rubric_rows_check, rubric_rows_read
from reviews.selectors import rubric_max_total, rubric_part_totals, rubric_parts, rubric_tree
from reviews.tests.factories import ReviewFactory, ScoreFactory, review_window_campaign
from reviews.tests.huaian import COUNTY, STATION, huaian_rows, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _check(rows, **kwargs):
    return rubric_rows_check(rubric_rows_read(io.BytesIO(xlsx_bytes(rows))), **kwargs)


def _preview(client, campaign, data: bytes, stated_max=""):
    url = reverse("reviews:rubric_import", kwargs={"slug": campaign.slug})
    return client.post(url, {"file": upload(data), "stated_max": stated_max})


def _signed_plan(response) -> str:
    return response.context["signed"]


def _levels(campaign) -> list[int]:
    tree = rubric_tree(campaign)
    return [sum(1 for c in tree if c.depth == d) for d in range(3)]


def test_the_huaian_index_imports_with_7_27_67_points_worth_150_in_two_parts(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    response = _preview(client, campaign, xlsx_bytes(huaian_rows()), stated_max="150")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="import-preview-ok"' in page
    assert "一级指标 7 项、二级指标 27 项、三级指标 67 项" in page
    assert "合计 150 分（区县部分 50 分、站点部分 100 分）" in page
    assert not Criterion.objects.filter(campaign=campaign).exists()  # the preview writes nothing

    confirmed = client.post(
        reverse("reviews:rubric_import_confirm", kwargs={"slug": campaign.slug}), {"plan": _signed_plan(response)}
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("reviews:rubric", args=[campaign.slug])
    assert _levels(campaign) == [7, 27, 67]
    tree = rubric_tree(campaign)
    assert rubric_max_total(tree) == Decimal("150")
    parts = rubric_parts(campaign)
    assert [(p.name, total) for p, total in rubric_part_totals(tree, parts)] == [
        (COUNTY, Decimal("50")),
        (STATION, Decimal("100")),
    ]
    assert [c.name for c in tree if c.depth == 0] == [
        "政策支持",
        "组织管理",
        "硬件条件",
        "服务团队",
        "制度建设",
        "服务开展",
        "服务成效",
    ]
    assert AuditEvent.objects.filter(
        detail__startswith="导入评分指标：1级 7 项、2级 27 项、3级 67 项，合计 150 分"
    ).exists()


def test_each_bad_row_is_named_and_nothing_is_written(client, cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    before = list(Criterion.objects.filter(campaign=campaign).values_list("pk", "name"))
    rows = [
        [COUNTY, "政策支持", "政策文件", "出台实施方案", 5, "", 5],  # line 2: good
        [COUNTY, "政策支持", "政策文件", "出台实施方案", 5, "", 5],  # line 3: duplicate of line 2
        [COUNTY, "", "经费保障", "列入财政预算", 5, "", ""],  # line 4: no level-1
        [STATION, "服务开展", "", "开展个案服务", 5, "", ""],  # line 5: level-3 without level-2
        [STATION, "服务开展", "小组服务", "", "十", "", ""],  # line 6: points not a number
        [STATION, "服务成效", "满意度", "", 5, "", 20],  # line 7: 服务成效 states 20, its leaves make 5
    ]
    client.force_login(cast.staff)
    response = _preview(client, campaign, xlsx_bytes(rows))
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and "未导入任何指标" in page
    assert "第 3 行：与第 2 行重复：同一上级指标下已有“出台实施方案”。" in page
    assert "第 4 行：缺少一级指标。" in page
    assert "第 5 行：填写了三级指标，但缺少二级指标。" in page
    assert "第 6 行：分值“十”不是数字。" in page
    assert "第 7 行：一级指标“服务成效”各打分项合计 5 分，与所填一级指标分值 20 分不符。" in page
    assert "第 2 行" not in page.replace("与第 2 行", "")  # the good row has no message
    assert "signed" not in response.context and 'name="plan"' not in page  # no confirmation offered
    assert list(Criterion.objects.filter(campaign=campaign).values_list("pk", "name")) == before


def test_a_level_1_indicator_in_two_parts_and_a_leaf_with_children_are_refused():
    check = _check(
        [
            [COUNTY, "政策支持", "政策文件", "", 5, "", ""],
            [STATION, "政策支持", "经费保障", "", 5, "", ""],
            [COUNTY, "政策支持", "政策文件", "出台实施方案", 5, "", ""],
        ]
    )
    assert check.row_errors == {
        3: ["一级指标“政策支持”在第 2 行属于“区县部分”，此行为“站点部分”。"],
        4: ["“政策文件”在第 2 行是打分项，不能再有下级指标。"],
    }


def test_a_file_total_unlike_the_stated_maximum_is_refused():
    rows = [[*row[:6], ""] for row in huaian_rows()[:-1]]  # no level-1 totals: only the file total is checked
    check = _check(rows, stated_max=Decimal("150"))
    assert not check.ok
    assert check.errors == ["全部打分项合计 146.5 分，与本评选活动规定的满分 150 分不符。"]


def test_the_service_refuses_rows_with_a_problem_and_writes_nothing():
    campaign = review_window_campaign()
    rows = _check([[COUNTY, "A", "", "", 5, "", ""], [COUNTY, "A", "", "", 6, "", ""]]).rows
    with pytest.raises(ValidationError) as error:
        services.rubric_import(campaign=campaign, rows=rows, by=None)
    assert "第 3 行：与第 2 行重复：同一上级指标下已有“A”。" in error.value.messages
    assert not Criterion.objects.filter(campaign=campaign).exists()
    assert not RubricPart.objects.filter(campaign=campaign).exists()


def test_a_file_that_is_not_a_spreadsheet_or_has_another_header_gets_one_message():
    assert rubric_rows_read(io.BytesIO(b"%PDF-1.4 not a sheet")).errors == [
        "无法读取该文件，请使用下载的模板填写后另存为 .xlsx 文件。"
    ]
    other = rubric_rows_read(io.BytesIO(xlsx_bytes([["a"]], header=["指标", "分值"])))
    assert other.errors and other.errors[0].startswith("表头应为：部分 | 一级指标")


def test_a_two_level_rubric_leaves_level_3_empty_and_the_total_column_is_optional():
    check = _check(
        [
            ["", "专业性", "理论依据", "", 10, "说明一"],
            ["", "专业性", "技巧运用", "", 15, ""],
            ["", "示范性", "", "", 25, ""],
        ]
    )
    assert check.ok
    campaign = review_window_campaign()
    services.rubric_import(campaign=campaign, rows=check.rows, by=None)
    tree = rubric_tree(campaign)
    assert [(c.depth, c.name, c.rolled_max) for c in tree] == [
        (0, "专业性", Decimal("25")),
        (1, "理论依据", Decimal("10")),
        (1, "技巧运用", Decimal("15")),
        (0, "示范性", Decimal("25")),
    ]
    assert tree[1].description == "说明一" and not rubric_parts(campaign)


def test_importing_into_a_rubric_that_has_scores_is_refused(client, cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    review = ReviewFactory(assignment__application__campaign=campaign)
    ScoreFactory(review=review, criterion=campaign.criteria.first())
    rows = _check(huaian_rows()).rows
    with pytest.raises(ValidationError, match="已有专家评分，不能再导入评分指标。"):
        services.rubric_import(campaign=campaign, rows=rows, by=cast.staff)
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:rubric_import", kwargs={"slug": campaign.slug})).content.decode()
    assert 'data-testid="import-locked"' in page
    assert Criterion.objects.filter(campaign=campaign).count() == 4


def test_export_then_import_gives_the_same_rubric(client, cast):
    source = review_window_campaign()
    services.rubric_import(campaign=source, rows=_check(huaian_rows()).rows, by=cast.staff)
    client.force_login(cast.staff)
    response = client.post(reverse("reviews:rubric_export", kwargs={"slug": source.slug}))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [*HEADER, TOTAL_COLUMN]
    assert sheet.max_row == 1 + 67

    target = review_window_campaign()
    preview = _preview(client, target, response.content, stated_max="150")
    client.post(reverse("reviews:rubric_import_confirm", args=[target.slug]), {"plan": _signed_plan(preview)})

    def shape(campaign):
        return [
            (c.depth, c.name, c.max_points, c.description, c.rubric_part.name if c.rubric_part else "")
            for c in rubric_tree(campaign)
        ]

    assert shape(target) == shape(source) and len(shape(target)) == 7 + 27 + 67


def test_a_deeper_rubric_than_the_template_is_not_exported():
    from reviews.tests.factories import CriterionFactory

    campaign = review_window_campaign()
    node = None
    for depth in range(4):
        node = CriterionFactory(campaign=campaign, parent=node, name=f"第{depth + 1}级")
    with pytest.raises(ValidationError, match="超过三级"):
        rubric_export_bytes(rubric_tree(campaign))


def test_a_preview_signed_for_another_campaign_or_tampered_with_is_refused(client, cast):
    campaign, other = review_window_campaign(), review_window_campaign()
    client.force_login(cast.staff)
    signed = _signed_plan(_preview(client, campaign, xlsx_bytes(huaian_rows())))
    for slug, plan in ((other.slug, signed), (campaign.slug, signed[:-2] + "xx")):
        response = client.post(reverse("reviews:rubric_import_confirm", args=[slug]), {"plan": plan}, follow=True)
        assert "请重新上传文件" in response.content.decode()
    assert not Criterion.objects.filter(campaign__in=[campaign, other]).exists()


def test_the_template_is_a_workbook_with_the_columns_and_notes(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:rubric_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["评分指标"][1]] == [*HEADER, TOTAL_COLUMN]
    assert "填写说明" in workbook.sheetnames
    # The template's own example rows pass the checks (a newcomer who uploads it unchanged sees a preview).
    assert rubric_rows_check(rubric_rows_read(io.BytesIO(response.content))).ok


def test_a_file_with_more_rows_than_a_rubric_needs_is_refused_without_reading_on():
    rows = [["", f"指标{i}", "", "", 1, "", ""] for i in range(2001)]
    check = rubric_rows_read(io.BytesIO(xlsx_bytes(rows)))
    assert check.errors == ["指标过多：最多 2000 行。"] and not check.rows


def test_a_weighted_rubric_is_exported_with_its_weighted_points_and_imports_to_the_same_maximum():
    campaign = review_window_campaign()
    top = services.criterion_add(campaign=campaign, name="专业性", max_points=Decimal("0"), weight=Decimal("2"))
    services.criterion_add(campaign=campaign, name="理论依据", max_points=Decimal("10"), parent=top)
    services.criterion_add(campaign=campaign, name="示范性", max_points=Decimal("20"), weight=Decimal("1.5"))
    data = rubric_export_bytes(rubric_tree(campaign))
    rows = [row for row in load_workbook(io.BytesIO(data)).active.values][1:]
    assert [(r[1], r[2], r[4], r[6]) for r in rows] == [("专业性", "理论依据", 20, 20), ("示范性", None, 30, 30)]
    check = rubric_rows_check(rubric_rows_read(io.BytesIO(data)))
    assert check.ok
    target = review_window_campaign()
    services.rubric_import(campaign=target, rows=check.rows, by=None)
    assert rubric_max_total(rubric_tree(target)) == rubric_max_total(rubric_tree(campaign)) == Decimal("50")
