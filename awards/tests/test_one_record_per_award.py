"""One record of each award's tier (reviews.AwardDecision): an upheld objection that changes it is seen the
same on the ranking, the publicity list, the results, the certificate and its verification page."""

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import Award, Certificate
from awards.tests.factories import ObjectionFactory
from cases.models import Campaign
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ReviewFactory,
    review_window_campaign,
    tiers_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(cast):
    """Two reviewed cases, the decision confirmed (一等奖, 二等奖) and taken as the publicity list."""
    campaign = review_window_campaign(slug="one-record")
    review_services.rubric_ensure(campaign=campaign)
    settings_row = review_selectors.review_settings_get(campaign=campaign)
    settings_row.reviewers_per_application = 1
    tiers_set(campaign, [{"name": "一等奖", "by": "count", "value": 1}, {"name": "二等奖", "by": "count", "value": 1}])
    settings_row.save()
    apps = []
    for total in (90, 80):
        app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
        ReviewFactory(assignment=AssignmentFactory(application=app), total=Decimal(total))
        apps.append(app)
    review_services.decision_confirm(campaign=campaign, by=cast.staff)
    services.awards_import_decision(campaign=campaign, by=cast.staff)
    return campaign, apps


def _move_publicity(campaign, *, starts_days: int, ends_days: int) -> Campaign:
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_at=now + dt.timedelta(days=starts_days), publicity_ends_at=now + dt.timedelta(days=ends_days)
    )
    return Campaign.objects.get(pk=campaign.pk)


def _ranking_tier(campaign, app) -> str:
    return next(agg.final_tier for a, agg, _p in review_selectors.ranking(campaign).rows if a.pk == app.pk)


def test_an_upheld_objection_changing_the_tier_shows_the_same_tier_everywhere(
    client, cast, confirmed, django_capture_on_commit_callbacks
):
    campaign, (first, _second) = confirmed
    award = Award.objects.get(application=first)
    assert award.tier == "一等奖" and _ranking_tier(campaign, first) == "一等奖"
    campaign = _move_publicity(campaign, starts_days=-1, ends_days=2)

    services.objection_decide(
        objection=ObjectionFactory(award=award),
        upheld=True,
        outcome="change_tier",
        new_tier="二等奖",
        reply="经核实，案例服务次数与描述不符，调整为二等奖。",
        by=cast.staff,
    )

    assert Award.objects.get(pk=award.pk).tier == "二等奖"
    assert _ranking_tier(campaign, first) == "二等奖"  # the ranking reads the same record
    client.force_login(cast.staff)
    ranking_page = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug}))
    assert ranking_page.status_code == 200
    client.logout()
    publicity = client.get(reverse("awards:publicity", kwargs={"slug": campaign.slug}))
    assert publicity.status_code == 200
    row = next(r for r in publicity.content.decode().split("<tr") if first.title in r)
    assert "二等奖" in row and "一等奖" not in row

    campaign = _move_publicity(campaign, starts_days=-5, ends_days=-1)
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    results = client.get(reverse("awards:results", kwargs={"slug": campaign.slug}))
    row = next(r for r in results.content.decode().split("<tr") if first.title in r)
    assert results.status_code == 200 and "二等奖" in row and "一等奖" not in row

    certificate = Certificate.objects.get(award=award)  # issued on publication (tasks run eagerly here)
    with zipfile.ZipFile(default_storage.open(certificate.docx)) as z:
        xml = z.read("word/document.xml").decode()
    assert "二等奖" in xml and "一等奖" not in xml
    verify = client.get(reverse("verify", kwargs={"code": certificate.code}))
    assert "二等奖" in verify.content.decode()
    client.force_login(cast.applicant_a)
    mine = client.get(reverse("awards:my_results")).content.decode()
    assert "二等奖" in mine


def test_a_hand_confirmed_award_writes_its_tier_to_the_decision(cast, db):
    campaign = review_window_campaign(slug="by-hand")
    app = ApplicationFactory(campaign=campaign)
    award = services.award_confirm(application=app, tier="优秀", rank=1, by=cast.staff)
    app.award_decision.refresh_from_db()
    assert award.tier == "优秀" and app.award_decision.tier == "优秀" and app.award_decision.rank == 1


def test_a_case_taken_off_the_list_has_no_tier_in_the_ranking_and_is_not_imported_again(cast, confirmed):
    campaign, (first, _second) = confirmed
    services.award_remove(award=Award.objects.get(application=first), by=cast.staff)
    assert _ranking_tier(campaign, first) == ""
    assert services.awards_import_decision(campaign=campaign, by=cast.staff) == 0
