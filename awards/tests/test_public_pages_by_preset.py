"""Public pages of a campaign speak of what it judges (案例, 项目, 站点) and show the form's public fields, never a
personal one: the campaign page, the publicity page and the results page, for each preset."""

import pytest
from django.urls import reverse

from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.presets import preset_apply
from cases.tests.factories import project_answers
from reviews.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PROJECT = project_answers(budget=9.5)
STATION = {
    "title": "清河街道社工站",
    "county": "清江浦区",
    "town": "清河街道",
    "address": "淮安市清江浦区清河街道 8 号",
    "head_name": "王站长",
    "head_phone": "13951711234",
    "operator": "淮安市恒善社会工作服务中心",
}
# preset: (its noun, the name column's heading, a value that must show, personal values that must not)
PRESETS = {
    "case_award": ("案例", "案例名称", "儿童及青少年", ["13800001111"]),
    "project_call": (
        "项目",
        "项目名称",
        "老年社会工作服务项目",
        ["马晓燕", "13909511234", "青铜峡市和乐社会工作服务中心"],
    ),
    "station_evaluation": ("站点", "站点名称", "清江浦区", ["王站长", "13951711234", "淮安市恒善社会工作服务中心"]),
}


def campaign_with_an_award(preset):
    campaign = publicity_campaign()
    if preset != "case_award":
        preset_apply(campaign=campaign, key=preset)
        campaign.save()
    answers = {"project_call": PROJECT, "station_evaluation": STATION}.get(preset, {})
    title = answers.get("title", "困境儿童成长陪伴个案")
    application = ApplicationFactory(campaign=campaign, title=title, answers=answers, reference="GS2026-0001")
    AwardFactory(campaign=campaign, application=application, tier="一等奖")
    return campaign, application


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_campaign_page_speaks_of_its_noun(client, preset):
    campaign, _ = campaign_with_an_award(preset)
    noun, _heading, _shown, hidden = PRESETS[preset]
    response = client.get(reverse("cases:campaign_detail", args=[campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    if preset == "case_award":
        assert "案例评选" in html and "案例实施时间须在" in html and "正文分六部分" in html
    else:
        assert f"{noun}评审" in html and "案例实施时间" not in html and "正文分六部分" not in html
        assert "案例类别" not in html
        assert 'data-testid="campaign-rules"' in html and "申报表单包括：" in html
    for value in hidden:
        assert value not in html


def test_a_project_call_page_says_one_project_per_organisation(client):
    campaign, _ = campaign_with_an_award("project_call")
    html = client.get(reverse("cases:campaign_detail", args=[campaign.slug])).content.decode()
    assert "每个机构最多申报 1 个项目。" in html and "项目基本信息、申报机构、服务指标" in html
    assert "照片：可上传不超过 10 张" in html


@pytest.mark.parametrize("page", ["awards:publicity", "awards:results"])
@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_publicity_and_results_lists_show_the_noun_and_never_a_personal_field(client, cast, preset, page):
    campaign, application = campaign_with_an_award(preset)
    publish_results(campaign, cast.staff)
    noun, heading, shown, hidden = PRESETS[preset]
    response = client.get(reverse(page, args=[campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<th scope="col">{heading}</th>' in html and application.title in html and "一等奖" in html
    assert shown in html
    for value in hidden:
        assert value not in html
    if preset != "case_award":
        assert "案例名称" not in html and "申报社工姓名" not in html and "案例类别" not in html
        assert application.applicant_name not in html
        assert '<th scope="col">申报单位</th>' in html and application.declaring_unit in html


def test_a_project_call_list_shows_the_lot_and_the_amount(client, cast):
    campaign, _ = campaign_with_an_award("project_call")
    html = client.get(reverse("awards:publicity", args=[campaign.slug])).content.decode()
    assert '<th scope="col">申报项目包</th><th scope="col">申请资金（万元）</th>' in html
    assert 'data-testid="answer-cell">老年社会工作服务项目<' in html and 'data-testid="answer-cell">9.50 万元<' in html
    assert "裕民街道怡园社区" not in html  # a short field, but not one a public list shows


def test_the_list_reads_only_the_public_keys_of_the_answers(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from awards.selectors import public_awards

    campaign, _ = campaign_with_an_award("station_evaluation")
    with CaptureQueriesContext(connection) as captured:
        award = list(public_awards(campaign))[0]
    sql = captured[0]["sql"]
    assert "county" in sql and "head_name" not in sql and '"cases_application"."answers",' not in sql
    assert award.answer_county == "清江浦区"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_word_list_has_the_same_columns_and_fills_the_page(client, cast, preset):
    import io

    import docx
    from docx.shared import Cm

    campaign, application = campaign_with_an_award(preset)
    publish_results(campaign, cast.staff)
    noun, heading, shown, hidden = PRESETS[preset]
    response = client.get(reverse("awards:results_file", args=[campaign.slug, "docx"]))
    assert response.status_code == 200
    table = docx.Document(io.BytesIO(response.content)).tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][2] == heading and cells[1][2] == application.title and shown in cells[1]
    text = " ".join(" ".join(row) for row in cells)
    for value in hidden:
        assert value not in text
    if preset == "project_call":
        assert cells[0] == ["序号", "申报编号", "项目名称", "申报单位", "申报项目包", "申请资金（万元）", "奖项等级"]
        assert cells[1][4:] == ["老年社会工作服务项目", "9.50 万元", "一等奖"]
    if preset != "case_award":
        assert application.applicant_name not in text
    widths = [column.width for column in table.columns]
    assert widths[2] == max(widths) and abs(sum(widths) - Cm(29.7 - 4)) < Cm(0.05)


def test_the_objection_form_asks_which_project(client):
    campaign, application = campaign_with_an_award("project_call")
    html = client.get(reverse("awards:objection", args=[campaign.slug])).content.decode()  # its own page now
    assert "异议项目" in html and "请选择公示名单中的项目" in html and "异议案例" not in html
    assert f"{application.reference} {application.title}" in html


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_staff_console_names_the_row_by_its_noun(client, cast, preset):
    """The award console of a station evaluation said 案例名称 and 申报社工姓名 (journey (b) of #10): a campaign
    with a form of its own names its noun and the 申报单位; the case award keeps its headings."""
    campaign, application = campaign_with_an_award(preset)
    client.force_login(cast.staff)
    html = client.get(reverse("awards:campaign", args=[campaign.slug])).content.decode()
    noun, heading, _shown, _hidden = PRESETS[preset]
    assert f"<th>{heading}</th>" in html and application.title in html
    if preset == "case_award":
        assert "<th>申报社工姓名</th>" in html and application.applicant_name in html
    else:
        assert "<th>申报单位</th>" in html and "<th>申报社工姓名</th>" not in html and "<th>案例名称</th>" not in html
        assert application.declaring_unit in html


@pytest.mark.parametrize(
    "preset,body",
    [
        ("case_award", "{organisation} {name} 同志：\n你申报的案例《{case_title}》在{campaign}中荣获“{tier}”。"),
        ("project_call", "{organisation}：\n你单位申报的项目《{case_title}》在{campaign}中荣获“{tier}”。"),
        ("station_evaluation", "{organisation}：\n在{campaign}中被评为“{tier}”。"),
    ],
)
def test_the_default_certificate_speaks_to_whom_the_campaign_judges(client, cast, preset, body):
    """A 社工站评估's 优秀 certificate read "站长 同志：你申报的案例《…服务站》" (journey (b) of #10): a form of its own
    certifies the organisation; the case award's text is unchanged. The console offers the same default."""
    from awards.selectors import certificate_body
    from awards.services import certificate_template_get

    campaign, _ = campaign_with_an_award(preset)
    template = certificate_template_get(campaign)
    assert template.body.startswith(body) and certificate_body(template) == template.body
    client.force_login(cast.staff)
    html = client.get(reverse("awards:campaign", args=[campaign.slug])).content.decode()
    assert body.split("\n")[1] in html
