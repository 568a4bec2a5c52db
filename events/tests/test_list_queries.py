"""Every list page costs the same number of queries for one row and for many."""

import pytest
from django.urls import reverse

from events.tests.factories import ActivityReportFactory, ActivityUnitFactory, FestivalFactory


def _reports(cast, n):
    for _ in range(n):
        unit = ActivityUnitFactory(organisation=cast.org_a)
        ActivityReportFactory(activity=unit.activity, organisation=cast.org_a, submitted_by=cast.applicant_a)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_report_queue_costs_the_same_for_one_and_many(client, cast, django_assert_num_queries, rows):
    _reports(cast, rows)
    client.force_login(cast.staff)
    # session, user, roles (memberships), count, page of reports with activity/organisation/filer,
    # and the session saved on every request (savepoint, update, release)
    with django_assert_num_queries(8):
        response = client.get(reverse("events:report_queue"))
    assert len(response.context["reports"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_my_reports_costs_the_same_for_one_and_many(client, cast, django_assert_num_queries, rows):
    _reports(cast, rows)
    client.force_login(cast.applicant_a)
    # session, user, roles, count, page of reports, reportable activities, their units, session save (3)
    with django_assert_num_queries(10):
        response = client.get(reverse("events:my_reports"))
    assert len(response.context["reports"]) == rows
    assert len(response.context["reportable"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_festival_list_costs_the_same_for_one_and_many(client, django_assert_num_queries, rows):
    FestivalFactory.create_batch(rows)
    with django_assert_num_queries(2):  # count, page
        client.get(reverse("events:festival_list"))
