"""汇总依据 of the 区县汇总排名: the organisations' 所属区镇 or a single-choice field of the campaign's form; a
station evaluation groups by its 所属县（区） unless staff choose otherwise, and so does the score sheet."""

import io
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import OrganisationFactory
from cases.presets import preset_apply
from reviews import services
from reviews.selectors import rollup_grouping
from reviews.tests.factories import ApplicationFactory, ReviewerFactory, review_window_campaign
from reviews.tests.test_part_subtotals_and_rollup import _score

pytestmark = pytest.mark.django_db


def _rubric(campaign):
    """区县部分 (scored once per group): 出台方案 5, 列入预算 5; 站点部分: 个案服务 10, 小组服务 10."""
    county = services.rubric_part_add(campaign=campaign, name="区县部分", scored_once_per_group=True)
    station = services.rubric_part_add(campaign=campaign, name="站点部分")
    policy = services.criterion_add(campaign=campaign, name="政策支持", max_points=Decimal("0"), part=county)
    for name in ("出台方案", "列入预算"):
        services.criterion_add(campaign=campaign, name=name, max_points=Decimal("5"), parent=policy)
    service = services.criterion_add(campaign=campaign, name="服务开展", max_points=Decimal("0"), part=station)
    for name in ("个案服务", "小组服务"):
        services.criterion_add(campaign=campaign, name=name, max_points=Decimal("10"), parent=service)
    campaign.county, campaign.station = county, station


@pytest.fixture
def station_campaign():
    campaign = review_window_campaign(slug="huaian-rollup", title="淮安市社工站评估")
    preset_apply(campaign=campaign, key="station_evaluation")
    campaign.save()
    _rubric(campaign)
    return campaign


def _stations(campaign, reviewer, plan: dict):
    """plan: county -> each station's points (出台方案, 列入预算, 个案服务, 小组服务). Every operating organisation
    is registered in the same 区镇, so only the form's 所属县（区） tells the counties apart."""
    for county, stations in plan.items():
        for points in stations:
            app = ApplicationFactory(
                campaign=campaign,
                organisation=OrganisationFactory(district="淮安市"),
                answers={"title": f"{county}社工站", "county": county},
            )
            _score(app, reviewer, points)


PLAN = {
    "清江浦区": [[5, 5, 10, 10], [4, 4, 8, 8]],
    "淮阴区": [[3, 3, 6, 6]],
    "洪泽区": [[4, 4, 7, 7]],
    "涟水县": [[2, 2, 5, 5]],
    "金湖县": [[1, 1, 2, 2]],
}


def test_a_station_evaluation_offers_the_district_and_its_county_field_and_defaults_to_the_county(
    station_campaign,
):
    grouping, choices = rollup_grouping(station_campaign)
    assert [(g.value, g.label) for g in choices] == [("district", "所属区镇"), ("answer:county", "所属县（区）")]
    assert grouping.value == "answer:county"
    assert rollup_grouping(station_campaign, "district")[0].value == "district"
    assert rollup_grouping(station_campaign, "answer:nonsense")[0].value == "answer:county"


def test_the_roll_up_page_groups_stations_by_their_county_answer_in_thirds(station_campaign, client, cast):
    _stations(station_campaign, ReviewerFactory(), PLAN)
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:rollup", kwargs={"slug": station_campaign.slug}))
    assert response.status_code == 200
    groups = response.context["rollup"].groups
    # 5 counties: thirds at round(5/3) = 2 and round(10/3) = 3.
    assert [(g.group, g.rank, g.applications, g.result) for g in groups] == [
        ("清江浦区", 1, 2, "优秀"),
        ("洪泽区", 2, 1, "优秀"),
        ("淮阴区", 3, 1, "合格"),
        ("涟水县", 4, 1, "整改"),
        ("金湖县", 5, 1, "整改"),
    ]
    top = groups[0]
    assert top.parts[str(station_campaign.station.pk)] == pytest.approx(statistics.fmean([20, 16]))
    assert top.parts[str(station_campaign.county.pk)] == pytest.approx(statistics.fmean([10, 8]))
    assert top.total == pytest.approx(18 + 9)
    page = response.content.decode()
    assert "按申报表的所属县（区）汇总：汇总得分 = 该县（区）各申报" in page and "<th>所属县（区）</th>" in page
    assert 'value="answer:county" selected' in page and ">汇总依据</label>" in page


def test_staff_may_group_the_same_stations_by_the_organisations_district(station_campaign, client, cast):
    _stations(station_campaign, ReviewerFactory(), PLAN)
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:rollup", kwargs={"slug": station_campaign.slug}) + "?by=district")
    groups = response.context["rollup"].groups
    assert [(g.group, g.applications) for g in groups] == [("淮安市", 6)]
    assert "按申报机构的所属区镇汇总" in response.content.decode()


def test_a_case_award_campaign_groups_by_district_without_a_choice(client, cast):
    campaign = review_window_campaign()
    _rubric(campaign)
    grouping, choices = rollup_grouping(campaign)
    assert grouping.value == "district" and len(choices) == 1
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:rollup", kwargs={"slug": campaign.slug})).content.decode()
    assert "汇总依据" not in page and "按申报机构的所属区镇汇总" in page


def test_the_score_sheet_county_sheet_groups_a_station_evaluation_by_its_county_field(
    station_campaign, settings, tmp_path
):
    from reviews.exports import score_sheet_write

    settings.MEDIA_ROOT = tmp_path
    _stations(station_campaign, ReviewerFactory(), PLAN)
    out = io.BytesIO()
    score_sheet_write(station_campaign, out)
    county = list(load_workbook(io.BytesIO(out.getvalue()))["区县汇总"].values)
    assert county[0][:2] == ("名次", "所属县（区）")
    assert [(row[1], row[-1]) for row in county[1:]] == [
        ("清江浦区", "优秀"),
        ("洪泽区", "优秀"),
        ("淮阴区", "合格"),
        ("涟水县", "整改"),
        ("金湖县", "整改"),
    ]
