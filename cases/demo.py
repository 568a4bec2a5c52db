"""The festival's case award (昆山市优秀社工案例评选), timeline moved like the festival's."""

import datetime as dt
from zoneinfo import ZoneInfo

from .models import Campaign

CAMPAIGN_SLUG = "kunshan-excellent-cases"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def seed(out, *, today: dt.date, festival, shift: dt.timedelta) -> dict:
    y = today.year

    def d(month, day):
        return dt.date(y, month, day) + shift

    campaign, created = Campaign.objects.get_or_create(
        slug=CAMPAIGN_SLUG,
        defaults={
            "title": f"{y}年昆山市优秀社工案例评选",
            "festival": festival,
            "description": (
                "为总结推广社会工作服务经验，发挥优秀案例的示范引领作用，现面向全市社会工作者开展优秀社工案例评选。"
                "案例须真实、专业、完整并具有示范性；正文以 5000—10000 字为宜。"
            ),
            "is_published": True,
            "announced_on": d(2, 28),
            "case_period_start": dt.date(y - 3, 1, 1),
            "case_period_end": dt.date(y - 1, 12, 31),
            "submission_opens_at": _at(d(2, 28)),
            "submission_closes_at": _at(d(3, 10), 23, 59, 59),
            "review_opens_at": _at(d(3, 11)),
            "review_closes_at": _at(d(3, 12), 23, 59, 59),
            "publicity_starts_at": _at(d(3, 13)),
            "publicity_ends_at": _at(d(3, 15), 23, 59, 59),
            "ceremony_at": _at(d(3, 22), 14),
            "contact": "昆山市民政局社会工作处 0512-57503000",
        },
    )
    out.write(("已创建" if created else "已存在") + f"评选活动：{campaign.title}\n")
    return {"campaign": campaign}
