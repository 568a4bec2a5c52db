from tests.permission_table import REDIRECT, staff_only
from tests.permission_tables.cases import staff_object


def build(world):
    from similarity.models import SimilarityMatch, SimilarityResult, SimilarityRun

    cast = world.cast
    # A 查重 result of applicant A's submitted application, with one source, and a finished campaign run.
    world.similarity_result = SimilarityResult.objects.create(application=world.application_a, score=0.4, digest="x")
    world.similarity_match = SimilarityMatch.objects.create(
        result=world.similarity_result,
        label="往届案例",
        share=0.4,
        source_text="相同的段落",
        passages=[{"a_start": 0, "a_end": 2, "b_start": 0, "b_end": 2}],
    )
    world.similarity_run = SimilarityRun.objects.create(
        campaign=world.campaign, requested_by=cast.staff, status=SimilarityRun.Status.DONE, total=1, done=1
    )


# 查重 is staff only: applicants (their own case included), organisation admins and reviewers get 404 for the
# report, a source and a run (as if they did not exist), and 403 for the corpus page.
ROWS = {
    "similarity:application_report": staff_object(kwargs=lambda w: {"pk": w.application_a.pk}),
    "similarity:match_detail": staff_object(kwargs=lambda w: {"pk": w.similarity_match.pk}),
    "similarity:campaign_check": staff_object(ok=REDIRECT, method="post", kwargs=lambda w: {"slug": w.campaign.slug}),
    "similarity:run_detail": staff_object(kwargs=lambda w: {"pk": w.similarity_run.pk}),
    "similarity:run_status": staff_object(kwargs=lambda w: {"pk": w.similarity_run.pk}),
    "similarity:reference_documents": staff_only(),
}
