"""The reviewer's case page costs the same number of queries for a small case as for a full one."""

import pytest
from django.urls import reverse

from cases.tests.factories import add_attachment, add_photo
from reviews import services
from reviews.models import ReviewSettings
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    review_window_campaign,
)

pytestmark = pytest.mark.django_db

CASE_PAGE_QUERIES = 15


def _case(campaign, reviewer, *, size):
    app = ApplicationFactory(campaign=campaign)
    for _ in range(size):
        TeamMemberFactory(application=app)
        add_photo(app)
        add_attachment(app)
    own = AssignmentFactory(application=app, reviewer=reviewer)
    ReviewFactory(assignment=own)
    for _ in range(size):
        ReviewFactory(assignment=AssignmentFactory(application=app, reviewer=ReviewerFactory()))
    return app


@pytest.mark.parametrize("blind", [False, True])
def test_the_reviewers_case_page_costs_the_same_for_one_and_for_five_of_everything(
    client, cast, django_assert_num_queries, blind
):
    campaign = review_window_campaign(blind_review=blind)
    services.rubric_ensure(campaign=campaign)
    ReviewSettings.objects.create(campaign=campaign, peers_visible=True)
    small, full = _case(campaign, cast.reviewer, size=1), _case(campaign, cast.reviewer, size=5)
    client.force_login(cast.reviewer)
    for app in (small, full):  # blind copies are made on the first visit in a test (a task does it on submit)
        client.get(reverse("reviews:case", kwargs={"pk": app.pk}))
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(reverse("reviews:case", kwargs={"pk": small.pk}))
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        full_response = client.get(reverse("reviews:case", kwargs={"pk": full.pk}))
    assert response.status_code == full_response.status_code == 200
    html = full_response.content.decode()
    assert "专家 5：" in html and "专家 6：" not in html  # the five other experts' totals, not the reviewer's own
