"""The staff page that edits a campaign's application form (申报表单): every change validated and audited, and
the form frozen once the first application is submitted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.formdef import definition_field, definition_fields
from cases.models import Application, Campaign
from cases.tests.factories import ApplicationFactory, CampaignFactory, defined_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return defined_campaign("station_evaluation")


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def keys(campaign):
    campaign.refresh_from_db()
    return [f["key"] for f in definition_fields(campaign.form_definition)]


def test_the_page_lists_sections_and_fields(staff_client, campaign):
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert "社工站基本信息" in html and "所属县（区）" in html and "清江浦区" in html
    assert 'data-testid="add-field-station"' in html
    assert "表单已冻结" not in html


def test_staff_add_a_field_and_it_is_audited(staff_client, campaign, cast):
    url = reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=station"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "key": "service_towns",
            "label": "服务覆盖村（社区）数",
            "type": "number",
            "required": "on",
            "integer": "on",
            "min": "0",
        },
    )
    assert response.status_code == 302
    assert keys(campaign).count("service_towns") == 1
    field = definition_field(campaign.form_definition, "service_towns")
    assert field == {
        "section": "station",
        "key": "service_towns",
        "label": "服务覆盖村（社区）数",
        "type": "number",
        "required": True,
        "min": 0,
        "integer": True,
    }
    event = AuditEvent.objects.filter(object_type__icontains="campaign").latest("id")
    assert "新增字段“服务覆盖村（社区）数”" in event.detail and event.user_id == cast.staff.pk


def test_a_choice_field_with_its_options(staff_client, campaign):
    staff_client.post(
        reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=station",
        {"key": "grade", "label": "星级", "type": "choice", "choices": "一星\n二星\n三星\n", "filter": "on"},
    )
    campaign.refresh_from_db()
    assert definition_field(campaign.form_definition, "grade")["choices"] == ["一星", "二星", "三星"]


def test_an_invalid_field_is_refused_with_the_reason_and_what_was_typed_kept(staff_client, campaign):
    before = keys(campaign)
    response = staff_client.post(
        reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=station",
        {"key": "county", "label": "再一个县区", "type": "choice", "choices": "甲"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "字段标识“county”重复。" in html
    assert 'value="再一个县区"' in html
    assert keys(campaign) == before


def test_a_bad_key_is_refused_beside_the_field(staff_client, campaign):
    response = staff_client.post(
        reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=station",
        {"key": "县区", "label": "县区", "type": "text"},
    )
    assert "须以小写字母开头" in response.content.decode()


def test_staff_edit_move_and_remove_a_field(staff_client, campaign):
    edit = reverse("cases:campaign_form_field_edit", args=[campaign.slug, "town"])
    assert 'value="所属乡镇（街道）"' in staff_client.get(edit).content.decode()
    staff_client.post(edit, {"key": "town", "label": "所属乡镇", "type": "text", "required": "on"})
    campaign.refresh_from_db()
    assert definition_field(campaign.form_definition, "town")["label"] == "所属乡镇"

    staff_client.post(reverse("cases:campaign_form_field_move", args=[campaign.slug, "town"]), {"direction": "up"})
    assert keys(campaign)[:3] == ["title", "town", "county"]

    staff_client.post(reverse("cases:campaign_form_field_remove", args=[campaign.slug, "floor_area"]))
    assert "floor_area" not in keys(campaign)
    assert AuditEvent.objects.filter(detail__startswith="修改申报表单").count() == 3


def test_removing_the_field_a_guidance_follows_is_refused():
    campaign = defined_campaign("project_call")
    campaign.form_definition["sections"][5]["guidance_by"] = {"field": "lot", "texts": {"第三方评估类项目": "评估说明"}}
    campaign.save()
    from cases import services

    with pytest.raises(Exception) as refused:
        services.campaign_form_field_remove(campaign=campaign, key="lot", by=None)
    assert "说明所依据的字段" in str(refused.value)


def test_the_form_is_frozen_after_the_first_submission(staff_client, campaign):
    ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert "表单已冻结：已有申报提交" in html
    assert "新增字段" not in html and "删除" not in html
    before = Campaign.objects.get(pk=campaign.pk).form_definition

    response = staff_client.post(
        reverse("cases:campaign_form_field_add", args=[campaign.slug]) + "?section=station",
        {"key": "extra", "label": "补充", "type": "text"},
    )
    assert response.status_code == 302
    response = staff_client.post(reverse("cases:campaign_form_field_remove", args=[campaign.slug, "floor_area"]))
    assert "表单已冻结" in [str(m) for m in response.wsgi_request._messages][0]
    assert Campaign.objects.get(pk=campaign.pk).form_definition == before


def test_the_official_case_form_is_shown_read_only(staff_client):
    campaign = CampaignFactory()
    html = staff_client.get(reverse("cases:campaign_form", args=[campaign.slug])).content.decode()
    assert "官方报名表" in html and "六、专业反思" in html
    assert "新增字段" not in html
