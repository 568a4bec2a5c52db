"""The ranking reads aggregates that the review services store; they must equal the ones computed from scratch
(reviews.aggregation over every submitted review) whatever happened on the way: conflicts declared after a
review was submitted, reviews reopened (and resubmitted or not), reviews never submitted."""

import random
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews import aggregation, selectors, services
from reviews.models import ApplicationScore, Conflict, RankingMethod, Review
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    PanelMemberFactory,
    ReviewerFactory,
    review_window_campaign,
    tiers_set,
)

pytestmark = pytest.mark.django_db


def _leaves(campaign):
    leaves = selectors.rubric_leaves(selectors.rubric_tree(campaign))
    return leaves


def _submit(assignment, leaves, rng):
    points = {leaf.pk: Decimal(rng.randint(0, int(leaf.max_points) * 2)) / 2 for leaf in leaves}
    return services.review_save(
        assignment=assignment, leaves=leaves, points=points, opinion="评审意见" * 10, submit=True
    )


def _from_scratch(campaign):
    """The aggregates, ranks and tiers recomputed from every submitted review, as before they were stored."""
    settings_row = selectors.review_settings_get(campaign=campaign)
    max_total = float(selectors.rubric_max_total(selectors.rubric_tree(campaign))) or 100.0
    rows = selectors.submitted_reviews(campaign)
    app_ids = list(campaign.applications.filter(status="accepted").values_list("pk", flat=True))
    aggregates = aggregation.aggregate(
        [(a, r, float(t)) for a, r, t, _n in rows],
        max_total=max_total,
        threshold=float(settings_row.disagreement_threshold),
        application_ids=app_ids,
    )
    ranked = aggregation.rank(list(aggregates.values()), settings_row.ranking_method)
    aggregation.tiers_assign(ranked, selectors.tier_rules(campaign=campaign), settings_row.ranking_method)
    return ranked


def _assert_stored_equal_scratch(campaign):
    expected = _from_scratch(campaign)
    stored = [agg for _app, agg, _per in selectors.ranking(campaign).rows]
    assert [a.application_id for a in stored] == [a.application_id for a in expected]
    for got, want in zip(stored, expected, strict=True):
        assert got.count == want.count
        for name in ("mean", "median", "trimmed_mean", "normalised"):
            assert getattr(got, name) == pytest.approx(getattr(want, name), abs=1e-6), name
        assert got.spread == pytest.approx(want.spread) and got.disagreement == want.disagreement
        assert (got.rank, got.tier) == (want.rank, want.tier)
    # The calibration table too: each reviewer's count, mean and spread, and the panel's.
    stats, panel_mean, panel_sd = aggregation.calibration(
        [(a, r, float(t)) for a, r, t, _n in selectors.submitted_reviews(campaign)]
    )
    table, stored_mean, stored_sd = selectors.calibration_table(campaign)
    assert (stored_mean, stored_sd) == (pytest.approx(panel_mean), pytest.approx(panel_sd))
    assert sorted((row["count"], round(row["mean"], 6), round(row["sd"], 6)) for row in table) == sorted(
        (n, round(mean, 6), round(sd, 6)) for mean, sd, n in stats.values()
    )
    page = [(a.pk, agg.rank, agg.tier) for a, agg, _p in selectors.ranking(campaign, page=1).rows]
    assert page == [(a.application_id, a.rank, a.tier) for a in expected]


@pytest.mark.parametrize("method", [m.value for m in RankingMethod])
def test_stored_aggregates_equal_the_ones_computed_from_scratch_after_conflicts_reopenings_and_missing_reviews(
    cast, method
):
    rng = random.Random(f"stored-{method}")
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    settings_row = selectors.review_settings_get(campaign=campaign)
    settings_row.ranking_method = method
    settings_row.disagreement_threshold = Decimal("15")
    settings_row.save()
    tiers_set(
        campaign,
        [
            {"name": "一等奖", "by": "count", "value": 2},
            {"name": "二等奖", "by": "fraction", "value": 0.3},
            {"name": "三等奖", "by": "threshold", "value": 40},
        ],
    )
    leaves = _leaves(campaign)
    reviewers = [ReviewerFactory() for _ in range(7)]
    for reviewer in reviewers:
        PanelMemberFactory(campaign=campaign, reviewer=reviewer)
    apps = [ApplicationFactory(campaign=campaign) for _ in range(24)]
    submitted = []
    for app in apps:
        for reviewer in rng.sample(reviewers, rng.randint(2, 5)):
            assignment = AssignmentFactory(application=app, reviewer=reviewer)
            if rng.random() < 0.8:  # the rest are never submitted (missing reviews)
                submitted.append(_submit(assignment, leaves, rng))
    _assert_stored_equal_scratch(campaign)

    for review in rng.sample(submitted, 8):
        services.review_reopen(review=review, reason="分数录入有误", by=cast.staff)
        review.refresh_from_db()
        if rng.random() < 0.5:
            _submit(review.assignment, leaves, rng)
    _assert_stored_equal_scratch(campaign)

    still_submitted = list(Review.objects.filter(status=Review.Status.SUBMITTED).select_related("assignment"))
    for review in rng.sample(still_submitted, 5):
        services.conflict_add(
            application=review.assignment.application,
            reviewer=review.assignment.reviewer,
            source=Conflict.Source.STAFF,
            reason="曾指导该项目",
            by=cast.staff,
        )
    assert Conflict.objects.count() == 5
    _assert_stored_equal_scratch(campaign)
    # A case whose every review was removed still has its row, with nothing to rank.
    assert ApplicationScore.objects.filter(application__campaign=campaign).count() >= len(
        {r.assignment.application_id for r in submitted}
    )


