import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation, User
from accounts.tests.factories import OrganisationFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """Django's test hasher, noting what it hashed."""

    algorithm = "counting_md5"
    passwords: list[str] = []

    def encode(self, password, salt):
        self.passwords.append(password)
        return super().encode(password, salt)


GOOD = {
    "email": "new.worker@example.cn",
    "name": "赵新",
    "phone": "13912345678",
    "password1": "Kunshan2026abc",
    "password2": "Kunshan2026abc",
}


def _link(body: str, marker: str) -> str:
    line = next(line for line in body.splitlines() if marker in line).strip()
    return "/" + line.split("://", 1)[1].split("/", 1)[1]


def test_a_social_worker_signs_up_choosing_an_existing_organisation(client, django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), {**GOOD, "organisation": org.pk})
    assert response.status_code == 200
    assert "请查收邮件" in response.content.decode()
    user = User.objects.get(email="new.worker@example.cn")
    assert Membership.objects.get(user=user).organisation == org
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNUP, user=user).exists()
    assert not user.is_active  # switched on by the link in the e-mail
    assert client.get(reverse("cases:dashboard")).status_code == 302  # not logged in yet
    assert len(mail.outbox) == 1 and "完成" in mail.outbox[0].subject

    response = client.get(_link(mail.outbox[0].body, "/accounts/activate/"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("cases:dashboard")).status_code == 200  # logged in, and an applicant


def test_an_activation_link_works_once(client, django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), {**GOOD, "organisation": org.pk})
    link = _link(mail.outbox[0].body, "/accounts/activate/")
    client.get(link)
    client.post(reverse("accounts:logout"))
    User.objects.filter(email=GOOD["email"]).update(is_active=False)  # staff switch the account off
    response = client.get(link, follow=True)
    assert "链接无效" in response.content.decode()
    assert not User.objects.get(email=GOOD["email"]).is_active


def test_asking_for_a_new_organisation_creates_it_pending_approval(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            **GOOD,
            "request_new_organisation": "on",
            "organisation_name": "新成立社工服务中心",
            "organisation_credit_code": credit_code(999),
            "organisation_district": "周市镇",
            "organisation_kind": "agency",
        },
    )
    assert response.status_code == 200
    org = Organisation.objects.get(name="新成立社工服务中心")
    assert org.status == Organisation.Status.PENDING
    assert org.requested_by.email == GOOD["email"]


def test_staff_approval_makes_the_requester_the_organisation_admin(client, cast):
    client.post(
        reverse("accounts:signup"),
        {
            **GOOD,
            "request_new_organisation": "on",
            "organisation_name": "新成立社工服务中心",
            "organisation_credit_code": credit_code(998),
            "organisation_district": "周市镇",
            "organisation_kind": "agency",
        },
    )
    org = Organisation.objects.get(name="新成立社工服务中心")
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("accounts:organisation_decide", args=[org.pk]), {"approve": "1"})
    org.refresh_from_db()
    assert org.status == Organisation.Status.APPROVED
    assert Membership.objects.get(organisation=org).role == Membership.Role.ADMIN
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ORGANISATION_DECISION).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "1391234"}, "phone", "11 位中国大陆手机号码"),
        ({"password1": "short1", "password2": "short1"}, "password1", "至少"),
        ({"password1": "onlyletterslong", "password2": "onlyletterslong"}, "password1", "同时包含字母和数字"),
        ({"password2": "Different2026abc"}, "password2", "不一致"),
        ({"email": "not-an-email"}, "email", "有效的电子邮箱地址"),
    ],
)
def test_bad_input_gets_a_chinese_message_beside_the_field_and_keeps_the_input(client, changes, field, message):
    org = OrganisationFactory()
    data = {**GOOD, "organisation": org.pk, **changes}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    html = response.content.decode()
    assert GOOD["name"] in html  # what was typed is still there
    assert not User.objects.filter(email=data["email"]).exists()


def test_signing_up_with_a_registered_email_answers_the_same_page_and_tells_the_owner_by_email(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="taken@example.cn", name="张敏")
    password_before = owner.password
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(reverse("accounts:signup"), {**GOOD, "email": "fresh@example.cn", "organisation": org.pk})
        taken = client.post(reverse("accounts:signup"), {**GOOD, "email": "Taken@Example.cn", "organisation": org.pk})
    assert fresh.status_code == taken.status_code == 200
    pages = [[t.name for t in r.templates if "/email/" not in t.name] for r in (fresh, taken)]
    assert pages[0] == pages[1]
    fresh_html = fresh.content.decode().replace("fresh@example.cn", "EMAIL")
    taken_html = taken.content.decode().replace("taken@example.cn", "EMAIL")
    strip_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip_token.sub("", fresh_html) == strip_token.sub("", taken_html)
    assert "已注册" not in taken_html
    owner.refresh_from_db()
    assert owner.password == password_before and owner.name == "张敏"  # nothing changed
    assert [m.to for m in mail.outbox] == [["fresh@example.cn"], ["taken@example.cn"]]
    assert "已注册" in mail.outbox[1].subject and "/accounts/password/reset/" in mail.outbox[1].body


def test_signing_up_with_a_registered_email_hashes_the_password_all_the_same(client, settings):
    """The same work either way: no shortcut that would make the registered case answer faster."""
    UserFactory(email="taken@example.cn")
    org = OrganisationFactory()
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    hashed = CountingHasher.passwords = []
    client.post(reverse("accounts:signup"), {**GOOD, "email": "fresh@example.cn", "organisation": org.pk})
    client.post(reverse("accounts:signup"), {**GOOD, "email": "taken@example.cn", "organisation": org.pk})
    assert hashed == [GOOD["password1"], GOOD["password1"]]


def test_an_invalid_credit_code_is_refused_and_nothing_is_written(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            **GOOD,
            "request_new_organisation": "on",
            "organisation_name": "校验失败机构",
            "organisation_credit_code": "91350100M000100Y44",
            "organisation_district": "周市镇",
            "organisation_kind": "agency",
        },
    )
    assert "校验位" in response.context["form"].errors["organisation_credit_code"][0]
    assert 'value="校验失败机构"' in response.content.decode()
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_no_organisation_chosen_is_refused(client):
    response = client.post(reverse("accounts:signup"), GOOD)
    assert "请选择所在机构" in response.context["form"].errors["organisation"][0]
