"""The 3rd Kunshan Social Worker Festival (seed 000) and its five activities, moved into the current year;
the 2nd festival as last year's archive. Idempotent: everything is found by slug or title before it is made."""

import datetime as dt
from zoneinfo import ZoneInfo

from accounts.models import Organisation

from .models import Activity, ActivityUnit, Festival, FestivalUnit, Role

FESTIVAL_SLUG = "kunshan-3rd-social-worker-festival"
PAST_FESTIVAL_SLUG = "kunshan-2nd-social-worker-festival"
SHANGHAI = ZoneInfo("Asia/Shanghai")

ORGANISERS = [
    "中共昆山市社会组织委员会",
    "昆山市社会组织发展中心",
    "昆山市社会工作协会",
    "昆山市公益创新中心",
    "昆山市乐仁公益发展中心",
    "苏州市乐仁乐助公益发展与评估中心",
]
FESTIVAL_UNITS = [
    (Role.HOST, "昆山市民政局"),
    *[(Role.ORGANISER, name) for name in ORGANISERS],
    (Role.CO_ORGANISER, "昆山市社区服务社会化项目各中标单位"),
    (Role.CO_ORGANISER, "昆山市各区镇民政办和城市管理办事处社会事业科"),
    (Role.CO_ORGANISER, "其他主动参与协办的社会组织"),
    (Role.INVITED, "长三角区域优秀社会组织"),
]
CHANNELS = "昆山社会组织网站\n昆山社会组织微信公众号\n昆山市公益创新中心微信公众号\n所有参与组织自有宣传载体"
BODY = (
    "2019年3月19日是第13个“世界社工日”。昆山作为“全国社会工作服务示范地区”，"
    "联合全市各基层组织和相关社会工作机构，共同举办“昆山市第三届社工节”系列活动，"
    "进一步调动和激发社会工作从业人员的爱国热情，发挥专业优势，满足群众期待。\n\n"
    "**相关要求**：全市所有参与活动承办的单位和团队，须在节日期间的活动现场悬挂“昆山市第三届社工节活动”横幅，"
    "并利用各类线上线下载体和平台，加入“昆山市第三届社工节”元素和宣传主题内容。"
    "活动结束后，请在本门户“活动报送”中提交活动信息和照片。\n"
)
# Demo organisation (from accounts.demo) that runs a community team's activity, so its users can file a report.
DEMO_TEAM_ORGANISATION = "昆山市阳光社会工作服务中心"


def timeline_offset(today: dt.date) -> dt.timedelta:
    """Shift the notice's dates so that today falls in the middle of its submission window
    (2/28–3/10 in the notice, so 3/5 lands on today)."""
    return today - dt.date(today.year, 3, 5)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _activities(year: int, shift: dt.timedelta) -> list[dict]:
    def d(month, day):
        return dt.date(year, month, day) + shift

    organisers = [(Role.ORGANISER, name) for name in ORGANISERS]
    return [
        {
            "kind": Activity.Kind.FORUM,
            "title": "长三角社会工作创新发展论坛",
            "starts_at": _at(d(3, 22), 9),
            "ends_at": _at(d(3, 22), 17),
            "venue": "昆山市会议中心",
            "district": "市属",
            "description": "邀请上海、昆山、苏州、无锡、南京、杭州、宁波、嘉兴、合肥、安庆、芜湖等地"
            "行业专家和社会组织代表参与，"
            "举办“长三角社工发展”论坛，畅谈长三角社会工作如何一体化发展，展示昆山发展成果。",
            "units": organisers,
        },
        {
            "kind": Activity.Kind.AWARD,
            "title": "优秀社会工作案例评选",
            "starts_at": _at(d(2, 28), 0),
            "ends_at": _at(d(3, 22), 23, 59),
            "venue": "线上申报（本门户）",
            "district": "市属",
            "description": "对在长者服务、残障服务、儿童服务、青少年服务、妇女"
            "服务、社区建设、社会救助、社区矫正、禁毒戒毒、"
            "学校社工和医务社工等领域运用社会工作专业方法为服务对象提供直接服务的案例，开展优秀评选活动。",
            "units": organisers,
        },
        {
            "kind": Activity.Kind.PUBLICITY,
            "title": "宣传展示社工知识和优秀社工风采",
            "starts_at": _at(d(3, 1), 0),
            "ends_at": _at(d(3, 31), 23, 59),
            "venue": "昆山社会组织网站、微信公众号及各参与组织自有宣传载体",
            "district": "",
            "description": "宣传载体：昆山社会组织网站、昆山社会组织微信公众号、昆山"
            "市公益创新中心微信公众号、所有参与组织自有宣传载体。",
            "units": [(Role.HOST, "昆山市民政局")],
        },
        {
            "kind": Activity.Kind.DISTRICT,
            "title": "区镇联动营造社工节氛围",
            "starts_at": _at(d(3, 15), 0),
            "ends_at": _at(d(3, 22), 23, 59),
            "venue": "各区镇公益坊",
            "district": "",
            "description": "各区镇民政办、城市管理办事处社会事业科围绕社工节主题，"
            "借助镇级公益坊，联动社区服务社会化项目中标单位，"
            "结合本土实际共同策划“社工节”期间主题特色活动。",
            "units": [(Role.ORGANISER, "各区镇民政办、城市管理办事处社会事业科")],
        },
        {
            "kind": Activity.Kind.COMMUNITY_TEAM,
            "title": "社区项目团队响应社工节",
            "starts_at": _at(d(3, 15), 0),
            "ends_at": _at(d(3, 22), 23, 59),
            "venue": "各项目落地社区",
            "district": "",
            "description": "昆山市第六届公益创投项目团队在落地社区，"
            "通过展架宣传、主题沙龙、知识竞赛、小组活动等多种形式，"
            "策划一场与社工相关的主题宣传或教育活动，增强服务对象对社会工作者的职业认知和认同。",
            "units": [
                (Role.ORGANISER, "昆山市第六届公益创投活动获选项目组织"),
                (Role.ORGANISER, "各辖区微创投活动被资助项目团队"),
                (Role.ORGANISER, DEMO_TEAM_ORGANISATION),
            ],
        },
    ]


