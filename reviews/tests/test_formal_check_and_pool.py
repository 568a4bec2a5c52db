import datetime as dt
import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from cases.models import Application
from reviews.models import PanelMember, ReviewerProfile
from reviews.selectors import formal_check_items
from reviews.tests.factories import ApplicationFactory, TeamMemberFactory, review_window_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(cast, client):
    campaign = review_window_campaign()
    app = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, status=Application.Status.RECOMMENDED
    )
    client.force_login(cast.staff)
    return campaign, app


def _decide(client, app, **data):
    # E-mails are queued on commit: run those callbacks as the request ends.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("reviews:formal_check_decide", kwargs={"pk": app.pk}), data)


def test_the_checklist_names_each_rule_that_a_case_breaks(waiting):
    _campaign, app = waiting
    app.period_end = dt.date(2030, 1, 1)
    app.reflection = ""
    app.save()
    items = {item.label: item for item in formal_check_items(app)}
    assert items["案例起止时间在规定范围内"].ok is False
    assert items["正文六个部分齐全"].ok is False and "六、专业反思" in items["正文六个部分齐全"].detail
    assert items["报名表填写完整"].ok is False and "实施团队基本情况" in items["报名表填写完整"].detail
    assert items["服务照片张数"].ok is True  # 个案: 0–5 photos
    assert items["真实情况承诺"].ok is True
    assert items["个人信息技术性处理与用语规范"].ok is True


def test_the_checklist_reports_open_privacy_findings_in_the_body(waiting):
    _campaign, app = waiting
    app.background = "服务对象的母亲，联系电话13812345678，多次来电求助。"
    app.save()
    privacy = {item.label: item for item in formal_check_items(app)}["个人信息技术性处理与用语规范"]
    assert privacy.ok is False and "13812345678" in privacy.detail


def test_a_complete_case_passes_every_checked_item(waiting):
    _campaign, app = waiting
    TeamMemberFactory(application=app)
    assert all(item.ok is not False for item in formal_check_items(app))


def test_the_formal_check_page_lists_only_cases_waiting_for_it(waiting, client):
    campaign, app = waiting
    submitted_only = ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED)
    html = client.get(reverse("reviews:formal_check", kwargs={"slug": campaign.slug})).content.decode()
    assert app.title in html
    assert submitted_only.title not in html  # the campaign requires a recommendation first
    campaign.recommendation_required = False
    campaign.save()
    html = client.get(reverse("reviews:formal_check", kwargs={"slug": campaign.slug})).content.decode()
    assert submitted_only.title in html


def test_staff_accept_a_case_for_review_and_the_applicant_is_told(waiting, client, cast):
    _campaign, app = waiting
    assert _decide(client, app, decision="accept").status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.ACCEPTED
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DECISION, object_id=str(app.pk)).exists()
    assert mail.outbox[-1].to == [cast.applicant_a.email] and "通过" in mail.outbox[-1].body


def test_returning_a_case_needs_a_reason_and_a_date_and_e_mails_both(waiting, client, cast):
    _campaign, app = waiting
    response = _decide(client, app, decision="return", reason="")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.RECOMMENDED
    until = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    _decide(client, app, decision="return", reason="服务照片不足三张", resubmit_until=until)
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    assert app.return_reason == "服务照片不足三张" and app.resubmit_until is not None
    assert "服务照片不足三张" in mail.outbox[-1].body and "前修改并重新提交" in mail.outbox[-1].body


def test_rejecting_a_case_as_ineligible_needs_a_reason(waiting, client):
    _campaign, app = waiting
    _decide(client, app, decision="reject", reason="")
    app.refresh_from_db()
    assert app.status == Application.Status.RECOMMENDED
    _decide(client, app, decision="reject", reason="案例实施时间不在规定范围内")
    app.refresh_from_db()
    assert app.status == Application.Status.INELIGIBLE
    assert "不予受理" in mail.outbox[-1].body


