"""End to end in Chromium: staff enter a second bureau's portal (淮安) on 管理后台 → 系统设置 → 门户信息, first with
a seal that is not a picture (refused beside the field, nothing typed lost), then with a real seal and logo; the
home page and a publicity page show the new name, logo and issuing body, and a certificate carries them."""

import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.core.files.storage import default_storage

from awards import services
from awards.tests.factories import AwardFactory, publicity_campaign
from kunshan_portal.models import SiteSettings
from kunshan_portal.tests.factories import HUAIAN, logo_png, seal_png
from reviews.tests.factories import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _fill_settings(page, seal: bytes, seal_name: str = "淮安市民政局印章.png"):
    page.fill("#id_name", HUAIAN["name"])
    page.fill("#id_issuing_body", HUAIAN["issuing_body"])
    page.fill("#id_contact", HUAIAN["contact"])
    page.fill("#id_districts", "\n".join(HUAIAN["districts"]))
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}])
    page.set_input_files("#id_seal", files=[{"name": seal_name, "mimeType": "image/png", "buffer": seal}])


def test_staff_make_the_portal_a_second_bureaus_and_every_page_and_certificate_follows(
    page, live_server, cast, login, screenshot_dir, media_storage, tmp_path
):
    open_campaign = publicity_campaign(slug="huaian-open", title="2026年淮安市社工站评估")
    ApplicationFactory(campaign=open_campaign)
    AwardFactory(campaign=open_campaign, rank=1, confirmed_by=cast.staff)
    finished = publicity_campaign(slug="huaian-2025", title="2025年淮安市优秀社工案例评选", open_now=False)
    application = ApplicationFactory(
        campaign=finished, applicant_name="周静", organisation_name="清江浦区阳光社工站", title="困境儿童陪伴个案"
    )
    award = AwardFactory(campaign=finished, application=application, rank=1, tier="一等奖", confirmed_by=cast.staff)

    # Staff find the page from the dashboard.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/accounts/manage/")
    page.get_by_test_id("manage-site-settings").click()
    assert page.locator("h1").inner_text() == "门户信息"
    assert page.input_value("#id_issuing_body") == "昆山市民政局"  # the server settings, until first saved
    _shots(page, f"{screenshot_dir}/site-settings-before")

    # A "seal" that is a renamed PDF: refused beside the seal field, everything typed is still there.
    _fill_settings(page, b"%PDF-1.4 not a picture", seal_name="印章.png")
    page.get_by_test_id("site-settings-save").click()
    seal_error = page.locator("#div_id_seal .invalid-feedback")
    assert seal_error.is_visible() and "不是图片" in seal_error.inner_text()
    assert page.input_value("#id_name") == HUAIAN["name"]
    assert page.input_value("#id_districts").splitlines() == HUAIAN["districts"]
    assert not SiteSettings.objects.exists()
    assert page.get_by_test_id("site-images").count() == 0  # no preview of a logo that was not stored
    assert "请重新选择" in page.get_by_test_id("form-errors").inner_text()
    _shots(page, f"{screenshot_dir}/site-settings-bad-seal")

    # The real seal (transparent PNG) and a logo: saved.
    _fill_settings(page, seal_png())
    page.get_by_test_id("site-settings-save").click()
    assert "门户信息已保存" in page.content()
    assert page.get_by_test_id("site-images").locator("img").count() == 2
    _shots(page, f"{screenshot_dir}/site-settings-saved")

    # A visitor's home page and publicity page name the second bureau.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    brand = page.get_by_test_id("portal-brand")
    assert brand.inner_text().strip() == HUAIAN["name"]
    assert brand.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert "主办单位：淮安市民政局" in page.locator("footer").inner_text()
    assert page.title().endswith(HUAIAN["name"])
    _shots(page, f"{screenshot_dir}/site-settings-home")
    page.goto(f"{live_server.url}/awards/{open_campaign.slug}/publicity/")
    assert "发布单位：淮安市民政局" in page.content().replace("</strong>", "")
    _shots(page, f"{screenshot_dir}/site-settings-publicity")

    # The certificate of the finished campaign: the campaign's name, the issuing body, the seal, the metadata.
    services.results_publish(campaign=finished, by=cast.staff)
    certificate = services.certificate_allocate(award=award)
    services.certificate_files_generate(campaign=finished, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(default_storage.open(certificate.pdf).read())
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo["/Author"]) == "淮安市民政局"
        assert str(pdf.docinfo["/Producer"]) == str(pdf.docinfo["/Creator"]) == HUAIAN["name"]
        assert str(pdf.docinfo["/Subject"]) == finished.title
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "2025年淮安市优秀社工案例评选" in flat and "淮安市民政局" in flat and "昆山" not in flat
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path), f"{screenshot_dir}/site-certificate"],
        check=True,
    )
    assert Path(f"{screenshot_dir}/site-certificate-1.png").exists()
