"""Results are published once the window closed and every objection is resolved; certificates are numbered
once, in rank order, never reused; the export ZIP holds a DOCX and a PDF per award; /verify/<code>/ tells."""

import io
import os
import zipfile

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from awards import documents, services
from awards.models import Award, Certificate, CertificateExport, Objection
from awards.tests.factories import AwardFactory, ObjectionFactory, publicity_campaign, publish_results

needs_soffice = pytest.mark.skipif(
    documents.soffice_path() is None and os.environ.get("CI", "").lower() != "true",
    reason="LibreOffice（soffice）未安装，跳过 PDF 测试；CI 中必须安装。",
)


@pytest.fixture
def finished(db):
    campaign = publicity_campaign(slug="finished", open_now=False)
    awards = [AwardFactory(campaign=campaign, rank=r, tier="优秀") for r in (2, 1, 3)]
    return campaign, awards


def test_results_cannot_be_published_while_the_window_is_open(cast, db):
    campaign = publicity_campaign(slug="still-open")
    AwardFactory(campaign=campaign)
    with pytest.raises(ValidationError, match="公示期结束后"):
        services.results_publish(campaign=campaign, by=cast.staff)


def test_results_wait_for_every_objection_to_be_resolved(cast, finished):
    campaign, awards = finished
    objection = ObjectionFactory(award=awards[0])
    with pytest.raises(ValidationError, match="1 件异议未处理"):
        services.results_publish(campaign=campaign, by=cast.staff)
    services.objection_decide(objection=objection, upheld=False, reply="经核实，异议不成立。", by=cast.staff)
    services.results_publish(campaign=campaign, by=cast.staff)
    assert Objection.objects.get().status == Objection.Status.DISMISSED


def test_publishing_mails_every_applicant_and_the_results_page_stays(
    client, cast, finished, django_capture_on_commit_callbacks
):
    campaign, awards = finished
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.application.applicant.email for a in awards)
    # Publishing queued the certificates' issue: numbered in rank order, Word files written.
    assert sorted(Certificate.objects.values_list("award__rank", "serial")) == [(1, 1), (2, 2), (3, 3)]
    assert all(c.docx for c in Certificate.objects.all())
    assert "评选结果：优秀" in mail.outbox[0].body
    response = client.get(reverse("awards:results", kwargs={"slug": campaign.slug}))
    assert response.status_code == 200 and awards[0].application.title in response.content.decode()
    with pytest.raises(ValidationError, match="已发布"):
        services.results_publish(campaign=campaign, by=cast.staff)


def test_the_applicant_sees_the_result_after_publication_only(client, cast, db):
    campaign = publicity_campaign(slug="mine", open_now=False)
    from reviews.tests.factories import ApplicationFactory

    app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    AwardFactory(campaign=campaign, application=app, tier="优秀")
    client.force_login(cast.applicant_a)
    assert app.title not in client.get(reverse("awards:my_results")).content.decode()
    publish_results(campaign, cast.staff)
    assert app.title in client.get(reverse("awards:my_results")).content.decode()
    assert reverse("awards:my_results") in client.get(reverse("cases:dashboard")).content.decode()