def _units(model, owner_field: str, owner, units) -> None:
    if model.objects.filter(**{owner_field: owner}).exists():
        return
    registered = {o.name: o for o in Organisation.objects.filter(name__in=[name for _, name in units])}
    for position, (role, name) in enumerate(units):
        org = registered.get(name)
        model.objects.create(
            **{owner_field: owner},
            role=role,
            organisation=org,
            name="" if org else name,
            position=position,
        )


def seed(out, *, today: dt.date) -> dict:
    shift = timeline_offset(today)
    festival, created = Festival.objects.get_or_create(
        slug=FESTIVAL_SLUG,
        defaults={
            "title": "昆山市第三届社工节",
            "edition": "第三届",
            "year": today.year,
            "theme": "追梦新征程，社工在行动",
            "goals": "总结发展成果，展示优秀成果；\n加强长三角区域社会工作领域的交流与合作。",
            "starts_on": dt.date(today.year, 3, 1) + shift,
            "ends_on": dt.date(today.year, 3, 31) + shift,
            "body": BODY,
            "banner_text": "昆山市第三届社工节活动",
            "publicity_channels": CHANNELS,
            "status": Festival.Status.PUBLISHED,
        },
    )
    out.write(("已创建" if created else "已存在") + f"社工节：{festival.title}\n")
    _units(FestivalUnit, "festival", festival, FESTIVAL_UNITS)
    made = 0
    for spec in _activities(today.year, shift):
        units = spec.pop("units")
        activity, was_made = Activity.objects.get_or_create(
            festival=festival, title=spec["title"], defaults={**spec, "status": Activity.Status.PUBLISHED}
        )
        made += was_made
        _units(ActivityUnit, "activity", activity, units)
    out.write(f"社工节活动：新建 {made} 项，共 {festival.activities.count()} 项\n")

    last_year = today.year - 1
    past, created = Festival.objects.get_or_create(
        slug=PAST_FESTIVAL_SLUG,
        defaults={
            "title": "昆山市第二届社工节",
            "edition": "第二届",
            "year": last_year,
            "theme": "社工让生活更美好",
            "starts_on": dt.date(last_year, 3, 1) + shift,
            "ends_on": dt.date(last_year, 3, 31) + shift,
            "banner_text": "昆山市第二届社工节活动",
            "status": Festival.Status.PUBLISHED,
        },
    )
    out.write(("已创建" if created else "已存在") + f"往届社工节：{past.title}\n")
    return {"festival": festival, "shift": shift}
