"""查重 with the database: on submit, for a whole campaign, against past campaigns and the reference corpus."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from cases.models import Application
from cases.tests.factories import ApplicationFactory, CampaignFactory
from similarity import services
from similarity.models import Boilerplate, IndexedText, SimilarityResult, SimilarityRun
from similarity.tests.texts import POLICY, QUOTING_A, QUOTING_B, REWORDED, SOURCE, UNRELATED

pytestmark = pytest.mark.django_db


def _sections(text: str) -> dict:
    """A body: the text cut into six sections."""
    size = len(text) // 6 + 1
    parts = [text[i * size : (i + 1) * size] for i in range(6)]
    names = ["background", "analysis", "plan", "implementation", "evaluation", "reflection"]
    return dict(zip(names, parts, strict=True))


def submitted(campaign, text, cast=None, **kw) -> Application:
    return ApplicationFactory(
        campaign=campaign, status=Application.Status.SUBMITTED, reference=kw.pop("reference", None), **_sections(text)
    )


def test_submitting_an_application_checks_it_against_the_campaigns_other_applications(
    cast, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    source = submitted(campaign, SOURCE * 3, reference="KS2026-0001")
    services.application_check(application_id=source.pk)
    copy = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, **_sections(SOURCE * 3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        case_services.application_submit(application_id=copy.pk, by=cast.applicant_a)

    result = SimilarityResult.objects.get(application=copy)
    assert result.score >= 0.95
    assert [m.source_application_id for m in result.matches.all()] == [source.pk]
    assert "KS2026-0001" in result.top_sources[0]["label"]
    # The earlier application is checked again, once, and now shows the later one as its source.
    assert SimilarityResult.objects.get(application=source).matches.get().source_application_id == copy.pk


def test_a_past_campaigns_application_is_found(cast):
    past, current = CampaignFactory(title="第一届评选"), CampaignFactory(title="第二届评选")
    old = submitted(past, SOURCE + UNRELATED)
    services.application_check(application_id=old.pk)
    new = submitted(current, REWORDED)

    result = services.application_check(application_id=new.pk)

    assert 0.45 <= result.score <= 0.85
    assert result.matches.get().source_application == old
    assert result.top_sources[0]["label"].startswith("第一届评选")


def test_an_application_that_copies_one_section_of_six_finds_its_source():
    campaign = CampaignFactory()
    long_source = (UNRELATED + SOURCE) * 4
    services.application_check(application_id=submitted(campaign, long_source).pk)
    own = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(5000))  # text of its own, shared with nobody
    copier = submitted(campaign, own + SOURCE)

    result = services.application_check(application_id=copier.pk)

    assert 0.08 <= result.score <= 0.2  # SOURCE is about an eighth of the body
    assert result.matches.count() == 1


def test_a_draft_is_never_a_source_nor_checked(cast):
    campaign = CampaignFactory()
    draft = ApplicationFactory(campaign=campaign, **_sections(SOURCE))
    services.texts_index([("application", draft.pk, SOURCE)])  # even if it was indexed while submitted once
    other = submitted(campaign, SOURCE)

    assert services.application_check(application_id=draft.pk) is None
    assert services.application_check(application_id=other.pk).score == 0


def test_unrelated_and_policy_quoting_applications_score_low():
    campaign = CampaignFactory()
    for text in (SOURCE, QUOTING_A):
        services.application_check(application_id=submitted(campaign, text).pk)
    assert services.application_check(application_id=submitted(campaign, UNRELATED).pk).score <= 0.05
    assert services.application_check(application_id=submitted(campaign, QUOTING_B).pk).score <= 0.05


def test_a_staff_listed_paragraph_no_longer_counts():
    plain = POLICY.replace("《", "").replace("》", "").replace("“", "").replace("”", "")
    campaign = CampaignFactory()
    services.application_check(application_id=submitted(campaign, UNRELATED + plain).pk)
    later = submitted(campaign, SOURCE + plain)
    assert services.application_check(application_id=later.pk).score >= 0.1
    Boilerplate.objects.create(text=plain, note="人才队伍建设意见")
    assert services.application_check(application_id=later.pk).score <= 0.02


def test_an_unchanged_body_is_not_indexed_twice():
    application = submitted(CampaignFactory(), SOURCE)
    assert services.texts_index([("application", application.pk, SOURCE)]) == 1
    assert services.texts_index([("application", application.pk, SOURCE)]) == 0
    assert services.texts_index([("application", application.pk, REWORDED)]) == 1
    assert IndexedText.objects.count() == 1


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in text.split("。"):
        document.add_paragraph(paragraph + "。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("汇编.docx", lambda: _docx(UNRELATED + SOURCE)),
        ("汇编.txt", lambda: (UNRELATED + SOURCE).encode("gb18030")),
    ],
)
def test_a_reference_collection_uploaded_by_staff_is_a_source(cast, name, data):
    document = services.reference_document_add(
        title="优秀社会工作案例汇编（2020）", uploaded_file=SimpleUploadedFile(name, data()), by=cast.staff
    )
    application = submitted(CampaignFactory(), SOURCE)

    result = services.application_check(application_id=application.pk)

    assert result.score >= 0.95
    match = result.matches.get()
    assert match.source_document == document and match.label == "参考案例集：优秀社会工作案例汇编（2020）"


def test_a_scanned_pdf_without_text_is_refused_with_the_reason(cast):
    from django.core.exceptions import ValidationError
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError, match="文字层"):
        services.reference_document_add(
            title="扫描件", uploaded_file=SimpleUploadedFile("scan.pdf", buffer.getvalue()), by=cast.staff
        )


def test_a_campaign_run_checks_every_submitted_application_and_records_progress(
    cast, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    first = submitted(campaign, SOURCE)
    second = submitted(campaign, REWORDED)
    third = submitted(campaign, UNRELATED)
    ApplicationFactory(campaign=campaign, **_sections(SOURCE))  # a draft: not checked

    with django_capture_on_commit_callbacks(execute=True):
        run = services.campaign_check_start(campaign=campaign, by=cast.staff)

    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.percent) == (SimilarityRun.Status.DONE, 3, 3, 100)
    scores = dict(SimilarityResult.objects.values_list("application_id", "score"))
    assert set(scores) == {first.pk, second.pk, third.pk}
    assert 0.45 <= scores[first.pk] <= 0.85 and 0.45 <= scores[second.pk] <= 0.85
    assert scores[third.pk] <= 0.05


def test_a_second_click_while_a_run_is_active_gets_that_run(cast):
    campaign = CampaignFactory()
    active = SimilarityRun.objects.create(campaign=campaign, requested_by=cast.staff)
    assert services.campaign_check_start(campaign=campaign, by=cast.staff) == active


def test_a_finished_run_is_left_alone_when_delivered_again(cast):
    run = SimilarityRun.objects.create(
        campaign=CampaignFactory(), requested_by=cast.staff, status=SimilarityRun.Status.DONE
    )
    assert services.campaign_check_run(run_id=run.pk) == "taken"  # the shared job model: nothing to claim
    run.refresh_from_db()
    assert run.status == SimilarityRun.Status.DONE
