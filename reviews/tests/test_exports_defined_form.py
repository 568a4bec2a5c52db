"""The score sheet (评分汇总表) of a campaign with its own application form: the columns that say what an
application is come from the form (项目包, 申请资金, 所属县（区）…), never its personal fields; the case award's
sheet keeps 案例类别 and 案例领域 (test_exports.py)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.tests.factories import defined_campaign, project_answers
from reviews import services
from reviews.exports import identity_columns, score_sheet_write
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def review_window(preset):
    now = timezone.now()
    return defined_campaign(
        preset,
        submission_opens_at=now - dt.timedelta(days=20),
        submission_closes_at=now - dt.timedelta(days=10),
        review_opens_at=now - dt.timedelta(days=1),
        review_closes_at=now + dt.timedelta(days=5),
        publicity_starts_at=now + dt.timedelta(days=6),
        publicity_ends_at=now + dt.timedelta(days=9),
        ceremony_at=now + dt.timedelta(days=15),
    )


def scored(campaign, app, reviewer, points="18"):
    leaves = list(campaign.criteria.filter(children__isnull=True))
    for leaf in leaves:
        leaf.effective_weight = leaf.weight
    services.review_save(
        assignment=AssignmentFactory(application=app, reviewer=reviewer),
        leaves=leaves,
        points={leaf.pk: Decimal(points) for leaf in leaves},
        opinion="服务指标清晰，项目设计合理，预算与服务内容相符，建议立项并加强过程督导与评估。",
        submit=True,
    )


def sheet(campaign) -> dict:
    handle = io.BytesIO()
    score_sheet_write(campaign, handle)
    handle.seek(0)
    wb = load_workbook(handle)
    return {name: list(wb[name].values) for name in wb.sheetnames}


def test_a_project_call_sheet_shows_the_lot_the_amount_and_the_indicators_never_the_personal_fields():
    campaign = review_window("project_call")
    services.rubric_ensure(campaign=campaign)
    expert = ReviewerFactory(name="专家甲")
    app = ApplicationFactory(
        campaign=campaign,
        reference="XM2026-0001",
        title="五社联动幸福老小老年社会工作服务项目",
        answers=project_answers(budget=9.5),
    )
    other = ApplicationFactory(campaign=campaign, reference="XM2026-0002", title="未填项目包", answers={})
    scored(campaign, app, expert)
    scored(campaign, other, ReviewerFactory(name="专家乙"), points="10")

    books = sheet(campaign)
    header, first = books["汇总"][0], books["汇总"][1]
    assert header[:8] == (
        "名次",
        "申报编号",
        "项目名称",
        "申报项目包",
        "服务地点",
        "申请资金（万元）",
        "项目实施周期",
        "个案服务（个）",
    )
    assert "案例类别" not in header and "案例领域" not in header
    assert "直接受益群体" in header and "间接受益人数" in header
    for personal in ("申报机构名称", "项目负责人", "联系电话", "项目专职人员"):
        assert personal not in header
    assert first[1:8] == (
        "XM2026-0001",
        app.title,
        "老年社会工作服务项目",
        "裕民街道怡园社区",
        9.5,
        "2023年6月1日 至 2024年5月31日",
        5,
    )
    assert first[header.index("直接受益群体")] == "60岁以上老年人"
    values = [v for row in books["汇总"] for v in row]
    assert "马晓燕" not in values and "13909511234" not in values
    assert books["汇总"][2][1] == "XM2026-0002" and books["汇总"][2][3:8] == (None,) * 5  # nothing typed: empty
    assert books["专家甲"][0][:2] == ("申报编号", "项目名称")


def test_a_station_sheet_shows_the_county():
    campaign = review_window("station_evaluation")
    services.rubric_ensure(campaign=campaign)
    app = ApplicationFactory(
        campaign=campaign,
        reference="ZP2026-0001",
        title="清河街道社工站",
        answers={"title": "清河街道社工站", "county": "清江浦区", "town": "清河街道", "head_name": "王站长"},
    )
    scored(campaign, app, ReviewerFactory(name="专家丙"))
    header, row = sheet(campaign)["汇总"][:2]
    assert header[2:5] == ("站点名称", "所属县（区）", "所属乡镇（街道）")
    assert row[2:5] == ("清河街道社工站", "清江浦区", "清河街道")
    assert "站长" not in header and "王站长" not in row


def test_the_case_award_keeps_its_category_and_domain_columns():
    from reviews.tests.factories import review_window_campaign

    campaign = review_window_campaign()
    app = ApplicationFactory(campaign=campaign, category="group", domain="老龄事业")
    assert identity_columns(campaign, None) == [("案例类别", None), ("案例领域", None)]
    assert identity_columns(campaign, app) == [("案例类别", "小组"), ("案例领域", "老龄事业")]


def test_the_form_columns_cost_one_query_whatever_the_number_of_applications(django_assert_num_queries):
    from reviews.exports import summary_answers

    campaign = review_window("project_call")
    for i in range(3):
        ApplicationFactory(campaign=campaign, reference=f"XM2026-{i:04d}", answers=project_answers(budget=i + 1))
    with django_assert_num_queries(1):
        answers = summary_answers(campaign)
    assert sorted(a["budget"] for a in answers.values()) == [1, 2, 3]
    assert all("summary" not in a and "leader_name" not in a for a in answers.values())
