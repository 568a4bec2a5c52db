import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Application
from reviews import selectors
from reviews.models import Assignment, Review, Score


@pytest.mark.django_db
def test_seed_scale_fills_a_campaign_with_even_loads_and_scored_reviews():
    out = io.StringIO()
    call_command("seed_scale", "--applications", "30", "--reviewers", "9", "--reviews-per", "3", stdout=out)
    assert "30 个案例" in out.getvalue()
    apps = Application.objects.filter(status=Application.Status.ACCEPTED)
    assert apps.count() == 30
    assert all(5000 - 6 <= app.body_length() <= 10000 for app in apps)
    loads = [Assignment.objects.filter(reviewer__name=f"专家{i:03d}").count() for i in range(9)]
    assert loads == [10] * 9
    assert Review.objects.filter(status=Review.Status.SUBMITTED).count() == 90 and Score.objects.count() == 360
    campaign = apps.first().campaign
    ranked = selectors.ranking(campaign).rows
    assert len(ranked) == 30 and all(agg.count == 3 for _a, agg, _p in ranked)


@pytest.mark.django_db
def test_seed_scale_refuses_more_reviews_per_case_than_reviewers():
    with pytest.raises(CommandError, match="不能超过专家人数"):
        call_command("seed_scale", "--applications", "1", "--reviewers", "2", "--reviews-per", "3")
