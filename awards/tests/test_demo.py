"""seed_demo's finished campaign of last year: idempotent, and its certificates verify."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards.models import Award, Certificate, Objection, Publicity
from reviews.demo import SLUG


@pytest.mark.django_db
def test_seed_demo_twice_creates_the_finished_campaign_once_and_its_certificates_verify(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    # Last year's case award (seed_demo's other finished campaigns, the workspace's examples, have their own).
    certificates = Certificate.objects.filter(campaign__slug=SLUG)
    awarded = Award.objects.filter(campaign__slug=SLUG).count()
    assert awarded >= 3 and certificates.count() == awarded
    assert list(Objection.objects.values_list("status", flat=True)) == [Objection.Status.DISMISSED]
    assert Publicity.objects.get(campaign__slug=SLUG).results_published_at is not None
    assert sorted(certificates.values_list("serial", flat=True)) == list(range(1, awarded + 1))
    certificate = certificates.select_related("award__application").first()
    assert certificate.docx
    html = client.get(reverse("verify", kwargs={"code": certificate.code})).content.decode()
    assert certificate.award.application.applicant_name in html and "证书真实有效" in html
    assert f"/verify/{certificate.code}/" in capsys.readouterr().out
