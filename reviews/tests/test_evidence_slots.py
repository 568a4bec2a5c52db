"""按评分指标生成佐证材料: one optional 申报材料 slot per observation point of the rubric (the 淮安 station
evaluation's 67), grouped under the level-1 indicators in the editor and on the formal-check page."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from cases.materials import EVIDENCE_SEPARATOR, evidence_slot_name
from cases.models import MaterialSlot
from cases.tests.factories import ApplicationFactory, defined_campaign
from cases.tests.factories_materials import MaterialSlotFactory
from reviews import services
from reviews.rubric_xlsx import rubric_rows_read
from reviews.tests.huaian import huaian_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def huaian_index(campaign):
    rows = rubric_rows_read(io.BytesIO(xlsx_bytes(huaian_rows()))).rows
    services.rubric_import(campaign=campaign, rows=rows, by=None)


@pytest.fixture
def station():
    return defined_campaign("station_evaluation", slug="huaian-station", title="淮安市社工站评估")


# --- The service ---------------------------------------------------------------------------------


def test_the_huaian_index_gives_67_optional_slots_named_by_their_path(station, cast):
    huaian_index(station)
    assert services.evidence_slots_generate(campaign=station, by=cast.staff) == 67
    slots = list(MaterialSlot.objects.filter(campaign=station))
    assert len(slots) == 67
    assert slots[0].name == "政策支持 › 政策文件 › 政策文件观测点1"
    assert slots[-1].name == "服务成效 › 典型案例 › 典型案例观测点3"
    assert {s.name.split(EVIDENCE_SEPARATOR)[0] for s in slots} == {
        "政策支持",
        "组织管理",
        "硬件条件",
        "服务团队",
        "制度建设",
        "服务开展",
        "服务成效",
    }
    assert all(
        not s.required and s.allowed_types == ["pdf", "jpeg", "png"] and s.max_files == 5 and s.max_size_mb == 20
        for s in slots
    )
    assert [s.position for s in slots] == list(range(1, 68))
    assert slots[0].help_text == "查阅资料、实地查看"  # the index's 说明 of the point
    event = AuditEvent.objects.get(detail__startswith="申报材料：按评分指标生成佐证材料")
    assert "67 项" in event.detail and event.user == cast.staff


def test_generating_again_adds_nothing_and_keeps_staffs_own_slots(station, cast):
    MaterialSlotFactory(campaign=station, name="年度自评报告", position=1)
    huaian_index(station)
    services.evidence_slots_generate(campaign=station, by=cast.staff)
    assert services.evidence_slots_generate(campaign=station, by=cast.staff) == 0
    assert MaterialSlot.objects.filter(campaign=station).count() == 68
    assert MaterialSlot.objects.get(campaign=station, name="年度自评报告").position == 1
    assert AuditEvent.objects.filter(detail__startswith="申报材料：按评分指标生成佐证材料").count() == 1


def test_a_point_added_to_the_rubric_later_gets_its_slot_alone(station, cast):
    from reviews.models import Criterion

    huaian_index(station)
    services.evidence_slots_generate(campaign=station, by=cast.staff)
    parent = Criterion.objects.get(campaign=station, name="典型案例")
    Criterion.objects.create(campaign=station, parent=parent, name="典型案例观测点4", max_points=1, position=9)
    assert services.evidence_slots_generate(campaign=station, by=cast.staff) == 1
    assert MaterialSlot.objects.filter(campaign=station).last().name == "服务成效 › 典型案例 › 典型案例观测点4"


def test_a_campaign_without_a_rubric_is_refused_and_gets_no_slot(station, cast):
    with pytest.raises(ValidationError) as caught:
        services.evidence_slots_generate(campaign=station, by=cast.staff)
    assert "尚未设置评分指标" in caught.value.messages[0]
    assert not MaterialSlot.objects.filter(campaign=station).exists()


def test_a_long_path_keeps_the_observation_point_whole_within_the_name_length():
    limit = MaterialSlot._meta.get_field("name").max_length
    name = evidence_slot_name(["政策支持" * 20, "经费保障" * 20, "年度经费纳入财政预算并足额拨付到位"])
    assert len(name) <= limit
    assert name.endswith(" › 年度经费纳入财政预算并足额拨付到位")
    assert name.startswith("政策支持") and "…" in name
    assert evidence_slot_name(["一级", "二级", "观" * 150]) == "观" * (limit - 1) + "…"
    assert evidence_slot_name(["一级", "二级", "观测点"]) == "一级 › 二级 › 观测点"


# --- The staff button ------------------------------------------------------------------------------


def test_staff_generate_from_the_materials_page(client, cast, station):
    huaian_index(station)
    client.force_login(cast.staff)
    page = client.get(reverse("cases:campaign_materials", kwargs={"slug": station.slug})).content.decode()
    assert "按评分指标生成佐证材料" in page
    response = client.post(reverse("reviews:evidence_slots_generate", kwargs={"slug": station.slug}))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:campaign_materials", kwargs={"slug": station.slug})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已按评分指标生成 67 项佐证材料（选交）。"]
    response = client.post(reverse("reviews:evidence_slots_generate", kwargs={"slug": station.slug}), follow=True)
    assert "每个观测点都已有佐证材料，没有新增。" in response.content.decode()


def test_the_button_without_a_rubric_says_why(client, cast, station):
    client.force_login(cast.staff)
    response = client.post(reverse("reviews:evidence_slots_generate", kwargs={"slug": station.slug}), follow=True)
    assert "尚未设置评分指标，不能生成佐证材料" in response.content.decode()
    assert not MaterialSlot.objects.filter(campaign=station).exists()


# --- The applicant's editor ----------------------------------------------------------------------


@pytest.fixture
def station_draft(cast, station):
    return ApplicationFactory(
        campaign=station, applicant=cast.applicant_a, organisation=cast.org_a, team=False, answers={}
    )


def test_the_editor_groups_67_slots_under_the_7_level1_indicators_folded(client, cast, station, station_draft):
    huaian_index(station)
    services.evidence_slots_generate(campaign=station, by=cast.staff)
    client.force_login(cast.applicant_a)
    page = client.get(reverse("cases:application_edit", args=[station_draft.pk])).content.decode()
    assert page.count('data-testid="material-group"') == 7
    assert page.count(' open data-testid="material-group"') == 0  # many slots: folded until opened
    assert "政策支持 <span" in page and "（7 项，已上传 0 项）" in page
    assert page.count('type="file" name="material_') == 67
    assert "政策文件 › 政策文件观测点1" in page  # the row's label without its group's heading


def test_a_few_evidence_slots_stay_open(client, cast, station, station_draft):
    for i in range(1, 4):
        MaterialSlotFactory(campaign=station, name=f"政策支持 › 政策文件 › 观测点{i}", required=False)
    client.force_login(cast.applicant_a)
    page = client.get(reverse("cases:application_edit", args=[station_draft.pk])).content.decode()
    assert page.count(' open data-testid="material-group"') == 1


@pytest.mark.parametrize("with_index", [False, True])
def test_the_editor_costs_the_same_for_3_and_for_67_evidence_slots(
    client, cast, station, station_draft, with_index, django_assert_num_queries
):
    if with_index:
        huaian_index(station)
        services.evidence_slots_generate(campaign=station, by=cast.staff)
    else:
        for i in range(1, 4):
            MaterialSlotFactory(campaign=station, name=f"政策支持 › 政策文件 › 观测点{i}", required=False)
    client.force_login(cast.applicant_a)
    url = reverse("cases:application_edit", args=[station_draft.pk])
    client.get(url)  # the privacy check of the texts is remembered after the first read
    # session, user, application, its photos (privacy check), memberships, photos, attachments, the slots,
    # the session save (cases/tests/test_defined_form_queries.py)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count('type="file" name="material_') == (67 if with_index else 3)


# --- The reviewer's case page and the formal-check page --------------------------------------------


@pytest.fixture
def reviewed_station(cast, media_storage):
    """An accepted station of a station evaluation in its review window, with the 淮安 index, its 67 evidence
    slots and a file in the first observation point's slot; assigned to the cast's reviewer."""
    from cases.presets import preset_apply
    from cases.tests.factories import add_attachment
    from reviews.tests.factories import ApplicationFactory as ReviewApplicationFactory
    from reviews.tests.factories import AssignmentFactory, review_window_campaign

    campaign = review_window_campaign(slug="huaian-review", title="淮安市社工站评估")
    preset_apply(campaign=campaign, key="station_evaluation")
    campaign.save()
    huaian_index(campaign)
    services.evidence_slots_generate(campaign=campaign, by=cast.staff)
    application = ReviewApplicationFactory(campaign=campaign, answers={"title": "清河街道社工站", "county": "淮安区"})
    first = MaterialSlot.objects.get(campaign=campaign, name="政策支持 › 政策文件 › 政策文件观测点1")
    attachment = add_attachment(application)
    attachment.slot = first
    attachment.original_name = "区政府购买服务文件.pdf"
    attachment.save()
    AssignmentFactory(application=application, reviewer=cast.reviewer)
    return application, attachment


def test_the_reviewer_sees_the_evidence_beside_each_observation_point(client, cast, reviewed_station):
    application, attachment = reviewed_station
    client.force_login(cast.reviewer)
    page = client.get(reverse("reviews:case", kwargs={"pk": application.pk})).content.decode()
    blocks = page.split('data-testid="leaf-evidence"')[1:]
    assert len(blocks) == 67
    assert reverse("reviews:attachment", args=[attachment.pk]) in blocks[0].split("</div>")[0]
    assert "区政府购买服务文件.pdf" in blocks[0].split("</div>")[0]
    assert all("未提交" in block.split("</div>")[0] for block in blocks[1:])


def test_a_case_without_evidence_files_has_no_evidence_lines(client, cast, reviewed_station):
    application, attachment = reviewed_station
    attachment.delete()
    client.force_login(cast.reviewer)
    page = client.get(reverse("reviews:case", kwargs={"pk": application.pk})).content.decode()
    assert 'data-testid="leaf-evidence"' not in page


def test_the_formal_check_page_lists_the_evidence_under_its_level1_indicators(client, cast, reviewed_station):
    application, _attachment = reviewed_station
    application.status = application.Status.RECOMMENDED
    application.save(update_fields=["status"])
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:formal_check", kwargs={"slug": application.campaign.slug})).content.decode()
    block = page.split(f'data-testid="formal-check-slots-{application.pk}"')[1]
    assert block.count('data-testid="formal-check-evidence-group"') == 7
    assert "政策支持（7 个观测点，已提交佐证 1 个）" in block
    assert "服务成效（12 个观测点，已提交佐证 0 个）" in block
    assert "齐全</span>\n        政策文件 › 政策文件观测点1（选交）" in block
    assert "未提交</span>\n        政策文件 › 政策文件观测点2（选交）" in block
