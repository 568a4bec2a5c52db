"""导入评审专家: the check names every bad row by its number and nothing is written; a good file creates the
accounts, profiles and panel places in one go and each expert gets the invitation; resend and 未设置密码."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent, User
from accounts.tabular import Row, table_write
from accounts.tests.factories import OrganisationFactory, UserFactory
from reviews import services
from reviews.models import PanelMember, ReviewerProfile
from reviews.tests.factories import ReviewerProfileFactory, review_window_campaign

pytestmark = pytest.mark.django_db


def _row(number, **values):
    base = {
        "name": f"专家{number}",
        "organisation": "苏州大学社会学院",
        "credit_code": "",
        "title": "副教授",
        "expertise": "儿童及青少年、社区建设",
        "phone": f"139{number:08d}",
        "email": f"expert{number}@example.cn",
    }
    base.update(values)
    return Row(number=number, values=base)


def _errors(rows):
    return {r.number: r.errors for r in rows if r.errors}


def test_good_rows_pass_the_check():
    campaign = review_window_campaign()
    rows = [_row(2), _row(3)]
    services.experts_import_check(rows=rows, campaign=campaign)
    assert _errors(rows) == {}


def test_every_bad_row_is_named_with_what_is_wrong():
    campaign = review_window_campaign()
    UserFactory(email="taken@example.cn")
    org = OrganisationFactory()
    rows = [
        _row(2, name=""),
        _row(3, email="not-an-email"),
        _row(4, phone="1234"),
        _row(5, email="expert6@example.cn"),
        _row(6),  # the same e-mail as row 5: row 6 is the duplicate
        _row(7, email="taken@example.cn"),
        _row(8, credit_code="91320583MA1234567X"),
        _row(9, credit_code=org.credit_code[:17] + ("0" if org.credit_code[17] != "0" else "1")),
        _row(10, expertise="儿童及青少年、火星探索"),
        _row(11, email=""),
        _row(12, credit_code=org.credit_code),
    ]
    services.experts_import_check(rows=rows, campaign=campaign)
    errors = _errors(rows)
    assert errors[2] == ["缺少姓名"]
    assert "电子邮箱“not-an-email”格式不正确" in errors[3]
    assert errors[4] == ["手机号码“1234”不正确，应为 11 位手机号码"]
    assert errors[6] == ["电子邮箱与第 5 行重复"] and 5 not in errors
    assert "已注册" in errors[7][0]
    assert "校验位" in errors[8][0] or "未找到" in errors[8][0]
    assert "校验位不正确" in errors[9][0]
    assert "火星探索" in errors[10][0]
    assert errors[11] == ["缺少电子邮箱"]
    assert 12 not in errors


def test_an_unknown_but_valid_credit_code_is_named():
    from accounts.tests.factories import credit_code

    rows = [_row(2, credit_code=credit_code(999_999))]
    services.experts_import_check(rows=rows, campaign=None)
    assert _errors(rows) == {2: [f"未找到统一社会信用代码为 {credit_code(999_999)} 的机构，请先导入该机构或删去此代码"]}


def test_a_file_with_a_bad_row_writes_nothing(cast):
    campaign = review_window_campaign()
    with pytest.raises(services.ValidationError) as error:
        services.experts_import(rows=[_row(2), _row(3, email="bad")], campaign=campaign, by=cast.staff)
    assert error.value.messages == ["第 3 行：电子邮箱“bad”格式不正确"]
    assert not User.objects.filter(email="expert2@example.cn").exists()
    assert not ReviewerProfile.objects.exists()


def test_a_good_file_creates_experts_on_the_panel_linked_by_credit_code_and_invites_each(cast):
    campaign = review_window_campaign()
    org = OrganisationFactory(name="昆山市彩虹社工服务中心")
    named = OrganisationFactory(name="苏州大学社会学院")
    rows = [_row(2, credit_code=org.credit_code.lower(), organisation=""), _row(3), _row(4, organisation="某市某局")]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.experts_import(rows=rows, campaign=campaign, by=cast.staff) == 3
    first = User.objects.get(email="expert2@example.cn")
    assert first.is_reviewer and not first.has_usable_password() and first.phone == "13900000002"
    assert first.reviewer_profile.organisation_ref == org and first.reviewer_profile.organisation == org.name
    assert first.reviewer_profile.expertise == ["儿童及青少年", "社区建设"]
    assert User.objects.get(email="expert3@example.cn").reviewer_profile.organisation_ref == named
    assert User.objects.get(email="expert4@example.cn").reviewer_profile.organisation_ref is None
    assert PanelMember.objects.filter(campaign=campaign, is_active=True).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["expert2@example.cn", "expert3@example.cn", "expert4@example.cn"]
    assert all("/reviews/invitation/" in m.body for m in mail.outbox)
    assert AuditEvent.objects.filter(detail="导入评审专家 3 位并加入评审组").exists()


def test_experts_imported_without_joining_the_panel_stay_in_the_pool_only(cast):
    campaign = review_window_campaign()
    services.experts_import(rows=[_row(2)], campaign=campaign, add_to_panel=False, by=cast.staff)
    assert ReviewerProfile.objects.count() == 1 and not PanelMember.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def _xlsx(rows, name="专家.xlsx"):
    data = table_write(
        columns=services.EXPERT_COLUMNS, rows=[[r.values[c.key] for c in services.EXPERT_COLUMNS] for r in rows]
    )
    upload = io.BytesIO(data)
    upload.name = name
    return upload


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def test_the_template_download_is_an_xlsx_with_the_columns(staff_client):
    campaign = review_window_campaign()
    response = staff_client.get(reverse("reviews:experts_template", kwargs={"slug": campaign.slug}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "姓名*",
        "工作单位",
        "统一社会信用代码",
        "职称/职务",
        "擅长领域",
        "手机号码",
        "电子邮箱*",
    ]


def test_preview_names_bad_rows_and_offers_no_confirmation(staff_client):
    campaign = review_window_campaign()
    url = reverse("reviews:experts_import", kwargs={"slug": campaign.slug})
    response = staff_client.post(
        url, {"action": "preview", "file": _xlsx([_row(2), _row(3, name=""), _row(4, phone="12")])}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 行有误，本次未导入任何数据" in html
    assert "第 3 行：缺少姓名" in html and "第 4 行：手机号码“12”不正确" in html
    assert 'data-testid="import-confirm"' not in html
    # A forged confirmation finds nothing staged.
    staff_client.post(url, {"action": "confirm", "token": "guess"})
    assert not ReviewerProfile.objects.exists()


def test_preview_then_confirm_imports_every_row(staff_client):
    campaign = review_window_campaign()
    url = reverse("reviews:experts_import", kwargs={"slug": campaign.slug})
    response = staff_client.post(url, {"action": "preview", "file": _xlsx([_row(2), _row(3)])})
    html = response.content.decode()
    assert "全部 2 行检查无误" in html
    assert not ReviewerProfile.objects.exists()  # nothing before the confirmation
    token = response.context["token"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = staff_client.post(url, {"action": "confirm", "token": token, "add_to_panel": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"/manage/{campaign.slug}/experts/")
    assert ReviewerProfile.objects.count() == 2 and PanelMember.objects.count() == 2
    assert len(mail.outbox) == 2
    # The staged rows are spent: a second confirmation imports nothing more.
    staff_client.post(url, {"action": "confirm", "token": token})
    assert ReviewerProfile.objects.count() == 2


def test_a_clash_written_between_preview_and_confirm_is_caught_and_nothing_is_imported(staff_client):
    campaign = review_window_campaign()
    url = reverse("reviews:experts_import", kwargs={"slug": campaign.slug})
    token = staff_client.post(url, {"action": "preview", "file": _xlsx([_row(2), _row(3)])}).context["token"]
    UserFactory(email="expert3@example.cn")
    response = staff_client.post(url, {"action": "confirm", "token": token})
    assert response.status_code == 200
    assert "第 3 行" in response.content.decode()
    assert not ReviewerProfile.objects.exists()


def test_a_csv_in_gbk_is_previewed_like_an_xlsx(staff_client):
    campaign = review_window_campaign()
    text = "姓名,电子邮箱,手机号码\r\n李华,lihua@example.cn,13912340000\r\n"
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "专家.csv"
    response = staff_client.post(
        reverse("reviews:experts_import", kwargs={"slug": campaign.slug}), {"action": "preview", "file": upload}
    )
    assert "全部 1 行检查无误" in response.content.decode() and "李华" in response.content.decode()


def test_an_unreadable_file_gets_its_message_beside_the_field(staff_client):
    campaign = review_window_campaign()
    upload = io.BytesIO(b"hello")
    upload.name = "专家.docx"
    response = staff_client.post(
        reverse("reviews:experts_import", kwargs={"slug": campaign.slug}), {"action": "preview", "file": upload}
    )
    assert response.status_code == 400
    assert "只能上传 .xlsx 或 .csv 文件" in response.content.decode()


def test_the_export_lists_the_pool_in_the_import_columns(staff_client):
    campaign = review_window_campaign()
    org = OrganisationFactory()
    ReviewerProfileFactory(user__name="陈静", organisation="某单位", organisation_ref=org, expertise=["社区建设"])
    response = staff_client.post(reverse("reviews:experts_export", kwargs={"slug": campaign.slug}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[2]]
    assert values[:5] == ["陈静", "某单位", org.credit_code, "副教授", "社区建设"]


# --- Resend and 未设置密码 -------------------------------------------------------------------------


def _invited(campaign, cast, email="wait@example.cn"):
    return services.reviewer_invite(email=email, name="待设置", campaign=campaign, by=cast.staff)


def test_the_not_yet_set_password_filter_lists_only_invited_experts_without_a_password(staff_client, cast):
    campaign = review_window_campaign()
    waiting = _invited(campaign, cast)
    done = ReviewerProfileFactory(user__name="已设置者").user
    url = reverse("reviews:pool", kwargs={"slug": campaign.slug})
    html = staff_client.get(url + "?password=unset").content.decode()
    assert waiting.name in html and done.name not in html
    html = staff_client.get(url).content.decode()
    assert waiting.name in html and done.name in html and "已设置密码" in html


def test_staff_resend_an_invitation_once_per_ten_minutes_and_it_is_audited(staff_client, cast):
    campaign = review_window_campaign()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        expert = _invited(campaign, cast)
    mail.outbox.clear()
    url = reverse("reviews:invitation_resend", kwargs={"slug": campaign.slug, "user_pk": expert.pk})
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = staff_client.post(url, follow=True)
    assert "分钟后再重发" in response.content.decode() and mail.outbox == []
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = staff_client.post(url, follow=True)
    assert "已向 待设置（wait@example.cn）重发邀请邮件" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["wait@example.cn"]]
    assert AuditEvent.objects.filter(detail="重发评审专家邀请", user=cast.staff).count() == 1


def test_an_expert_who_set_a_password_gets_no_new_invitation(staff_client, cast):
    campaign = review_window_campaign()
    expert = ReviewerProfileFactory().user
    url = reverse("reviews:invitation_resend", kwargs={"slug": campaign.slug, "user_pk": expert.pk})
    response = staff_client.post(url, follow=True)
    assert "已设置密码，无需重发邀请" in response.content.decode()
    assert mail.outbox == []
