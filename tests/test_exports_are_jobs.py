"""Exports never in a request: no page of a campaign answers a GET with a campaign-wide file (a spreadsheet,
an archive, a CSV); the two campaign-wide exports (the score sheet and the ZIP of Word files) are started by a
POST that queues a background job and redirects to its progress page.

What this leaves out on purpose: the 公示/结果 list documents (awards: docx/pdf of the awarded cases only, a
few dozen rows, a public notice) and one application's own files (its .docx, photos, certificate)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Application, CaseExport
from reviews.models import ScoreSheetExport
from reviews.tests.factories import ApplicationFactory, ReviewFactory, review_window_campaign

pytestmark = pytest.mark.django_db

FILE_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml",
    "application/vnd.ms-excel",
    "application/zip",
    "text/csv",
)


def _campaign_urls(resolver=None, namespace=""):
    """Every named URL whose only argument is a `slug` (a campaign's), as namespace:name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _campaign_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if set(entry.pattern.converters) == {"slug"}:
                yield f"{namespace}{entry.name}"


@pytest.fixture
def campaign(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    campaign = review_window_campaign()
    for _ in range(2):
        ReviewFactory(assignment__application=ApplicationFactory(campaign=campaign))
    ApplicationFactory(campaign=campaign, status=Application.Status.SUBMITTED)
    return campaign


# Import templates: a header row and one example row, no campaign data; a plain link is right for them.
BLANK_TEMPLATES = {"reviews:experts_template"}


def test_no_page_of_a_campaign_returns_a_campaign_wide_file_to_a_get(client, cast, campaign):
    names = sorted(set(_campaign_urls()))
    assert "reviews:score_sheet" in names and "cases:campaign_export" in names  # the walk sees the exports
    client.force_login(cast.staff)
    for name in names:
        if name in BLANK_TEMPLATES:
            continue
        response = client.get(reverse(name, kwargs={"slug": campaign.slug}))
        content_type = response.get("Content-Type", "")
        assert not content_type.startswith(FILE_TYPES), f"{name} answered a GET with {content_type}"
        assert "attachment" not in response.get("Content-Disposition", "") or not content_type.startswith(FILE_TYPES), (
            name
        )


@pytest.mark.parametrize(
    ("name", "model", "detail"),
    [
        ("reviews:score_sheet", ScoreSheetExport, "reviews:score_sheet_detail"),
        ("cases:campaign_export", CaseExport, "cases:case_export_detail"),
    ],
)
def test_every_campaign_wide_export_is_a_background_job_with_a_progress_page(
    client, cast, campaign, name, model, detail
):
    client.force_login(cast.staff)
    assert client.get(reverse(name, kwargs={"slug": campaign.slug})).status_code == 405
    response = client.post(reverse(name, kwargs={"slug": campaign.slug}))  # on_commit not run: the job waits
    job = model.objects.get(campaign=campaign)
    assert response.status_code == 302 and response.url == reverse(detail, args=[job.pk])
    assert job.status == model.Status.PENDING
