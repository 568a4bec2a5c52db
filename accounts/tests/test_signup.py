import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation, User
from accounts.tests.factories import OrganisationFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "new.worker@example.cn",
    "name": "赵新",
    "phone": "13912345678",
    "password1": "Kunshan2026abc",
    "password2": "Kunshan2026abc",
}


def test_a_social_worker_signs_up_choosing_an_existing_organisation(client, django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), {**GOOD, "organisation": org.pk})
    assert response.status_code == 302
    user = User.objects.get(email="new.worker@example.cn")
    assert Membership.objects.get(user=user).organisation == org
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNUP, user=user).exists()
    assert len(mail.outbox) == 1 and "欢迎" in mail.outbox[0].subject
    assert client.get(reverse("cases:dashboard")).status_code == 200  # logged in, and an applicant


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
    assert response.status_code == 302
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


def test_a_duplicate_email_is_refused_beside_the_field(client):
    UserFactory(email="taken@example.cn")
    org = OrganisationFactory()
    response = client.post(reverse("accounts:signup"), {**GOOD, "email": "Taken@Example.cn", "organisation": org.pk})
    assert "该电子邮箱已注册" in response.context["form"].errors["email"][0]


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
