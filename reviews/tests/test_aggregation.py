"""The ranking arithmetic on hand-computed examples (no database)."""

import pytest

from reviews.aggregation import aggregate, normalise, rank, tiers_assign, trimmed_mean
from reviews.models import RankingMethod


def test_mean_median_and_trimmed_mean_of_three_reviews():
    aggs = aggregate([(1, 10, 70.0), (1, 11, 80.0), (1, 12, 96.0)], max_total=100, threshold=30)
    a = aggs[1]
    assert a.count == 3
    assert a.mean == pytest.approx(82.0)
    assert a.median == 80.0
    assert a.trimmed_mean == pytest.approx(82.0)  # fewer than 4 reviews: nothing dropped
    assert a.spread == 26.0 and a.disagreement is False


def test_trimmed_mean_drops_highest_and_lowest_from_four_reviews_up():
    assert trimmed_mean([60.0, 70.0, 80.0, 100.0]) == pytest.approx(75.0)
    assert trimmed_mean([50.0, 70.0, 72.0, 74.0, 99.0]) == pytest.approx(72.0)


def test_median_of_an_even_number_of_reviews_is_the_middle_pair_mean():
    aggs = aggregate([(1, 10, 60.0), (1, 11, 70.0), (1, 12, 80.0), (1, 13, 100.0)], max_total=100, threshold=50)
    assert aggs[1].median == 75.0


def test_a_single_review_gives_every_aggregate_that_total():
    aggs = aggregate([(7, 10, 64.5)], max_total=100, threshold=10)
    a = aggs[7]
    assert (a.count, a.mean, a.median, a.trimmed_mean, a.spread) == (1, 64.5, 64.5, 64.5, 0.0)
    assert a.normalised == pytest.approx(64.5)  # one reviewer, one total: z = 0, the panel mean


def test_disagreement_is_flagged_when_the_spread_exceeds_the_threshold():
    aggs = aggregate([(1, 10, 60.0), (1, 11, 81.0), (2, 10, 60.0), (2, 11, 80.0)], max_total=100, threshold=20)
    assert aggs[1].disagreement is True  # 21 > 20
    assert aggs[2].disagreement is False  # 20 is not more than 20


def test_normalisation_puts_a_harsh_and_a_lenient_reviewer_on_the_same_scale():
    # The harsh reviewer (10) gives 50 and 60, the lenient one (11) 80 and 90, to the same two cases in the
    # same order: after normalisation both say the same thing about each case.
    reviews = [(1, 10, 50.0), (2, 10, 60.0), (1, 11, 80.0), (2, 11, 90.0)]
    norm = normalise(reviews, max_total=100)
    # Panel mean 70, panel SD sqrt(((-20)²+(-10)²+10²+20²)/4) = sqrt(250) ≈ 15.811; each z is ±1.
    assert norm[0] == pytest.approx(70 - 250**0.5)
    assert norm[1] == pytest.approx(70 + 250**0.5)
    assert norm[0] == pytest.approx(norm[2]) and norm[1] == pytest.approx(norm[3])
    aggs = aggregate(reviews, max_total=100, threshold=50)
    assert aggs[1].mean == 65.0 and aggs[2].mean == 75.0
    assert aggs[1].normalised == pytest.approx(70 - 250**0.5)


def test_normalised_scores_are_clipped_to_the_rubric_range():
    reviews = [(1, 10, 0.0), (2, 10, 100.0), (3, 11, 50.0), (4, 11, 50.0), (5, 12, 0.0), (6, 12, 100.0)]
    assert all(0 <= value <= 100 for value in normalise(reviews, max_total=100))


def test_ranking_follows_the_chosen_method():
    # Case 1: 60, 90, 90 (mean 80, median 90); case 2: 84, 84, 84 (mean 84, median 84).
    reviews = [(1, 10, 60.0), (1, 11, 90.0), (1, 12, 90.0), (2, 10, 84.0), (2, 11, 84.0), (2, 12, 84.0)]
    aggs = list(aggregate(reviews, max_total=100, threshold=100).values())
    assert [a.application_id for a in rank(aggs, RankingMethod.MEAN)] == [2, 1]
    assert [a.application_id for a in rank(aggs, RankingMethod.MEDIAN)] == [1, 2]


def test_ties_are_broken_by_mean_then_median_then_review_count_and_otherwise_shared():
    reviews = [
        # Same median 80: case 1 has the higher mean.
        (1, 10, 80.0),
        (1, 11, 80.0),
        (1, 12, 95.0),
        (2, 10, 70.0),
        (2, 11, 80.0),
        (2, 12, 85.0),
        # Cases 3 and 4 are equal in everything: they share a rank, the lower id listed first.
        (3, 10, 60.0),
        (4, 11, 60.0),
    ]
    ranked = rank(list(aggregate(reviews, max_total=100, threshold=100).values()), RankingMethod.MEDIAN)
    assert [(a.application_id, a.rank) for a in ranked] == [(1, 1), (2, 2), (3, 3), (4, 3)]


def test_applications_without_reviews_come_last_and_unranked():
    aggs = aggregate([(1, 10, 50.0)], max_total=100, threshold=10, application_ids=[1, 2])
    ranked = rank(list(aggs.values()), RankingMethod.MEAN)
    assert [(a.application_id, a.rank) for a in ranked] == [(1, 1), (2, None)]


def _ranked(n):
    reviews = [(i, 10, float(100 - i)) for i in range(1, n + 1)]
    return rank(list(aggregate(reviews, max_total=100, threshold=100).values()), RankingMethod.MEAN)


THIRDS = [
    {"name": "优秀", "by": "fraction", "value": 1 / 3},
    {"name": "合格", "by": "fraction", "value": 1 / 3},
    {"name": "整改", "by": "fraction", "value": 1 / 3},
]


@pytest.mark.parametrize("n, sizes", [(10, [3, 4, 3]), (11, [4, 3, 4]), (12, [4, 4, 4])])
def test_huaian_thirds_split_the_ranking_by_fraction(n, sizes):
    ranked = _ranked(n)
    tiers_assign(ranked, THIRDS, RankingMethod.MEAN)
    got = [sum(1 for a in ranked if a.tier == name) for name in ("优秀", "合格", "整改")]
    assert got == sizes
    assert [a.tier for a in ranked] == sorted((a.tier for a in ranked), key=["优秀", "合格", "整改"].index)


def test_tiers_by_count_leave_the_rest_without_a_tier():
    ranked = _ranked(10)
    tiers = [
        {"name": "一等奖", "by": "count", "value": 1},
        {"name": "二等奖", "by": "count", "value": 2},
        {"name": "优秀奖", "by": "count", "value": 3},
    ]
    tiers_assign(ranked, tiers, RankingMethod.MEAN)
    assert [a.tier for a in ranked] == ["一等奖", "二等奖", "二等奖", "优秀奖", "优秀奖", "优秀奖", "", "", "", ""]


def test_tiers_by_threshold_take_every_application_at_or_above_the_line():
    ranked = _ranked(10)  # means 99, 98, ..., 90
    tiers_assign(ranked, [{"name": "优秀", "by": "threshold", "value": 95}], RankingMethod.MEAN)
    assert [a.tier for a in ranked].count("优秀") == 5  # 99..95


def test_an_unknown_tier_rule_is_refused():
    with pytest.raises(ValueError):
        tiers_assign(_ranked(3), [{"name": "x", "by": "lottery", "value": 1}], RankingMethod.MEAN)
