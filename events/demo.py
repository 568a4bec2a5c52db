"""The 3rd Kunshan Social Worker Festival (seed 000), moved into the current year."""

import datetime as dt

from .models import Festival

FESTIVAL_SLUG = "kunshan-3rd-social-worker-festival"


def timeline_offset(today: dt.date) -> dt.timedelta:
    """Shift the notice's dates so that today falls in the middle of its submission window
    (2/28–3/10 in the notice, so 3/5 lands on today)."""
    return today - dt.date(today.year, 3, 5)


def seed(out, *, today: dt.date) -> dict:
    shift = timeline_offset(today)
    festival, created = Festival.objects.get_or_create(
        slug=FESTIVAL_SLUG,
        defaults={
            "title": "昆山市第三届社工节",
            "edition": "第三届",
            "year": today.year,
            "theme": "追梦新征程，社工在行动",
            "goals": "展示昆山社会工作发展成果，弘扬社会工作专业价值，提升社会工作者职业认同，"
            "营造全社会关心支持社会工作的良好氛围。",
            "starts_on": dt.date(today.year, 3, 1) + shift,
            "ends_on": dt.date(today.year, 3, 31) + shift,
            "status": Festival.Status.PUBLISHED,
        },
    )
    out.write(("已创建" if created else "已存在") + f"社工节：{festival.title}\n")
    return {"festival": festival, "shift": shift}
