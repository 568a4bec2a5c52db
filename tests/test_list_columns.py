"""The list pages read only the columns they show: never a case's six body sections, its return reason or a
review's opinion (at 10,000 cases of ~6,000 characters the body is most of what a wide read carries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from cases.models import SECTIONS, Application
from cases.tests.factories import ApplicationFactory, CampaignFactory
from reviews.models import Review
from reviews.tests.factories import AssignmentFactory, review_window_campaign

pytestmark = pytest.mark.django_db

LONG_COLUMNS = [f'"cases_application"."{name}"' for name, _ in SECTIONS] + [
    '"cases_application"."return_reason"',
    '"reviews_review"."opinion"',
]


def _long_columns_read(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    sql = "\n".join(query["sql"] for query in captured)
    return [column for column in LONG_COLUMNS if column in sql]


def _submitted(cast, n, campaign=None):
    campaign = campaign or CampaignFactory()
    for _ in range(n):
        ApplicationFactory(
            campaign=campaign,
            applicant=cast.applicant_a,
            organisation=cast.org_a,
            status=Application.Status.SUBMITTED,
            background="背景" * 50,
        )


def test_the_staff_list_never_reads_the_body(client, cast):
    _submitted(cast, 3)
    client.force_login(cast.staff)
    assert _long_columns_read(client, reverse("cases:staff_applications")) == []


def test_the_organisation_queue_never_reads_the_body(client, cast):
    _submitted(cast, 3)
    client.force_login(cast.org_admin)
    assert _long_columns_read(client, reverse("cases:organisation_applications")) == []


def test_the_reviewer_queue_never_reads_the_body_or_the_opinion(client, cast):
    campaign = review_window_campaign()
    for status in (None, Review.Status.DRAFT, Review.Status.SUBMITTED):
        assignment = AssignmentFactory(
            application=ApplicationFactory(campaign=campaign, background="背景" * 50), reviewer=cast.reviewer
        )
        if status:
            Review.objects.create(assignment=assignment, status=status, opinion="意见" * 50)
    client.force_login(cast.reviewer)
    assert _long_columns_read(client, reverse("reviews:queue")) == []


def test_the_publicity_and_results_lists_never_read_the_body(client, cast):
    campaign = publicity_campaign()
    AwardFactory(campaign=campaign)
    assert _long_columns_read(client, reverse("awards:publicity", kwargs={"slug": campaign.slug})) == []
    publish_results(campaign, cast.staff)
    assert _long_columns_read(client, reverse("awards:results", kwargs={"slug": campaign.slug})) == []


def test_the_reviewer_queue_pages_each_group_of_fifty(client, cast):
    campaign = review_window_campaign()
    for _ in range(51):
        AssignmentFactory(application=ApplicationFactory(campaign=campaign), reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    first = client.get(reverse("reviews:queue"))
    assert first.status_code == 200
    html = first.content.decode()
    assert html.count("/reviews/cases/") == 50
    assert "待评审 51 个" in html and "assigned_page=2" in html
    second = client.get(reverse("reviews:queue") + "?assigned_page=2")
    assert second.status_code == 200 and second.content.decode().count("/reviews/cases/") == 1


def test_the_results_list_is_paged_and_numbered_across_pages(client, cast, monkeypatch):
    from awards import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)  # the page size, not behaviour: 3 rows instead of 101
    campaign = publicity_campaign(open_now=False)
    for rank in (1, 2, 3):
        AwardFactory(campaign=campaign, rank=rank)
    publish_results(campaign, cast.staff)
    url = reverse("awards:results", kwargs={"slug": campaign.slug})
    first = client.get(url)
    assert first.status_code == 200 and first.context["awards"].__len__() == 2
    second = client.get(url + "?page=2")
    assert second.status_code == 200
    assert [award.rank for award in second.context["awards"]] == [3]
    assert "<tr><td>3</td>" in second.content.decode()


def test_the_results_list_costs_the_same_queries_for_one_and_many_rows(client, cast, django_assert_num_queries):
    one = publicity_campaign(slug="one", open_now=False)
    AwardFactory(campaign=one)
    many = publicity_campaign(slug="many", open_now=False)
    for _ in range(6):
        AwardFactory(campaign=many)
    publish_results(one, cast.staff)
    publish_results(many, cast.staff)
    # The campaign with its publicity settings, the count, the page of the list.
    with django_assert_num_queries(3):
        assert client.get(reverse("awards:results", kwargs={"slug": one.slug})).status_code == 200
    with django_assert_num_queries(3):
        assert client.get(reverse("awards:results", kwargs={"slug": many.slug})).status_code == 200
