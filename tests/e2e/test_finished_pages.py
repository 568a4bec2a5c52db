"""The pages a reviewer and staff use, in Chromium at 1280 and 360 px (screenshots in var/screenshots/):
thumbnails on the reviewer's case page, the team table, styled category radios, the assignment select starting
at 请选择, and the results PDF with room for 案例名称."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.models import Application, CasePhoto
from cases.tests.factories import ApplicationFactory as DraftFactory
from cases.tests.factories import CampaignFactory
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    PanelMemberFactory,
    ReviewerProfileFactory,
    TeamMemberFactory,
    review_window_campaign,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(page, path_base):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{path_base}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _big_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (40, 120, 170)).save(out, format="JPEG", quality=95)
    return out.getvalue()


def _team(application):
    TeamMemberFactory(
        application=application,
        name="欧阳晓红",
        unit_and_title="昆山市阳光社会工作服务中心 项目主管",
        education="硕士研究生",
        certificate_level="assistant",
        contact="13912345678",
    )
    TeamMemberFactory(application=application, name="李明", unit_and_title="周市镇社工站 社工", contact="13800001111")


def _cells_overflowing(page, selector):
    """Cells of the table whose text (or input value) does not fit their width."""
    return page.eval_on_selector_all(
        selector,
        """cells => cells.filter(c => {
            const input = c.querySelector('input, select');
            const el = input || c;
            return el.scrollWidth > el.clientWidth + 1;
        }).map(c => c.innerText || (c.querySelector('input, select') || {}).value)""",
    )


def test_reviewer_and_staff_pages_look_finished(page, live_server, login, cast, screenshot_dir, tmp_path):
    # The applicant's editor: category radios and the team table.
    open_campaign = CampaignFactory(slug="finished-open")
    draft = DraftFactory(campaign=open_campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    _team(draft)
    login(page, cast.applicant_a)
    page.goto(f"{live_server.url}/cases/applications/{draft.pk}/edit/")
    radios = page.locator("[data-field=category] input[type=radio]")
    assert radios.count() == 3
    assert all("form-check-input" in (radios.nth(i).get_attribute("class") or "") for i in range(3))
    page.locator("#team-table").scroll_into_view_if_needed()
    page.locator("#team-table").screenshot(path=f"{screenshot_dir}/finished-team-table-1280.png")
    assert _cells_overflowing(page, "#team-table th, #team-table td") == []
    _shots(page, f"{screenshot_dir}/finished-editor")
    page.context.clear_cookies()

    # The reviewer's case page: thumbnails, not the originals.
    campaign = review_window_campaign(blind_review=True, slug="finished-review")
    case = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, status=Application.Status.ACCEPTED
    )
    _team(case)
    for i in range(3):
        CasePhoto.objects.create(application=case, image=SimpleUploadedFile(f"p{i}.jpg", _big_jpeg(), "image/jpeg"))
    PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory(user=cast.reviewer).user)
    PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory(user=cast.reviewer_unassigned).user)
    AssignmentFactory(application=case, reviewer=cast.reviewer)
    login(page, cast.reviewer)
    page.goto(f"{live_server.url}/reviews/cases/{case.pk}/")
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 3 and all(0 < w <= 480 for w in widths)
    _shots(page, f"{screenshot_dir}/finished-reviewer-case")
    page.context.clear_cookies()

    # Staff: the application's detail (team table) and the manual assignment.
    login(page, cast.staff)
    page.goto(f"{live_server.url}/cases/applications/{case.pk}/")
    page.locator("figure img").last.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 3 and all(0 < w <= 480 for w in widths)
    _shots(page, f"{screenshot_dir}/finished-staff-detail")
    page.goto(f"{live_server.url}/reviews/manage/{campaign.slug}/assignments/")
    select = page.get_by_test_id("assign-select").first
    assert select.locator("option").first.inner_text() == "请选择"
    assert select.input_value() == ""
    _shots(page, f"{screenshot_dir}/finished-assignments")

    # The results PDF.
    results = publicity_campaign(open_now=False, slug="finished-results", title="2026年昆山市优秀社工案例评选")
    for rank, title in enumerate(
        [
            "困境儿童成长陪伴：一名留守儿童的社会支持网络重建个案",
            "社区长者互助小组：从孤独到互助的十二次小组活动",
            "老旧小区加装电梯中的社区协商",
        ],
        start=1,
    ):
        app = ApplicationFactory(campaign=results, title=title, reference=f"KS2026-000{rank}")
        AwardFactory(campaign=results, application=app, rank=rank, confirmed_by=cast.staff)
    publish_results(results, cast.staff)
    response = page.request.get(f"{live_server.url}/awards/{results.slug}/results.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    (tmp_path / "results.pdf").write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(tmp_path / "results.pdf"),
         f"{screenshot_dir}/finished-results-pdf"],
        check=True,
    )  # fmt: skip