def test_numbers_follow_the_rank_and_are_given_once(cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    services.certificates_allocate(campaign=campaign)
    services.certificates_allocate(campaign=campaign)
    by_rank = {c.award.rank: c.number for c in Certificate.objects.select_related("award")}
    year = campaign.publicity_ends_at.year
    assert by_rank == {1: f"KSZS-{year}-001", 2: f"KSZS-{year}-002", 3: f"KSZS-{year}-003"}
    assert services.certificate_allocate(award=awards[0]).number == by_rank[2]


def test_a_withdrawn_award_keeps_its_number_and_a_new_award_gets_the_next(cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    services.certificates_allocate(campaign=campaign)
    Award.objects.filter(pk=awards[1].pk).update(status=Award.Status.WITHDRAWN)  # the rank-1 award
    late = AwardFactory(campaign=campaign, rank=4)
    assert services.certificate_allocate(award=late).serial == 4
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == [1, 2, 3, 4]


def test_the_certificate_carries_the_text_fonts_and_a_qr_code_of_its_verification_page(cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    certificate = services.certificate_allocate(award=awards[0])
    services.certificate_files_generate(campaign=campaign, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    with zipfile.ZipFile(default_storage.open(certificate.docx)) as z:
        xml = z.read("word/document.xml").decode()
        images = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    application = awards[0].application
    for text in (application.applicant_name, application.title, "优秀", certificate.number, "昆山市民政局"):
        assert text in xml
    assert 'w:eastAsia="仿宋"' in xml and "@@" not in xml
    assert documents.qr_png(f"{settings.PORTAL_BASE_URL}/verify/{certificate.code}/") in images


def test_the_verification_page_shows_the_holder_or_a_clear_not_found(client, cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    certificate = services.certificate_allocate(award=awards[0])
    html = client.get(reverse("verify", kwargs={"code": certificate.code})).content.decode()
    assert awards[0].application.applicant_name in html and "证书真实有效" in html and "昆山市民政局" in html
    assert awards[0].application.phone not in html and awards[0].application.email not in html
    forged = client.get(reverse("verify", kwargs={"code": certificate.code + "x"}))
    assert forged.status_code == 404 and "未找到该证书" in forged.content.decode()
    Award.objects.filter(pk=awards[0].pk).update(status=Award.Status.WITHDRAWN)
    assert "证书无效" in client.get(reverse("verify", kwargs={"code": certificate.code})).content.decode()


def test_the_holder_downloads_their_own_certificate(client, cast, db, django_capture_on_commit_callbacks):
    from reviews.tests.factories import ApplicationFactory

    campaign = publicity_campaign(slug="dl", open_now=False)
    app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    award = AwardFactory(campaign=campaign, application=app)
    publish_results(campaign, cast.staff)
    certificate = services.certificate_allocate(award=award)
    client.force_login(cast.applicant_a)
    url = reverse("awards:certificate_download", kwargs={"pk": certificate.pk, "fmt": "docx"})
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url)  # no file yet: the per-application task is queued, the holder asked to come back
    assert first.status_code == 302 and first["Location"] == reverse("awards:my_results")
    response = client.get(url)
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("word/document.xml")


@needs_soffice
def test_the_export_zip_holds_one_docx_and_one_pdf_per_award_and_runs_twice_the_same(cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    withdrawn = AwardFactory(campaign=campaign, rank=9, status=Award.Status.WITHDRAWN)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    services.certificate_export_run(export_id=export.pk)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    # Its worker died (no heartbeat): a rerun takes the job over and finishes it with the same numbers.
    CertificateExport.objects.filter(pk=export.pk).update(status=CertificateExport.Status.RUNNING, heartbeat_at=None)
    assert services.certificate_export_run(export_id=export.pk) == CertificateExport.Status.DONE
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.DONE and export.percent == 100
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers and len(numbers) == 3
    assert not Certificate.objects.filter(award=withdrawn).exists()
    with zipfile.ZipFile(default_storage.open(export.file.name)) as z:
        names = z.namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx"] * 3 + ["pdf"] * 3
        assert all(z.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))


def test_the_export_refuses_before_results_are_published(cast, finished):
    campaign, _ = finished
    with pytest.raises(ValidationError, match="发布后"):
        services.certificate_export_start(campaign=campaign, by=cast.staff)


def test_the_progress_endpoint_reports_percent(client, cast, finished):
    campaign, _ = finished
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff, total=4, done=1)
    client.force_login(cast.staff)
    data = client.get(reverse("awards:export_status", kwargs={"pk": export.pk})).json()
    assert data["percent"] == 25 and data["download_url"] == ""


def test_a_template_with_a_broken_placeholder_is_refused(cast, finished):
    campaign, _ = finished
    template = services.certificate_template_get(campaign)
    template.body = "{name 荣获 {tier}"
    with pytest.raises(ValidationError, match="占位符有误"):
        services.certificate_template_save(template=template, by=cast.staff)


def _png(size, colour) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_staff_upload_a_background_and_a_seal_that_the_certificate_carries(client, cast, finished):
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign, awards = finished
    publish_results(campaign, cast.staff)
    client.force_login(cast.staff)
    response = client.post(
        reverse("awards:template_save", kwargs={"slug": campaign.slug}),
        {
            "title": "荣誉证书",
            "body": "{name}：\n你的案例《{case_title}》荣获{tier}。\n{issuer} {date}",
            "issuer": "昆山市民政局",
            "issued_on": "2026-03-22",
            "number_prefix": "KSZS",
            "background": SimpleUploadedFile("bg.png", _png((297, 210), (250, 240, 200))),
            "seal": SimpleUploadedFile("seal.png", _png((120, 120), (200, 30, 30))),
        },
    )
    assert response.status_code == 302
    template = services.certificate_template_get(campaign)
    assert template.background and template.seal
    certificate = services.certificate_allocate(award=awards[0])
    services.certificate_files_generate(campaign=campaign, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    with zipfile.ZipFile(default_storage.open(certificate.docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        header = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
        xml = z.read("word/document.xml").decode()
    assert len(media) == 3  # background, QR code, seal
    assert 'behindDoc="1"' in header
    assert "2026年3月22日" in xml


def test_a_template_image_that_is_not_an_image_is_refused(client, cast, finished):
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign, _ = finished
    client.force_login(cast.staff)
    client.post(
        reverse("awards:template_save", kwargs={"slug": campaign.slug}),
        {
            "title": "荣誉证书",
            "body": "{name}",
            "issuer": "昆山市民政局",
            "number_prefix": "KSZS",
            "seal": SimpleUploadedFile("seal.png", b"<svg onload=alert(1)>"),
        },
    )
    assert not services.certificate_template_get(campaign).seal


@needs_soffice
def test_the_publicity_list_is_offered_as_pdf(client, finished):
    campaign, _ = finished
    response = client.get(reverse("awards:publicity_file", kwargs={"slug": campaign.slug, "fmt": "pdf"}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_export_that_fails_its_last_retry_says_why(cast, finished):
    from awards.tasks import certificate_export_task

    campaign, _ = finished  # results not published: the run is refused every time
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    certificate_export_task.apply(args=[export.pk], retries=certificate_export_task.max_retries, throw=True)
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.FAILED and "获奖名单发布后" in export.error


def test_a_tier_changed_by_an_upheld_objection_is_reissued_under_the_same_number(cast, finished):
    campaign, awards = finished
    publish_results(campaign, cast.staff)
    certificate = services.certificate_allocate(award=awards[0])
    services.certificate_files_generate(campaign=campaign, certificate_ids=[certificate.pk])
    objection = ObjectionFactory(award=awards[0])
    services.objection_decide(
        objection=objection,
        upheld=True,
        outcome="change_tier",
        new_tier="入围奖",
        reply="经核实，调整为入围奖。",
        by=cast.staff,
    )
    certificate.refresh_from_db()
    assert certificate.docx == "" and certificate.pdf == ""
    services.certificate_files_generate(campaign=campaign, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    with zipfile.ZipFile(default_storage.open(certificate.docx)) as z:
        xml = z.read("word/document.xml").decode()
    assert "入围奖" in xml and certificate.number in xml and certificate.serial == 1
