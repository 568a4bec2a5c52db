"""The sections of a campaign's application form (申报表单的章节): staff add, edit, move and remove them, with a
guidance that may differ by a single-choice field; every change validated and audited, frozen after the first
submission like the fields."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.formdef import definition_fields, form_definition_validate
from cases.models import Application, Campaign
from cases.tests.factories import ApplicationFactory, defined_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return defined_campaign("project_call")


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def sections(campaign) -> list[str]:
    campaign.refresh_from_db()
    return [s["key"] for s in campaign.form_definition["sections"]]


def section(campaign, key) -> dict:
    campaign.refresh_from_db()
    return next(s for s in campaign.form_definition["sections"] if s["key"] == key)


def test_the_form_page_offers_section_actions(staff_client, campaign):
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert 'data-testid="add-section"' in html
    assert 'data-testid="edit-section-project"' in html and 'data-testid="remove-section-indicators"' in html
    assert "确定删除章节“服务指标”及其中的 5 个字段吗？" in html


def test_staff_add_a_fields_section_at_the_end_and_it_is_audited(staff_client, campaign, cast):
    url = reverse("cases:campaign_form_section_add", args=[campaign.slug])
    page = staff_client.get(url).content.decode()
    assert "章节标题" in page and "“申报项目包”为“第三方评估类项目”时的说明" in page
    response = staff_client.post(
        url, {"key": "evaluation", "title": "评估安排", "kind": "fields", "guidance": "中期、末期评估。"}
    )
    assert response.status_code == 302 and response.url == reverse("cases:campaign_form", args=[campaign.slug])
    assert sections(campaign)[-1] == "evaluation"
    assert section(campaign, "evaluation") == {
        "key": "evaluation",
        "title": "评估安排",
        "kind": "fields",
        "guidance": "中期、末期评估。",
        "fields": [],
    }
    event = AuditEvent.objects.filter(detail__startswith="修改申报表单").latest("id")
    assert "新增章节“评估安排”" in event.detail and event.user_id == cast.staff.pk


def test_a_body_section_then_its_long_text_field(staff_client, campaign):
    staff_client.post(
        reverse("cases:campaign_form_section_add", args=[campaign.slug]),
        {"key": "s_risk", "title": "八、风险预案", "kind": "body", "guidance": "可能的风险与应对。"},
    )
    add_field = reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=s_risk"
    assert '<option value="textarea" selected>' in staff_client.get(add_field).content.decode()
    staff_client.post(add_field, {"key": "risk", "label": "八、风险预案", "type": "textarea", "required": "on"})
    assert section(campaign, "s_risk")["fields"][0]["key"] == "risk"
    assert "风险预案" in staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()


def test_a_guidance_that_differs_by_a_choice_field(staff_client, campaign):
    url = reverse("cases:campaign_form_section_edit", args=[campaign.slug, "s_goals"])
    response = staff_client.post(
        url,
        {
            "title": "二、项目目标与服务内容",
            "kind": "body",
            "guidance": "运用社会工作专业方法开展的服务内容。",
            "guidance_field": "lot",
            "guidance_lot_0": "老年服务：居家探访、健康讲座。",
            "guidance_lot_2": "评估方法与评估指标。",
        },
    )
    assert response.status_code == 302
    goals = section(campaign, "s_goals")
    assert goals["guidance_by"] == {
        "field": "lot",
        "texts": {"老年社会工作服务项目": "老年服务：居家探访、健康讲座。", "第三方评估类项目": "评估方法与评估指标。"},
    }
    assert [f["key"] for f in goals["fields"]] == ["goals"]  # its field is kept
    assert form_definition_validate(campaign.form_definition) == []
    page = staff_client.get(url).content.decode()  # the edit page shows what is stored
    assert "评估方法与评估指标。</textarea>" in page and '<option value="lot" selected>' in page
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert "按“申报项目包”为“第三方评估类项目”：" in html


def test_a_guidance_by_a_field_without_any_text_is_refused_beside_the_field_and_nothing_is_lost(staff_client, campaign):
    before = section(campaign, "s_goals")
    response = staff_client.post(
        reverse("cases:campaign_form_section_edit", args=[campaign.slug, "s_goals"]),
        {"title": "二、目标（改）", "kind": "body", "guidance": "新的说明", "guidance_field": "lot"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请至少为该字段的一个选项填写说明" in html and 'value="二、目标（改）"' in html and "新的说明" in html
    assert section(campaign, "s_goals") == before


def test_a_duplicate_or_bad_key_is_refused_with_the_reason(staff_client, campaign):
    url = reverse("cases:campaign_form_section_add", args=[campaign.slug])
    duplicate = staff_client.post(url, {"key": "project", "title": "又一个", "kind": "fields"})
    assert duplicate.status_code == 200 and "章节标识“project”重复。" in duplicate.content.decode()
    bad = staff_client.post(url, {"key": "章节", "title": "又一个", "kind": "fields"})
    assert "须以小写字母开头" in bad.content.decode()
    empty = staff_client.post(url, {"key": "x1", "title": "", "kind": "fields"})
    assert "请填写章节标题。" in empty.content.decode()
    assert "x1" not in sections(campaign)


def test_the_key_of_a_section_is_not_changed_by_an_edit(staff_client, campaign):
    staff_client.post(
        reverse("cases:campaign_form_section_edit", args=[campaign.slug, "project"]),
        {"key": "renamed", "title": "项目信息", "kind": "fields"},
    )
    assert section(campaign, "project")["title"] == "项目信息"
    assert "renamed" not in sections(campaign)


def test_staff_move_sections_up_and_down(staff_client, campaign):
    first = sections(campaign)
    staff_client.post(
        reverse("cases:campaign_form_section_move", args=[campaign.slug, "organisation"]), {"direction": "up"}
    )
    assert sections(campaign)[:2] == ["organisation", "project"]
    response = staff_client.post(
        reverse("cases:campaign_form_section_move", args=[campaign.slug, "organisation"]), {"direction": "up"}
    )
    assert "已在表单的最前或最后" in [str(m) for m in response.wsgi_request._messages][0]
    staff_client.post(
        reverse("cases:campaign_form_section_move", args=[campaign.slug, "organisation"]), {"direction": "down"}
    )
    assert sections(campaign) == first


def test_an_empty_section_and_one_with_fields_can_go_before_any_submission(staff_client, campaign):
    staff_client.post(
        reverse("cases:campaign_form_section_add", args=[campaign.slug]),
        {"key": "extra", "title": "补充", "kind": "fields"},
    )
    staff_client.post(reverse("cases:campaign_form_section_remove", args=[campaign.slug, "extra"]))
    staff_client.post(reverse("cases:campaign_form_section_remove", args=[campaign.slug, "beneficiaries"]))
    assert "extra" not in sections(campaign) and "beneficiaries" not in sections(campaign)
    assert "direct_beneficiaries" not in [f["key"] for f in definition_fields(campaign.form_definition)]
    assert AuditEvent.objects.filter(detail__contains="删除章节").count() == 2


def test_removing_the_section_of_the_field_a_guidance_follows_is_refused(campaign):
    campaign.form_definition["sections"][6]["guidance_by"] = {"field": "lot", "texts": {"第三方评估类项目": "评估说明"}}
    campaign.save()
    with pytest.raises(Exception) as refused:
        services.campaign_form_section_remove(campaign=campaign, key="project", by=None)
    assert "说明所依据的字段" in str(refused.value)
    assert "project" in sections(campaign)


def test_a_section_with_a_field_required_at_submission_may_not_go_once_applications_were_submitted(campaign):
    ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    without = {**campaign.form_definition}
    without["sections"] = [s for s in without["sections"] if s["key"] != "indicators"]
    problems = form_definition_validate(without, campaign=campaign)
    assert "已有申报提交，不能删除必填字段“个案服务（个）”。" in problems
    with pytest.raises(Exception) as refused:
        services.campaign_form_section_remove(campaign=campaign, key="indicators", by=None)
    assert "表单已冻结" in str(refused.value)


def test_sections_are_frozen_after_the_first_submission(staff_client, campaign):
    ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    before = Campaign.objects.get(pk=campaign.pk).form_definition
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert "新增章节" not in html and "修改章节" not in html and "删除章节" not in html
    for response in (
        staff_client.get(reverse("cases:campaign_form_section_add", args=[campaign.slug])),
        staff_client.post(
            reverse("cases:campaign_form_section_add", args=[campaign.slug]),
            {"key": "late", "title": "迟来的章节", "kind": "fields"},
        ),
        staff_client.post(
            reverse("cases:campaign_form_section_edit", args=[campaign.slug, "project"]),
            {"title": "改名", "kind": "fields"},
        ),
        staff_client.post(
            reverse("cases:campaign_form_section_move", args=[campaign.slug, "project"]), {"direction": "down"}
        ),
        staff_client.post(reverse("cases:campaign_form_section_remove", args=[campaign.slug, "beneficiaries"])),
    ):
        assert response.status_code == 302
        assert "表单已冻结" in [str(m) for m in response.wsgi_request._messages][-1]
    assert Campaign.objects.get(pk=campaign.pk).form_definition == before


def test_an_unknown_section_is_not_found(staff_client, campaign):
    assert (
        staff_client.get(reverse("cases:campaign_form_section_edit", args=[campaign.slug, "nope"])).status_code == 404
    )
    response = staff_client.post(reverse("cases:campaign_form_section_remove", args=[campaign.slug, "nope"]))
    assert "未找到该章节" in [str(m) for m in response.wsgi_request._messages][0]


def test_the_official_case_form_has_no_section_actions(staff_client):
    from cases.tests.factories import CampaignFactory

    official = CampaignFactory()
    html = staff_client.get(reverse("cases:campaign_form", args=[official.slug])).content.decode()
    assert "新增章节" not in html
    response = staff_client.post(
        reverse("cases:campaign_form_section_add", args=[official.slug]), {"key": "x", "title": "x", "kind": "fields"}
    )
    assert (
        response.status_code == 302 and Campaign.objects.get(pk=official.pk).form_definition == official.form_definition
    )


def test_the_public_campaign_page_shows_a_new_section_at_once(client, cast, campaign, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    url = reverse("cases:campaign_detail", args=[campaign.slug])
    assert "九、附件说明" not in client.get(url).content.decode()  # now in the visitors' cache
    services.campaign_form_section_save(
        campaign=campaign, section={"key": "notes", "title": "九、附件说明", "kind": "fields"}, by=cast.staff
    )
    assert "九、附件说明" in client.get(url).content.decode()
