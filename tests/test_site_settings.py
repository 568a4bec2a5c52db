"""The bureau's own portal (站点设置): one cached row staff edit on a page; a second bureau's name, issuing body,
区镇 and seal appear wherever the portal names itself — pages, e-mails, certificates — instead of Kunshan's."""

import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.forms import SignUpForm
from accounts.models import AuditEvent
from awards import documents, services
from awards.models import LEGACY_CERTIFICATE_BODY, CertificateCounter, CertificateTemplate
from awards.tests.factories import AwardFactory, publicity_campaign
from events.filters import ActivityFilter
from kunshan_portal.models import SiteSettings
from kunshan_portal.selectors import SITE_SETTINGS_CACHE_KEY, site_settings
from kunshan_portal.tests.factories import HUAIAN, huaian_site_settings, logo_png, seal_png

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    documents.soffice_path() is None and os.environ.get("CI", "").lower() != "true",
    reason="LibreOffice（soffice）未安装，跳过 PDF 测试；CI 中必须安装。",
)


def _form_data(**overrides) -> dict:
    data = {
        "name": HUAIAN["name"],
        "issuing_body": HUAIAN["issuing_body"],
        "contact": HUAIAN["contact"],
        "districts": "\n".join(HUAIAN["districts"]),
    }
    data.update(overrides)
    return data


