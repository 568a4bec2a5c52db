"""Objections (异议): lodged during the window only, with evidence checked by content, rate-limited per IP
and per phone; staff assign, note, decide; every step audited; the reply is e-mailed."""

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from awards import services
from awards.models import Award, Objection
from awards.tests.factories import AwardFactory, ObjectionFactory, publicity_campaign
from reviews.tests.factories import jpeg_bytes

REASON = "该案例所述服务时间与机构实际开展情况不符，小组活动记录显示相关活动并未开展，请予核实。"


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(db):
    campaign = publicity_campaign(slug="open-window")
    return campaign, AwardFactory(campaign=campaign)


def _post(client, campaign, award, ip="10.0.0.1", **overrides):
    data = {
        "name": "赵某某",
        "phone": "13912345678",
        "email": "objector@example.org",
        "organisation": "",
        "award": award.pk,
        "reason": REASON,
    }
    data.update(overrides)
    return client.post(reverse("awards:objection", kwargs={"slug": campaign.slug}), data, REMOTE_ADDR=ip)


def test_an_objection_with_an_evidence_image_gets_a_tracking_number_and_a_receipt(
    client, listed, django_capture_on_commit_callbacks
):
    campaign, award = listed
    evidence = SimpleUploadedFile("现场照片.jpg", jpeg_bytes(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, campaign, award, evidence=[evidence])
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:objection_receipt", kwargs={"tracking": objection.tracking_number})
    assert objection.evidence.get().content_type == "image/jpeg"
    receipt = client.get(response["Location"]).content.decode()
    assert objection.tracking_number in receipt
    assert mail.outbox[-1].to == ["objector@example.org"] and objection.tracking_number in mail.outbox[-1].body
    assert AuditEvent.objects.filter(object_type="awards.objection", detail__contains="提交异议").exists()


def test_a_pdf_is_accepted_as_evidence(client, listed):
    campaign, award = listed
    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")
    assert _post(client, campaign, award, evidence=[pdf]).status_code == 302
    assert Objection.objects.get().evidence.get().content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("页面.jpg", b"<html><script>alert(1)</script></html>", "不是 JPEG"),
        ("程序.png", b"MZ\x90\x00" + b"\x00" * 200, "不是 JPEG"),
        ("伪装.jpg", jpeg_bytes() + b"<script>alert(1)</script>", "末尾附带"),
        ("表格.docx", b"PK\x03\x04" + b"\x00" * 100, "不是 JPEG"),
    ],
)
def test_files_that_are_not_images_or_pdf_are_refused_beside_the_field(client, listed, name, content, message):
    campaign, award = listed
    response = _post(client, campaign, award, evidence=[SimpleUploadedFile(name, content)])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Objection.objects.exists()
    assert "赵某某" in response.content.decode()  # the form keeps what was typed


def test_an_oversized_file_is_refused(client, listed):
    campaign, award = listed
    big = SimpleUploadedFile("大.jpg", b"\xff\xd8\xff" + b"\x00" * (services.EVIDENCE_MAX_BYTES + 1))
    response = _post(client, campaign, award, evidence=[big])
    assert "太大" in response.content.decode() and not Objection.objects.exists()


def test_a_short_reason_and_a_bad_phone_are_refused_in_chinese(client, listed):
    campaign, award = listed
    html = _post(client, campaign, award, reason="不公平", phone="12345").content.decode()
    assert f"异议理由至少 {services.REASON_MIN_CHARS} 个字" in html
    assert "11 位中国大陆手机号码" in html


def test_script_in_the_text_is_shown_escaped_to_staff(client, listed, cast):
    campaign, award = listed
    _post(client, campaign, award, reason=REASON + "<script>alert('x')</script>", name="<b>赵</b>")
    objection = Objection.objects.get()
    client.force_login(cast.staff)
    html = client.get(reverse("awards:objection_detail", kwargs={"pk": objection.pk})).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>赵</b>" not in html


def test_flooding_from_one_address_is_answered_by_the_rate_limit_in_chinese(client, listed):
    campaign, award = listed
    for i in range(services.RATE_IP_LIMIT):
        _post(client, campaign, award, phone=f"139{i:08d}")
    response = _post(client, campaign, award, phone="13700000000")
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Objection.objects.count() == services.RATE_IP_LIMIT


def test_one_phone_may_lodge_only_a_few_objections_a_day(client, listed):
    campaign, award = listed
    for i in range(services.RATE_PHONE_LIMIT):
        assert _post(client, campaign, award, ip=f"10.0.1.{i}").status_code == 302
    response = _post(client, campaign, award, ip="10.0.2.1")
    assert "同一手机号码每天最多提交" in response.content.decode()
    assert Objection.objects.count() == services.RATE_PHONE_LIMIT


