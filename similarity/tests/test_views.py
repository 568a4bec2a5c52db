"""查重 pages through the test client: the report, the side-by-side view, the staff list, the formal check."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Application
from cases.tests.factories import ApplicationFactory, CampaignFactory
from similarity import services
from similarity.models import ReferenceDocument, SimilarityResult, SimilarityRun
from similarity.tests.test_services import _sections
from similarity.tests.texts import REWORDED, SOURCE, UNRELATED

pytestmark = pytest.mark.django_db


def _pair(campaign=None, *, status=Application.Status.SUBMITTED, hostile=""):
    """Two submitted applications, the second a reworded copy of the first (with `hostile` text in both)."""
    campaign = campaign or CampaignFactory()
    first = ApplicationFactory(campaign=campaign, status=status, reference="KS2026-0001", **_sections(hostile + SOURCE))
    second = ApplicationFactory(
        campaign=campaign, status=status, reference="KS2026-0002", **_sections(hostile + REWORDED)
    )
    services.application_check(application_id=first.pk, recheck_sources=False)
    services.application_check(application_id=second.pk, recheck_sources=False)
    services.application_check(application_id=first.pk, recheck_sources=False)  # now that the second exists
    return first, second


def test_the_report_shows_the_share_and_each_source_with_a_side_by_side_link(client, cast):
    first, second = _pair()
    client.force_login(cast.staff)
    response = client.get(reverse("similarity:application_report", args=[second.pk]))
    html = response.content.decode()
    result = SimilarityResult.objects.get(application=second)
    assert response.status_code == 200
    assert f"{result.percent}%" in html and "KS2026-0001" in html
    assert reverse("similarity:match_detail", args=[result.matches.get().pk]) in html


def test_the_side_by_side_view_highlights_the_passages_and_escapes_the_text(client, cast):
    first, second = _pair(
        hostile="<script>alert('x')</script>服务对象在<b>家中</b>跌倒后，社会工作者第一时间联系了社区医生上门。"
    )
    match = SimilarityResult.objects.get(application=second).matches.get()
    client.force_login(cast.staff)
    html = client.get(reverse("similarity:match_detail", args=[match.pk])).content.decode()
    assert "<script>alert" not in html and "script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;家中&lt;/b&gt;" in html
    assert html.count('class="similarity-mark" id="a-') == len(match.passages)
    assert html.count('class="similarity-mark" id="b-') == len(match.passages)
    assert 'id="a-1"' in html and 'href="#b-1"' in html


def test_the_staff_list_shows_the_share_and_filters_by_it(client, cast):
    first, second = _pair()
    alone = ApplicationFactory(status=Application.Status.SUBMITTED, reference="KS2026-0003", **_sections(UNRELATED))
    services.application_check(application_id=alone.pk)
    unchecked = ApplicationFactory(status=Application.Status.SUBMITTED, reference="KS2026-0004")
    client.force_login(cast.staff)
    url = reverse("cases:staff_applications")

    html = client.get(url).content.decode()
    assert f">{SimilarityResult.objects.get(application=second).percent}%</a>" in html
    assert reverse("similarity:application_report", args=[second.pk]) in html

    html = client.get(url + "?similarity=30").content.decode()
    assert "KS2026-0001" in html and "KS2026-0002" in html and "KS2026-0003" not in html
    html = client.get(url + "?similarity=none").content.decode()
    assert unchecked.reference in html and "KS2026-0001" not in html


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_staff_list_costs_the_same_queries_with_one_and_many_checked_applications(client, cast):
    client.force_login(cast.staff)
    url = reverse("cases:staff_applications") + "?similarity=10"
    _pair()
    one = _count(client, url)
    campaign = CampaignFactory()
    for _ in range(6):
        a = ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED, **_sections(SOURCE))
        services.application_check(application_id=a.pk, recheck_sources=False)
    assert SimilarityResult.objects.filter(score__gte=0.1).count() >= 7
    assert _count(client, url) == one


def test_the_formal_check_shows_the_share_and_top_source_for_each_case(client, cast):
    campaign = CampaignFactory()
    first, second = _pair(campaign, status=Application.Status.RECOMMENDED)
    client.force_login(cast.staff)
    url = reverse("reviews:formal_check", kwargs={"slug": campaign.slug})
    html = client.get(url).content.decode()
    percent = SimilarityResult.objects.get(application=second).percent
    assert f"查重 {percent}%" in html
    assert "KS2026-0001" in html  # the source named beside the second case
    assert reverse("similarity:campaign_check", args=[campaign.slug]) in html
    # The line costs no query per case.
    one = _count(client, url)
    ApplicationFactory(campaign=campaign, status=Application.Status.RECOMMENDED, **_sections(UNRELATED))
    assert _count(client, url) == one


def test_applicants_and_reviewers_never_see_the_share(client, cast):
    first, second = _pair()
    second.applicant = cast.applicant_a
    second.save()
    for user in (cast.applicant_a, cast.reviewer):
        client.force_login(user)
        assert client.get(reverse("similarity:application_report", args=[second.pk])).status_code == 404
    client.force_login(cast.applicant_a)
    html = client.get(reverse("cases:application_detail", args=[second.pk])).content.decode()
    assert "查重" not in html


def test_staff_start_a_campaign_run_and_follow_its_progress(client, cast, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    _pair(campaign)
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("similarity:campaign_check", args=[campaign.slug]))
    run = SimilarityRun.objects.get(campaign=campaign)
    assert response.status_code == 302 and response["Location"] == reverse("similarity:run_detail", args=[run.pk])
    state = client.get(reverse("similarity:run_status", args=[run.pk])).json()
    assert {k: state[k] for k in ("status", "status_display", "done", "total", "percent", "error")} == {
        "status": "done",
        "status_display": "已完成",
        "done": 2,
        "total": 2,
        "percent": 100,
        "error": "",
    }
    assert state["download_url"] == reverse("cases:staff_applications") + "?similarity=30"  # the results, not a file
    html = client.get(reverse("similarity:run_detail", args=[run.pk])).content.decode()
    assert 'aria-valuenow="100"' in html


def test_staff_upload_a_reference_collection_and_see_it_listed(client, cast):
    client.force_login(cast.staff)
    url = reverse("similarity:reference_documents")
    response = client.post(
        url, {"title": "案例汇编", "file": SimpleUploadedFile("汇编.txt", (UNRELATED + SOURCE).encode())}
    )
    assert response.status_code == 302
    document = ReferenceDocument.objects.get()
    assert document.title == "案例汇编" and document.text.startswith(UNRELATED[:20])
    assert not document.file.name.endswith("汇编.txt")  # stored under a random name
    assert "案例汇编" in client.get(url).content.decode()


def test_an_unreadable_upload_shows_the_reason_beside_the_field(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        reverse("similarity:reference_documents"), {"title": "", "file": SimpleUploadedFile("a.exe", b"MZ" * 100)}
    )
    assert response.status_code == 200
    assert "只接受 .docx、.pdf（含文字层）或 .txt 文件。" in response.content.decode()
    assert not ReferenceDocument.objects.exists()


def test_the_corpus_list_costs_the_same_queries_for_one_and_many_documents(client, cast):
    client.force_login(cast.staff)
    url = reverse("similarity:reference_documents")

    def add(n):
        for i in range(n):
            ReferenceDocument.objects.create(
                title=f"汇编{i}", original_name="a.txt", text="文本", uploaded_by=cast.staff, file="x.txt"
            )

    add(1)
    one = _count(client, url)
    add(9)
    assert _count(client, url) == one


def test_the_command_prints_pairs_with_scores_and_offsets(tmp_path, capsys):
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    a.write_text("前言不同。" + SOURCE, encoding="utf-8")
    b.write_text(SOURCE, encoding="utf-8")
    c.write_text(UNRELATED, encoding="gb18030")
    call_command("similarity", "--json", str(a), str(b), str(c))
    pairs = json.loads(capsys.readouterr().out)
    assert [(p["a"], p["b"]) for p in pairs] == [(str(a), str(b)), (str(a), str(c)), (str(b), str(c))]
    assert pairs[0]["score"] >= 0.98 and pairs[1]["score"] <= 0.05 and pairs[2]["score"] <= 0.05
    text_a, text_b = a.read_text(encoding="utf-8"), SOURCE
    for p in pairs[0]["passages"]:
        assert text_a[p["a_start"] : p["a_end"]] == text_b[p["b_start"] : p["b_end"]]