def _png_upload(data: bytes, name: str = "seal.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


# ----------------------------------------------------------------------------------- the cache


def test_site_settings_cost_one_query_on_a_miss_and_none_on_a_hit(django_assert_num_queries):
    huaian_site_settings(seal=False)
    cache.delete(SITE_SETTINGS_CACHE_KEY)
    with django_assert_num_queries(1):
        assert site_settings().name == HUAIAN["name"]
    with django_assert_num_queries(0):
        assert site_settings().issuing_body == HUAIAN["issuing_body"]


def test_before_the_page_is_first_saved_the_server_settings_stand_in(settings, django_assert_num_queries):
    settings.PORTAL_NAME, settings.PORTAL_ORGANISER = "昆山社工案例评选门户", "昆山市民政局"
    settings.PORTAL_DISTRICTS = ["玉山镇", "巴城镇"]
    cache.delete(SITE_SETTINGS_CACHE_KEY)
    with django_assert_num_queries(1):
        site = site_settings()
    assert (site.name, site.issuing_body) == ("昆山社工案例评选门户", "昆山市民政局")
    assert site.district_list == ["玉山镇", "巴城镇"]
    assert not SiteSettings.objects.exists()  # reading never writes


def test_saving_the_page_drops_the_cached_copy_and_is_audited(client, cast, media_storage):
    assert site_settings().name != HUAIAN["name"]  # the old settings are in the cache now
    client.force_login(cast.staff)
    response = client.post(reverse("portal_settings"), _form_data())
    assert response.status_code == 302
    assert site_settings().name == HUAIAN["name"]
    assert SiteSettings.objects.get().district_list == HUAIAN["districts"]
    event = AuditEvent.objects.filter(object_type="kunshan_portal.sitesettings").get()
    assert event.user == cast.staff and "门户名称" in event.detail and "发布单位" in event.detail


def test_saving_drops_every_cached_public_page(client, cast, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    campaign = publicity_campaign(slug="cached", open_now=False)
    urls = ["/", reverse("awards:publicity", kwargs={"slug": campaign.slug})]
    for url in urls:
        assert "昆山市民政局" in client.get(url).content.decode()
        with CaptureQueriesContext(connection) as queries:
            assert "昆山市民政局" in client.get(url).content.decode()
        assert len(queries) == 0, url  # served from the public-page cache
    staff = Client()
    staff.force_login(cast.staff)
    assert staff.post(reverse("portal_settings"), _form_data()).status_code == 302
    for url in urls:
        html = client.get(url).content.decode()
        assert "淮安市民政局" in html and "昆山市民政局" not in html, url


# ---------------------------------------------------------------------------------- the page


def test_staff_reach_the_page_from_the_dashboard(client, cast):
    client.force_login(cast.staff)
    html = client.get(reverse("accounts:manage")).content.decode()
    assert reverse("portal_settings") in html and "系统设置" in html


def test_a_non_image_seal_keeps_the_other_fields_and_says_why_beside_the_field(client, cast, media_storage):
    client.force_login(cast.staff)
    data = _form_data(seal=_png_upload(b"%PDF-1.4 this is not a picture at all", "seal.png"))
    response = client.post(reverse("portal_settings"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="淮安社工站评估门户"' in html and 'value="淮安市民政局"' in html and "盱眙县" in html
    seal_field = html[html.index('id="div_id_seal"') :]
    seal_field = seal_field[: seal_field.index("</div>", seal_field.index("invalid-feedback"))]
    assert "不是图片" in seal_field  # Pillow could not read it: the message is beside the seal field
    assert not SiteSettings.objects.exists()  # nothing half-written
    assert site_settings().name != HUAIAN["name"]


def test_a_seal_without_a_transparent_background_is_refused(client, cast, media_storage):
    client.force_login(cast.staff)
    response = client.post(reverse("portal_settings"), _form_data(seal=_png_upload(logo_png())))
    assert response.status_code == 400 and "没有透明背景" in response.content.decode()


def test_an_empty_districts_list_is_refused(client, cast):
    client.force_login(cast.staff)
    response = client.post(reverse("portal_settings"), _form_data(districts="  \n "))
    html = response.content.decode()
    assert response.status_code == 400 and "请至少填写一个区镇" in html[html.index('id="div_id_districts"') :]


def test_the_logo_shows_in_the_navigation_and_the_seal_only_to_staff(client, cast, media_storage):
    client.force_login(cast.staff)
    data = _form_data(logo=_png_upload(logo_png(), "logo.png"), seal=_png_upload(seal_png()))
    assert client.post(reverse("portal_settings"), data).status_code == 302
    client.logout()
    html = client.get("/").content.decode()
    assert f'src="{reverse("portal_logo")}?v=' in html
    logo = client.get(reverse("portal_logo"))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert client.get(reverse("portal_seal")).status_code == 302  # to the login page
    assert reverse("portal_seal") not in html
    client.force_login(cast.staff)
    seal = client.get(reverse("portal_seal"))
    assert seal.status_code == 200 and b"".join(seal.streaming_content).startswith(b"\x89PNG")


def test_removing_the_seal_deletes_its_file(client, cast, media_storage, django_capture_on_commit_callbacks):
    site = huaian_site_settings(seal=True)
    name = site.seal.name
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("portal_settings"), _form_data(remove_seal="on")).status_code == 302
    assert not SiteSettings.objects.get().seal and not default_storage.exists(name)


# ------------------------------------------------------------------ a second bureau, everywhere


@pytest.fixture
def huaian_campaign(db, media_storage):
    huaian_site_settings(seal=True)
    campaign = publicity_campaign(slug="huaian-2026", title="2026年淮安市社工站评估", open_now=False)
    awards = [AwardFactory(campaign=campaign, rank=rank, tier="优秀") for rank in (1, 2)]
    return campaign, awards


def test_a_second_bureau_names_itself_on_the_home_page_and_in_the_footer(client, huaian_campaign):
    html = client.get("/").content.decode()
    assert f"<title>首页 · {HUAIAN['name']}</title>" in html
    assert f'<h1 class="display-6 fw-semibold text-portal mb-2">{HUAIAN["name"]}</h1>' in html
    assert "主办单位：淮安市民政局" in html and HUAIAN["contact"] in html
    assert "昆山" not in html.split("<footer", 1)[1]


def test_a_second_bureau_publishes_the_publicity_and_results_pages(client, cast, huaian_campaign):
    campaign, _ = huaian_campaign
    html = client.get(reverse("awards:publicity", kwargs={"slug": campaign.slug})).content.decode()
    assert "发布单位：</strong>淮安市民政局" in html and "昆山市民政局" not in html
    services.results_publish(campaign=campaign, by=cast.staff)
    html = client.get(reverse("awards:results", kwargs={"slug": campaign.slug})).content.decode()
    assert "淮安市民政局 发布于" in html


def test_a_second_bureau_signs_its_e_mails(cast, huaian_campaign, django_capture_on_commit_callbacks):
    campaign, awards = huaian_campaign
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    message = next(m for m in mail.outbox if m.to == [awards[0].application.applicant.email])
    assert "淮安市民政局 · 淮安社工站评估门户" in message.body
    html = message.alternatives[0][0]
    assert "淮安社工站评估门户" in html and HUAIAN["contact"] in html and "昆山" not in html


def test_a_second_bureaus_districts_are_the_choices_of_sign_up_and_the_calendar(huaian_campaign):
    assert [c for c, _ in SignUpForm().fields["organisation_district"].choices][1:] == HUAIAN["districts"]
    assert [c for c, _ in ActivityFilter().form.fields["district"].choices][1:] == HUAIAN["districts"]


def test_the_admin_title_follows_the_site_settings(client, cast, huaian_campaign):
    client.force_login(cast.staff)
    html = client.get(reverse("admin:index")).content.decode()
    assert "淮安社工站评估门户 · 数据维护" in html


@needs_soffice
def test_a_second_bureaus_certificate_names_campaign_issuer_and_portal_with_its_seal(cast, huaian_campaign, settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"  # make run with PORT=8123
    campaign, awards = huaian_campaign
    services.results_publish(campaign=campaign, by=cast.staff)
    certificate = services.certificate_allocate(award=awards[0])
    services.certificate_files_generate(campaign=campaign, certificate_ids=[certificate.pk])
    certificate.refresh_from_db()
    with zipfile.ZipFile(default_storage.open(certificate.docx)) as z:
        text = z.read("word/document.xml").decode()
        core = z.read("docProps/core.xml").decode()
        images = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert "在2026年淮安市社工站评估中荣获" in text and "本次评选活动" not in text
    assert "淮安市民政局" in text and "昆山" not in text and "@@" not in text
    assert seal_png() in images
    assert documents.qr_png(f"http://127.0.0.1:8123/verify/{certificate.code}/") in images
    assert "<dc:creator>淮安市民政局</dc:creator>" in core and "python-docx" not in core
    assert "淮安社工站评估门户" in core and certificate.number in core

    with pikepdf.open(io.BytesIO(default_storage.open(certificate.pdf).read())) as pdf:
        info = {key: str(value) for key, value in pdf.docinfo.items()}
        with pdf.open_metadata() as xmp:
            xmp_tool, xmp_producer = xmp.get("xmp:CreatorTool"), xmp.get("pdf:Producer")
    assert info["/Title"] == f"荣誉证书 {certificate.number}"
    assert info["/Subject"] == "2026年淮安市社工站评估"
    assert info["/Author"] == "淮安市民政局"
    assert info["/Creator"] == info["/Producer"] == "淮安社工站评估门户"
    assert (xmp_tool, xmp_producer) == ("淮安社工站评估门户", "淮安社工站评估门户")
    assert not any(re.search("LibreOffice|Writer|python-docx", value) for value in info.values())


def test_certificate_numbers_run_under_the_issuing_body_printed(cast, huaian_campaign):
    campaign, awards = huaian_campaign
    services.results_publish(campaign=campaign, by=cast.staff)
    services.certificates_allocate(campaign=campaign)
    year = services.certificate_year(campaign)
    assert list(CertificateCounter.objects.values_list("issuing_body", "year", "last_serial")) == [
        ("淮安市民政局", year, 2)
    ]
    # A template naming another issuer counts its own numbers.
    other = publicity_campaign(slug="joint", open_now=False)
    CertificateTemplate.objects.create(campaign=other, issuer="淮安市社会工作协会", number_prefix="HASG")
    services.certificate_allocate(award=AwardFactory(campaign=other))
    assert CertificateCounter.objects.get(issuing_body="淮安市社会工作协会").last_serial == 1


def test_an_old_template_reads_as_today_and_a_written_body_stays_as_written(huaian_campaign):
    from awards import selectors

    campaign, _ = huaian_campaign
    old = CertificateTemplate(campaign=campaign)  # what a template saved before this change holds
    assert old.body == LEGACY_CERTIFICATE_BODY and old.issuer == "昆山市民政局"
    assert "{campaign}" in selectors.certificate_body(old)
    assert selectors.certificate_issuer(old) == "淮安市民政局"
    mine = CertificateTemplate(campaign=campaign, body="{name}：特发此证。", issuer="淮安市清江浦区民政局")
    assert selectors.certificate_body(mine) == "{name}：特发此证。"
    assert selectors.certificate_issuer(mine) == "淮安市清江浦区民政局"
    new = services.certificate_template_get(campaign)  # unsaved: the form shows today's defaults
    assert "{campaign}" in new.body and new.issuer == "淮安市民政局"


# ------------------------------------------------------------------------------ PORT in make run


def _make_run_lines(env: dict) -> list[str]:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


def _base_url_seen_by(line: str, env: dict) -> str:
    """Runs the command's environment prefix with `printenv` in place of manage.py."""
    prefix = line[: line.index("manage.py")].rsplit(" ", 2)[0]
    result = subprocess.run(
        ["sh", "-c", f"{prefix} printenv PORTAL_BASE_URL"], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_make_run_gives_every_command_a_base_url_on_the_port_it_serves():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_BASE_URL"} | {"PORT": "8123"}
    lines = _make_run_lines(env)
    commands = [re.search(r"manage\.py (\w+)", line).group(1) for line in lines]
    assert commands == ["migrate", "seed_demo", "run_periodic", "runserver"]
    assert {_base_url_seen_by(line, env) for line in lines} == {"http://127.0.0.1:8123"}
    assert "runserver 127.0.0.1:${PORT:-8000}" in lines[-1]
    deployed = env | {"PORTAL_BASE_URL": "https://portal.example.cn"}
    assert {_base_url_seen_by(line, deployed) for line in lines} == {"https://portal.example.cn"}
    without_port = {k: v for k, v in env.items() if k != "PORT"}
    assert _base_url_seen_by(lines[0], without_port) == "http://127.0.0.1:8000"


def test_seed_demo_prints_the_login_address_on_the_port_it_serves(settings):
    from accounts import demo

    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    demo.seed(out)
    assert "登录地址：http://127.0.0.1:8123/accounts/login/" in out.getvalue()
