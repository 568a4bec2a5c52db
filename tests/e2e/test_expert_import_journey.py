"""Staff import a pool of 46 experts in Chromium: a file with two bad rows is refused with both rows named and
nothing written; the fixed file is previewed, confirmed and every expert invited; one invitation is resent
from the 未设置密码 list."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tabular import table_write
from notifications.models import OutboxEmail
from reviews.models import PanelMember, ReviewerProfile
from reviews.services import EXPERT_COLUMNS
from reviews.tests.factories import review_window_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
DOMAINS = ["儿童及青少年", "老龄事业", "社区建设、社会救助", "医务社工", "禁毒戒毒、矫治帮扶"]


def _experts(n=46):
    return [
        [
            f"{SURNAMES[i]}{'明华静敏'[i % 4]}",
            ["苏州大学社会学院", "昆山市社会工作协会", "南京理工大学", "江苏省社会工作协会"][i % 4],
            "",
            ["副教授", "高级社会工作师", "教授", "督导"][i % 4],
            DOMAINS[i % len(DOMAINS)],
            f"1391234{i:04d}",
            f"expert{i:02d}@example.cn",
        ]
        for i in range(n)
    ]


def _write(path, rows):
    with open(path, "wb") as f:
        f.write(table_write(columns=EXPERT_COLUMNS, rows=rows, title="评审专家"))
    return path


def test_staff_import_46_experts_fix_two_bad_rows_and_resend_one_invitation(
    page, live_server, cast, login, screenshot_dir, tmp_path
):
    campaign = review_window_campaign(title="2026年昆山市优秀社工案例评选")
    rows = _experts()
    bad = [list(r) for r in rows]
    bad[9][6] = "expert09-at-example.cn"  # spreadsheet row 11: an e-mail without @
    bad[30][0] = ""  # spreadsheet row 32: the name left out
    login(page, cast.staff)

    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/experts/")
    page.click("[data-testid=experts-import]")
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.click("[data-testid=import-template]")
    assert download.value.suggested_filename == "导入评审专家模板.xlsx"

    page.set_input_files("[data-testid=import-file]", _write(tmp_path / "专家库.xlsx", bad))
    page.click("[data-testid=import-preview]")
    page.wait_for_load_state()
    errors = page.locator("[data-testid=import-errors]").inner_text()
    assert "2 行有误，本次未导入任何数据" in errors
    assert "第 11 行：电子邮箱“expert09-at-example.cn”格式不正确" in errors
    assert "第 32 行：缺少姓名" in errors
    assert page.locator("[data-testid=import-confirm]").count() == 0
    page.screenshot(path=os.path.join(screenshot_dir, "expert-import-two-bad-rows.png"), full_page=False)
    assert not ReviewerProfile.objects.exists() and not User.objects.filter(email__startswith="expert").exists()

    page.click("[data-testid=import-again]")
    page.wait_for_load_state()
    page.set_input_files("[data-testid=import-file]", _write(tmp_path / "专家库-已修改.xlsx", rows))
    page.click("[data-testid=import-preview]")
    page.wait_for_load_state()
    assert "全部 46 行检查无误" in page.locator("[data-testid=import-ok]").inner_text()
    assert not ReviewerProfile.objects.exists()  # still nothing before the confirmation
    page.screenshot(path=os.path.join(screenshot_dir, "expert-import-preview-ok.png"), full_page=False)
    page.click("[data-testid=import-confirm]")
    page.wait_for_load_state()
    assert "已导入 46 位评审专家" in page.content()
    assert ReviewerProfile.objects.count() == 46
    assert PanelMember.objects.filter(campaign=campaign, is_active=True).count() == 46
    assert OutboxEmail.objects.filter(subject="评审专家邀请").count() == 46

    # One expert set a password through the link; the others are listed under 未设置密码.
    done = User.objects.get(email="expert00@example.cn")
    done.set_password("Kunshan2026pass")
    done.save()
    page.click("[data-testid=filter-password-unset]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=password-unset]").count() == 45
    assert done.name not in page.locator("[data-testid=expert-table]").inner_text()

    # An invitation sent a quarter of an hour ago may be resent (a second click within ten minutes is refused).
    target = User.objects.get(email="expert05@example.cn")
    ReviewerProfile.objects.filter(user=target).update(invited_at=timezone.now() - dt.timedelta(minutes=15))
    page.click(f"[data-testid=resend-{target.pk}]")
    page.wait_for_load_state()
    assert f"已向 {target.name}（expert05@example.cn）重发邀请邮件" in page.content()
    page.click(f"[data-testid=resend-{target.pk}]")
    page.wait_for_load_state()
    assert "分钟后再重发" in page.content()
    assert OutboxEmail.objects.filter(subject="评审专家邀请", to__contains=["expert05@example.cn"]).count() == 2
    page.screenshot(path=os.path.join(screenshot_dir, "expert-import-resend.png"), full_page=False)
