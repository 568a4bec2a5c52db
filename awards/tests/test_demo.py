"""seed_demo's finished campaign of last year: idempotent, and its certificates verify."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards.models import Award, Certificate, Objection, Publicity


@pytest.mark.django_db
def test_seed_demo_twice_creates_the_finished_campaign_once_and_its_certificates_verify(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    awarded = Award.objects.count()
    assert awarded >= 3 and Certificate.objects.count() == awarded
    assert list(Objection.objects.values_list("status", flat=True)) == [Objection.Status.DISMISSED]
    assert Publicity.objects.get().results_published_at is not None
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, awarded + 1))
    certificate = Certificate.objects.select_related("award__application").first()
    assert certificate.docx
    html = client.get(reverse("verify", kwargs={"code": certificate.code})).content.decode()
    assert certificate.award.application.applicant_name in html and "证书真实有效" in html
    assert f"/verify/{certificate.code}/" in capsys.readouterr().out
