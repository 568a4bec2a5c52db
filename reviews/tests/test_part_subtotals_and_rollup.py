"""Part subtotals (区县部分 / 站点部分) stored with the aggregates and shown on the ranking page, the
reviewer's form and the score sheet; the 区县汇总排名 rolled up over the organisations' 所属区镇, in thirds."""

import io
import statistics
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import OrganisationFactory
from reviews import aggregation, services
from reviews.models import ApplicationScore, Assignment
from reviews.selectors import answer_key, rollup, rubric_leaves, rubric_tree
from reviews.tests.factories import ApplicationFactory, ReviewerFactory, review_window_campaign

pytestmark = pytest.mark.django_db
OPINION = "该社工站服务开展规范，资料齐全，建议进一步加强服务成效的评估与总结。"


@pytest.fixture
def campaign():
    """区县部分 (scored once per group): 政策支持 > 出台方案 5, 列入预算 5;
    站点部分: 服务开展 > 个案服务 10, 小组服务 10."""
    campaign = review_window_campaign()
    county = services.rubric_part_add(campaign=campaign, name="区县部分", scored_once_per_group=True)
    station = services.rubric_part_add(campaign=campaign, name="站点部分")
    policy = services.criterion_add(campaign=campaign, name="政策支持", max_points=Decimal("0"), part=county)
    for name in ("出台方案", "列入预算"):
        services.criterion_add(campaign=campaign, name=name, max_points=Decimal("5"), parent=policy)
    service = services.criterion_add(campaign=campaign, name="服务开展", max_points=Decimal("0"), part=station)
    for name in ("个案服务", "小组服务"):
        services.criterion_add(campaign=campaign, name=name, max_points=Decimal("10"), parent=service)
    campaign.county, campaign.station = county, station
    return campaign


def _score(application, reviewer, points: list):
    """Submit a review through the service: `points` for 出台方案, 列入预算, 个案服务, 小组服务."""
    leaves = rubric_leaves(rubric_tree(application.campaign, application.category))
    assignment = Assignment.objects.create(application=application, reviewer=reviewer)
    services.review_save(
        assignment=assignment,
        leaves=leaves,
        points={leaf.pk: Decimal(str(p)) for leaf, p in zip(leaves, points, strict=True)},
        opinion=OPINION,
        submit=True,
    )


def _station(campaign, district: str):
    return ApplicationFactory(campaign=campaign, organisation=OrganisationFactory(district=district))


def test_part_means_are_stored_as_the_mean_of_each_review_s_part_sum(campaign):
    app = _station(campaign, "清江浦区")
    one, two = ReviewerFactory(), ReviewerFactory()
    _score(app, one, [4, 5, 8, 9.5])  # county 9, station 17.5
    _score(app, two, [3, 2, 6, 7])  # county 5, station 13
    stored = ApplicationScore.objects.get(application=app)
    assert stored.part_means == {str(campaign.county.pk): 7.0, str(campaign.station.pk): 15.25}
    assert stored.mean == pytest.approx(7.0 + 15.25)
    # A reopened review leaves the subtotals of the one still submitted.
    services.review_reopen(review=app.assignments.get(reviewer=two).review, reason="请复核", by=ReviewerFactory())
    assert ApplicationScore.objects.get(application=app).part_means == {
        str(campaign.county.pk): 9.0,
        str(campaign.station.pk): 17.5,
    }


def test_rebuilding_the_aggregates_gives_the_same_subtotals(campaign):
    app = _station(campaign, "清江浦区")
    _score(app, ReviewerFactory(), [4, 5, 8, 9.5])
    before = ApplicationScore.objects.get(application=app).part_means
    ApplicationScore.objects.filter(application=app).update(part_means={})
    services.campaign_scores_rebuild(campaign=campaign)
    assert ApplicationScore.objects.get(application=app).part_means == before


def test_the_ranking_page_shows_part_subtotals_equal_to_the_sums_of_the_scores(campaign, client, cast):
    first, second = _station(campaign, "清江浦区"), _station(campaign, "淮阴区")
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    given = {first: [[4, 5, 8, 9.5], [3, 2, 6, 7]], second: [[5, 5, 10, 10], [5, 4.5, 9, 9]]}
    for app, sheets in given.items():
        for reviewer, points in zip(reviewers, sheets, strict=True):
            _score(app, reviewer, points)
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug}))
    page = response.content.decode()
    assert "区县部分小计</th>" in page and "站点部分小计</th>" in page
    rows = {app.pk: app.part_subtotals for app, _agg, _per in response.context["ranking"].rows}
    for app, sheets in given.items():
        county = statistics.fmean(sum(p[:2]) for p in sheets)
        station = statistics.fmean(sum(p[2:]) for p in sheets)
        assert rows[app.pk] == [pytest.approx(county), pytest.approx(station)]
    assert page.count('data-testid="part-subtotal"') == 4
    assert '<td data-testid="part-subtotal">9.75</td>' in page  # 淮阴区's county part: (10 + 9.5) / 2
    assert f'href="{reverse("reviews:rollup", kwargs={"slug": campaign.slug})}"' in page


