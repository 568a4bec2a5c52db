"""A GET never writes: the default rubric, the review settings and the certificate template are written
where they are created (the campaign's creation, staff's first POST, a migration), not by a page read."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from awards.models import CertificateTemplate
from reviews import services
from reviews.models import Criterion, ReviewSettings
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, review_window_campaign

pytestmark = pytest.mark.django_db

WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b.*?"(reviews|awards|cases)_', re.IGNORECASE | re.DOTALL)


def _writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]


def test_the_reviewers_case_page_writes_no_row(client):
    campaign = review_window_campaign()
    assignment = AssignmentFactory(application=ApplicationFactory(campaign=campaign))
    client.force_login(assignment.reviewer)
    assert _writes(client, reverse("reviews:case", kwargs={"pk": assignment.application_id})) == []
    assert not Criterion.objects.filter(campaign=campaign).exists()
    assert not ReviewSettings.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize("name", ["reviews:rubric", "reviews:settings", "reviews:ranking", "reviews:assignments"])
def test_the_staff_review_pages_write_no_row(client, cast, name):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    assert _writes(client, reverse(name, kwargs={"slug": campaign.slug})) == []
    assert not Criterion.objects.filter(campaign=campaign).exists()


def test_the_awards_campaign_page_writes_no_row(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    assert _writes(client, reverse("awards:campaign", kwargs={"slug": campaign.slug})) == []
    assert not CertificateTemplate.objects.filter(campaign=campaign).exists()


def test_staff_give_a_campaign_the_default_rubric_by_a_post_which_is_audited(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    url = reverse("reviews:rubric", kwargs={"slug": campaign.slug})
    assert 'data-testid="rubric-empty"' in client.get(url).content.decode()
    assert client.post(url, {"action": "default"}).status_code == 302
    assert list(Criterion.objects.filter(campaign=campaign).values_list("name", flat=True)) == [
        "真实性",
        "专业性",
        "完整性",
        "示范性",
    ]
    assert AuditEvent.objects.filter(detail="使用默认评分指标").count() == 1
    assert 'data-testid="rubric-empty"' not in client.get(url).content.decode()


def test_a_campaign_created_in_the_admin_starts_with_the_default_rubric(client, cast):
    from django.contrib.admin.sites import site

    from cases.models import Campaign
    from cases.tests.factories import CampaignFactory

    template = CampaignFactory.build(slug="made-in-admin")
    admin = site._registry[Campaign]
    request = type("R", (), {"user": cast.staff})()
    admin.save_model(request, template, form=None, change=False)
    assert Criterion.objects.filter(campaign=template).count() == 4


def test_scoring_without_a_rubric_is_refused_with_a_message(cast):
    campaign = review_window_campaign()
    assignment = AssignmentFactory(application=ApplicationFactory(campaign=campaign))
    with pytest.raises(Exception, match="尚未设置评分指标"):
        services.review_save(assignment=assignment, leaves=[], points={}, opinion="x" * 40, submit=True)
