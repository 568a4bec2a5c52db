import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cases.tests.factories import CampaignFactory
from events.models import Activity, Festival, Role
from events.tests.factories import ActivityFactory, ActivityUnitFactory, FestivalFactory, FestivalUnitFactory
from events.text import render_markdown

SCRIPT = '<script>alert("x")</script>'


def test_markdown_keeps_formatting_and_drops_scripts_and_handlers():
    html = str(render_markdown(f"**重点**\n\n{SCRIPT}\n\n[链接](javascript:alert(1)) <img src=x onerror=alert(1)>"))
    assert "<strong>重点</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


@pytest.mark.django_db
def test_festival_page_shows_theme_goals_units_and_the_case_award_phases_in_its_timeline(client):
    festival = FestivalFactory(goals="总结发展成果，展示优秀成果；\n加强长三角区域社会工作领域的交流与合作。")
    FestivalUnitFactory(festival=festival, role=Role.HOST, name="昆山市民政局")
    FestivalUnitFactory(festival=festival, role=Role.INVITED, name="长三角区域优秀社会组织")
    CampaignFactory(festival=festival, announced_on=timezone.localdate() - dt.timedelta(days=6))
    ActivityFactory(festival=festival, title="长三角社会工作创新发展论坛")
    ActivityFactory(festival=festival, title="未发布的活动", status=Activity.Status.DRAFT)

    page = client.get(festival.get_absolute_url()).content.decode()

    assert "主题：追梦新征程，社工在行动" in page
    assert "加强长三角区域社会工作领域的交流与合作。" in page
    assert "主办单位" in page and "昆山市民政局" in page and "邀请单位" in page
    for phase in ("发文启动", "组织申报", "案例评选", "结果公示", "颁奖"):
        assert phase in page
    assert "长三角社会工作创新发展论坛" in page
    assert "未发布的活动" not in page
    assert "昆山市第三届社工节活动" in page  # the banner text every organiser must hang


@pytest.mark.django_db
def test_script_in_festival_and_activity_titles_and_bodies_is_escaped_or_removed(client):
    festival = FestivalFactory(title=f"社工节{SCRIPT}", theme=SCRIPT, body=f"正文{SCRIPT}")
    activity = ActivityFactory(festival=festival, title=f"论坛{SCRIPT}", description=f"介绍{SCRIPT}", venue=SCRIPT)

    for url in (festival.get_absolute_url(), activity.get_absolute_url(), reverse("events:calendar"), "/"):
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "论坛&lt;script&gt;" in page


@pytest.mark.django_db
def test_draft_festival_activities_are_not_public_even_when_the_activity_is_published(client):
    activity = ActivityFactory(festival=FestivalFactory(status=Festival.Status.DRAFT))
    assert client.get(activity.get_absolute_url()).status_code == 404
    assert activity.title not in client.get(reverse("events:calendar")).content.decode()


@pytest.mark.django_db
def test_calendar_places_an_activity_on_each_day_it_runs_and_filters_by_kind_and_district(client):
    day = timezone.localdate().replace(day=10)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    ActivityFactory(title="区镇联动活动", kind=Activity.Kind.DISTRICT, district="周市镇", starts_at=start,
                    ends_at=start + dt.timedelta(days=2))  # fmt: skip
    ActivityFactory(title="论坛活动", kind=Activity.Kind.FORUM, district="玉山镇", starts_at=start,
                    ends_at=start + dt.timedelta(hours=3))  # fmt: skip
    url = reverse("events:calendar") + f"?month={day:%Y-%m}"

    response = client.get(url)
    cells = {d["date"]: [a.title for a in d["activities"]] for week in response.context["weeks"] for d in week}
    assert cells[day] == ["区镇联动活动", "论坛活动"]
    assert cells[day + dt.timedelta(days=2)] == ["区镇联动活动"]
    assert cells[day + dt.timedelta(days=3)] == []

    filtered = client.get(url + "&kind=district&district=周市镇").context["activities"]
    assert [a.title for a in filtered] == ["区镇联动活动"]
    assert client.get(url + "&district=周庄镇").context["activities"] == []


@pytest.mark.django_db
def test_activity_list_filters_by_date_window(client):
    now = timezone.now()
    ActivityFactory(title="上周的活动", starts_at=now - dt.timedelta(days=8), ends_at=now - dt.timedelta(days=7))
    ActivityFactory(title="下周的活动", starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=8))
    today = timezone.localdate()
    response = client.get(reverse("events:activity_list"), {"date_from": today.isoformat()})
    assert [a.title for a in response.context["activities"]] == ["下周的活动"]


def _calendar_rows(n):
    start = timezone.now().replace(day=10, hour=2)
    for i in range(n):
        activity = ActivityFactory(starts_at=start + dt.timedelta(days=i % 5), ends_at=start + dt.timedelta(days=i % 5))
        ActivityUnitFactory(activity=activity)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 8])
def test_calendar_costs_the_same_queries_for_one_and_many_activities(client, django_assert_num_queries, rows):
    _calendar_rows(rows)
    with django_assert_num_queries(2):  # activities with their festival; their units with organisations
        response = client.get(reverse("events:calendar"))
    assert len(response.context["activities"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 8])
def test_activity_list_costs_the_same_queries_for_one_and_many_activities(client, django_assert_num_queries, rows):
    _calendar_rows(rows)
    with django_assert_num_queries(3):
        client.get(reverse("events:activity_list"))


@pytest.mark.django_db
def test_activity_ics_is_in_shanghai_time_with_title_venue_and_units(client):
    start = timezone.make_aware(dt.datetime(2026, 3, 22, 9, 0))
    activity = ActivityFactory(
        title="长三角社会工作创新发展论坛", starts_at=start, ends_at=start + dt.timedelta(hours=8)
    )
    ActivityUnitFactory(activity=activity, organisation__name="昆山市社会工作协会")

    response = client.get(reverse("events:activity_ics", kwargs={"pk": activity.pk}))

    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "长三角社会工作创新发展论坛"
    assert event["DTSTART"].dt.hour == 9 and str(event["DTSTART"].dt.tzinfo) == "Asia/Shanghai"
    assert "昆山市社会工作协会" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_festival_ics_lists_its_public_activities_only(client):
    festival = FestivalFactory()
    ActivityFactory(festival=festival, title="公开活动")
    ActivityFactory(festival=festival, title="草稿活动", status=Activity.Status.DRAFT)
    response = client.get(reverse("events:festival_ics", kwargs={"slug": festival.slug}))
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert titles == ["公开活动"]


@pytest.mark.django_db
def test_banner_is_a_wide_png_made_from_the_festival(client):
    from io import BytesIO

    from PIL import Image

    festival = FestivalFactory()
    response = client.get(reverse("events:festival_banner", kwargs={"slug": festival.slug}))
    image = Image.open(BytesIO(response.content))
    assert response["Content-Type"] == "image/png"
    assert image.size == (2400, 600)


@pytest.mark.django_db
def test_banner_without_a_chinese_font_fails_with_a_clear_message(client, monkeypatch):
    from events import banner

    monkeypatch.setattr(banner, "KNOWN_FONTS", ("/nonexistent/NotoSansCJK-Bold.ttc",))
    monkeypatch.setenv("PATH", "/nonexistent")  # no fc-list either
    banner.chinese_font_path.cache_clear()
    banner.banner_png.cache_clear()
    try:
        response = client.get(reverse("events:festival_banner", kwargs={"slug": FestivalFactory().slug}))
    finally:
        banner.chinese_font_path.cache_clear()
        banner.banner_png.cache_clear()
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()
