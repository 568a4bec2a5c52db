"""Foundation journeys in Chromium: sign-up, lock-out, login/logout, each role's menu."""

import pytest
from django.conf import settings

from accounts.models import Membership, User
from cases.tests.factories import CampaignFactory
from events.tests.factories import FestivalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def activation_path(email: str) -> str:
    """The activation link of the sign-up e-mail sent to `email` (from the outbox)."""
    from notifications.models import OutboxEmail

    body = OutboxEmail.objects.filter(to=[email]).latest("pk").body_text
    line = next(line for line in body.splitlines() if "/accounts/activate/" in line)
    return "/" + line.strip().split("://", 1)[1].split("/", 1)[1]


NAV = {
    "nav-applicant": "我的申报",
    "nav-org-admin": "单位推荐",
    "nav-reviewer": "我的评审",
    "nav-staff": "管理后台",
}


def test_a_new_social_worker_signs_up_choosing_an_organisation(page, live_server, cast, screenshot_dir):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_email", "xin.zhao@example.cn")
    page.fill("#id_name", "赵新")
    page.fill("#id_phone", "139123")  # malformed first: the message appears beside the field
    page.fill("#id_password1", "Kunshan2026abc")
    page.fill("#id_password2", "Kunshan2026abc")
    page.select_option("#id_organisation", label=cast.org_a.name)
    page.click("button[type=submit]")
    assert (
        "请输入 11 位中国大陆手机号码"
        in page.locator("#id_phone + .invalid-feedback, #error_1_id_phone").first.inner_text()
    )
    assert page.input_value("#id_name") == "赵新"  # what was typed is kept
    page.fill("#id_phone", "13912345678")
    page.fill("#id_password1", "Kunshan2026abc")
    page.fill("#id_password2", "Kunshan2026abc")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=signup-done]")
    assert "请查收邮件" in page.content()
    page.screenshot(path=f"{screenshot_dir}/signup-done.png")
    page.goto(live_server.url + activation_path("xin.zhao@example.cn"))  # the link in the e-mail
    page.wait_for_url(f"{live_server.url}/")
    assert "注册成功" in page.content()
    assert page.get_by_test_id("nav-applicant").is_visible()
    user = User.objects.get(email="xin.zhao@example.cn")
    assert Membership.objects.get(user=user).organisation == cast.org_a


def test_a_wrong_password_repeated_locks_the_account_with_a_chinese_message(page, live_server, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", cast.applicant_a.email)
        page.fill("#id_password", "wrong-password-1")
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", cast.applicant_a.email)
    page.fill("#id_password", cast.password)
    page.click("button[type=submit]")
    assert "已被暂时锁定" in page.get_by_test_id("locked-out").inner_text()
    assert not page.get_by_test_id("nav-user").count()


def test_login_and_logout(page, live_server, cast, login):
    login(page, cast.applicant_a)
    assert page.get_by_test_id("nav-user").inner_text().strip() == cast.applicant_a.name
    page.get_by_test_id("nav-user").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()
    assert page.get_by_role("navigation").get_by_role("link", name="登录").is_visible()


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("applicant_a", {"nav-applicant"}),
        ("org_admin", {"nav-applicant", "nav-org-admin"}),
        ("reviewer", {"nav-reviewer"}),
        ("staff", {"nav-staff"}),
    ],
)
def test_each_role_sees_its_own_menu(page, live_server, cast, login, role, visible):
    login(page, getattr(cast, role))
    for test_id, label in NAV.items():
        link = page.get_by_test_id(test_id)
        if test_id in visible:
            assert link.inner_text() == label
            link.click()
            page.wait_for_load_state()
            assert page.locator("h1").first.inner_text().startswith(label)
            page.go_back()
        else:
            assert link.count() == 0


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_of_home_login_and_signup(page, live_server, screenshot_dir, width):
    festival = FestivalFactory(title="昆山市第三届社工节")
    CampaignFactory(title="2026年昆山市优秀社工案例评选", festival=festival)
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (("home", "/"), ("login", "/accounts/login/"), ("signup", "/accounts/signup/")):
        page.goto(live_server.url + path)
        page.screenshot(path=f"{screenshot_dir}/foundation-{name}-{width}.png", full_page=True)
        # Nothing overflows sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways at {width}px"
    page.goto(live_server.url + "/")
    assert "昆山市第三届社工节" in page.get_by_test_id("current-festival").first.inner_text()
    assert "还剩" in page.get_by_test_id("open-campaign").first.inner_text()
