"""Staff pages of a campaign's 申报材料 and 申报资格: rows added, changed, reordered, removed; errors beside the
field with what was typed kept; an audit record per save; the same queries for one row and many."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cases import services
from cases.models import EligibilityRule, MaterialSlot
from cases.tests.factories import CampaignFactory
from cases.tests.factories_materials import EligibilityRuleFactory, MaterialSlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def management(total: int, initial: int) -> dict:
    return {
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": str(initial),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }


def slot_row(i: int, *, pk="", name="", types=("pdf",), order="", delete=False, **extra) -> dict:
    data = {
        f"rows-{i}-id": str(pk),
        f"rows-{i}-name": name,
        f"rows-{i}-required": "on",
        f"rows-{i}-allowed_types": list(types),
        f"rows-{i}-max_files": str(extra.get("max_files", 1)),
        f"rows-{i}-max_size_mb": str(extra.get("max_size_mb", 20)),
        f"rows-{i}-help_text": extra.get("help_text", ""),
        f"rows-{i}-ORDER": str(order),
    }
    if delete:
        data[f"rows-{i}-DELETE"] = "on"
    return data


def materials_url(campaign):
    return reverse("cases:campaign_materials", kwargs={"slug": campaign.slug})


def eligibility_url(campaign):
    return reverse("cases:campaign_eligibility", kwargs={"slug": campaign.slug})


def test_staff_add_two_materials_in_the_order_given(staff_client, campaign):
    data = {
        **management(2, 0),
        **slot_row(0, name="项目专职人员资质材料", types=("jpeg", "png"), order=2, max_files=5),
        **slot_row(1, name="法人登记证书副本", types=("pdf", "jpeg"), order=1, help_text="正、反面"),
    }
    response = staff_client.post(materials_url(campaign), data)
    assert response.status_code == 302
    slots = list(campaign.material_slots.all())
    assert [(s.name, s.allowed_types, s.max_files, s.position) for s in slots] == [
        ("法人登记证书副本", ["pdf", "jpeg"], 1, 1),
        ("项目专职人员资质材料", ["jpeg", "png"], 5, 2),
    ]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.OTHER, object_id=str(campaign.pk))
    assert event.detail == "申报材料：新增 法人登记证书副本、项目专职人员资质材料"


def test_staff_reorder_change_and_remove_materials(staff_client, campaign, cast):
    a = MaterialSlotFactory(campaign=campaign, name="甲", position=1)
    b = MaterialSlotFactory(campaign=campaign, name="乙", position=2)
    c = MaterialSlotFactory(campaign=campaign, name="丙", position=3)
    data = {
        **management(3, 3),
        **slot_row(0, pk=a.pk, name="甲", order=2),
        **slot_row(1, pk=b.pk, name="乙（改）", order=1),
        **slot_row(2, pk=c.pk, name="丙", order=3, delete=True),
    }
    assert staff_client.post(materials_url(campaign), data).status_code == 302
    assert [(s.pk, s.name) for s in campaign.material_slots.all()] == [(b.pk, "乙（改）"), (a.pk, "甲")]
    event = AuditEvent.objects.filter(object_id=str(campaign.pk)).latest("id")
    assert "删除 丙" in event.detail and "修改 乙（改）" in event.detail and event.user == cast.staff


def test_a_row_without_a_type_is_refused_beside_the_field_and_what_was_typed_stays(staff_client, campaign):
    data = {**management(1, 0), **slot_row(0, name="法人登记证书副本", types=(), help_text="正、反面扫描")}
    response = staff_client.post(materials_url(campaign), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "请至少选择一种文件类型。" in html
    assert 'value="法人登记证书副本"' in html and 'value="正、反面扫描"' in html
    assert not MaterialSlot.objects.exists() and not AuditEvent.objects.filter(kind=AuditEvent.Kind.OTHER).exists()


def test_two_rows_with_the_same_name_are_refused(staff_client, campaign):
    data = {**management(2, 0), **slot_row(0, name="证书"), **slot_row(1, name="证书")}
    response = staff_client.post(materials_url(campaign), data)
    assert "材料名称“证书”重复" in response.content.decode()
    assert not MaterialSlot.objects.exists()


def test_staff_set_the_eligibility_rules_of_the_qingtongxia_call(staff_client, campaign):
    data = {
        **management(4, 0),
        "rows-0-kind": "registered",
        "rows-0-authority": "青铜峡市",
        "rows-1-kind": "annual_inspection_passed",
        "rows-1-year": "2022",
        "rows-2-kind": "min_full_time_staff",
        "rows-2-number": "2",
        "rows-2-year": "2020",  # not read by this kind: cleared
        "rows-3-kind": "min_certified",
        "rows-3-number": "1",
        "rows-3-level": "assistant",
    }
    assert staff_client.post(eligibility_url(campaign), data).status_code == 302
    assert [r.describe() for r in campaign.eligibility_rules.all()] == [
        "已在民政部门登记注册（登记管理机关含“青铜峡市”）",
        "2022 年度年检合格",
        "专职工作人员不少于 2 名",
        "至少 1 名专职工作人员获得助理社会工作师及以上资格证",
    ]
    assert campaign.eligibility_rules.get(kind="min_full_time_staff").year is None
    assert AuditEvent.objects.get(object_id=str(campaign.pk)).detail.startswith("申报资格：新增")


def test_a_rule_missing_its_value_is_refused_beside_the_field(staff_client, campaign):
    data = {**management(1, 0), "rows-0-kind": "min_certified", "rows-0-number": "1"}
    response = staff_client.post(eligibility_url(campaign), data)
    assert response.status_code == 200 and "请选择证书等级。" in response.content.decode()
    assert not EligibilityRule.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_materials_page_costs_the_same_queries_for_one_and_many_rows(
    staff_client, campaign, count, django_assert_num_queries
):
    for i in range(count):
        MaterialSlotFactory(campaign=campaign, name=f"材料{i}")
    with django_assert_num_queries(8):
        assert staff_client.get(materials_url(campaign)).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_the_eligibility_page_costs_the_same_queries_for_one_and_many_rows(
    staff_client, campaign, count, django_assert_num_queries
):
    for _ in range(count):
        EligibilityRuleFactory(campaign=campaign)
    with django_assert_num_queries(8):
        assert staff_client.get(eligibility_url(campaign)).status_code == 200


def test_copying_brings_the_slots_and_rules_to_another_campaign(campaign):
    MaterialSlotFactory(campaign=campaign, name="法人登记证书副本", allowed_types=["jpeg"], max_files=2, position=5)
    EligibilityRuleFactory(campaign=campaign, kind="annual_inspection_passed", year=2022, accept_basic_pass=True)
    target = CampaignFactory()
    MaterialSlotFactory(campaign=target, name="法人登记证书副本")
    MaterialSlotFactory(campaign=campaign, name="资质材料")
    services.materials_copy(source=campaign, target=target)
    services.eligibility_rules_copy(source=campaign, target=target)
    assert [s.name for s in target.material_slots.all()] == ["法人登记证书副本", "资质材料"]
    (rule,) = target.eligibility_rules.all()
    assert (rule.kind, rule.year, rule.accept_basic_pass) == ("annual_inspection_passed", 2022, True)


def test_the_campaign_page_lists_the_rules_and_materials_and_a_save_refreshes_its_cached_copy(
    client, campaign, cast, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    url = campaign.get_absolute_url()
    assert "申报资格" not in client.get(url).content.decode()  # cached for visitors from here on
    rows = [{"kind": "annual_inspection_passed", "year": 2022}, {"kind": "min_full_time_staff", "number": 2}]
    services.eligibility_rules_save(campaign=campaign, rows=rows, by=cast.staff)
    services.material_slots_save(
        campaign=campaign,
        rows=[{"name": "法人登记证书副本", "required": True, "allowed_types": ["jpeg", "png"], "max_files": 2}],
        by=cast.staff,
    )
    html = client.get(url).content.decode()
    assert "<li>2022 年度年检合格</li>" in html and "<li>专职工作人员不少于 2 名</li>" in html
    assert "法人登记证书副本（必交）：JPEG、PNG，最多 2 个文件" in html


def test_saving_the_rows_unchanged_records_nothing_and_a_reorder_is_recorded(campaign, cast):
    a = MaterialSlotFactory(campaign=campaign, name="甲", position=1)
    b = MaterialSlotFactory(campaign=campaign, name="乙", position=2)
    fields = services.MATERIAL_SLOT_FIELDS
    rows = [{"id": s.pk, **{f: getattr(s, f) for f in fields}} for s in (a, b)]
    services.material_slots_save(campaign=campaign, rows=rows, by=cast.staff)
    assert not AuditEvent.objects.filter(object_id=str(campaign.pk)).exists()
    services.material_slots_save(campaign=campaign, rows=rows[::-1], by=cast.staff)
    assert AuditEvent.objects.get(object_id=str(campaign.pk)).detail == "申报材料：调整顺序"
