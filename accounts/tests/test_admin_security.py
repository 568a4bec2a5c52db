"""The Django admin: staff cannot raise themselves, and every admin write is audited."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from accounts.admin_audit import AuditedAdminMixin
from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation, User
from accounts.tests.factories import OrganisationFactory, UserFactory
from tests.fixtures import require_postgresql

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


class _FormFields(HTMLParser):
    """The values a browser would post from the page's main form (the admin change form)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(response) -> dict:
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {k: v if len(v) > 1 else (v[0] if v else "") for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


def user_change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_staff_cannot_tick_superuser_or_staff_on_their_own_account(client, cast):
    client.force_login(cast.staff, backend=BACKEND)
    page = client.get(user_change_url(cast.staff))
    # Their own account is a staff account: shown, not editable.
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    response = client.post(user_change_url(cast.staff), {**form_data(page), "is_superuser": "on"})
    assert response.status_code == 403
    cast.staff.refresh_from_db()
    assert not cast.staff.is_superuser


def test_staff_cannot_reset_a_superusers_or_another_staff_password(client, cast):
    other_staff = UserFactory(is_staff=True)
    client.force_login(cast.staff, backend=BACKEND)
    for target in (cast.superuser, other_staff):
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        response = client.post(url, {"password1": "Takeover2026abc", "password2": "Takeover2026abc"})
        assert response.status_code == 403
        target.refresh_from_db()
        assert not target.check_password("Takeover2026abc")


def test_staff_edit_an_applicant_but_cannot_grant_flags_and_the_change_is_audited(client, cast):
    client.force_login(cast.staff, backend=BACKEND)
    url = user_change_url(cast.applicant_a)
    page = client.get(url)
    html = page.content.decode()
    assert 'name="is_staff"' not in html and 'name="is_superuser"' not in html
    data = {**form_data(page), "name": "张敏敏", "is_staff": "on", "is_superuser": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.applicant_a.refresh_from_db()
    assert cast.applicant_a.name == "张敏敏"
    assert not cast.applicant_a.is_staff and not cast.applicant_a.is_superuser
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert event.user == cast.staff
    assert event.object_type == "accounts.user" and event.object_id == str(cast.applicant_a.pk)
    assert "姓名: 张敏 → 张敏敏" in event.detail


def test_a_superuser_grants_staff_and_it_is_audited(client, cast):
    client.force_login(cast.superuser, backend=BACKEND)
    url = user_change_url(cast.reviewer)
    page = client.get(url)
    response = client.post(url, {**form_data(page), "is_staff": "on"})
    assert response.status_code == 302
    cast.reviewer.refresh_from_db()
    assert cast.reviewer.is_staff
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert event.user == cast.superuser and "民政局工作人员: False → True" in event.detail


def test_a_password_set_in_the_admin_is_audited_without_the_password(client, cast):
    client.force_login(cast.staff, backend=BACKEND)
    url = reverse("admin:auth_user_password_change", args=[cast.applicant_b.pk])
    response = client.post(url, {"password1": "NewSecret2026xyz", "password2": "NewSecret2026xyz"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert event.object_id == str(cast.applicant_b.pk)
    assert "NewSecret2026xyz" not in event.detail


def test_admin_add_and_delete_are_audited_one_by_one_and_in_bulk(client, cast):
    client.force_login(cast.staff, backend=BACKEND)
    one = OrganisationFactory(name="待删除机构甲")
    two = OrganisationFactory(name="待删除机构乙")
    three = OrganisationFactory(name="待删除机构丙")
    response = client.post(reverse("admin:accounts_organisation_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    response = client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk__in=[one.pk, two.pk, three.pk]).exists()
    deleted = set(AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_DELETE).values_list("object_repr", flat=True))
    assert deleted == {"待删除机构甲", "待删除机构乙", "待删除机构丙"}


def test_every_admin_of_the_portal_is_audited():
    unaudited = [
        f"{model._meta.label} ({type(model_admin).__name__})"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdminMixin)
    ]
    assert not unaudited


@pytest.mark.parametrize("model_name", ["reviews_review", "reviews_conflict", "reviews_assignment", "awards_award"])
def test_reviews_conflicts_assignments_and_awards_cannot_be_changed_in_the_admin(client, cast, model_name):
    client.force_login(cast.staff, backend=BACKEND)
    assert client.get(reverse(f"admin:{model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model_name}_add")).status_code == 403


def test_a_superuser_does_not_pass_object_rules_on_anothers_application(cast):
    # Object permissions come from rules.py for everybody: a superuser is staff there.
    assert cast.superuser.has_perm("accounts.view_auditevent")
    assert cast.superuser.has_perm("accounts.change_user", cast.staff)
    assert not cast.staff.has_perm("accounts.change_user", cast.superuser)
    assert not cast.staff.has_perm("accounts.change_user", cast.staff)
    assert cast.staff.has_perm("accounts.change_user", cast.applicant_a)
    assert not cast.applicant_a.has_perm("accounts.change_user", cast.applicant_b)


def test_deleting_a_user_keeps_their_audit_rows_unchanged(cast):
    user = UserFactory(email="leaver@example.cn")
    event = audit_record(kind=AuditEvent.Kind.OTHER, user=user, detail="before")
    user.delete()
    again = AuditEvent.objects.get(pk=event.pk)
    assert again.user_id == event.user_id and again.user_label == "leaver@example.cn"
    assert not User.objects.filter(pk=event.user_id).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditevent SET detail = 'forged' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql_update_and_delete_of_the_audit_log(sql):
    require_postgresql("the append-only trigger is PostgreSQL's")
    event = audit_record(kind=AuditEvent.Kind.OTHER, user_label="x@example.cn", detail="original")
    with pytest.raises(DatabaseError, match="审计日志只能追加"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == "original"
