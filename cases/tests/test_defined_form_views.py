"""The applicant's editor, detail page and submit for a campaign whose form is defined as data (a preset other
than the case award)."""

import pytest
from django.urls import reverse

from cases.models import Application
from cases.tests.factories import ApplicationFactory, defined_campaign, project_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return defined_campaign("project_call")


@pytest.fixture
def project_draft(cast, campaign):
    return ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        team=False,
        title="",
        category="",
        domain="",
        answers={},
        pledge_accepted=False,
        pledge_signature="",
    )


def post_data(application, answers: dict, **extra) -> dict:
    """What the defined editor posts for these answers."""
    data = {"version": application.version}
    for key, value in answers.items():
        if key == "period":
            data["period_0"], data["period_1"] = value
        elif key == "staff":
            for i, row in enumerate(value):
                for column, cell in row.items():
                    data[f"staff-{i}-{column}"] = cell
        elif isinstance(value, list):
            data[key] = value
        else:
            data[key] = str(value)
    data.update(extra)
    return data


def test_the_editor_shows_the_defined_fields_and_not_the_case_form(client_a, project_draft):
    html = client_a.get(reverse("cases:application_edit", args=[project_draft.pk])).content.decode()
    for label in [
        "项目名称",
        "申报项目包",
        "申请资金（万元）",
        "项目实施周期",
        "个案服务（个）",
        "直接受益人数",
        "项目专职人员",
    ]:
        assert label in html
    assert "二、项目目标与服务内容" in html
    assert "老年社会工作服务项目" in html
    assert "昆山市优秀社工案例报名表" not in html and "案例类别" not in html
    assert 'data-table-add="staff"' in html


def test_a_table_field_keeps_room_per_column_so_a_phone_scrolls_it_sideways(client_a, project_draft):
    """The staff table of 4 columns squeezed its inputs to two characters at 360 px (journey (b) of #10): the
    table now keeps 128 px per column inside its scrolling wrapper."""
    html = client_a.get(reverse("cases:application_edit", args=[project_draft.pk])).content.decode()
    assert 'style="min-width: 512px" data-testid="table-staff"' in html


def test_a_draft_saves_the_answers(client_a, project_draft):
    answers = project_answers()
    response = client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]), post_data(project_draft, answers, action="save")
    )
    assert response.status_code == 302
    project_draft.refresh_from_db()
    assert project_draft.answers["budget"] == 10
    assert project_draft.answers["period"] == ["2023-06-01", "2024-05-31"]
    assert project_draft.answers["staff"][1] == {"name": "李静", "post": "一线社工", "qualification": "助理社会工作师"}
    assert project_draft.answers["beneficiary_groups"] == ["60岁以上老年人"]
    assert project_draft.title == "五社联动幸福老小老年社会工作服务项目"  # lists and e-mails show it
    assert project_draft.version == 2


def test_bad_input_is_kept_on_the_page_with_the_message_beside_its_field(client_a, project_draft):
    answers = project_answers(budget="十万", case_count="2.5")
    response = client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]), post_data(project_draft, answers, action="save")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-errors-for="budget"><div>请填写金额（数字，最多两位小数）。</div>' in html
    assert 'data-errors-for="case_count"><div>请填写整数。</div>' in html
    assert 'value="十万"' in html and 'value="2.5"' in html  # what was typed is still there
    project_draft.refresh_from_db()
    assert "budget" not in project_draft.answers and "case_count" not in project_draft.answers
    assert project_draft.answers["title"] == answers["title"]  # the rest was saved


def test_a_bad_value_keeps_the_stored_one(client_a, project_draft):
    project_draft.answers = {"budget": 8}
    project_draft.save()
    client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]),
        post_data(project_draft, {"budget": "八万"}, action="save"),
    )
    project_draft.refresh_from_db()
    assert project_draft.answers["budget"] == 8


def test_submit_is_blocked_by_a_missing_required_field_named_in_the_message(client_a, project_draft):
    answers = project_answers()
    del answers["lot"]
    response = client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]),
        post_data(project_draft, answers, action="submit", pledge_accepted="on", pledge_signature="马晓燕"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "提交前请填写“申报项目包”。" in html
    assert "还有未完成的内容" in html
    project_draft.refresh_from_db()
    assert project_draft.status == Application.Status.DRAFT


def test_a_complete_defined_form_is_submitted(client_a, project_draft, mailoutbox):
    response = client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]),
        post_data(
            project_draft,
            project_answers(),
            action="submit",
            pledge_accepted="on",
            pledge_signature="马晓燕",
            confirm_findings="1",
        ),
    )
    project_draft.refresh_from_db()
    assert project_draft.status == Application.Status.SUBMITTED, response.content.decode()[:3000]
    assert project_draft.reference.startswith("XM")
    assert response.status_code == 302


def test_the_submit_check_asks_for_the_pledge_of_the_definition(client_a, project_draft):
    response = client_a.post(
        reverse("cases:application_edit", args=[project_draft.pk]),
        post_data(project_draft, project_answers(), action="submit"),
    )
    assert "请阅读承诺，勾选并签名。" in response.content.decode()


