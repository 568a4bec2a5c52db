import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.tests.factories import CampaignFactory
from events.models import ActivityReport
from events.tests.factories import ActivityReportFactory, FestivalFactory, ReportPhotoFactory


@pytest.mark.django_db
def test_home_shows_current_festival_open_campaign_with_days_left_and_past_festivals(client):
    FestivalFactory(title="昆山市第三届社工节")
    last_year = timezone.localdate() - dt.timedelta(days=365)
    FestivalFactory(title="昆山市第二届社工节", starts_on=last_year, ends_on=last_year + dt.timedelta(days=30))
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC), tick=False):
        CampaignFactory(
            title="2026年昆山市优秀社工案例评选",
            submission_closes_at=dt.datetime(2026, 3, 10, 15, 59, 59, tzinfo=dt.UTC),  # 23:59:59 in Shanghai
        )
        page = client.get("/").content.decode()

    assert "昆山市第三届社工节" in page
    assert "2026年昆山市优秀社工案例评选" in page and "组织申报" in page
    assert "还剩 5 天" in page
    assert "往届回顾" in page and "昆山市第二届社工节" in page


@pytest.mark.django_db
def test_home_says_today_on_the_deadline_day(client):
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        CampaignFactory(submission_closes_at=dt.datetime(2026, 3, 10, 15, 59, 59, tzinfo=dt.UTC))
        assert "今天截止" in client.get("/").content.decode()


def _home_rows(n):
    for i in range(n):
        FestivalFactory()
        CampaignFactory()
        report = ActivityReportFactory(status=ActivityReport.Status.ACCEPTED, decided_at=timezone.now())
        ReportPhotoFactory(report=report)
        past = timezone.localdate() - dt.timedelta(days=400 + i)
        FestivalFactory(starts_on=past, ends_on=past)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_home_costs_the_same_queries_for_one_and_many_rows(client, django_assert_num_queries, rows):
    _home_rows(rows)
    # current festivals, past festivals, campaigns(+festival, publicity), published results, reports(+org,
    # activity), their photos
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["reports"]) == rows
