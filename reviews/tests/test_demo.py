import io

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from reviews import demo, selectors
from reviews.models import Assignment, Conflict, Review


@pytest.mark.django_db
def test_the_demo_has_a_finished_review_with_a_ranking_and_running_it_twice_creates_nothing_twice():
    out = io.StringIO()
    people = accounts_demo.seed(out)
    campaign = demo.seed(out, today=timezone.localdate(), people=people)["campaign"]
    counts = (Assignment.objects.count(), Review.objects.count(), Conflict.objects.count())
    demo.seed(out, today=timezone.localdate(), people=people)
    assert (Assignment.objects.count(), Review.objects.count(), Conflict.objects.count()) == counts
    assert counts[0] == 18 and Review.objects.filter(status=Review.Status.SUBMITTED).count() == 18
    # 孙督导 works at 阳光: never on 阳光's cases.
    assert not Assignment.objects.filter(
        reviewer__email="expert.sun@demo.ks.gov.cn", application__organisation=people["organisations"][0]
    ).exists()
    tiers = [agg.tier for _app, agg, _per in selectors.ranking(campaign).rows]
    assert tiers == ["一等奖", "二等奖", "二等奖", "优秀奖", "优秀奖", "优秀奖"]
    assert [d.tier for d in selectors.decision_list(campaign)] == tiers
