"""List pages cost the same number of queries for 1 row as for many."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Application
from reviews import services
from reviews.models import Assignment, Review
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, ReviewerFactory, review_window_campaign

pytestmark = pytest.mark.django_db

QUEUE_QUERIES = 10  # a count and a page for each of the three groups
# Stored aggregates, one page: + the counts in one query, + incomplete cases, + tier rows (parts come with the tree).
RANKING_QUERIES = 15
FORMAL_CHECK_QUERIES = 14  # + attachments and endorsements (blind copies), material slots and eligibility rules
ASSIGNMENT_QUERIES = 13  # + the 疑似回避 waiting for staff
POOL_QUERIES = 9  # + the registered organisations the invite form offers


def test_the_reviewer_queue_costs_the_same_for_one_and_for_fifty_cases(client, cast, django_assert_num_queries):
    campaign = review_window_campaign()
    AssignmentFactory(application=ApplicationFactory(campaign=campaign), reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    url = reverse("reviews:queue")
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get(url)
    for _ in range(49):
        AssignmentFactory(application=ApplicationFactory(campaign=campaign), reviewer=cast.reviewer)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("/reviews/cases/") == 50


def _fill(campaign, n_apps, reviewers):
    apps = Application.objects.bulk_create(
        ApplicationFactory.build(campaign=campaign, applicant=reviewers[0], organisation=_org()) for _ in range(n_apps)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(application=app, reviewer=r) for app in apps for r in reviewers
    )
    Review.objects.bulk_create(
        Review(assignment=a, status=Review.Status.SUBMITTED, total=Decimal(60 + (a.pk * 7) % 40)) for a in assignments
    )
    services.campaign_scores_rebuild(campaign=campaign)


_ORG = {}


def _org():
    if "org" not in _ORG or not type(_ORG["org"]).objects.filter(pk=_ORG["org"].pk).exists():
        from accounts.tests.factories import OrganisationFactory

        _ORG["org"] = OrganisationFactory()
    return _ORG["org"]


def test_the_ranking_page_costs_the_same_for_10_and_for_200_cases_with_3_reviews(
    client, cast, django_assert_num_queries
):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    reviewers = [ReviewerFactory() for _ in range(3)]
    _fill(campaign, 10, reviewers)
    client.force_login(cast.staff)
    url = reverse("reviews:ranking", kwargs={"slug": campaign.slug})
    with django_assert_num_queries(RANKING_QUERIES):
        client.get(url)
    _fill(campaign, 190, reviewers)
    with django_assert_num_queries(RANKING_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    # One page of 100 (the full list is the score sheet): headers, cases, calibration rows.
    assert response.content.decode().count("<tr") == 1 + 100 + 1 + 3


def _same_cost(client, url, add_more, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    add_more()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_formal_check_page_costs_the_same_for_one_and_for_ten_cases(client, cast, django_assert_num_queries):
    from reviews.tests.factories import TeamMemberFactory

    campaign = review_window_campaign()

    def add(n):
        for _ in range(n):
            TeamMemberFactory(application=ApplicationFactory(campaign=campaign, status=Application.Status.RECOMMENDED))

    add(1)
    client.force_login(cast.staff)
    url = reverse("reviews:formal_check", kwargs={"slug": campaign.slug})
    _same_cost(client, url, lambda: add(9), django_assert_num_queries, FORMAL_CHECK_QUERIES)


def test_the_assignment_page_costs_the_same_for_one_and_for_ten_cases(client, cast, django_assert_num_queries):
    campaign = review_window_campaign()

    def add(n):
        for _ in range(n):
            assignment = AssignmentFactory(application=ApplicationFactory(campaign=campaign))
            Review.objects.create(assignment=assignment, total=Decimal("70"))

    add(1)
    client.force_login(cast.staff)
    url = reverse("reviews:assignments", kwargs={"slug": campaign.slug})
    _same_cost(client, url, lambda: add(9), django_assert_num_queries, ASSIGNMENT_QUERIES)


def test_the_expert_pool_page_costs_the_same_for_one_and_for_ten_experts(client, cast, django_assert_num_queries):
    from reviews.tests.factories import ReviewerProfileFactory

    campaign = review_window_campaign()
    ReviewerProfileFactory()
    client.force_login(cast.staff)
    url = reverse("reviews:pool", kwargs={"slug": campaign.slug})
    _same_cost(
        client, url, lambda: [ReviewerProfileFactory() for _ in range(9)], django_assert_num_queries, POOL_QUERIES
    )


def test_the_not_yet_set_password_list_costs_the_same_for_one_and_for_ten_experts(
    client, cast, django_assert_num_queries
):
    """Invited experts (no password yet) linked to a registered organisation: the unit and the password state
    come with the list's one query."""
    from accounts.tests.factories import OrganisationFactory
    from reviews.tests.factories import ReviewerProfileFactory

    def add(n):
        for _ in range(n):
            profile = ReviewerProfileFactory(organisation_ref=OrganisationFactory())
            profile.user.set_unusable_password()
            profile.user.save()

    campaign = review_window_campaign()
    add(1)
    client.force_login(cast.staff)
    url = reverse("reviews:pool", kwargs={"slug": campaign.slug}) + "?password=unset"
    _same_cost(client, url, lambda: add(9), django_assert_num_queries, POOL_QUERIES)
    assert client.get(url).content.decode().count('data-testid="password-unset"') == 10
