"""Journey (b) of issue #10 in Chromium: a 社工站评估 (淮安's shape, seed 001) from the preset to the published
results. Staff create the campaign from the 社工站评估 preset, import the 7 / 27 / 67-point index worth 150 from
.xlsx (preview, confirm) and see its parts 区县部分 50 / 站点部分 100, enter the tiers 优秀 / 合格 / 整改 by thirds
as rows with 整改 not an award; six stations submit their self-assessment (one in the browser), two experts score
every observation point (one review in the browser's scoring form with its part subtotals); the ranking shows
the part subtotals, the confirmed decision gives thirds, the results page lists 整改 under 评定结果, and
certificates go to 优秀 and 合格 only: the 整改 station's page offers none. Screenshots at 1280 and 360 px go to
var/screenshots/.

What the browser does not drive is made through the services, as workspace/demo.py makes its example."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import OrganisationFactory, UserFactory
from awards.models import Award, Certificate
from awards.services import certificate_template_get
from cases.models import Application, Campaign
from kunshan_portal.public_cache import public_pages_changed
from reviews import selectors as review_selectors
from reviews.models import Assignment, AwardDecision, ReviewSettings
from reviews.services import application_accept, review_save
from reviews.tests.huaian import huaian_rows, xlsx_bytes
from workspace.demo import _file_application, _person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The journey's page loads (GET navigations, redirects after a post included) and form posts, as a ceiling: a
# change that adds a step to running a station evaluation shows here. Five log-ins (staff twice, the expert, the
# two stations) take 10 loads and 5 posts of these; the 67 points of the expert's review are one post.
JOURNEY_CEILING = (34, 18)

COUNTY, STATION = "区县部分", "站点部分"
OPINION = "该社工站服务开展规范，台账资料齐全，个案与小组服务记录完整；建议加强服务成效的评估与总结，提炼品牌项目。"
BODY = (
    "本年度社工站围绕“五社联动”开展服务，建立困境群体台账，开展个案服务、小组工作和社区活动，"
    "服务场所功能分区清楚，标识标牌统一规范，服务时间对外公示；建立服务流程、档案管理、安全管理等制度，"
    "每月召开站务会，专职社会工作者按时参加培训并接受专业督导，运营经费专款专用并接受审计。"
)
SECTIONS = ("summary", "site", "management", "personnel", "services", "funding")
# Each station's share of every observation point's maximum, per expert (first expert, second expert): the
# ranking follows these. The browser's station (张敏's, 和平镇) comes last: 整改.
STATIONS = [
    # station (and its organisation), county, town, shares
    ("淮安市清江浦区和平镇社会工作服务站", "清江浦区", "和平镇", ("0.5", "0.55")),  # applicant_a, in the browser
    ("淮安市淮安区车桥镇社会工作服务站", "淮安区", "车桥镇", ("0.95", "0.9")),  # applicant_b: 优秀
    ("淮安市洪泽区朱坝镇社会工作服务站", "洪泽区", "朱坝镇", ("0.9", "0.85")),
    ("淮安市涟水县高沟镇社会工作服务站", "涟水县", "高沟镇", ("0.8", "0.75")),
    ("淮安市盱眙县马坝镇社会工作服务站", "盱眙县", "马坝镇", ("0.7", "0.7")),
    ("淮安市淮阴区王营街道社会工作服务站", "淮阴区", "王营街道", ("0.6", "0.65")),
]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _phase(campaign: Campaign, phase: str) -> None:
    """Moves the campaign's timeline so that `phase` (submission / review / publicity_over) is now; the public
    pages' cache is dropped as the timeline editor drops it."""
    now = timezone.now()
    anchor = {"submission": now, "review": now - dt.timedelta(days=15), "publicity_over": now - dt.timedelta(days=40)}[
        phase
    ]
    Campaign.objects.filter(pk=campaign.pk).update(
        is_published=True,
        announced_on=(anchor - dt.timedelta(days=10)).date(),
        submission_opens_at=anchor - dt.timedelta(days=5),
        submission_closes_at=anchor + dt.timedelta(days=5),
        formal_check_closes_at=anchor + dt.timedelta(days=10),
        review_opens_at=anchor + dt.timedelta(days=12),
        review_closes_at=anchor + dt.timedelta(days=20),
        publicity_starts_at=anchor + dt.timedelta(days=25),
        publicity_ends_at=anchor + dt.timedelta(days=32),
        ceremony_at=None,
    )
    campaign.refresh_from_db()
    public_pages_changed(campaign=campaign)


