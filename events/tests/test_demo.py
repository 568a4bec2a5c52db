import datetime as dt
import io

import pytest

from accounts import demo as accounts_demo
from events import demo
from events.models import Activity, ActivityUnit, Festival, FestivalUnit


@pytest.mark.django_db
def test_demo_seeds_the_third_festival_with_its_five_activities_and_organisers_once():
    today = dt.date(2026, 3, 5)
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO(), today=today)
    demo.seed(io.StringIO(), today=today)

    festival = Festival.objects.get(slug=demo.FESTIVAL_SLUG)
    activities = {a.kind: a for a in festival.activities.all()}
    assert festival.activities.count() == 5
    assert set(activities) == {
        Activity.Kind.FORUM,
        Activity.Kind.AWARD,
        Activity.Kind.PUBLICITY,
        Activity.Kind.DISTRICT,
        Activity.Kind.COMMUNITY_TEAM,
    }
    forum = activities[Activity.Kind.FORUM]
    assert forum.title == "长三角社会工作创新发展论坛" and forum.starts_at.date() == dt.date(2026, 3, 22)
    assert FestivalUnit.objects.get(festival=festival, role="host").display_name == "昆山市民政局"
    assert FestivalUnit.objects.filter(festival=festival).count() == 11
    # A demo organisation runs the community teams' activity, so its users can file a report.
    team = ActivityUnit.objects.filter(activity=activities[Activity.Kind.COMMUNITY_TEAM], organisation__isnull=False)
    assert team.count() == 1
    assert Festival.objects.past(today).filter(slug=demo.PAST_FESTIVAL_SLUG).exists()


@pytest.mark.django_db
def test_demo_dates_move_with_the_shift():
    demo.seed(io.StringIO(), today=dt.date(2026, 3, 15))  # ten days later than the notice's 3/5
    forum = Activity.objects.get(kind=Activity.Kind.FORUM)
    assert forum.starts_at.date() == dt.date(2026, 4, 1)
