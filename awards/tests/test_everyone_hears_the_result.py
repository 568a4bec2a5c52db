"""When the results are published every applicant whose case was reviewed hears the result: winners their
tier, the others a polite text staff can edit per campaign (with a default), through the outbox on commit."""

import pytest
from django.core import mail
from django.urls import reverse

from awards import services
from awards.models import DEFAULT_NO_AWARD_MESSAGE, Publicity
from awards.tests.factories import AwardFactory, publicity_campaign
from cases.models import Application
from reviews.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(cast):
    campaign = publicity_campaign(slug="everyone-told", open_now=False)
    winner = AwardFactory(campaign=campaign, rank=1, tier="优秀")
    other = ApplicationFactory(campaign=campaign)
    rejected = ApplicationFactory(campaign=campaign, status=Application.Status.INELIGIBLE)
    return campaign, winner, other, rejected


def test_an_applicant_without_an_award_is_told_with_the_default_text(cast, closed, django_capture_on_commit_callbacks):
    campaign, winner, other, rejected = closed
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {winner.application.applicant.email, other.applicant.email}
    told = by_address[other.applicant.email]
    assert other.title in told.subject and "本次未获奖" in told.body and DEFAULT_NO_AWARD_MESSAGE in told.body
    assert "优秀" in by_address[winner.application.applicant.email].body
    assert rejected.applicant.email not in by_address  # told at the formal check already


def test_staff_edit_the_no_award_text_per_campaign(client, cast, closed, django_capture_on_commit_callbacks):
    campaign, _winner, other, _rejected = closed
    client.force_login(cast.staff)
    text = "感谢参与！本届评选竞争激烈，您的案例未能入选，期待明年再见。"
    response = client.post(
        reverse("awards:publicity_override", kwargs={"slug": campaign.slug}),
        {"how_to_object": "", "no_award_message": text},
    )
    assert response.status_code == 302 and Publicity.objects.get(campaign=campaign).no_award_message == text
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    told = next(m for m in mail.outbox if m.to == [other.applicant.email])
    assert text in told.body and DEFAULT_NO_AWARD_MESSAGE not in told.body


def test_the_no_award_mail_is_queued_on_commit_only(cast, closed, django_capture_on_commit_callbacks):
    campaign, *_ = closed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.results_publish(campaign=campaign, by=cast.staff)
    assert mail.outbox == [] and callbacks
