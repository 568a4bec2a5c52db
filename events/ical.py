"""iCalendar (.ics) files for an activity or a whole festival, in Asia/Shanghai time."""

from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Kunshan Portal//活动日历//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _event(activity) -> Event:
    host = settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0] or "portal"
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    event.add("summary", activity.title)
    event.add("dtstart", activity.starts_at.astimezone(SHANGHAI))
    event.add("dtend", activity.ends_at.astimezone(SHANGHAI))
    event.add("dtstamp", activity.created_at)
    if activity.venue:
        event.add("location", activity.venue)
    units = "、".join(unit.display_name for unit in activity.units.all())
    lines = [activity.get_kind_display()]
    if units:
        lines.append(f"组织单位：{units}")
    if activity.description:
        lines.append(activity.description)
    event.add("description", "\n".join(lines))
    event.add("url", settings.PORTAL_BASE_URL + activity.get_absolute_url())
    if activity.status == activity.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def activity_ics(activity) -> bytes:
    cal = _calendar(activity.title)
    cal.add_component(_event(activity))
    cal.add_missing_timezones()
    return cal.to_ical()


def festival_ics(festival, activities) -> bytes:
    cal = _calendar(festival.title)
    for activity in activities:
        cal.add_component(_event(activity))
    cal.add_missing_timezones()
    return cal.to_ical()