def test_the_reviewer_s_form_shows_a_subtotal_per_part(campaign, client, cast):
    app = _station(campaign, "清江浦区")
    assignment = Assignment.objects.create(application=app, reviewer=cast.reviewer)
    leaves = rubric_leaves(rubric_tree(campaign))
    services.review_save(
        assignment=assignment,
        leaves=leaves,
        points=dict(zip([leaf.pk for leaf in leaves], [Decimal(4), Decimal(5), Decimal(8), None], strict=True)),
        opinion="",
        submit=False,
    )
    client.force_login(cast.reviewer)
    page = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    county, station = campaign.county.pk, campaign.station.pk
    assert f'区县部分小计：<strong data-part-subtotal="{county}">9</strong> / 10 分' in page
    assert f'站点部分小计：<strong data-part-subtotal="{station}">8</strong> / 20 分' in page
    assert page.count(f'data-part="{station}"') == 2 and "js/score_subtotals" in page
    assert page.count('data-testid="part-heading"') == 2


def test_a_rubric_without_parts_shows_no_subtotal_anywhere(client, cast):
    plain = review_window_campaign()
    services.rubric_ensure(campaign=plain)
    app = ApplicationFactory(campaign=plain)
    _score_plain = rubric_leaves(rubric_tree(plain))
    assignment = Assignment.objects.create(application=app, reviewer=ReviewerFactory())
    services.review_save(
        assignment=assignment,
        leaves=_score_plain,
        points={leaf.pk: Decimal(10) for leaf in _score_plain},
        opinion=OPINION,
        submit=True,
    )
    assert ApplicationScore.objects.get(application=app).part_means == {}
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:ranking", kwargs={"slug": plain.slug})).content.decode()
    assert 'data-testid="part-column"' not in page and 'data-testid="part-subtotal"' not in page


# --- thirds and the roll-up ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, expected",
    [(0, (0, 0, 0)), (1, (0, 1, 0)), (2, (1, 0, 1)), (3, (1, 1, 1)), (7, (2, 3, 2)), (8, (3, 2, 3)),
     (9, (3, 3, 3)), (10, (3, 4, 3)), (11, (4, 3, 4)), (12, (4, 4, 4))],
)  # fmt: skip
def test_thirds_split_by_rounding_a_third_and_two_thirds_half_up(n, expected):
    assert aggregation.thirds(n) == expected and sum(expected) == n


def test_thirds_match_a_tier_by_fraction_of_one_third_each():
    for n in range(40):
        bounds = aggregation.tier_bounds(n, [{"name": t, "by": "fraction", "value": 1 / 3} for t in "ABC"], None)
        assert tuple(end - start for _name, start, end in bounds) == aggregation.thirds(n)


def test_the_roll_up_adds_the_once_per_group_part_as_a_review_weighted_mean():
    rows = [
        # group A: two stations; the county part (c) was scored by 2 and by 4 reviewers
        aggregation.AppPartScores("A", 2, 90.0, {"c": 40.0, "s": 50.0}),
        aggregation.AppPartScores("A", 4, 70.0, {"c": 34.0, "s": 36.0}),
        aggregation.AppPartScores("B", 3, 80.0, {"c": 30.0, "s": 50.0}),
        aggregation.AppPartScores("C", 0, None, {}),  # no review yet: listed, not ranked
    ]
    groups = {g.group: g for g in aggregation.rollup(rows, once_parts=["c"], parts=["c", "s"])}
    # A: stations (50 + 36) / 2 = 43; county (40×2 + 34×4) / 6 = 36
    assert groups["A"].parts == {"c": pytest.approx(36.0), "s": pytest.approx(43.0)}
    assert groups["A"].total == pytest.approx(79.0)
    assert groups["B"].total == pytest.approx(80.0)
    assert (groups["B"].rank, groups["A"].rank, groups["C"].rank) == (1, 2, None)
    assert (groups["B"].result, groups["A"].result, groups["C"].result) == ("优秀", "整改", "")  # thirds(2): 1/0/1


def _districts(campaign, reviewers, plan: dict):
    """plan: district -> list of each station's points per reviewer."""
    for district, stations in plan.items():
        for sheets in stations:
            app = _station(campaign, district)
            for reviewer, points in zip(reviewers, sheets, strict=False):
                _score(app, reviewer, points)


