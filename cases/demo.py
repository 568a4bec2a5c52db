"""The festival's case award (昆山市优秀社工案例评选), timeline moved like the festival's, and a dozen
applications in every state so a newcomer sees a lived-in portal. Idempotent: found by slug / title."""

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from .models import Application, Campaign, CasePhoto, Endorsement, TeamMember

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
    made = seed_applications(out, campaign=campaign)
    return {"campaign": campaign, "applications": made}


# --- Demo applications -----------------------------------------------------------------------

PARAGRAPH = {
    "background": (
        "服务对象A，七十八岁，独居，子女在外地工作。社区网格员在走访中发现其长期闭门不出，遂转介至社会工作者。"
    ),
    "analysis": ("社会工作者运用生态系统理论分析服务对象的支持网络：家庭支持薄弱，邻里关系疏离，社区资源未被链接。"),
    "plan": (
        "理论依据为社会支持理论；服务目标是重建服务对象的社会支持网络；"
        "服务程序安排分为建立关系、链接资源、巩固成效三个阶段。"
    ),
    "implementation": (
        "第一阶段，社会工作者每周入户两次，与服务对象建立信任关系；第二阶段，链接社区志愿者与老年协会资源。"
    ),
    "evaluation": "通过前后测量表与访谈评估，服务对象的孤独感得分明显下降，每周参加社区活动两次以上。",
    "reflection": "社会工作者在服务中坚持以服务对象为中心，尊重其自决；同时反思资源链接的可持续性。",
}

# (title, applicant key, category, domain, status)
DEMO_APPLICATIONS = [
    ("“银龄同行”独居老人社会支持网络重建个案", "applicant", "casework", "老龄事业", "recommended"),
    ("“彩虹桥”流动儿童社会融入小组", "applicant", "group", "儿童及青少年", "submitted"),
    ("“邻里守望”老旧小区社区营造项目", "applicant_b", "community", "社区建设", "recommended"),
    ("“心灵港湾”困境妇女赋能小组", "applicant_b", "group", "妇女家庭", "submitted"),
    ("“阳光驿站”社区戒毒康复人员个案", "applicant", "casework", "禁毒戒毒", "returned"),
    ("“同心圆”残障青年就业支持小组", "applicant_b", "group", "残障服务", "withdrawn"),
    ("“医路同行”住院患儿家庭支持个案", "applicant", "casework", "医务社工", "draft"),
    ("“校园护航”初中生学业压力疏导小组", "applicant_b", "group", "学校社工", "draft"),
    ("“暖心帮扶”低保家庭社会救助个案", "applicant", "casework", "社会救助", "submitted"),
    ("“新起点”社区矫正对象社会适应小组", "applicant_b", "group", "矫治帮扶", "recommended"),
    ("“老兵之家”优抚对象社区服务项目", "applicant", "community", "优抚安置", "withdrawn"),
    ("“社工+志愿者”双工联动社区治理项目", "applicant_b", "community", "社会工作发展", "draft"),
]


def _demo_photo(seed: int, label: str) -> bytes:
    """A generated photo-like JPEG (coloured shapes), so thumbnails have something to show."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (960, 720), tuple(rng.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 900), rng.randint(0, 660)
        r = rng.randint(30, 140)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(40, 250) for _ in range(3)))
    draw.rectangle((0, 660, 960, 720), fill=(179, 38, 30))
    draw.text((20, 680), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _next_reference(campaign: Campaign) -> str:
    Campaign.objects.filter(pk=campaign.pk).update(reference_counter=F("reference_counter") + 1)
    campaign.refresh_from_db(fields=["reference_counter"])
    year = timezone.localtime(campaign.submission_opens_at, SHANGHAI).year
    return f"{campaign.reference_prefix}{year}-{campaign.reference_counter:04d}"


def seed_applications(out, *, campaign: Campaign) -> list[Application]:
    from accounts.demo import DEMO_USERS
    from accounts.models import Membership, User

    from .services import _findings_count

    emails = {key: email for key, email, *_ in DEMO_USERS}
    users = {
        key: User.objects.filter(email=emails[key]).first()
        for key in ("applicant", "applicant_b", "org_admin", "org_admin_b")
    }
    if not users["applicant"] or not users["applicant_b"]:
        out.write("未找到演示社工账户，跳过演示申报案例。\n")
        return []
    made, created = [], 0
    for index, (title, who, category, domain, status) in enumerate(DEMO_APPLICATIONS):
        applicant = users[who]
        existing = Application.objects.filter(campaign=campaign, title=title).first()
        if existing:
            made.append(existing)
            continue
        membership = Membership.objects.filter(user=applicant).select_related("organisation").first()
        organisation = membership.organisation
        start = dt.date(campaign.case_period_start.year + 1, 1 + index % 6, 1)
        application = Application.objects.create(
            campaign=campaign,
            applicant=applicant,
            organisation=organisation,
            title=title,
            period_start=start,
            period_end=start + dt.timedelta(days=180),
            declaring_unit=organisation.name,
            organisation_name=organisation.name,
            applicant_name=applicant.name,
            phone=applicant.phone,
            email=applicant.email,
            category=category,
            domain=domain,
            pledge_accepted=status != "draft",
            pledge_signature=applicant.name if status != "draft" else "",
            pledged_at=timezone.now() if status != "draft" else None,
            **{name: (text + "\n") * (14 if status != "draft" else 3) for name, text in PARAGRAPH.items()},
        )
        for position, (name, gender, age, level) in enumerate(
            [
                (applicant.name, "female", 31, "social_worker"),
                ("王芳", "female", 27, "assistant"),
                ("陈刚", "male", 38, "none"),
            ]
        ):
            TeamMember.objects.create(
                application=application,
                position=position,
                name=name,
                gender=gender,
                age=age,
                education="本科",
                unit_and_title=f"{organisation.name} 社会工作者",
                years_in_social_work=age - 22,
                certificate_level=level,
            )
        for n in range(0 if category == "casework" and index % 2 else 3):
            photo = CasePhoto(application=application, caption=f"服务现场 {n + 1}", position=n + 1)
            data = _demo_photo(index * 10 + n, f"{title[:12]} {n + 1}")
            photo.image.save(f"demo-{index}-{n}.jpg", ContentFile(data, name=f"demo-{index}-{n}.jpg"), save=False)
            photo.size = len(data)
            photo.save()
        if status != "draft":
            application.reference = _next_reference(campaign)
            application.submitted_at = timezone.now() - dt.timedelta(days=12 - index)
        admin = users["org_admin"] if who == "applicant" else users["org_admin_b"]
        if status in ("recommended", "returned") and admin:
            Endorsement.objects.create(
                application=application,
                decision=status,
                opinion="该案例服务规范、成效明显，同意推荐。"
                if status == "recommended"
                else "请补充服务成效的评估数据后重新提交。",
                decided_by=admin,
            )
            if status == "returned":
                application.return_reason = "请补充服务成效的评估数据后重新提交。"
        application.status = status
        application.findings_count = _findings_count(application)
        application.save()
        made.append(application)
        created += 1
    out.write(f"演示申报案例：新建 {created} 个，共 {len(made)} 个。\n")
    return made
