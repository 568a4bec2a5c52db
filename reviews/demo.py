"""Demo: last year's finished campaign (第二届) with an expert panel, reviews and a ranking with tiers,
so a newcomer can open every page of the review. Idempotent: nothing is created twice."""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from cases.models import DEFAULT_DOMAINS, SECTIONS, Application, Campaign, TeamMember

from . import selectors, services
from .models import Assignment, PanelMember, Review, ReviewerProfile, Score

SLUG = "kunshan-excellent-cases-previous"
SHANGHAI = ZoneInfo("Asia/Shanghai")

EXPERTS = [
    ("陈教授", "reviewer@demo.ks.gov.cn", "苏州大学社会学院", "教授", ["儿童及青少年", "学校社工"]),
    ("吴老师", "expert.wu@demo.ks.gov.cn", "昆山市社会工作协会", "高级社会工作师", ["老龄事业", "社区建设"]),
    ("郑主任", "expert.zheng@demo.ks.gov.cn", "昆山市第一人民医院", "医务社工部主任", ["医务社工", "残障服务"]),
    ("孙督导", "expert.sun@demo.ks.gov.cn", "阳光社会工作服务中心", "督导", ["社会救助", "妇女家庭"]),
]
CASES = [
    ("留守儿童“成长伙伴”个案服务", "casework", "儿童及青少年"),
    ("失独老人哀伤辅导个案", "casework", "老龄事业"),
    ("社区长者互助小组", "group", "老龄事业"),
    ("青少年情绪管理成长小组", "group", "儿童及青少年"),
    ("老旧小区“楼道议事会”社区营造", "community", "社区建设"),
    ("困境家庭“微心愿”社区支持网络", "community", "社会救助"),
]
OPINION = "案例背景清楚，需求分析有依据，服务计划与目标对应，实施过程记录详实，评估方法较为规范，专业反思有深度。"


def _at(day: dt.date, hour=0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def seed(out, *, today: dt.date, people: dict) -> dict:
    y = today.year - 1
    campaign, created = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": f"{y}年昆山市优秀社工案例评选（第二届）",
            "is_published": True,
            "case_period_start": dt.date(y - 3, 1, 1),
            "case_period_end": dt.date(y - 1, 12, 31),
            "submission_opens_at": _at(dt.date(y, 2, 28)),
            "submission_closes_at": _at(dt.date(y, 3, 10), 23),
            "review_opens_at": _at(dt.date(y, 3, 11)),
            "review_closes_at": _at(dt.date(y, 3, 12), 23),
            "publicity_starts_at": _at(dt.date(y, 3, 13)),
            "publicity_ends_at": _at(dt.date(y, 3, 15), 23),
            "ceremony_at": _at(dt.date(y, 3, 22), 14),
        },
    )
    if not created:
        out.write(f"已存在评审演示：{campaign.title}\n")
        return {"campaign": campaign}

    staff = people["users"]["staff"]
    experts = []
    for name, email, org, title, expertise in EXPERTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, name=name, is_reviewer=True)
            user.set_unusable_password()  # demo experts other than 陈教授 never log in
            user.save()
        ReviewerProfile.objects.get_or_create(
            user=user, defaults={"organisation": org, "title": title, "expertise": expertise}
        )
        PanelMember.objects.get_or_create(campaign=campaign, reviewer=user)
        experts.append(user)

    services.rubric_ensure(campaign=campaign)
    settings_row = selectors.review_settings_get(campaign=campaign)
    settings_row.save()
    services.tiers_save(
        campaign=campaign,
        tiers=[
            {"name": "一等奖", "by": "count", "value": Decimal(1)},
            {"name": "二等奖", "by": "count", "value": Decimal(2)},
            {"name": "优秀奖", "by": "count", "value": Decimal(3)},
        ],
        by=staff,
    )

    applicants = [people["users"]["applicant"], people["users"]["applicant_b"]]
    orgs = people["organisations"]
    rng = random.Random(2)
    for i, (title, category, domain) in enumerate(CASES):
        applicant, org = applicants[i % 2], orgs[i % 2]
        app = Application.objects.create(
            campaign=campaign,
            applicant=applicant,
            organisation=org,
            status=Application.Status.ACCEPTED,
            reference=f"KS{y}-{i + 1:04d}",
            title=title,
            period_start=dt.date(y - 2, 3, 1),
            period_end=dt.date(y - 1, 6, 30),
            declaring_unit=org.name,
            organisation_name=org.name,
            applicant_name=applicant.name,
            phone=applicant.phone,
            email=applicant.email,
            category=category,
            domain=domain if domain in DEFAULT_DOMAINS else "综合及其他",
            pledge_accepted=True,
            pledge_signature=applicant.name,
            submitted_at=_at(dt.date(y, 3, 5)),
            **{name: f"{heading}：社会工作者与服务对象一起……（演示正文）" for name, heading in SECTIONS},
        )
        TeamMember.objects.create(application=app, name=applicant.name, unit_and_title=f"{org.name} 社工")
    services.assignments_auto(campaign=campaign, by=staff)
    leaves = selectors.rubric_leaves(selectors.rubric_tree(campaign))
    for assignment in Assignment.objects.filter(application__campaign=campaign).select_related("application"):
        review = Review.objects.create(assignment=assignment, opinion=OPINION, submitted_at=_at(dt.date(y, 3, 12), 16))
        points = {
            leaf.pk: Decimal(rng.randint(int(leaf.max_points) * 6, int(leaf.max_points) * 10)) / 10 for leaf in leaves
        }
        points = {k: (v * 2).quantize(Decimal("1")) / 2 for k, v in points.items()}
        Score.objects.bulk_create(Score(review=review, criterion_id=k, points=v) for k, v in points.items())
        Review.objects.filter(pk=review.pk).update(
            status=Review.Status.SUBMITTED, total=sum(points.values(), Decimal("0"))
        )
    services.campaign_scores_rebuild(campaign=campaign)  # the reviews above were written outside review_save
    services.decision_confirm(campaign=campaign, by=staff)
    out.write(
        f"已创建评审演示：{campaign.title}（{len(CASES)} 个案例，{len(experts)} 位专家，评审已完成，奖项已确认）\n"
    )
    return {"campaign": campaign, "at": timezone.now()}
