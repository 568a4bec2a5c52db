"""机构导入: the 18-character credit code with its GB 32100-2015 check digit, every bad row named, all rows or
none, imported as approved."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, Organisation
from accounts.services import ORGANISATION_COLUMNS, organisations_import, organisations_import_check
from accounts.tabular import Row, table_write
from accounts.tests.factories import OrganisationFactory, credit_code
from accounts.validators import validate_credit_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["91320583MA1MXXXX18", "52320583MJ0000000M", "12320583466838017H"])
def test_credit_codes_with_a_right_check_digit_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91320583MA1MXXXX1K", "校验位不正确"),
        ("91320583MA1MXXXX1", "应为 18 位"),
        ("91320583MA1MXXXXIJ", "只能包含数字和大写字母"),
    ],
)
def test_credit_codes_with_a_wrong_length_character_or_check_digit_fail(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)


def _row(number, **values):
    base = {"name": f"机构{number}", "credit_code": credit_code(10_000 + number), "district": "玉山镇", "kind": ""}
    base.update(values)
    return Row(number=number, values=base)


def test_every_bad_organisation_row_is_named():
    existing = OrganisationFactory(name="昆山市阳光社会工作服务中心")
    rows = [
        _row(2),
        _row(3, name=""),
        _row(4, credit_code=credit_code(10_004)[:17] + "Z"),
        _row(5, name="机构2"),
        _row(6, credit_code=credit_code(10_002)),
        _row(7, name=existing.name),
        _row(8, credit_code=existing.credit_code),
        _row(9, district="火星镇"),
        _row(10, kind="外星组织"),
        _row(11, credit_code=""),
        _row(12, kind="事业单位", credit_code=credit_code(10_012).lower()),
    ]
    organisations_import_check(rows=rows)
    errors = {r.number: r.errors for r in rows if r.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert errors[3] == ["缺少机构名称"]
    assert "只能包含数字和大写字母" in errors[4][0]
    assert errors[5] == ["机构名称与第 2 行重复"]
    assert errors[6] == ["统一社会信用代码与第 2 行重复"]
    assert errors[7] == ["机构“昆山市阳光社会工作服务中心”已在门户登记"]
    assert errors[8] == [f"统一社会信用代码 {existing.credit_code} 已登记"]
    assert errors[9][0].startswith("所属区镇“火星镇”不在区镇列表中")
    assert errors[10][0].startswith("机构类型“外星组织”不正确")
    assert errors[11] == ["缺少统一社会信用代码"]


def test_a_wrong_check_digit_is_named_on_its_row():
    good = credit_code(10_002)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [_row(2, credit_code=wrong)]
    organisations_import_check(rows=rows)
    assert rows[0].errors == ["统一社会信用代码校验位不正确，请核对后重新输入"]


def test_organisations_are_imported_approved_all_or_none(cast):
    with pytest.raises(ValidationError):
        organisations_import(rows=[_row(2), _row(3, district="")], by=cast.staff)
    assert not Organisation.objects.filter(name="机构2").exists()
    assert organisations_import(rows=[_row(2), _row(3, kind="事业单位")], by=cast.staff) == 2
    org = Organisation.objects.get(name="机构3")
    assert org.status == Organisation.Status.APPROVED and org.kind == Organisation.Kind.PUBLIC_INSTITUTION
    assert AuditEvent.objects.filter(detail="批量导入机构 2 个（已通过）").exists()


def test_staff_preview_and_confirm_organisations_and_export_them(client, cast):
    client.force_login(cast.staff)
    data = table_write(
        columns=ORGANISATION_COLUMNS,
        rows=[["昆山市彩虹社工服务中心", credit_code(20_001), "玉山镇", "社会工作服务机构"]],
    )
    upload = io.BytesIO(data)
    upload.name = "机构.xlsx"
    url = reverse("accounts:organisations_import")
    response = client.post(url, {"action": "preview", "file": upload})
    assert "全部 1 行检查无误" in response.content.decode()
    response = client.post(url, {"action": "confirm", "token": response.context["token"]})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="昆山市彩虹社工服务中心", status="approved").exists()
    export = client.get(reverse("accounts:organisations_export"))
    names = [row[0].value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2)]
    assert "昆山市彩虹社工服务中心" in names


def test_a_csv_with_a_bad_row_shows_it_and_offers_no_confirmation(client, cast):
    client.force_login(cast.staff)
    good = credit_code(20_002)
    text = f"机构名称,统一社会信用代码,所属区镇\r\n好机构,{good},玉山镇\r\n坏机构,91320583MA1MXXXX1K,玉山镇\r\n"
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "机构.csv"
    response = client.post(reverse("accounts:organisations_import"), {"action": "preview", "file": upload})
    html = response.content.decode()
    assert "第 3 行：统一社会信用代码校验位不正确" in html
    assert 'data-testid="import-confirm"' not in html
    assert not Organisation.objects.filter(name="好机构").exists()
