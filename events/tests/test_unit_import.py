"""A festival's organising units: imported once from a spreadsheet (every bad row named, nothing half-written)
and added to each activity by ticking them instead of retyping."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from accounts.tabular import Row, table_write
from accounts.tests.factories import OrganisationFactory
from events import services
from events.models import ActivityUnit, FestivalUnit, Role
from events.tests.factories import ActivityFactory, FestivalFactory, FestivalUnitFactory

pytestmark = pytest.mark.django_db


def _row(number, **values):
    base = {"name": f"单位{number}", "role": "承办", "credit_code": "", "contact": ""}
    base.update(values)
    return Row(number=number, values=base)


def test_good_and_bad_unit_rows_are_told_apart_by_row_number():
    festival = FestivalFactory()
    FestivalUnitFactory(festival=festival, name="昆山市民政局", role=Role.HOST)
    org = OrganisationFactory()
    rows = [
        _row(2, name="昆山市社会工作协会", role="主办单位"),
        _row(3, name="", credit_code=org.credit_code, role="支持"),
        _row(4, name="", role="承办"),
        _row(5, role="赞助"),
        _row(6, name="昆山市社会工作协会"),
        _row(7, name="昆山市民政局"),
        _row(8, credit_code="123"),
        _row(9, role=""),
    ]
    services.festival_units_import_check(rows=rows, festival=festival)
    errors = {r.number: r.errors for r in rows if r.errors}
    assert errors == {
        4: ["缺少单位名称"],
        5: ["角色“赞助”不正确（可选：主办、承办、协办、邀请、支持）"],
        6: ["与第 2 行是同一单位"],
        7: ["已是本社工节的组织单位"],
        8: ["统一社会信用代码应为 18 位"],
        9: ["缺少角色"],
    }


def test_a_file_with_a_bad_row_adds_no_unit(cast):
    festival = FestivalFactory()
    with pytest.raises(services.ValidationError):
        services.festival_units_import(rows=[_row(2), _row(3, role="赞助")], festival=festival, by=cast.staff)
    assert not FestivalUnit.objects.exists()


def test_good_rows_are_added_after_the_festival_units_with_their_contact_and_organisation(cast):
    festival = FestivalFactory()
    FestivalUnitFactory(festival=festival, name="昆山市民政局", role=Role.HOST, position=1)
    org = OrganisationFactory()
    rows = [_row(2, name="", credit_code=org.credit_code, role="协办"), _row(3, contact="王老师 0512-57000000")]
    assert services.festival_units_import(rows=rows, festival=festival, by=cast.staff) == 2
    units = list(festival.units.order_by("position"))
    assert [(u.display_name, u.role, u.position) for u in units] == [
        ("昆山市民政局", Role.HOST, 1),
        (org.name, Role.CO_ORGANISER, 2),
        ("单位3", Role.ORGANISER, 3),
    ]
    assert units[2].contact == "王老师 0512-57000000"
    assert AuditEvent.objects.filter(detail="导入组织单位 2 个").exists()


def test_staff_import_from_the_page_and_add_units_to_an_activity(client, cast):
    festival = FestivalFactory()
    activity = ActivityFactory(festival=festival)
    client.force_login(cast.staff)
    data = table_write(
        columns=services.FESTIVAL_UNIT_COLUMNS,
        rows=[["昆山市民政局", "主办", "", ""], ["昆山市社会工作协会", "承办", "", "李老师"]],
    )
    upload = io.BytesIO(data)
    upload.name = "组织单位.xlsx"
    url = reverse("events:festival_units_import", kwargs={"slug": festival.slug})
    response = client.post(url, {"action": "preview", "file": upload})
    assert "全部 2 行检查无误" in response.content.decode()
    assert not FestivalUnit.objects.exists()
    client.post(url, {"action": "confirm", "token": response.context["token"]})
    assert festival.units.count() == 2

    page = reverse("events:festival_units", kwargs={"slug": festival.slug})
    assert "昆山市社会工作协会" in client.get(page).content.decode()
    ids = list(festival.units.values_list("pk", flat=True))
    client.post(page, {"activity": activity.pk, "units": ids})
    client.post(page, {"activity": activity.pk, "units": ids})  # ticking them again adds nothing twice
    assert sorted(ActivityUnit.objects.filter(activity=activity).values_list("name", "role")) == [
        ("昆山市民政局", Role.HOST),
        ("昆山市社会工作协会", Role.ORGANISER),
    ]
    export = client.get(reverse("events:festival_units_export", kwargs={"slug": festival.slug}))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[3]] == ["昆山市社会工作协会", "承办", None, "李老师"]


def test_units_of_another_festival_cannot_be_added_to_an_activity(cast):
    activity = ActivityFactory()
    stranger = FestivalUnitFactory()
    with pytest.raises(services.ValidationError):
        services.activity_units_from_festival(activity=activity, unit_ids=[stranger.pk], by=cast.staff)