def test_a_filtered_ranking_page_keeps_the_ranks_of_the_whole_campaign(client, cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    leaves = _leaves(campaign)
    reviewer = ReviewerFactory()
    best = ApplicationFactory(campaign=campaign, category="casework", title="个案第一")
    group = ApplicationFactory(campaign=campaign, category="group", title="小组第二")
    for app, share in ((best, 1), (group, Decimal("0.5"))):
        points = {leaf.pk: leaf.max_points * share for leaf in leaves}
        services.review_save(
            assignment=AssignmentFactory(application=app, reviewer=reviewer),
            leaves=leaves,
            points=points,
            opinion="评审意见" * 10,
            submit=True,
        )
    result = selectors.ranking(campaign, category="group")
    assert [(app.pk, agg.rank) for app, agg, _per in result.rows] == [(group.pk, 2)]
    client.force_login(cast.staff)
    response = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug}), {"category": "group"})
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="ranking-table"')[1].split("</table>")[0]
    assert "小组第二" in table and "个案第一" not in table


def test_the_ranking_page_is_paginated_and_sorted_in_the_database(client, cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    apps = [ApplicationFactory(campaign=campaign) for _ in range(3)]
    for app in apps:
        ApplicationScore.objects.create(
            application=app, campaign=campaign, count=1, mean=50, median=50, trimmed_mean=50, spread=0
        )
    ApplicationScore.objects.filter(application=apps[2]).update(spread=30)
    page = selectors.ranking(campaign, sort="spread", page=1)
    assert page.rows[0][0].pk == apps[2].pk and page.page.paginator.count == 3


def test_a_tie_across_a_page_boundary_keeps_its_shared_rank(cast, monkeypatch):
    monkeypatch.setattr(selectors, "RANKING_PAGE_SIZE", 2)
    campaign = review_window_campaign()
    apps = [ApplicationFactory(campaign=campaign) for _ in range(5)]
    for app, mean in zip(apps, (90, 80, 80, 80, 70), strict=True):
        ApplicationScore.objects.create(
            application=app, campaign=campaign, count=1, mean=mean, median=mean, trimmed_mean=mean
        )
    everything = [(a.pk, agg.rank) for a, agg, _p in selectors.ranking(campaign).rows]
    assert [rank for _pk, rank in everything] == [1, 2, 2, 2, 5]
    paged = [(a.pk, agg.rank) for page in (1, 2, 3) for a, agg, _p in selectors.ranking(campaign, page=page).rows]
    assert paged == everything
    filtered = selectors.ranking(campaign, sort="mean", page=2).rows
    assert [(a.pk, agg.rank) for a, agg, _p in filtered] == everything[2:4]


@pytest.mark.parametrize("method", [RankingMethod.MEAN, RankingMethod.MEDIAN, RankingMethod.NORMALISED])
def test_pages_read_from_the_score_index_then_the_unscored_cases_match_the_whole_ranking(cast, monkeypatch, method):
    """The ranking page reads scored rows from ApplicationScore's index and the cases without a score after
    them: paged across that boundary (and across a tie) it equals the whole ranking."""
    from reviews.models import ReviewSettings

    monkeypatch.setattr(selectors, "RANKING_PAGE_SIZE", 3)
    campaign = review_window_campaign()
    ReviewSettings.objects.create(campaign=campaign, ranking_method=method)
    apps = [ApplicationFactory(campaign=campaign) for _ in range(9)]
    for app, mean in zip(apps, (90, 80, 80, 80, 70), strict=False):
        ApplicationScore.objects.create(
            application=app, campaign=campaign, count=2, mean=mean, median=mean, trimmed_mean=mean, normalised=mean
        )
    ApplicationScore.objects.create(application=apps[5], campaign=campaign, count=0)  # reviews reopened
    other = review_window_campaign()  # another campaign's rows never show
    ApplicationScore.objects.create(
        application=ApplicationFactory(campaign=other), campaign=other, count=1, mean=99, median=99, normalised=99
    )
    everything = [(a.pk, agg.rank) for a, agg, _p in selectors.ranking(campaign).rows]
    assert [rank for _pk, rank in everything] == [1, 2, 2, 2, 5, None, None, None, None]
    paged = [(a.pk, agg.rank) for page in (1, 2, 3) for a, agg, _p in selectors.ranking(campaign, page=page).rows]
    assert paged == everything
