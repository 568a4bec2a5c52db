"""The rubric page and the 区县汇总排名 cost the same number of queries for a small and a large campaign."""

import pytest
from django.urls import reverse

from accounts.tests.factories import OrganisationFactory
from cases.models import Application
from reviews import services
from reviews.models import Assignment, Review, Score
from reviews.selectors import rubric_leaves, rubric_tree
from reviews.tests.factories import ApplicationFactory, ReviewerFactory, review_window_campaign
from reviews.tests.huaian import huaian_rows, xlsx_bytes

pytestmark = pytest.mark.django_db

# Each page's frame costs 6 (session, user, memberships; the session's save in a savepoint: 3).
RUBRIC_QUERIES = 10  # + campaign, criteria with their parts, the parts, whether a score exists
ROLLUP_QUERIES = 9  # + campaign, the parts, the applications with organisation and stored aggregates


def _huaian(campaign):
    import io

    from reviews.rubric_xlsx import rubric_rows_read

    services.rubric_import(
        campaign=campaign, rows=rubric_rows_read(io.BytesIO(xlsx_bytes(huaian_rows()))).rows, by=None
    )


def test_the_rubric_page_costs_the_same_for_4_and_for_101_criteria(client, cast, django_assert_num_queries):
    small, large = review_window_campaign(), review_window_campaign()
    services.rubric_ensure(campaign=small)
    _huaian(large)
    client.force_login(cast.staff)
    for campaign, rows in ((small, 4), (large, 7 + 27 + 67)):
        with django_assert_num_queries(RUBRIC_QUERIES):
            response = client.get(reverse("reviews:rubric", kwargs={"slug": campaign.slug}))
        assert response.status_code == 200
        assert response.content.decode().count(' id="c') == rows


def _stations(campaign, n: int, reviewers):
    """`n` scored stations spread over five districts (scores written in bulk, then the stored aggregates)."""
    leaves = rubric_leaves(rubric_tree(campaign))
    orgs = [OrganisationFactory(district=f"第{i}区") for i in range(5)]
    apps = Application.objects.bulk_create(
        ApplicationFactory.build(campaign=campaign, applicant=reviewers[0], organisation=orgs[i % 5]) for i in range(n)
    )
    assignments = Assignment.objects.bulk_create(Assignment(application=a, reviewer=r) for a in apps for r in reviewers)
    reviews = Review.objects.bulk_create(
        Review(assignment=a, status=Review.Status.SUBMITTED, total=sum(leaf.max_points for leaf in leaves) / 2)
        for a in assignments
    )
    Score.objects.bulk_create(
        Score(review=r, criterion=leaf, points=leaf.max_points / 2) for r in reviews for leaf in leaves
    )
    services.campaign_scores_rebuild(campaign=campaign)


def test_the_county_ranking_costs_the_same_for_5_and_for_60_stations(client, cast, django_assert_num_queries):
    campaign = review_window_campaign()
    _huaian(campaign)
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    client.force_login(cast.staff)
    url = reverse("reviews:rollup", kwargs={"slug": campaign.slug})
    _stations(campaign, 5, reviewers)
    with django_assert_num_queries(ROLLUP_QUERIES):
        response = client.get(url)
    assert [g.applications for g in response.context["rollup"].groups] == [1] * 5
    _stations(campaign, 55, reviewers)
    with django_assert_num_queries(ROLLUP_QUERIES):
        response = client.get(url)
    groups = response.context["rollup"].groups
    assert [g.applications for g in groups] == [12] * 5
    assert all(g.total == pytest.approx(75.0) for g in groups)  # every point scored at half: 150 / 2
    assert [g.result for g in groups] == ["优秀", "优秀", "合格", "整改", "整改"]  # thirds(5) = 2/1/2
