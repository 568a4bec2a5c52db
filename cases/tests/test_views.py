import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from cases import services
from cases.models import SECTIONS, Application
from cases.tests.factories import ApplicationFactory, CampaignFactory, add_photo
from tests.fixtures import stored_names

pytestmark = pytest.mark.django_db


def form_data(application: Application, **overrides) -> dict:
    """What the editor posts for this application, team rows included."""
    data = {
        "version": application.version,
        "title": application.title,
        "period_start": application.period_start.isoformat() if application.period_start else "",
        "period_end": application.period_end.isoformat() if application.period_end else "",
        "declaring_unit": application.declaring_unit,
        "organisation_name": application.organisation_name,
        "applicant_name": application.applicant_name,
        "phone": application.phone,
        "email": application.email,
        "qq": application.qq,
        "category": application.category,
        "domain": application.domain,
        "pledge_signature": application.pledge_signature,
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "1",
        "team-MAX_NUM_FORMS": "10",
        "team-0-name": "王芳",
        "team-0-gender": "female",
        "team-0-age": "32",
        "team-0-certificate_level": "social_worker",
    }
    if application.pledge_accepted:
        data["pledge_accepted"] = "on"
    for name, _ in SECTIONS:
        data[name] = getattr(application, name)
    data.update(overrides)
    return data


def test_the_editor_shows_the_official_labels_and_the_pledge(client_a, draft):
    html = client_a.get(reverse("cases:application_edit", args=[draft.pk])).content.decode()
    for label in [
        "案例名称",
        "案例起止时间",
        "申报单位",
        "机构名称",
        "申报社工姓名",
        "联系方式（电话）",
        "电子邮箱",
        "QQ",
        "案例类别",
        "案例领域",
        "实施团队基本情况",
        "社会工作专业技术等级",
        "从事社会工作年限",
        "一、背景介绍",
        "二、分析预估",
        "三、服务计划",
        "四、服务计划实施过程",
        "五、总结评估",
        "六、专业反思",
        "真实情况承诺",
        "所选送案例提供的基本案情、工作过程、案例材料等均来源于实际，内容真实有效。",
        "理论依据、服务需求、服务目标、服务程序安排",
    ]:
        assert label in html, label


