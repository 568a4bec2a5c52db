import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews import services
from reviews.exports import neutralise
from reviews.models import Review, ScoreSheetExport
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, ReviewerFactory, review_window_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise("困境儿童") == "困境儿童" and neutralise(12.5) == 12.5


def test_the_score_sheet_has_a_summary_row_per_case_and_a_sheet_per_reviewer(
    client, cast, media, django_capture_on_commit_callbacks
):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    leaves = {c.name: c for c in campaign.criteria.all()}
    one, two = ReviewerFactory(name="专家一"), ReviewerFactory(name="专家二")
    namesake = ReviewerFactory(name="专家一")  # two experts may share a name: their columns stay apart
    app = ApplicationFactory(campaign=campaign, title='=HYPERLINK("http://x")')
    points = {"真实性": "18", "专业性": "25.5", "完整性": "17", "示范性": "24"}
    for reviewer, opinion in (
        (one, "@SUM(1)意见：服务过程完整，评估充分，值得推广到其他社区。"),
        (two, "很好" * 20),
        (namesake, "同名专家" * 10),
    ):
        services.review_save(
            assignment=AssignmentFactory(application=app, reviewer=reviewer),
            leaves=[_leaf(leaves[n]) for n in points],
            points={leaves[n].pk: Decimal(v) for n, v in points.items()},
            opinion=opinion,
            submit=True,
        )
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("reviews:score_sheet", kwargs={"slug": campaign.slug}))
    job = ScoreSheetExport.objects.get()
    assert started.status_code == 302 and started.url == reverse("reviews:score_sheet_detail", args=[job.pk])
    assert job.status == ScoreSheetExport.Status.DONE and job.done == job.total == 4  # 1 summary row, 3 reviews
    response = client.get(reverse("reviews:score_sheet_download", args=[job.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["汇总", "专家一", "专家一2", "专家二"]
    summary = list(wb["汇总"].values)
    assert summary[0][:8] == ("名次", "申报编号", "案例名称", "案例类别", "案例领域", "专家一", "专家一", "专家二")
    assert summary[1][0] == 1 and summary[1][2] == '\'=HYPERLINK("http://x")'
    assert summary[1][5:10] == (84.5, 84.5, 84.5, 3, 84.5)
    detail = list(wb["专家一"].values)
    assert detail[0][2:6] == ("真实性", "专业性", "完整性", "示范性")
    assert detail[1][2:7] == (18, 25.5, 17, 24, 84.5)
    assert detail[1][7].startswith("'@SUM(1)")
    assert Review.objects.filter(status=Review.Status.SUBMITTED).count() == 3


def _leaf(criterion):
    criterion.effective_weight = criterion.weight
    return criterion


def test_the_job_page_shows_a_progress_bar_that_follows_the_status_endpoint(client, cast, media):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    client.post(reverse("reviews:score_sheet", kwargs={"slug": campaign.slug}))  # on_commit not run: queued
    job = ScoreSheetExport.objects.get()
    page = client.get(reverse("reviews:score_sheet_detail", args=[job.pk])).content.decode()
    assert "data-job-progress" in page and "job_progress.js" in page
    state = client.get(reverse("reviews:score_sheet_status", args=[job.pk])).json()
    assert state["status"] == "pending" and state["download_url"] == ""
    # A second click while it is queued gets the same job.
    client.post(reverse("reviews:score_sheet", kwargs={"slug": campaign.slug}))
    assert ScoreSheetExport.objects.count() == 1
