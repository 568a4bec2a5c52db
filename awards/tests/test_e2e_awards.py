"""End to end in Chromium: the publicity window, an objection with evidence, staff dismissing it, results,
the certificate export with its progress bar, the ZIP and the QR's verification page."""

import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from awards import documents
from awards.models import Certificate
from awards.tests.factories import AwardFactory, publicity_campaign
from cases.models import Campaign
from reviews.tests.factories import ApplicationFactory, TeamMemberFactory, jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_objection_results_export_and_verification(page, live_server, cast, login, screenshot_dir, tmp_path):
    campaign = publicity_campaign(slug="e2e-publicity", title="2026年昆山市优秀社工案例评选")
    app_a = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, title="困境儿童成长陪伴个案"
    )
    app_b = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, title="社区老年人互助小组"
    )
    TeamMemberFactory(application=app_a, name="私密队员", contact="13688886666")
    AwardFactory(campaign=campaign, application=app_a, rank=1, confirmed_by=cast.staff)
    AwardFactory(campaign=campaign, application=app_b, rank=2, confirmed_by=cast.staff)

    # An anonymous visitor reads the list and lodges an objection with an evidence image.
    page.goto(f"{live_server.url}/awards/{campaign.slug}/publicity/")
    assert page.get_by_test_id("publicity-open").is_visible()
    listed = page.get_by_test_id("award-list").inner_text()
    assert "困境儿童成长陪伴个案" in listed and "社区老年人互助小组" in listed
    html = page.content()
    for private in (app_a.phone, app_a.email, "私密队员", "13688886666", app_a.background[:15]):
        assert private not in html
    _shots(page, f"{screenshot_dir}/awards-publicity")
    page.emulate_media(media="print")  # the print stylesheet: header and list only
    assert not page.get_by_test_id("objection-award-link").first.is_visible()
    page.screenshot(path=f"{screenshot_dir}/awards-publicity-print.png", full_page=True)
    page.emulate_media(media="screen")
    # The objection form has its own page: the link beside the case opens it with that case chosen.
    row = page.get_by_test_id("award-list").get_by_role("row").filter(has_text=app_b.title)
    row.get_by_test_id("objection-award-link").click()
    assert page.locator("#id_award option:checked").inner_text() == f"{app_b.reference} {app_b.title}"
    page.fill("#id_name", "赵某某")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_email", "objector@example.org")
    page.select_option("#id_award", label=f"{app_b.reference} {app_b.title}")
    page.fill("#id_reason", "该小组活动次数与案例描述不符，签到表显示只开展了两次活动，请予以核实。")
    page.set_input_files(
        "#id_evidence", files=[{"name": "签到表.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.click("[data-testid=objection-form] button[type=submit]")
    tracking = page.get_by_test_id("tracking-number").inner_text()
    assert tracking.startswith("YY")
    _shots(page, f"{screenshot_dir}/awards-receipt")

    # Staff dismiss it with a reply.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/awards/manage/")
    _shots(page, f"{screenshot_dir}/awards-manage")
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/objections/")
    _shots(page, f"{screenshot_dir}/awards-objection-list")
    page.get_by_role("link", name=tracking).click()
    assert "签到表.jpg" in page.content()
    page.check("input[name=decision][value=dismissed]")
    page.fill("#id_reply", "经调阅活动签到表和照片核实，活动次数与案例描述一致，异议不成立。")
    page.click("[data-testid=decide-form] button[type=submit]")
    assert page.get_by_test_id("objection-status").inner_text() == "异议不成立"
    _shots(page, f"{screenshot_dir}/awards-objection-detail")

    # The window ends (its dates are data); staff publish the results and start the export.
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_at=now - dt.timedelta(days=4), publicity_ends_at=now - dt.timedelta(hours=1)
    )
    page.goto(f"{live_server.url}/awards/manage/{campaign.slug}/")
    page.get_by_test_id("publish-results").click()
    assert "获奖名单已发布" in page.content()
    page.get_by_test_id("export-start").click()
    bar = page.get_by_test_id("export-bar")
    bar.filter(has_text="100%").wait_for(timeout=120_000)
    _shots(page, f"{screenshot_dir}/awards-campaign-console")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    zip_path = tmp_path / "certificates.zip"
    download_info.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as z:
        names = sorted(z.namelist())
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "docx", "pdf", "pdf"]
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        (tmp_path / "cert.pdf").write_bytes(z.read(pdf_name))
        assert all(z.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "cert.pdf"),
            f"{screenshot_dir}/awards-certificate",
        ],
        check=True,
    )
    assert Path(f"{screenshot_dir}/awards-certificate-1.png").exists()

    # The results page stays public; the QR's verification page shows the holder.
    page.goto(f"{live_server.url}/awards/{campaign.slug}/results/")
    assert "困境儿童成长陪伴个案" in page.get_by_test_id("award-list").inner_text()
    assert app_a.phone not in page.content()
    _shots(page, f"{screenshot_dir}/awards-results")
    certificate = Certificate.objects.select_related("award__application").get(award__application=app_a)
    qr_url = f"{settings.PORTAL_BASE_URL}/verify/{certificate.code}/"
    with zipfile.ZipFile(zip_path) as z:
        docx = zipfile.ZipFile(
            io.BytesIO(
                z.read(next(n for n in z.namelist() if n.startswith(certificate.number) and n.endswith(".docx")))
            )
        )
        assert documents.qr_png(qr_url) in [docx.read(n) for n in docx.namelist() if n.startswith("word/media/")]
    page.goto(live_server.url + qr_url.removeprefix(settings.PORTAL_BASE_URL))  # where the QR code points
    assert page.get_by_test_id("verify-holder").inner_text() == app_a.applicant_name
    _shots(page, f"{screenshot_dir}/awards-verify")
    page.goto(f"{live_server.url}/verify/forged-code-123/")
    assert page.get_by_test_id("verify-not-found").is_visible()
    _shots(page, f"{screenshot_dir}/awards-verify-not-found")

    # The applicant sees the result and downloads their own certificate.
    page.context.clear_cookies()
    login(page, cast.applicant_a)
    page.goto(f"{live_server.url}/awards/my/")
    assert "优秀" in page.get_by_test_id("my-results").inner_text()
    _shots(page, f"{screenshot_dir}/awards-my-results")
    with page.expect_download() as own:
        page.get_by_role("link", name="下载 Word").click()
    data = Path(own.value.path()).read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
