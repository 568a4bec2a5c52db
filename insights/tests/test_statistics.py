"""统计分析: the figures against numbers worked out by hand on a small campaign, the page, the .xlsx, and the cost."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory, UserFactory
from awards.models import Award
from awards.tests.factories import AwardFactory
from cases.models import Application
from insights import selectors
from reviews.models import Assignment, AwardDecision, Conflict, Review
from reviews.selectors import calibration_table
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CampaignFactory,
    ReviewerFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
S = Application.Status


def at(month, day, hour, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def _campaign(year, slug):
    return CampaignFactory(
        slug=slug,
        title=f"{year}年昆山市优秀社工案例评选",
        submission_opens_at=at(3, 1, 0, year=year),
        submission_closes_at=at(3, 5, 23, 59, year=year),
        review_opens_at=at(3, 11, 0, year=year),
        review_closes_at=at(3, 12, 23, 59, year=year),
        publicity_starts_at=at(3, 13, 0, year=year),
        publicity_ends_at=at(3, 15, 23, 59, year=year),
        ceremony_at=at(3, 22, 14, year=year),
    )


def _review(app, reviewer, total=None, *, status=Review.Status.SUBMITTED):
    assignment = AssignmentFactory(application=app, reviewer=reviewer)
    if total is not None:
        ReviewFactory(assignment=assignment, status=status, total=Decimal(total))
    return assignment


@pytest.fixture
def small(cast):
    """Two campaigns worked out by hand (see the expected figures in each test).

    2026: a1–a7 from 玉山镇 (org Y, an agency) and 周市镇 (org Z, a community); reviewer r3 is conflicted with
    a1 and a2 and has submitted scores on both, which must count nowhere. 2025: b1–b3."""
    c26 = _campaign(2026, "stats-2026")
    c25 = _campaign(2025, "stats-2025")
    org_y = OrganisationFactory(name="玉山阳光社工", district="玉山镇", kind=Organisation.Kind.SOCIAL_WORK_AGENCY)
    org_z = OrganisationFactory(name="周市和谐社区", district="周市镇", kind=Organisation.Kind.COMMUNITY)
    person = UserFactory()
    r1, r2, r3 = (ReviewerFactory(name=n) for n in ("陈专家", "吴专家", "郑专家"))

    def app(campaign, org, category, domain, status, submitted_at=None):
        return ApplicationFactory(
            campaign=campaign,
            applicant=person,
            organisation=org,
            category=category,
            domain=domain,
            status=status,
            submitted_at=submitted_at,
        )

    a1 = app(c26, org_y, "casework", "儿童及青少年", S.ACCEPTED, at(3, 1, 10))
    a2 = app(c26, org_y, "group", "老龄事业", S.ACCEPTED, at(3, 2, 0, 30))  # 3/1 16:30 UTC: counted on 3/2
    app(c26, org_z, "casework", "老龄事业", S.RECOMMENDED, at(3, 3, 9))
    app(c26, org_z, "community", "儿童及青少年", S.SUBMITTED, at(3, 3, 15))
    app(c26, org_z, "casework", "老龄事业", S.DRAFT)
    app(c26, org_y, "casework", "老龄事业", S.INELIGIBLE, at(3, 4, 11))
    a7 = app(c26, org_z, "group", "儿童及青少年", S.ACCEPTED, at(3, 5, 20))

    _review(a1, r1, 80)
    _review(a1, r2, 90)
    _review(a1, r3, 40)
    _review(a2, r1, 0, status=Review.Status.DRAFT)
    _review(a2, r2)  # assigned, not started
    _review(a2, r3, 50)
    _review(a7, r1, 60)
    _review(a7, r2, 70)
    for a in (a1, a2):
        Conflict.objects.create(application=a, reviewer=r3, source=Conflict.Source.DECLARED)

    AwardFactory(campaign=c26, application=a1, tier="优秀", rank=1)
    AwardFactory(campaign=c26, application=a7, tier="入围", rank=2)

    b1 = app(c25, org_y, "casework", "儿童及青少年", S.ACCEPTED, at(3, 2, 9, year=2025))
    app(c25, org_z, "group", "老龄事业", S.SUBMITTED, at(3, 3, 9, year=2025))
    app(c25, org_z, "group", "老龄事业", S.DRAFT)
    AwardFactory(campaign=c25, application=b1, tier="优秀", rank=1)
    AwardFactory(
        campaign=c25,
        application=app(c25, org_y, "casework", "老龄事业", S.ACCEPTED, at(3, 4, 9, year=2025)),
        tier="优秀",
        rank=2,
        status=Award.Status.WITHDRAWN,
    )
    return {"c26": c26, "c25": c25, "r1": r1, "r2": r2, "r3": r3}


def figures(**filters):
    return {f.key: f for f in selectors.statistics_figures(selectors.Filters(**filters))}


def as_dict(figure, value_column=1):
    return {row[0]: row[value_column] for row in figure.rows}


def test_the_figures_of_one_campaign_match_the_hand_computed_numbers(small):
    got = figures(campaign=small["c26"])

    assert got["funnel"].rows == [
        ["填报（含草稿）", 7],
        ["已提交", 6],
        ["单位已推荐", 5],
        ["形式审查通过", 3],
        ["已评审", 2],  # a2's only submitted review is the conflicted reviewer's
        ["获奖", 2],
    ]
    assert as_dict(got["domain"]) == {"儿童及青少年": 3, "老龄事业": 3}
    assert as_dict(got["category"]) == {"个案": 3, "小组": 2, "社区": 1}
    assert as_dict(got["district"]) == {"玉山镇": 3, "周市镇": 3}
    assert as_dict(got["organisation_kind"]) == {"社会工作服务机构": 3, "城乡社区": 3}
    assert as_dict(got["organisation"]) == {"玉山阳光社工": 3, "周市和谐社区": 3}
    assert got["daily"].rows == [
        ["2026-03-01", 1, 1],
        ["2026-03-02", 1, 2],
        ["2026-03-03", 2, 4],
        ["2026-03-04", 1, 5],
        ["2026-03-05", 1, 6],
    ]
    # 评审专家, 已提交, 评审中, 未开始, 分配总数 — the conflicted reviewer is not listed at all.
    assert got["progress"].rows == [["吴专家", 2, 0, 1, 3], ["陈专家", 2, 1, 0, 3]] or got["progress"].rows == [
        ["陈专家", 2, 1, 0, 3],
        ["吴专家", 2, 0, 1, 3],
    ]
    # Panel: 80, 90, 60, 70 → mean 75, population SD √125; 陈 80, 60; 吴 90, 70.
    calibration = {row[0]: row[1:] for row in got["calibration"].rows}
    assert calibration == {
        "陈专家": [2, 70.0, 10.0, 60.0, 80.0, -5.0],
        "吴专家": [2, 80.0, 10.0, 70.0, 90.0, 5.0],
    }
    assert "全体平均 75.00 分，标准差 11.18" in got["calibration"].note
    assert got["scores"].columns == ["评审专家", "60–69", "70–79", "80–89", "90–99"]
    assert {row[0]: row[1:] for row in got["scores"].rows} == {"陈专家": [1, 0, 1, 0], "吴专家": [0, 1, 0, 1]}
    assert got["tiers_district"].columns == ["区镇", "优秀", "入围", "合计"]
    assert {row[0]: row[1:] for row in got["tiers_district"].rows} == {"玉山镇": [1, 0, 1], "周市镇": [0, 1, 1]}
    assert {row[0]: row[1:] for row in got["tiers_domain"].rows} == {"儿童及青少年": [1, 1, 2]}
    # Year on year ignores the campaign filter; the 2025 withdrawn award does not count.
    assert got["yoy"].rows == [
        ["2025年昆山市优秀社工案例评选", 2025, 3, 2, 1, 2],
        ["2026年昆山市优秀社工案例评选", 2026, 6, 3, 2, 2],
    ]


def test_the_filters_narrow_every_figure(small):
    got = figures(campaign=small["c26"], district="周市镇")
    assert [n for _label, n in got["funnel"].rows] == [4, 3, 2, 1, 1, 1]
    assert {row[0]: row[1:4] for row in got["calibration"].rows} == {"陈专家": [1, 60.0, 0.0], "吴专家": [1, 70.0, 0.0]}
    assert as_dict(got["district"]) == {"周市镇": 3}

    got = figures(campaign=small["c26"], category="group", domain="儿童及青少年")
    assert [n for _label, n in got["funnel"].rows] == [1, 1, 1, 1, 1, 1]
    assert [row[2] for row in got["yoy"].rows] == [1]  # only 2026 has a group case on children


def test_across_years_every_campaign_counts_and_the_daily_chart_asks_for_one(small):
    got = figures(campaign=None)
    assert [n for _label, n in got["funnel"].rows] == [11, 9, 7, 5, 2, 3]
    assert as_dict(got["domain"]) == {"儿童及青少年": 4, "老龄事业": 5}
    assert got["daily"].rows == [] and "请选择一个评选活动" in got["daily"].note


def test_without_conflicts_the_score_figures_are_the_reviews_calibration_table(small):
    Conflict.objects.all().delete()
    Review.objects.filter(assignment__reviewer=small["r3"]).delete()
    # Rows changed behind the services' back: rebuild the stored aggregates the calibration table reads.
    from reviews.services import campaign_scores_rebuild

    campaign_scores_rebuild(campaign=small["c26"])
    ours = {row[0]: row[1:] for row in figures(campaign=small["c26"])["calibration"].rows}
    table, _mean, _sd = calibration_table(small["c26"])
    theirs = {r["name"]: [r["count"], round(r["mean"], 2), round(r["sd"], 2)] for r in table}
    assert {name: values[:3] for name, values in ours.items()} == theirs
    assert {name: values[5] for name, values in ours.items()} == {r["name"]: round(r["diff"], 2) for r in table}


def test_the_page_shows_every_figure_with_its_table_and_chart_data(client, cast, small):
    client.force_login(cast.staff)
    response = client.get(reverse("insights:statistics"), {"campaign": "stats-2026"})
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("funnel", "domain", "category", "district", "organisation_kind", "organisation", "daily"):
        assert f'data-chart="{key}"' in html and f'data-testid="table-{key}"' in html
    assert 'id="statistics-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html.replace('<script id="statistics-data" type="application/json">', "")
    assert "郑专家" not in html  # the conflicted reviewer appears in no figure


def test_the_page_answers_an_unknown_campaign_with_404(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("insights:statistics"), {"campaign": "no-such"}).status_code == 404


def test_the_staff_dashboard_links_to_the_statistics(client, cast):
    client.force_login(cast.staff)
    html = client.get(reverse("accounts:manage")).content.decode()
    assert reverse("insights:statistics") in html


def test_the_xlsx_holds_the_same_numbers_as_the_page(client, cast, small):
    client.force_login(cast.staff)
    response = client.get(reverse("insights:statistics_xlsx"), {"campaign": "stats-2026", "district": "玉山镇"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "说明"
    assert wb["说明"]["B2"].value == "2026年昆山市优秀社工案例评选 · 玉山镇"
    funnel = [[c.value for c in row] for row in wb["申报漏斗"].iter_rows(max_row=7)]
    assert funnel == [
        ["阶段", "案例数"],
        ["填报（含草稿）", 3],
        ["已提交", 3],
        ["单位已推荐", 3],
        ["形式审查通过", 2],
        ["已评审", 1],
        ["获奖", 1],
    ]
    calibration = [[c.value for c in row] for row in wb["评分校准（按评审专家）"].iter_rows(min_row=2, max_row=3)]
    assert sorted(calibration) == [["吴专家", 1, 90, 0, 90, 90, 5], ["陈专家", 1, 80, 0, 80, 80, -5]]
    assert len(wb.sheetnames) == 1 + len(selectors.statistics_figures(selectors.Filters()))


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client, cast, small):
    Organisation.objects.filter(name="玉山阳光社工").update(name="=HYPERLINK(1)")
    client.force_login(cast.staff)
    response = client.get(reverse("insights:statistics_xlsx"), {"campaign": "stats-2026"})
    wb = load_workbook(io.BytesIO(response.content))
    names = [row[0].value for row in wb["按机构"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names


# --- Cost -------------------------------------------------------------------------------------------------------

# session, user, roles, campaigns, districts, one aggregate per figure (two for calibration), the session saved
# (savepoint, update, release). Across years the daily chart is not drawn: one fewer.
STATISTICS_QUERIES = 22


def _fill(campaign, n_apps, reviewers, orgs, applicant):
    apps = Application.objects.bulk_create(
        ApplicationFactory.build(
            campaign=campaign,
            applicant=applicant,
            organisation=orgs[i % len(orgs)],
            domain=campaign.domains[i % len(campaign.domains)],
            category=("casework", "group", "community")[i % 3],
            submitted_at=campaign.submission_opens_at + dt.timedelta(hours=7 * i),
        )
        for i in range(n_apps)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(application=app, reviewer=r) for app in apps for r in reviewers
    )
    Review.objects.bulk_create(
        Review(assignment=a, status=Review.Status.SUBMITTED, total=Decimal(50 + (a.pk * 7) % 50)) for a in assignments
    )
    Conflict.objects.create(application=apps[0], reviewer=reviewers[0], source=Conflict.Source.STAFF)
    staff = UserFactory(is_staff=True)
    awarded = apps[: n_apps // 3]
    # The tier's one record is the decision (reviews.AwardDecision); the award points at it.
    AwardDecision.objects.bulk_create(
        AwardDecision(application=app, tier=("一等奖", "二等奖")[i % 2], rank=i + 1) for i, app in enumerate(awarded)
    )
    Award.objects.bulk_create(
        Award(
            campaign=campaign,
            application=app,
            rank=i + 1,
            confirmed_by=staff,
            confirmed_at=campaign.submission_closes_at,
        )
        for i, app in enumerate(awarded)
    )


def test_the_page_costs_the_same_for_10_and_for_200_applications_with_3_reviews(
    client, cast, django_assert_num_queries
):
    campaign = _campaign(2026, "stats-cost")
    reviewers = [ReviewerFactory() for _ in range(3)]
    orgs = [OrganisationFactory(district=d) for d in ("玉山镇", "周市镇", "巴城镇", "花桥经济开发区")]
    applicant = UserFactory()
    _fill(campaign, 10, reviewers, orgs, applicant)
    client.force_login(cast.staff)
    url = reverse("insights:statistics")
    with django_assert_num_queries(STATISTICS_QUERIES):
        response = client.get(url, {"campaign": campaign.slug})
    assert response.status_code == 200
    assert response.context["figures"][0].rows[0] == ["填报（含草稿）", 10]
    _fill(campaign, 190, reviewers, orgs, applicant)
    with django_assert_num_queries(STATISTICS_QUERIES):
        response = client.get(url, {"campaign": campaign.slug})
    assert response.status_code == 200
    assert response.context["figures"][0].rows[0] == ["填报（含草稿）", 200]
    with django_assert_num_queries(STATISTICS_QUERIES - 1):
        response = client.get(url, {"campaign": selectors.ALL_CAMPAIGNS, "district": "玉山镇", "category": "group"})
    assert response.status_code == 200