def test_autosave_saves_answers_and_reports_problems(client_a, project_draft):
    response = client_a.post(
        reverse("cases:application_autosave", args=[project_draft.pk]),
        post_data(project_draft, {"title": "项目", "budget": "abc"}),
    )
    body = response.json()
    assert body["ok"] and body["problems"] == {"budget": ["请填写金额（数字，最多两位小数）。"]}
    project_draft.refresh_from_db()
    assert project_draft.answers == {"title": "项目"}


def test_the_privacy_check_runs_on_every_long_text_field(client_a, project_draft):
    from cases.privacy import application_findings

    project_draft.answers = {"necessity": "案主张三的电话是13912345678。", "title": "项目"}
    project_draft.save()
    found = application_findings(project_draft)
    assert set(found) >= {"summary", "necessity", "goals", "budget_detail"}
    assert found["necessity"] and not found["summary"]


def test_the_detail_page_shows_the_answers(client_a, project_draft):
    project_draft.answers = project_answers()
    project_draft.save()
    html = client_a.get(reverse("cases:application_detail", args=[project_draft.pk])).content.decode()
    assert "10 万元" in html
    assert "2023年6月1日 至 2024年5月31日" in html
    assert "一线社工" in html
    assert "三、预期成效" in html


def test_the_word_export_of_a_defined_form_lays_out_fields_and_sections(client_a, project_draft):
    import io

    import docx

    project_draft.answers = project_answers()
    project_draft.save()
    response = client_a.get(reverse("cases:application_docx", args=[project_draft.pk]))
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "项目名称" in cells and "五社联动幸福老小老年社会工作服务项目" in cells
    assert "10 万元" in cells
    assert "二、项目目标与服务内容" in text
    assert "昆山市优秀社工案例报名表" not in text


def test_the_dashboard_lists_what_a_defined_form_still_misses(client_a, project_draft):
    project_draft.answers = project_answers()
    del project_draft.answers["budget"]
    project_draft.save()
    html = client_a.get(reverse("cases:dashboard")).content.decode()
    assert "申请资金" in html and "承诺" in html


def test_a_sections_guidance_follows_the_choice_it_depends_on(client_a, project_draft):
    campaign = project_draft.campaign
    campaign.form_definition["sections"][6]["guidance_by"] = {
        "field": "lot",
        "texts": {"儿童社会工作服务项目": "写明困境儿童、留守儿童的服务需求。"},
    }
    campaign.save()
    project_draft.answers = {"lot": "儿童社会工作服务项目"}
    project_draft.save()
    html = client_a.get(reverse("cases:application_edit", args=[project_draft.pk])).content.decode()
    assert 'data-guidance-by="lot"' in html
    assert ">写明困境儿童、留守儿童的服务需求。</p>" in html


def test_the_admin_saves_a_defined_campaign_without_case_categories(cast, client):
    from cases.admin import CampaignAdminForm

    campaign = defined_campaign("station_evaluation")
    form = CampaignAdminForm(instance=campaign)
    assert form.fields["categories"].required is False


def test_a_defined_forms_editor_has_the_campaigns_material_slots_and_a_scan_lands_in_its_slot(
    client_a, project_draft, media_storage
):
    """A project call's 申报材料 had no upload area in the defined form's editor, so a required slot refused every
    submit: the editor shows each slot, a JPEG scan goes to its slot, and the submit goes through."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.tests.factories_checks import jpeg_bytes
    from cases.tests.factories_materials import MaterialSlotFactory

    licence = MaterialSlotFactory(
        campaign=project_draft.campaign, name="法人登记证书副本", allowed_types=["jpeg", "png", "pdf"], max_files=2
    )
    url = reverse("cases:application_edit", args=[project_draft.pk])
    html = client_a.get(url).content.decode()
    assert 'data-testid="materials"' in html and f'name="material_{licence.pk}"' in html
    assert "法人登记证书副本" in html and "其他附件" in html

    scan = SimpleUploadedFile("正面.jpg", jpeg_bytes(), "image/jpeg")
    data = post_data(
        project_draft,
        project_answers(),
        action="submit",
        pledge_accepted="on",
        pledge_signature="马晓燕",
        confirm_findings="1",
        **{f"material_{licence.pk}": scan},
    )
    response = client_a.post(url, data)
    project_draft.refresh_from_db()
    assert project_draft.status == Application.Status.SUBMITTED, response.content.decode()[:3000]
    attachment = project_draft.attachments.get()
    assert attachment.slot == licence and attachment.content_type == "image/jpeg"


def test_the_detail_page_of_a_call_without_recommendation_waits_for_no_unit_opinion(client_a, project_draft):
    """A project call needs no 单位推荐: its detail page said 所在单位推荐意见 “尚无” as if one were awaited."""
    assert not project_draft.campaign.recommendation_required
    html = client_a.get(reverse("cases:application_detail", args=[project_draft.pk])).content.decode()
    assert "所在单位推荐意见" not in html
    project_draft.campaign.recommendation_required = True
    project_draft.campaign.save()
    html = client_a.get(reverse("cases:application_detail", args=[project_draft.pk])).content.decode()
    assert "所在单位推荐意见" in html and "尚无。" in html