def _answers(name: str, county: str, town: str, head) -> dict:
    return {
        "title": name,
        "county": county,
        "town": town,
        "address": f"淮安市{county}{town}便民服务中心二楼",
        "established_on": "2021-05-01",
        "floor_area": 160,
        "operator": f"{county}社会工作服务中心",
        "head_name": head.name,
        "head_phone": head.phone or "13905230009",
        "full_time_count": 3,
        "staff": [{"name": head.name, "post": "站长", "full_time": "是", "qualification": "社会工作师", "years": 6}],
        **{key: BODY for key in SECTIONS},
    }


def _points(leaves, share: str) -> dict:
    """Each observation point at `share` of its maximum, in half points."""
    return {leaf.pk: (leaf.max_points * Decimal(share) * 2).quantize(Decimal("1")) / 2 for leaf in leaves}


def _part_sum(points: dict, part_of: dict, part: str) -> Decimal:
    return sum((p for pk, p in points.items() if part_of[pk] == part), Decimal(0))


def _cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_a_station_evaluation_from_the_preset_to_results_without_a_certificate_for_zhenggai(
    page, live_server, login, cast, screenshot_dir, tmp_path
):
    page.on("dialog", lambda dialog: dialog.accept())
    shots = f"{screenshot_dir}/station-journey"
    index = tmp_path / "淮安市镇（街道）社会工作服务站评价指标.xlsx"
    index.write_bytes(xlsx_bytes(huaian_rows()))
    loads = []  # every document the browser asked for: (method, url)
    page.on("request", lambda r: r.resource_type == "document" and loads.append((r.method, r.url)))

    # --- Staff create the campaign from the 社工站评估 preset -----------------------------------------------------
    login(page, cast.staff)
    page.goto(f"{live_server.url}/staff/campaigns/new/")
    page.fill("#id_title", "2026年淮安市社工站评估")
    page.fill("#id_short_name", "hasgz")
    page.check("input[name=source][value=preset]")
    page.select_option("#id_preset", "station_evaluation")
    _shots(page, f"{shots}-new")
    page.click("[data-testid=campaign-new-form] button[type=submit]")
    page.wait_for_load_state()
    campaign = Campaign.objects.get(title="2026年淮安市社工站评估")
    assert campaign.form_preset == "station_evaluation"
    assert page.url.endswith(f"/staff/campaigns/{campaign.slug}/timeline/")

    # --- The index from .xlsx: preview, confirm, parts 50 / 100 ---------------------------------------------------
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/rubric/")
    page.get_by_role("link", name="从 Excel 导入评分指标").click()
    page.set_input_files("#id_file", str(index))
    page.fill("#id_stated_max", "150")
    page.get_by_role("button", name="上传并预览").click()
    assert "一级指标 7 项、二级指标 27 项、三级指标 67 项" in page.get_by_test_id("import-preview-ok").inner_text()
    _shots(page, f"{shots}-rubric-preview")
    page.get_by_test_id("import-confirm").click()
    page.wait_for_load_state()
    assert "评分指标已导入：共 101 项。" in page.content()
    assert "区县部分 50 分；站点部分 100 分" in page.get_by_test_id("rubric-part-totals").inner_text()
    _shots(page, f"{shots}-rubric")
    tree = review_selectors.rubric_tree(campaign)
    leaves = review_selectors.rubric_leaves(tree)
    assert len(leaves) == 67 and review_selectors.rubric_max_total(tree) == Decimal("150")

    # --- The tiers as rows: 优秀 / 合格 / 整改 by thirds, 整改 not an award ------------------------------------------
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/tiers/")
    for row, (name, value) in enumerate((("优秀", "0.3333"), ("合格", "0.3333"), ("整改", "0.3334"))):
        page.fill(f"#id_tiers-{row}-ORDER", str(row + 1))
        page.fill(f"#id_tiers-{row}-name", name)
        page.select_option(f"#id_tiers-{row}-by", "fraction")
        page.fill(f"#id_tiers-{row}-value", value)
    page.uncheck("#id_tiers-2-is_award")
    page.get_by_test_id("tiers-save").click()
    page.wait_for_load_state()
    assert "奖项等级已保存" in page.content()
    _shots(page, f"{shots}-tiers")
    tiers = [(t.name, t.by, t.is_award) for t in review_selectors.tier_rules(campaign=campaign)]
    assert tiers == [("优秀", "fraction", True), ("合格", "fraction", True), ("整改", "fraction", False)]
    ReviewSettings.objects.update_or_create(campaign=campaign, defaults={"reviewers_per_application": 2})

    # --- Six stations submit their self-assessment: 张敏's in the browser, five through the services -------------
    _phase(campaign, "submission")
    name, county, town, _shares = STATIONS[0]
    cast.org_a.name, cast.org_a.district = name, county
    cast.org_a.save()
    page.context.clear_cookies()
    login(page, cast.applicant_a)
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    page.click("[data-testid=apply-button]")
    page.wait_for_selector("[data-testid=application-form]")
    page.fill("#id_title", name)
    page.select_option("#id_county", county)
    page.fill("#id_town", town)
    page.fill("#id_address", f"淮安市{county}{town}便民服务中心二楼")
    page.fill("#id_head_name", "张敏")
    page.fill("#id_head_phone", "13905230006")
    page.fill("#id_full_time_count", "3")
    page.fill("input[name='staff-0-name']", "张敏")
    page.fill("input[name='staff-0-post']", "站长")
    page.select_option("select[name='staff-0-full_time']", "是")
    page.select_option("select[name='staff-0-qualification']", "社会工作师")
    for key in SECTIONS:
        page.fill(f"#id_{key}", BODY)
    page.check("#id_pledge_accepted")
    page.fill("#id_pledge_signature", "张敏")
    _shots(page, f"{shots}-self-assessment")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=reference]")
    mine = Application.objects.get(campaign=campaign, applicant=cast.applicant_a)
    assert mine.status == Application.Status.SUBMITTED and mine.answers["county"] == county
    _shots(page, f"{shots}-submitted")

    stations = [mine]
    for i, (name, county, town, _shares) in enumerate(STATIONS[1:]):
        if i == 0:  # 刘洋 (applicant_b) files for 车桥镇: the 优秀 station whose certificate is shown below
            head, org = cast.applicant_b, cast.org_b
            org.name, org.district = name, county
            org.save()
        else:
            org = OrganisationFactory(name=name, district=county)
            head = _person(f"station{i}@example.cn", f"站长{i}", f"1390523000{i}", org)
        stations.append(
            _file_application(
                campaign=campaign, user=head, data=_answers(name, county, town, head), materials=[], now=timezone.now()
            )
        )
    assert Application.objects.filter(campaign=campaign, status=Application.Status.SUBMITTED).count() == 6

    # --- The review: formal check passed, two experts each; 陈教授 scores 和平镇 in the browser ----------------------
    _phase(campaign, "review")
    second = UserFactory(name="吴教授", email="expert.wu@example.cn", is_reviewer=True)
    for station in stations:
        application_accept(application=station, by=cast.staff)
    reviews = {}  # application id -> [points of each expert]
    for station, (_n, _c, _t, shares) in zip(stations, STATIONS, strict=True):
        reviews[station.pk] = []
        for reviewer, share in zip((cast.reviewer, second), shares, strict=True):
            assignment = Assignment.objects.create(application=station, reviewer=reviewer)
            points = _points(leaves, share)
            reviews[station.pk].append(points)
            if station == mine and reviewer == cast.reviewer:
                continue  # in the browser below
            review_save(assignment=assignment, leaves=leaves, points=points, opinion=OPINION, submit=True)

    page.context.clear_cookies()
    login(page, cast.reviewer)
    page.goto(f"{live_server.url}/reviews/cases/{mine.pk}/")
    assert page.locator("[data-testid=part-heading]").all_inner_texts() == [
        "区县部分（满分 50 分）",
        "站点部分（满分 100 分）",
    ]
    browser_points = reviews[mine.pk][0]
    for leaf in leaves:
        page.fill(f"#id_c{leaf.pk}", f"{browser_points[leaf.pk]:f}")
    part_of = {leaf.pk: leaf.rubric_part.name for leaf in leaves}
    county_sum = _part_sum(browser_points, part_of, COUNTY)
    subtotals = page.locator("[data-testid=part-subtotals] strong").all_inner_texts()
    assert [Decimal(s) for s in subtotals] == [county_sum, sum(browser_points.values()) - county_sum]
    # At the 67th point, far down the form, the subtotals are still in sight (they stay at the top of the window).
    page.locator(f"#id_c{leaves[-1].pk}").scroll_into_view_if_needed()
    box = page.get_by_test_id("part-subtotals").bounding_box()
    assert 0 <= box["y"] < 900 and page.evaluate("window.scrollY") > 3000
    page.fill("#id_opinion", OPINION)
    _shots(page, f"{shots}-scoring")
    page.get_by_role("button", name="提交评审", exact=True).click()
    page.wait_for_load_state()
    assert Assignment.objects.get(application=mine, reviewer=cast.reviewer).review.submitted_at is not None

    # --- The ranking: part subtotals are the mean of the experts' part sums ----------------------------------------
    page.context.clear_cookies()
    login(page, cast.staff)
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/ranking/")
    assert page.locator("[data-testid=part-column]").all_inner_texts() == ["区县部分小计", "站点部分小计"]
    assert "类别/领域" not in page.get_by_test_id("ranking-table").inner_text()  # the case award's columns
    by_title = {s.title: s.pk for s in stations}
    rows = page.get_by_test_id("ranking-table").locator("tbody tr")
    order = []
    for r in range(rows.count()):
        row = rows.nth(r)
        title = next(t for t in by_title if t in row.inner_text())
        order.append(title)
        expected = [
            _cents(sum(_part_sum(points, part_of, part) for points in reviews[by_title[title]]) / 2)
            for part in (COUNTY, STATION)
        ]
        assert row.locator("[data-testid=part-subtotal]").all_inner_texts() == expected, title
    assert order == [s[0] for s in STATIONS[1:]] + [STATIONS[0][0]]
    _shots(page, f"{shots}-ranking")

    # --- Confirm the decision: thirds give 优秀 / 合格 / 整改 --------------------------------------------------------
    page.get_by_test_id("decision-confirm").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("decision-confirmed").is_visible()
    decisions = AwardDecision.objects.filter(application__campaign=campaign)
    decided = dict(decisions.values_list("application__title", "tier"))
    assert [decided[title] for title in order] == ["优秀", "优秀", "合格", "合格", "整改", "整改"]

    # --- Publicity, then the results: 整改 is published under 评定结果, never 获奖 ------------------------------------
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_role("button", name="导入专家评审确认的评审结果").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="手动开启公示").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="手动关闭公示").click()
    page.wait_for_load_state()
    page.get_by_test_id("publish-results").click()
    page.wait_for_load_state()
    assert "获奖名单已发布" in page.content()
    console = page.get_by_test_id("staff-awards").inner_text()
    assert "站点名称" in console and "申报单位" in console and "申报社工姓名" not in console
    _shots(page, f"{shots}-console")

    page.goto(f"{live_server.url}/awards/{campaign.slug}/results/")
    awarded = page.get_by_test_id("award-list").inner_text()
    results = page.get_by_test_id("result-list").inner_text()
    assert "整改" not in awarded and all(title in awarded for title in order[:4])
    assert "整改" in results and all(title in results for title in order[4:])
    assert "评定结果（不属于奖项，不颁发证书）" in page.get_by_test_id("list-section-3").inner_text()
    _shots(page, f"{shots}-results")

    # --- Certificates: one for each 优秀 and 合格, none for 整改 -----------------------------------------------------
    certified = Certificate.objects.filter(campaign=campaign).values_list("award__application__title", flat=True)
    assert sorted(certified) == sorted(order[:4])
    assert Award.objects.filter(campaign=campaign, application__award_decision__tier="整改").count() == 2
    assert not Certificate.objects.filter(campaign=campaign, award__application__award_decision__tier="整改").exists()
    assert certificate_template_get(campaign).body.startswith("{organisation}：\n在{campaign}中被评为“{tier}”。")

    # 刘洋's 优秀 station offers its certificate; 张敏's 整改 station offers none.
    page.context.clear_cookies()
    login(page, cast.applicant_b)
    page.goto(f"{live_server.url}/awards/my/")
    theirs = page.get_by_test_id("my-results").inner_text()
    number = Certificate.objects.get(award__application__applicant=cast.applicant_b).number
    assert "优秀" in theirs and number in theirs and "下载 PDF" in theirs
    page.context.clear_cookies()
    login(page, cast.applicant_a)
    page.goto(f"{live_server.url}/awards/my/")
    ours = page.get_by_test_id("my-results").inner_text()
    assert page.get_by_test_id("result-only").inner_text() == "整改"
    assert "评定结果不属于奖项，不颁发荣誉证书。" in ours
    assert "荣誉证书" not in ours.replace("不颁发荣誉证书", "") and "下载" not in ours
    assert page.locator("a[href*='/certificates/']").count() == 0
    _shots(page, f"{shots}-my-result")

    gets = [u for m, u in loads if m == "GET"]
    posts = [u for m, u in loads if m == "POST"]
    print(f"\nstation evaluation journey: {len(gets)} page loads, {len(posts)} form posts ({len(loads)} in all)")
    assert len(gets) <= JOURNEY_CEILING[0] and len(posts) <= JOURNEY_CEILING[1], loads
