"""Last year's finished campaign for `seed_demo`: closed publicity with one dismissed objection, published
results and issued certificates, so /verify/<code>/ works on a fresh `make run`. Idempotent."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from cases.models import Application, Campaign

from . import documents, services
from .models import Award, Certificate, Objection, Publicity

SHANGHAI = ZoneInfo("Asia/Shanghai")

CASES = [
    # applicant key, title, category, domain
    ("applicant", "“陪伴成长”困境儿童个案服务", "casework", "儿童及青少年"),
    ("applicant_b", "“银龄互助”社区老年人小组", "group", "老龄事业"),
    ("applicant", "“邻里守望”老旧小区社区营造", "community", "社区建设"),
]


def _at(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def seed(out, *, today: dt.date, people: dict) -> dict:
    y = today.year - 1
    users: dict[str, User] = people["users"]
    staff = users["staff"]
    campaign, created = Campaign.objects.get_or_create(
        slug=f"kunshan-excellent-cases-{y}",
        defaults={
            "title": f"{y}年昆山市优秀社工案例评选",
            "description": "上一届评选：已完成结果公示、发布获奖名单并颁发荣誉证书。",
            "is_published": True,
            "announced_on": dt.date(y, 2, 28),
            "case_period_start": dt.date(y - 3, 1, 1),
            "case_period_end": dt.date(y - 1, 12, 31),
            "submission_opens_at": _at(y, 2, 28),
            "submission_closes_at": _at(y, 3, 10, 23, 59, 59),
            "review_opens_at": _at(y, 3, 11),
            "review_closes_at": _at(y, 3, 12, 23, 59, 59),
            "publicity_starts_at": _at(y, 3, 13),
            "publicity_ends_at": _at(y, 3, 15, 23, 59, 59),
            "ceremony_at": _at(y, 3, 22, 14),
            "contact": "昆山市民政局社会工作处 0512-57503000",
        },
    )
    awards = []
    for i, (key, title, category, domain) in enumerate(CASES, start=1):
        user = users[key]
        organisation = user.memberships.select_related("organisation").first().organisation
        application, _ = Application.objects.get_or_create(
            reference=f"KS{y}-{i:04d}",
            defaults={
                "campaign": campaign,
                "applicant": user,
                "organisation": organisation,
                "status": Application.Status.ACCEPTED,
                "title": title,
                "period_start": dt.date(y - 2, 3, 1),
                "period_end": dt.date(y - 1, 10, 31),
                "declaring_unit": organisation.name,
                "organisation_name": organisation.name,
                "applicant_name": user.name,
                "phone": user.phone,
                "email": user.email,
                "category": category,
                "domain": domain,
                "background": "（演示数据）案例背景介绍。",
                "pledge_accepted": True,
                "pledge_signature": user.name,
                "submitted_at": _at(y, 3, 5, 10),
            },
        )
        award, _ = Award.objects.get_or_create(
            application=application,
            defaults={
                "campaign": campaign,
                "tier": "优秀",
                "rank": i,
                "confirmed_by": staff,
                "confirmed_at": _at(y, 3, 12, 18),
            },
        )
        awards.append(award)
    if not Objection.objects.filter(campaign=campaign).exists():
        Objection.objects.create(
            campaign=campaign,
            award=awards[1],
            name="赵某某",
            phone="13912345678",
            email="objector@example.org",
            reason="（演示数据）认为该小组的活动次数与案例描述不符，请核实。",
            status=Objection.Status.DISMISSED,
            reply="经调阅活动签到表和照片核实，活动次数与案例描述一致，异议不成立。",
            decided_by=staff,
            decided_at=_at(y, 3, 16, 10),
        )
    Publicity.objects.get_or_create(
        campaign=campaign, defaults={"results_published_at": _at(y, 3, 17, 9), "results_published_by": staff}
    )
    template = services.certificate_template_get(campaign)
    services.certificates_allocate(campaign=campaign)
    if documents.soffice_path() is None:
        out.write("未安装 LibreOffice：演示证书只生成 Word 版本，跳过 PDF。\n")
    services.certificate_files_generate(campaign=campaign)
    certificates = list(Certificate.objects.filter(campaign=campaign).select_related("award__application"))
    out.write(("已创建" if created else "已存在") + f"往届评选活动：{campaign.title}（证书模板：{template.title}）\n")
    for certificate in certificates:
        out.write(
            f"  证书 {certificate.number} {certificate.award.application.applicant_name}："
            f"{settings.PORTAL_BASE_URL}/verify/{certificate.code}/\n"
        )
    return {"campaign": campaign, "certificates": certificates, "now": timezone.now()}