def test_the_county_ranking_page_ranks_districts_in_thirds(campaign, client, cast):
    one, two = ReviewerFactory(), ReviewerFactory()
    _districts(
        campaign,
        [one, two],
        {
            "清江浦区": [[[5, 5, 10, 10], [5, 5, 9, 9]], [[4, 4, 8, 8]]],  # two stations, three reviews
            "淮阴区": [[[3, 3, 6, 6], [3, 3, 6, 6]]],
            "洪泽区": [[[4, 4, 7, 7]]],
        },
    )
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:rollup", kwargs={"slug": campaign.slug}))
    assert response.status_code == 200
    groups = response.context["rollup"].groups
    assert [(g.group, g.rank, g.result) for g in groups] == [
        ("清江浦区", 1, "优秀"),
        ("洪泽区", 2, "合格"),
        ("淮阴区", 3, "整改"),
    ]
    top = groups[0]
    # 清江浦区: its stations' station parts averaged, plus its county part over all three of its reviews.
    first_station = statistics.fmean([20, 18])  # 个案+小组 of each review of the first station
    second_station = 16.0
    county = statistics.fmean([10, 10, 8])  # every review's 区县部分 in 清江浦区
    assert top.parts[str(campaign.station.pk)] == pytest.approx(statistics.fmean([first_station, second_station]))
    assert top.parts[str(campaign.county.pk)] == pytest.approx(county)
    assert top.total == pytest.approx(statistics.fmean([first_station, second_station]) + county)
    page = response.content.decode()
    assert page.count('data-testid="rollup-result"') == 3 and "前三分之一为“优秀”" in page


def test_a_grouping_by_a_form_answer_works_with_the_same_roll_up(campaign):
    _districts(campaign, [ReviewerFactory()], {"清江浦区": [[[5, 5, 10, 10]]], "淮阴区": [[[1, 1, 1, 1]]]})
    from cases.models import Application

    answers = {"清江浦区": "市区", "淮阴区": "郊县"}
    key = answer_key("county")

    def by_answer(app):  # what the form engine's Application.answers would hold
        return key(SimpleNamespace(answers={"county": answers[app.organisation.district]}))

    assert Application.objects.filter(campaign=campaign).count() == 2
    assert [(g.group, g.result) for g in rollup(campaign, key=by_answer).groups] == [("市区", "优秀"), ("郊县", "整改")]
    assert answer_key("county")(SimpleNamespace(answers={})) == ""
    assert answer_key("lots")(SimpleNamespace(answers={"lots": ["一标段", "二标段"]})) == "一标段、二标段"


def test_the_score_sheet_has_part_columns_and_a_county_sheet(campaign, settings, tmp_path):
    from reviews.exports import score_sheet_write

    settings.MEDIA_ROOT = tmp_path
    _districts(campaign, [ReviewerFactory()], {"清江浦区": [[[5, 5, 10, 10]]], "淮阴区": [[[1, 1, 1, 1]]]})
    out = io.BytesIO()
    score_sheet_write(campaign, out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    summary = list(workbook["汇总"].values)
    header = list(summary[0])
    assert header[header.index("标准化得分") + 1 : header.index("标准化得分") + 3] == ["区县部分小计", "站点部分小计"]
    first = dict(zip(header, summary[1], strict=True))
    assert (first["区县部分小计"], first["站点部分小计"]) == (10.0, 20.0)
    county = list(workbook["区县汇总"].values)
    assert county[0] == ("名次", "所属区镇", "申报数", "已评审", "区县部分", "站点部分", "汇总得分", "评定结果")
    assert [(row[1], row[-1]) for row in county[1:]] == [("清江浦区", "优秀"), ("淮阴区", "整改")]


def test_a_score_sheet_without_parts_has_no_county_sheet(settings, tmp_path):
    from reviews.exports import score_sheet_write

    settings.MEDIA_ROOT = tmp_path
    plain = review_window_campaign()
    services.rubric_ensure(campaign=plain)
    out = io.BytesIO()
    score_sheet_write(plain, out)
    assert load_workbook(io.BytesIO(out.getvalue())).sheetnames == ["汇总"]


def test_a_station_evaluation_s_ranking_names_stations_and_offers_no_case_category_or_domain(client, cast):
    """The 社工站评估 form has no 案例类别 or 案例领域: its ranking neither filters nor shows them, and names its rows
    站点; the case award's ranking keeps both (found by journey (b) of #10)."""
    from cases.tests.factories import defined_campaign

    station = defined_campaign("station_evaluation", slug="huaian-ranking", title="淮安市社工站评估")
    ApplicationFactory(campaign=station, title="淮安市洪泽区朱坝镇社会工作服务站")
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:ranking", kwargs={"slug": station.slug})).content.decode()
    assert 'id="f-category"' not in page and 'id="f-domain"' not in page and "类别/领域" not in page
    assert "<th>站点</th>" in page and "共 1 个站点" in page

    case_award = review_window_campaign(slug="kunshan-ranking")
    ApplicationFactory(campaign=case_award)
    page = client.get(reverse("reviews:ranking", kwargs={"slug": case_award.slug})).content.decode()
    assert 'id="f-category"' in page and 'id="f-domain"' in page and "<th>类别/领域</th>" in page
    assert "<th>案例</th>" in page and "共 1 个案例" in page