def test_a_case_already_decided_cannot_be_decided_again(waiting, client):
    _campaign, app = waiting
    _decide(client, app, decision="accept")
    response = _decide(client, app, decision="reject", reason="重复")
    app.refresh_from_db()
    assert app.status == Application.Status.ACCEPTED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("已不在待形式审查状态" in m for m in messages)


def test_an_invited_expert_sets_a_password_through_the_e_mailed_link_once(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("reviews:pool", kwargs={"slug": campaign.slug}),
            {
                "name": "孙教授",
                "email": "Sun@Example.cn",
                "organisation": "苏州大学社会学院",
                "title": "教授",
                "expertise": ["医务社工", "老龄事业"],
                "contact": "0512-6000000",
            },
        )
    assert response.status_code == 302
    expert = User.objects.get(email="sun@example.cn")
    assert expert.is_reviewer and not expert.has_usable_password()
    assert ReviewerProfile.objects.get(user=expert).expertise == ["医务社工", "老龄事业"]
    assert PanelMember.objects.get(campaign=campaign, reviewer=expert).is_active
    link = re.search(r"https?://[^\s]+/reviews/invitation/\S+", mail.outbox[-1].body).group(0)
    path = link[link.index("/reviews/") :]
    client.logout()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "设置密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Pingshen2026!", "new_password2": "Pingshen2026!"})
    assert done.status_code == 302
    expert.refresh_from_db()
    assert expert.check_password("Pingshen2026!")
    assert "无效或已使用" in client.get(path, follow=True).content.decode()


def test_staff_take_an_expert_off_a_campaign_panel(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    url = reverse("reviews:panel_toggle", kwargs={"slug": campaign.slug, "user_pk": cast.reviewer.pk})
    client.post(url, {"active": "1"})
    assert PanelMember.objects.get(reviewer=cast.reviewer).is_active
    client.post(url, {"active": "0"})
    assert not PanelMember.objects.get(reviewer=cast.reviewer).is_active


def test_each_assigned_expert_is_e_mailed_the_window_and_their_cases_without_names(client, cast):
    from reviews.tests.factories import AssignmentFactory, ConflictFactory

    campaign = review_window_campaign(blind_review=True)
    mine = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    AssignmentFactory(application=mine, reviewer=cast.reviewer)
    AssignmentFactory(application=ApplicationFactory(campaign=campaign), reviewer=cast.reviewer)
    AssignmentFactory(application=mine, reviewer=cast.reviewer_conflicted)
    ConflictFactory(application=mine, reviewer=cast.reviewer_conflicted)
    client.force_login(cast.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("reviews:reviewers_notify", kwargs={"slug": campaign.slug}))
    assert [m.to for m in mail.outbox] == [[cast.reviewer.email]]
    body = mail.outbox[0].body
    assert "共 2 个" in body and mine.reference in body and "匿名评审" in body
    assert cast.org_a.name not in body and mine.applicant_name not in body


def test_each_formal_check_card_links_to_everything_staff_check(waiting, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import CaseAttachment, CasePhoto
    from reviews.tests.factories import jpeg_bytes

    _campaign, app = waiting
    photo = CasePhoto.objects.create(
        application=app, caption="入户走访", image=SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")
    )
    attachment = CaseAttachment.objects.create(
        application=app,
        original_name="详细案例.pdf",
        content_type="application/pdf",
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    page = client.get(reverse("reviews:formal_check", kwargs={"slug": app.campaign.slug}))
    assert page.status_code == 200
    html = page.content.decode()
    links = [
        reverse("cases:application_detail", kwargs={"pk": app.pk}),
        reverse("cases:application_docx", kwargs={"pk": app.pk}),
        reverse("cases:attachment_file", kwargs={"pk": app.pk, "attachment_pk": attachment.pk}),
        reverse("cases:photo_file", kwargs={"pk": app.pk, "photo_pk": photo.pk}) + "?size=thumb",
    ]
    for link in links:
        assert f'"{link}"' in html, link
        assert client.get(link).status_code == 200, link
