"""The phase the public sees (公示中 → publicity page, 已公布 → results), as queryset and model methods,
on both sides of each boundary, and the pages that show it to a logged-out visitor."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import selectors as awards_selectors
from awards.models import Publicity
from cases.models import Campaign
from cases.tests.factories import CampaignFactory

START = dt.datetime(2026, 3, 13, 0, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shanghai
SECOND = dt.timedelta(seconds=1)


def _campaign(**kwargs):
    return CampaignFactory(
        submission_opens_at=START - dt.timedelta(days=20),
        submission_closes_at=START - dt.timedelta(days=10),
        review_opens_at=START - dt.timedelta(days=5),
        review_closes_at=START - dt.timedelta(days=2),
        publicity_starts_at=START,
        publicity_ends_at=END,
        ceremony_at=END + dt.timedelta(days=7),
        **kwargs,
    )


def _open_now(campaign, now) -> bool:
    """The queryset's answer, checked against the model method's and the publicity page's (awards.selectors):
    all three must say the same."""
    in_queryset = Campaign.objects.publicity_open(now).filter(pk=campaign.pk).exists()
    fresh = Campaign.objects.select_related("publicity").get(pk=campaign.pk)
    assert in_queryset == (fresh.public_phase(now) == Campaign.Phase.PUBLICITY)
    assert in_queryset == awards_selectors.publicity_is_open(fresh, awards_selectors.publicity_get(fresh), now)
    return in_queryset


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "expected"),
    [(START - SECOND, False), (START, True), (END, True), (END + SECOND, False)],
    ids=["a second before the start", "at the start", "at the end", "a second after the end"],
)
def test_publicity_is_open_from_its_start_to_its_end_both_included(now, expected):
    assert _open_now(_campaign(), now) is expected


@pytest.mark.django_db
def test_a_campaign_without_publicity_settings_follows_its_dates_like_one_set_to_auto():
    auto = _campaign()
    Publicity.objects.create(campaign=auto, override=Publicity.Override.AUTO)
    without = _campaign()
    assert _open_now(auto, START) and _open_now(without, START)
    assert not _open_now(auto, END + SECOND) and not _open_now(without, END + SECOND)


@pytest.mark.django_db
def test_staff_forcing_the_window_open_opens_it_outside_its_dates():
    campaign = _campaign()
    Publicity.objects.create(campaign=campaign, override=Publicity.Override.OPEN)
    assert _open_now(campaign, START - dt.timedelta(days=1))
    assert _open_now(campaign, END + dt.timedelta(days=1))


@pytest.mark.django_db
def test_staff_forcing_the_window_closed_closes_it_inside_its_dates():
    campaign = _campaign()
    Publicity.objects.create(campaign=campaign, override=Publicity.Override.CLOSED)
    assert not _open_now(campaign, START)
    fresh = Campaign.objects.select_related("publicity").get(pk=campaign.pk)
    assert fresh.public_phase(START) == Campaign.Phase.PUBLICITY_CLOSED


@pytest.mark.django_db
def test_an_unpublished_campaign_is_never_in_the_public_querysets():
    campaign = _campaign(is_published=False)
    Publicity.objects.create(campaign=campaign, results_published_at=END + SECOND)
    assert not Campaign.objects.publicity_open(START).filter(pk=campaign.pk).exists()
    assert not Campaign.objects.results_published().filter(pk=campaign.pk).exists()


@pytest.mark.django_db
def test_results_are_published_only_once_staff_published_them_and_the_window_is_then_shut():
    campaign = _campaign()
    assert not Campaign.objects.results_published().filter(pk=campaign.pk).exists()
    publicity = Publicity.objects.create(campaign=campaign, override=Publicity.Override.OPEN)
    assert not Campaign.objects.results_published().filter(pk=campaign.pk).exists()
    publicity.results_published_at = END + SECOND
    publicity.save()
    assert Campaign.objects.results_published().filter(pk=campaign.pk).exists()
    assert not _open_now(campaign, START)  # even forced open, published results close the window
    fresh = Campaign.objects.select_related("publicity").get(pk=campaign.pk)
    assert fresh.public_phase(END + SECOND) == Campaign.Phase.RESULTS
    assert fresh.public_link(END + SECOND) == ("查看获奖名单", f"/awards/{campaign.slug}/results/")


@pytest.mark.django_db
def test_public_link_goes_to_the_publicity_page_during_the_window_and_not_before():
    campaign = _campaign()
    assert campaign.public_link(START - SECOND) is None
    assert campaign.public_link(START) == ("查看公示名单", f"/awards/{campaign.slug}/publicity/")
    assert campaign.public_link(END + SECOND)[1] == f"/awards/{campaign.slug}/publicity/"  # the list stays readable


@pytest.mark.django_db
def test_publicity_days_left_counts_calendar_days_in_shanghai_and_is_zero_on_the_last_day():
    campaign = _campaign()
    assert campaign.publicity_days_left(START) == 2  # 3/13 08:00 Shanghai → ends 3/15
    assert campaign.publicity_days_left(END - dt.timedelta(hours=1)) == 0
    assert campaign.publicity_days_left(END + SECOND) is None
    assert campaign.publicity_days_left(START - SECOND) is None


# --- The pages a logged-out visitor uses -----------------------------------------------------------------


def _publicity_now():
    now = timezone.now()
    return CampaignFactory(
        title="公示中的评选",
        submission_opens_at=now - dt.timedelta(days=30),
        submission_closes_at=now - dt.timedelta(days=20),
        review_opens_at=now - dt.timedelta(days=15),
        review_closes_at=now - dt.timedelta(days=5),
        publicity_starts_at=now - dt.timedelta(days=1),
        publicity_ends_at=now + dt.timedelta(days=2),
        ceremony_at=now + dt.timedelta(days=10),
    )


def _published(title="已公布的评选", year_ago=0):
    now = timezone.now() - dt.timedelta(days=365 * year_ago)
    campaign = CampaignFactory(
        title=title,
        submission_opens_at=now - dt.timedelta(days=40),
        submission_closes_at=now - dt.timedelta(days=30),
        review_opens_at=now - dt.timedelta(days=25),
        review_closes_at=now - dt.timedelta(days=20),
        publicity_starts_at=now - dt.timedelta(days=10),
        publicity_ends_at=now - dt.timedelta(days=7),
        ceremony_at=now - dt.timedelta(days=1),
    )
    Publicity.objects.create(campaign=campaign, results_published_at=now - dt.timedelta(days=6))
    return campaign


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cases/campaigns/"])
def test_during_publicity_the_home_page_and_the_campaign_list_link_to_the_publicity_page(client, url):
    campaign = _publicity_now()
    page = client.get(url).content.decode()
    assert f'href="/awards/{campaign.slug}/publicity/"' in page
    assert "公示中" in page and "还剩 2 天" in page


@pytest.mark.django_db
def test_during_publicity_the_campaign_page_links_to_the_publicity_page_and_its_objection_form(client):
    campaign = _publicity_now()
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'href="/awards/{campaign.slug}/publicity/objection/"' in page
    assert "还剩 2 天" in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cases/campaigns/"])
def test_after_publication_the_home_page_and_the_campaign_list_link_to_the_results(client, url):
    campaign = _published()
    page = client.get(url).content.decode()
    assert f'href="/awards/{campaign.slug}/results/"' in page
    assert "目前没有进行中的评选活动" not in page or "获奖名单" in page


@pytest.mark.django_db
def test_after_publication_the_campaign_page_links_to_the_results(client):
    campaign = _published()
    response = client.get(campaign.get_absolute_url())
    assert response.context["phase"] == Campaign.Phase.RESULTS
    assert f'href="/awards/{campaign.slug}/results/"' in response.content.decode()


@pytest.mark.django_db
def test_past_years_results_stay_reachable_by_year(client):
    this_year = _published("今年的评选")
    last_year = _published("去年的评选", year_ago=1)
    year = timezone.localtime(last_year.publicity_starts_at).year
    home = client.get("/").content.decode()
    assert f"{year}年" in home and f"/awards/{last_year.slug}/results/" in home
    listing = client.get(reverse("cases:campaign_list"), {"year": year}).content.decode()
    assert f"/awards/{last_year.slug}/results/" in listing
    assert f"/awards/{this_year.slug}/results/" not in listing


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_the_campaign_list_costs_the_same_queries_for_one_and_many_campaigns(client, django_assert_num_queries, rows):
    for _ in range(rows):
        _publicity_now()
        _published()
    # count for the paginator, the page of campaigns (+festival, publicity), the years
    with django_assert_num_queries(3):
        response = client.get(reverse("cases:campaign_list"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2 * rows
