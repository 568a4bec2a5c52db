"""Certificate numbers are unique per issuing body and year across campaigns, and an export that produced
nothing is failed with the reason instead of "done" with an empty ZIP."""

import pytest
from django.conf import settings

from awards import services
from awards.models import Award, Certificate, CertificateCounter, CertificateExport
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results

pytestmark = pytest.mark.django_db


def _published(slug, cast, n=3):
    campaign = publicity_campaign(slug=slug, open_now=False)
    awards = [AwardFactory(campaign=campaign, rank=r) for r in range(1, n + 1)]
    publish_results(campaign, cast.staff)
    return campaign, awards


def test_a_second_campaign_in_the_same_year_continues_the_numbers_of_the_first(cast):
    first, _ = _published("first-of-the-year", cast)
    second, _ = _published("second-of-the-year", cast)  # same default prefix, same year
    year = services.certificate_year(first)
    assert services.certificates_allocate(campaign=first) == 3
    assert services.certificates_allocate(campaign=second) == 3
    numbers = {c: list(Certificate.objects.filter(campaign=c).order_by("serial").values_list("number", flat=True))
               for c in (first, second)}  # fmt: skip
    assert numbers[first] == [f"KSZS-{year}-{n:03d}" for n in (1, 2, 3)]
    assert numbers[second] == [f"KSZS-{year}-{n:03d}" for n in (4, 5, 6)]
    counter = CertificateCounter.objects.get()
    assert (counter.issuing_body, counter.year, counter.last_serial) == (settings.PORTAL_ORGANISER, year, 6)


def test_the_export_of_the_second_campaign_holds_its_certificates(cast):
    first, _ = _published("first-export", cast, n=2)
    second, _ = _published("second-export", cast, n=2)
    services.certificates_allocate(campaign=first)
    export = CertificateExport.objects.create(campaign=second, requested_by=cast.staff)
    assert services.certificate_export_run(export_id=export.pk) == CertificateExport.Status.DONE
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.DONE and export.file
    assert Certificate.objects.filter(campaign=second).count() == 2


def test_a_number_already_taken_is_stepped_over_never_reused(cast):
    old, (old_award, *_) = _published("numbered-before", cast, n=1)
    year = services.certificate_year(old)
    # Numbered before counters were per body and year, the counter of this year does not know it.
    Certificate.objects.create(award=old_award, campaign=old, serial=1, number=f"KSZS-{year}-001")
    new, _ = _published("numbered-after", cast, n=1)
    services.certificates_allocate(campaign=new)
    assert Certificate.objects.get(campaign=new).number == f"KSZS-{year}-002"


def test_an_export_that_produced_nothing_is_failed_with_the_reason(cast):
    campaign, awards = _published("nothing-to-export", cast, n=2)
    Award.objects.filter(campaign=campaign).update(status=Award.Status.WITHDRAWN)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    services.certificate_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.FAILED
    assert "没有生成任何证书" in export.error and not export.file


def test_the_progress_endpoint_reports_the_empty_export_as_failed_with_its_reason(client, cast):
    from django.urls import reverse

    campaign, _ = _published("nothing-to-report", cast, n=1)
    Award.objects.filter(campaign=campaign).update(status=Award.Status.WITHDRAWN)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    services.certificate_export_run(export_id=export.pk)
    client.force_login(cast.staff)
    data = client.get(reverse("awards:export_status", kwargs={"pk": export.pk})).json()
    assert data["status"] == "failed" and "没有生成任何证书" in data["error"] and data["download_url"] == ""