def test_saving_with_a_bad_phone_keeps_everything_typed_and_shows_the_message(client_a, draft):
    data = form_data(draft, phone="12345", title="新的标题", period_end="2024-13-45", action="save")
    response = client_a.post(reverse("cases:application_edit", args=[draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写正确的电话号码" in html and "请填写正确的日期" in html
    assert 'value="2024-13-45"' in html  # the bad date is still in its box
    draft.refresh_from_db()
    assert draft.title == "新的标题" and draft.phone == "12345"


def test_a_stale_form_save_is_refused_with_a_conflict_message(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    client_a.post(url, form_data(draft, title="第一个窗口", action="save"))
    response = client_a.post(url, form_data(draft, title="第二个窗口", action="save"))
    assert response.status_code == 409
    assert "为避免覆盖，本次未保存" in response.content.decode()
    assert "第二个窗口" in response.content.decode()  # what the user typed is still on the page
    draft.refresh_from_db()
    assert draft.title == "第一个窗口"


def test_autosave_answers_json_with_the_new_version(client_a, draft):
    from django.core.cache import cache

    cache.clear()
    response = client_a.post(reverse("cases:application_autosave", args=[draft.pk]), form_data(draft, title="自动"))
    body = response.json()
    assert response.status_code == 200 and body["ok"] and body["version"] == draft.version + 1
    # The privacy check was not waited for; the editor fetches the findings after the save.
    assert body["findings_pending"] is True and body["findings"] == {}
    findings = client_a.get(reverse("cases:application_findings", args=[draft.pk])).json()
    assert findings["findings_pending"] is False and findings["version"] == body["version"]
    assert set(findings["findings"]) >= {name for name, _ in SECTIONS}
    # Checked once, the next autosave answers with the findings at once.
    response = client_a.post(
        reverse("cases:application_autosave", args=[draft.pk]), form_data(draft, title="再次", version=body["version"])
    )
    assert set(response.json()["findings"]) >= {name for name, _ in SECTIONS}


def test_autosave_after_the_session_expired_answers_401_with_the_way_back(client, draft):
    response = client.post(reverse("cases:application_autosave", args=[draft.pk]), form_data(draft))
    assert response.status_code == 401
    assert response.json()["login"].endswith("?next=" + reverse("cases:application_edit", args=[draft.pk]))


def test_a_stale_autosave_is_refused_with_409(client_a, draft):
    url = reverse("cases:application_autosave", args=[draft.pk])
    client_a.post(url, form_data(draft, title="一"))
    response = client_a.post(url, form_data(draft, title="二"))
    assert response.status_code == 409 and response.json()["conflict"]
    assert "第 2 版" in response.json()["error"]


def _submit(client, draft):
    client.force_login(draft.applicant)  # a session opened at the frozen time
    return client.post(reverse("cases:application_edit", args=[draft.pk]), form_data(draft, action="submit"))


def test_submit_one_second_before_the_deadline_is_accepted(client_a, draft):
    with time_machine.travel(draft.campaign.submission_closes_at - dt.timedelta(seconds=1), tick=False):
        response = _submit(client_a, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED and draft.reference


def test_submit_at_the_last_second_is_accepted(client_a, draft):
    with time_machine.travel(draft.campaign.submission_closes_at, tick=False):
        _submit(client_a, draft)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_submit_one_second_after_the_deadline_is_refused(client_a, draft):
    with time_machine.travel(draft.campaign.submission_closes_at + dt.timedelta(seconds=1), tick=False):
        response = _submit(client_a, draft)
    assert "截止" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT and draft.reference is None


def test_submit_with_a_missing_section_shows_the_message_beside_it(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    response = client_a.post(url, form_data(draft, reflection="", action="submit"))
    html = response.content.decode()
    assert "六、专业反思不能为空" in html
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_the_organisation_admin_recommends_through_the_form(client, cast, draft):
    services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    client.force_login(cast.org_admin)
    queue = client.get(reverse("cases:organisation_applications")).content.decode()
    assert draft.title in queue
    response = client.post(
        reverse("cases:application_decide", args=[draft.pk]), {"decision": "recommended", "opinion": "同意推荐。"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Application.Status.RECOMMENDED


def test_a_photo_is_served_only_through_the_checked_view(client_a, draft, cast):
    photo = add_photo(draft)
    response = client_a.get(reverse("cases:photo_file", args=[draft.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client_a.get("/media/" + photo.image.name).status_code == 404
    thumb = client_a.get(reverse("cases:photo_file", args=[draft.pk, photo.pk]) + "?size=thumb")
    assert thumb["Content-Type"] == "image/jpeg"


# --- Query counts --------------------------------------------------------------------------


def _make_submitted(cast, n):
    campaign = CampaignFactory()
    start = Application.objects.count()
    for i in range(start, start + n):
        ApplicationFactory(
            campaign=campaign,
            applicant=cast.applicant_a,
            organisation=cast.org_a,
            status=Application.Status.SUBMITTED,
            reference=f"KS2026-{i + 1:04d}",
        )


def _count_queries(client, url):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url_name", "user"),
    [
        ("cases:dashboard", "applicant_a"),
        ("cases:staff_applications", "staff"),
        ("cases:organisation_applications", "org_admin"),
    ],
)
def test_list_pages_cost_the_same_queries_for_1_and_50_applications(client, cast, url_name, user):
    client.force_login(getattr(cast, user))
    url = reverse(url_name)
    _make_submitted(cast, 1)
    one = _count_queries(client, url)
    _make_submitted(cast, 49)
    many = _count_queries(client, url)
    assert one == many


def test_dashboard_query_count_is_pinned(client, cast, django_assert_num_queries):
    client.force_login(cast.applicant_a)
    _make_submitted(cast, 50)
    ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    with django_assert_num_queries(8):
        client.get(reverse("cases:dashboard"))


def test_staff_list_query_count_is_pinned(client, cast, django_assert_num_queries):
    client.force_login(cast.staff)
    _make_submitted(cast, 50)
    with django_assert_num_queries(9):
        client.get(reverse("cases:staff_applications") + "?status=submitted&q=KS")


def test_the_staff_filter_finds_by_reference_and_findings(client, cast):
    _make_submitted(cast, 3)
    Application.objects.filter(reference="KS2026-0002").update(findings_count=2)
    client.force_login(cast.staff)
    html = client.get(reverse("cases:staff_applications") + "?has_findings=true").content.decode()
    assert "KS2026-0002" in html and "KS2026-0001" not in html
    html = client.get(reverse("cases:staff_applications") + "?q=0003").content.decode()
    assert "KS2026-0003" in html and "KS2026-0002" not in html


# --- Concurrency (PostgreSQL) --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_submits_make_exactly_one_reference(cast):
    from tests.fixtures import require_postgresql

    require_postgresql("SQLite 串行化所有写入，并发提交只在 PostgreSQL 上有意义（CI 使用 PostgreSQL）。")
    from django.db import connections

    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    barrier = threading.Barrier(20)
    references, errors = [], []

    def submit():
        try:
            barrier.wait()
            references.append(services.application_submit(application_id=draft.pk, by=cast.applicant_a).reference)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(references)) == 1 and len(references) == 20
    draft.campaign.refresh_from_db()
    assert draft.campaign.reference_counter == 1
    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT).count() == 1


# --- Uploads and Word through the views ----------------------------------------------------


def _png_upload(name="photo.png", size=(64, 64)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.tests.factories import png_bytes

    return SimpleUploadedFile(name, png_bytes(size), content_type="image/png")


def test_photos_uploaded_in_the_editor_are_stored_and_shown_as_thumbnails(client_a, cast):
    campaign = CampaignFactory(photo_min_pixels=10)
    draft = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    data = form_data(draft, action="save", new_photo_caption="小组活动", new_photos=[_png_upload(), _png_upload()])
    client_a.post(reverse("cases:application_edit", args=[draft.pk]), data)
    assert draft.photos.count() == 2
    html = client_a.get(reverse("cases:application_edit", args=[draft.pk])).content.decode()
    assert html.count('data-testid="photo"') == 2 and "小组活动" in html


def test_an_html_file_named_jpg_is_refused_beside_the_photos_and_nothing_is_stored(client_a, cast, media_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign = CampaignFactory(photo_min_pixels=10)
    draft = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>" * 10, content_type="image/jpeg")
    response = client_a.post(
        reverse("cases:application_edit", args=[draft.pk]),
        form_data(draft, action="save", title="留着", new_photos=[fake]),
    )
    html = response.content.decode()
    assert "photo.jpg：" in html and draft.photos.count() == 0
    assert not stored_names(media_storage)  # no file left behind
    draft.refresh_from_db()
    assert draft.title == "留着"


def test_a_pdf_attachment_is_stored_with_its_description(client_a, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("案例全文.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    client_a.post(
        reverse("cases:application_edit", args=[draft.pk]),
        form_data(draft, action="save", new_attachment=pdf, new_attachment_description="案例详细文本"),
    )
    attachment = draft.attachments.get()
    assert attachment.original_name == "案例全文.pdf" and attachment.description == "案例详细文本"
    response = client_a.get(reverse("cases:attachment_file", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_word_download_is_named_after_case_organisation_and_applicant(client_a, draft):
    import io

    import docx

    response = client_a.get(reverse("cases:application_docx", args=[draft.pk]))
    assert response.status_code == 200
    from urllib.parse import unquote

    disposition = unquote(response["Content-Disposition"])
    assert draft.title in disposition and draft.applicant_name in disposition and disposition.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "一、背景介绍" in text


def test_staff_download_a_zip_of_the_campaigns_submitted_applications(
    client, cast, draft, media_storage, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    ApplicationFactory(campaign=draft.campaign, applicant=cast.applicant_b, organisation=cast.org_b)  # a draft
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:campaign_export", args=[draft.campaign.slug]))
    job = draft.campaign.exports.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_export_detail", args=[job.pk])
    response = client.get(reverse("cases:case_export_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 1 and names[0].endswith(".docx")


def test_staff_configure_a_campaign_in_the_admin_with_timeline_rules_and_review_options(client, cast):
    client.force_login(cast.staff)
    html = client.get(reverse("admin:cases_campaign_add")).content.decode()
    for legend in [
        "时间安排",
        "申报规则",
        "评审选项",
        "申报截止时间",
        "服务照片最少张数",
        "每个机构申报上限",
        "匿名评审",
    ]:
        assert legend in html, legend


def test_the_staff_console_has_a_card_for_case_submission(client, cast):
    client.force_login(cast.staff)
    html = client.get(reverse("accounts:manage")).content.decode()
    assert "案例申报" in html and reverse("cases:staff_applications") in html


def test_the_campaign_page_shows_rules_and_an_apply_button_only_while_open(client, cast):
    campaign = CampaignFactory()
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "申报规则" in html and "登录后申报" in html
    with time_machine.travel(campaign.submission_closes_at + dt.timedelta(seconds=1), tick=False):
        html = client.get(campaign.get_absolute_url()).content.decode()
    assert 'data-testid="apply-button"' not in html


def test_the_organisation_admin_may_attach_the_stamped_scan_and_it_is_served_to_staff(client, cast, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    client.force_login(cast.org_admin)
    scan = SimpleUploadedFile("推荐表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    client.post(
        reverse("cases:application_decide", args=[draft.pk]),
        {"decision": "recommended", "opinion": "同意推荐。", "stamped_scan": scan},
    )
    endorsement = draft.endorsements.get()
    assert endorsement.stamped_scan
    client.force_login(cast.staff)
    detail = client.get(reverse("cases:application_detail", args=[draft.pk])).content.decode()
    assert "已推荐" in detail and "同意推荐。" in detail
    response = client.get(reverse("cases:endorsement_scan", args=[draft.pk, endorsement.pk]))
    assert response.status_code == 200
    client.force_login(cast.org_admin_b)
    assert client.get(reverse("cases:endorsement_scan", args=[draft.pk, endorsement.pk])).status_code == 404


def test_returning_without_a_reason_shows_the_message_beside_the_field(client, cast, draft):
    services.application_submit(application_id=draft.pk, by=cast.applicant_a)
    client.force_login(cast.org_admin)
    response = client.post(reverse("cases:application_decide", args=[draft.pk]), {"decision": "returned"})
    assert "请填写意见" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_submitting_with_findings_left_asks_for_confirmation_first(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    body = draft.background + "服务对象身份证号 320583199001011232。"
    response = client_a.post(url, form_data(draft, background=body, action="submit"))
    assert "确认无误后再次提交" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT and draft.findings_count >= 1
    client_a.post(url, form_data(draft, background=body, action="submit", confirm_findings="1"))
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_a_report_link_is_added_once_and_a_bad_one_stays_in_its_box_with_a_message(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    client_a.post(url, form_data(draft, action="save", link_url="https://example.cn/news/1", link_title="报道"))
    assert list(draft.report_links.values_list("url", flat=True)) == ["https://example.cn/news/1"]
    draft.refresh_from_db()
    html = client_a.post(url, form_data(draft, action="save", link_url="javascript:alert(1)")).content.decode()
    assert "请填写以 http:// 或 https:// 开头的网址" in html and 'value="javascript:alert(1)"' in html
    assert draft.report_links.count() == 1


def test_the_campaign_admin_form_reads_domains_one_per_line_and_checks_ranges(cast):
    from cases.admin import CampaignAdminForm

    campaign = CampaignFactory()
    form = CampaignAdminForm(instance=campaign)
    assert form.initial["domains"].splitlines()[0] == "儿童及青少年"
    data = {
        **{f.name: f.value_from_object(campaign) for f in campaign._meta.fields if f.editable and f.name != "id"},
        "categories": ["casework", "group"],
        "domains": "老龄事业\n\n社区建设\n",
        "photos_min": 6,
        "photos_max": 5,
    }
    data = {k: v for k, v in data.items() if v is not None}
    form = CampaignAdminForm(data=data, instance=campaign)
    assert not form.is_valid()
    assert form.errors["photos_max"] == ["服务照片张数的上限不能小于下限。"]
    assert form.cleaned_data["domains"] == ["老龄事业", "社区建设"]


def test_a_campaign_domain_longer_than_an_application_can_store_is_refused_naming_it(client, cast):
    from django.core.exceptions import ValidationError

    long_domain = "社区综合治理与居民自治能力提升服务领域"  # 19 characters: fits
    too_long = "社区综合治理与居民自治能力提升及志愿者服务领域"  # 23 characters
    assert len(too_long) == 23
    campaign = CampaignFactory.build(domains=["老龄事业", long_domain])
    campaign.full_clean()
    campaign.domains = ["老龄事业", too_long]
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert f"案例领域“{too_long}”有 23 个字，超过申报表能保存的 20 个字" in error.value.message_dict["domains"][0]


def test_the_campaign_admin_form_shows_the_too_long_domain_as_an_error(client, cast):
    from django.forms.models import model_to_dict

    from cases.admin import CampaignAdminForm

    too_long = "社区综合治理与居民自治能力提升及志愿者服务领域"
    data = {k: v for k, v in model_to_dict(CampaignFactory.build(slug="admin-domain")).items() if v is not None}
    data.update(domains=f"老龄事业\n{too_long}", categories=["casework"])
    form = CampaignAdminForm(data=data)
    assert not form.is_valid()
    assert too_long in form.errors["domains"][0]