def test_after_the_window_the_form_is_closed_and_says_when(client, db):
    campaign = publicity_campaign(slug="closed-window", open_now=False)
    award = AwardFactory(campaign=campaign)
    html = client.get(reverse("awards:publicity", kwargs={"slug": campaign.slug})).content.decode()
    assert "异议通道已关闭" in html and 'data-testid="objection-award-link"' not in html
    html = client.get(reverse("awards:objection", kwargs={"slug": campaign.slug})).content.decode()
    assert "异议通道已关闭" in html and 'data-testid="objection-form"' not in html
    local_end = campaign.publicity_ends_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{local_end.year}年{local_end.month}月{local_end.day}日" in html
    _post(client, campaign, award)
    assert not Objection.objects.exists()


def test_an_objection_against_a_case_not_on_the_list_is_refused(client, listed):
    campaign, _award = listed
    other = AwardFactory(campaign=publicity_campaign(slug="other"))
    response = _post(client, campaign, other)
    assert response.status_code == 200 and not Objection.objects.exists()


# ------------------------------------------------------------------------------------- staff


def test_staff_assign_note_and_dismiss_with_a_reply_mailed_and_every_step_audited(
    cast, db, django_capture_on_commit_callbacks
):
    objection = ObjectionFactory()
    services.objection_assign(objection=objection, assignee=cast.staff, by=cast.staff)
    services.objection_note_add(objection=objection, text="已电话联系申报机构核实活动记录。", by=cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_decide(
            objection=objection, upheld=False, reply="经核实活动记录齐全，异议不成立。", by=cast.staff
        )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED and objection.assignee == cast.staff
    assert mail.outbox[-1].to == [objection.email] and "异议不成立" in mail.outbox[-1].body
    details = list(AuditEvent.objects.filter(object_id=str(objection.pk)).values_list("detail", flat=True))
    assert any("分派" in d for d in details) and any("调查记录" in d for d in details)
    assert any("异议不成立" in d for d in details)


def test_an_upheld_objection_may_change_the_tier(cast, db):
    objection = ObjectionFactory()
    services.objection_decide(
        objection=objection,
        upheld=True,
        outcome="change_tier",
        new_tier="入围",
        reply="经核实，调整为入围。",
        by=cast.staff,
    )
    assert Award.objects.get(pk=objection.award_id).tier == "入围"


def test_an_upheld_objection_may_withdraw_the_award(cast, db):
    objection = ObjectionFactory()
    services.objection_decide(
        objection=objection, upheld=True, outcome="withdraw", reply="经核实案例存在抄袭，撤销获奖。", by=cast.staff
    )
    award = Award.objects.get(pk=objection.award_id)
    assert award.status == Award.Status.WITHDRAWN and objection.tracking_number in award.withdrawn_reason


def test_a_decided_objection_cannot_be_decided_again(cast, db):
    from django.core.exceptions import ValidationError

    objection = ObjectionFactory()
    services.objection_decide(objection=objection, upheld=False, reply="经核实，异议不成立。", by=cast.staff)
    with pytest.raises(ValidationError, match="已处理完毕"):
        services.objection_decide(
            objection=objection,
            upheld=True,
            outcome="withdraw",
            reply="再次决定：撤销该案例的获奖资格。",
            by=cast.staff,
        )


def test_the_staff_decision_form_dismisses_through_the_view(client, cast, db):
    objection = ObjectionFactory()
    client.force_login(cast.staff)
    url = reverse("awards:objection_decide", kwargs={"pk": objection.pk})
    client.post(url, {"decision": "dismissed", "reply": "经核实，异议不成立，特此答复。"})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED


def test_the_staff_objection_list_costs_the_same_queries_for_one_and_many(client, cast, django_assert_num_queries):
    one = publicity_campaign(slug="one")
    ObjectionFactory(award=AwardFactory(campaign=one))
    many = publicity_campaign(slug="many")
    for _ in range(5):
        ObjectionFactory(award=AwardFactory(campaign=many))
    client.force_login(cast.staff)
    client.get(reverse("awards:objection_list", kwargs={"slug": one.slug}))
    # Session, user, roles, campaign, objections with cases and assignees, evidence, session save (3).
    with django_assert_num_queries(9) as first:
        client.get(reverse("awards:objection_list", kwargs={"slug": one.slug}))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("awards:objection_list", kwargs={"slug": many.slug}))


def test_with_the_cache_down_an_objection_is_still_taken(client, listed, settings, django_capture_on_commit_callbacks):
    """Redis holds the rate-limit counters: when it is down the public form still lodges the objection
    (the limits lapse for that while) instead of answering 500."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    campaign, award = listed
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, campaign, award)
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:objection_receipt", kwargs={"tracking": objection.tracking_number})
