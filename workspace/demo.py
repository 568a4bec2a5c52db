"""Two finished example campaigns for `seed_demo`, one of each preset beside the case award, so a newcomer sees a
project call (社会工作服务项目申报, 青铜峡's shape, seed 004) and a station evaluation (社工站评估, 淮安's shape,
seed 001) from the call to the published results. Every window lies in the past, relative to today.

Both are made as staff and applicants would make them: through the services (campaign_create, the timeline, the
materials and eligibility rows, organisation profiles, application_start / save / material_add / submit, the formal
check, the rubric, assignments, review_save, the decision, the award list, the results). Idempotent: a campaign
found by its slug is left as it is (seed_demo runs in one transaction, so it is never half made)."""

import datetime as dt
import io
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from accounts.models import Membership, Organisation, OrganisationProfile, User
from accounts.services import organisation_profile_save
from accounts.validators import credit_code_check_char
from awards.models import Award
from awards.services import awards_from_decision, results_publish
from cases.formdef import answers_clean, campaign_definition
from cases.models import Campaign, EligibilityRule
from cases.presets import PROJECT_CALL, STATION_EVALUATION
from cases.services import (
    application_save_draft,
    application_start,
    application_submit,
    eligibility_rules_save,
    material_add,
    material_slots_save,
)
from reviews import selectors as review_selectors
from reviews.models import Assignment, PanelMember, ReviewerProfile, ReviewSettings
from reviews.services import (
    application_accept,
    assignments_auto,
    criterion_add,
    decision_confirm,
    review_save,
    tiers_save,
)

from .services import campaign_basics_update, campaign_create, campaign_timeline_update
from .timeline import timeline_phases

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROJECT_SLUG = "qingtongxia-project-call-example"
STATION_SLUG = "huaian-station-evaluation-example"

# The demo experts of reviews.demo (陈教授 logs in as reviewer@demo.ks.gov.cn); 孙督导 works at 阳光 and stays out.
PANEL = [
    ("reviewer@demo.ks.gov.cn", "陈教授", "苏州大学社会学院", "教授"),
    ("expert.wu@demo.ks.gov.cn", "吴老师", "昆山市社会工作协会", "高级社会工作师"),
    ("expert.zheng@demo.ks.gov.cn", "郑主任", "昆山市第一人民医院", "医务社工部主任"),
]
OPINIONS = [
    "需求调研扎实，服务目标与指标对应清楚，实施计划可行；建议细化服务成效的评估方法，加强过程记录。",
    "机构专业能力较强，服务内容体现社会工作专业方法；经费预算基本合理，建议进一步明确志愿者培育的路径。",
    "材料完整规范，服务对象需求把握准确，创新之处在于资源整合；建议加强与社区两委的协同和成效的可持续性。",
]


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _jpeg(label: str, seed: int) -> bytes:
    """A small scan-like JPEG: a white page with a red seal and a title bar."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (800, 560), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 780, 540), outline=(120, 90, 40), width=6)
    for row in range(8):
        draw.line((80, 120 + row * 40, 80 + rng.randint(300, 620), 120 + row * 40), fill=(90, 90, 90), width=3)
    draw.ellipse((560, 340, 720, 500), outline=(200, 30, 30), width=8)
    draw.text((60, 50), label, fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _pdf(label: str, seed: int) -> bytes:
    """A one-page PDF (the page is the scan-like image above), valid for the upload checks."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(_jpeg(label, seed))).save(out, "PDF", resolution=72)
    return out.getvalue()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    content_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    return SimpleUploadedFile(name, data, content_type=content_type)


def _organisation(name: str, first17: str, district: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "credit_code": first17 + credit_code_check_char(first17),
            "district": district,
            "kind": Organisation.Kind.SOCIAL_WORK_AGENCY,
            "status": Organisation.Status.APPROVED,
        },
    )
    return org


def _person(email: str, name: str, phone: str, organisation: Organisation) -> User:
    """A demo person who never logs in (no usable password), admin of their organisation: they file its
    application and keep its 机构资质."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, name=name, phone=phone)
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.ADMIN})
    return user


def _panel(campaign: Campaign) -> list[User]:
    experts = []
    for email, name, org, title in PANEL:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, name=name, is_reviewer=True)
            user.set_unusable_password()
            user.save()
        ReviewerProfile.objects.get_or_create(user=user, defaults={"organisation": org, "title": title})
        PanelMember.objects.get_or_create(campaign=campaign, reviewer=user)
        experts.append(user)
    return experts


def _campaign(*, slug: str, title: str, preset: str, dates: dict, description: str, contact: str, staff) -> Campaign:
    """A campaign made as staff make one in the workspace: from the preset, then its timeline, then published."""
    first = dates["submission_opens_at"]
    campaign = campaign_create(title=title, slug=slug, year=first.year, preset=preset, by=staff)
    phases = timeline_phases(campaign=campaign)
    campaign_timeline_update(
        campaign=campaign,
        phases=phases,
        values={m.name: dates.get(m.name) for phase in phases for m in phase.milestones},
        by=staff,
    )
    campaign_basics_update(
        campaign=campaign,
        values={"description": description, "contact": contact, "is_published": True},
        by=staff,
    )
    return campaign


def _file_application(*, campaign: Campaign, user: User, data: dict, materials: list, now: dt.datetime):
    """Start, fill, attach the named materials and submit, at `now` inside the submission window."""
    application = application_start(campaign=campaign, user=user, now=now)
    answers, errors = answers_clean(campaign_definition(campaign), data)
    if errors:
        raise ValueError(f"演示申报内容不合格式：{errors}")
    application = application_save_draft(
        application=application,
        expected_version=application.version,
        fields={},
        answers=answers,
        pledge={"accepted": True, "signature": user.name},
        submitting=True,
    )
    for slot, name, data_bytes in materials:
        material_add(application=application, slot=slot, uploaded_file=_upload(name, data_bytes))
    return application_submit(application_id=application.pk, by=user, confirm_findings=True, now=now)


def _review_all(*, campaign: Campaign, staff, rng: random.Random, quality: dict[int, float]) -> int:
    """Formal check passed for every application, the panel assigned automatically, and every expert's review
    submitted inside the review window. `quality` (application id → 0..1) shapes the scores, so the ranking
    reads like a real one."""
    for application in campaign.applications.order_by("id"):
        application_accept(application=application, by=staff)
    assignments_auto(campaign=campaign, by=staff)
    leaves = review_selectors.rubric_leaves(review_selectors.rubric_tree(campaign))
    when = campaign.review_opens_at + dt.timedelta(days=2)
    count = 0
    for assignment in (
        Assignment.objects.filter(application__campaign=campaign).select_related("application").order_by("id")
    ):
        level = quality[assignment.application_id]
        points = {}
        for leaf in leaves:
            share = min(1.0, max(0.4, level + rng.uniform(-0.08, 0.08)))
            points[leaf.pk] = (Decimal(str(share)) * leaf.max_points * 2).quantize(Decimal("1")) / 2
        review_save(
            assignment=assignment,
            leaves=leaves,
            points=points,
            opinion=OPINIONS[count % len(OPINIONS)],
            submit=True,
            now=when + dt.timedelta(hours=count),
        )
        count += 1
    return count


def _decide_and_publish(*, campaign: Campaign, staff, publish) -> None:
    """Confirm the ranking's decision, put it on the award list, and publish the results the day after the
    publicity window closed (no objection was lodged)."""
    decision_confirm(campaign=campaign, by=staff)
    awards_from_decision(campaign=campaign, by=staff)
    _backdate(campaign)
    publish(campaign=campaign, by=staff, now=campaign.publicity_ends_at + dt.timedelta(days=1))


def _backdate(campaign: Campaign) -> None:
    """The services stamp the pledge, the confirmed decision and the award list with the clock; the example
    happened months ago, so its pages would read "signed today, submitted in spring". Move those stamps to the
    moments the timeline gives (the pledge with its submission, the decision the day the review closed)."""
    campaign.applications.update(pledged_at=F("submitted_at"))
    decided = campaign.review_closes_at + dt.timedelta(days=1)
    ReviewSettings.objects.filter(campaign=campaign).update(decision_confirmed_at=decided)
    Award.objects.filter(campaign=campaign).update(confirmed_at=decided)


def seed(out, *, today: dt.date, people: dict) -> dict:
    staff = people["users"]["staff"]
    project = project_call_seed(out, today=today, people=people, staff=staff)
    station = station_evaluation_seed(out, today=today, people=people, staff=staff)
    return {"project_call": project, "station_evaluation": station}


# ---------------------------------------------------------------- 社会工作服务项目申报（示例）: 青铜峡, seed 004

PROJECT_ORGANISATIONS = [
    # name, credit code's first 17, district, person's e-mail, name, phone
    (
        "青铜峡市馨悦社会工作服务中心",
        "52640381MJ7A2B3C4",
        "裕民街道",
        "xinyue@demo.qtx.example",
        "马晓燕",
        "13995000001",
    ),
    ("青铜峡市恒爱社会工作服务中心", "52640381MJ7D5E6F7", "峡口镇", "hengai@demo.qtx.example", "杨建国", "13995000002"),
]
ELIGIBLE_PROFILE = {
    "registration_authority": "青铜峡市民政局",
    "registered_on": dt.date(2018, 6, 12),
    "inspection_year": 2022,
    "inspection_result": OrganisationProfile.InspectionResult.PASSED,
    "full_time_staff": 6,
    "assistant_social_workers": 2,
    "social_workers": 1,
    "senior_social_workers": 0,
}
# 同心: its 2022 inspection was only 基本合格, so the call's first rule refuses it (its people see why).
INELIGIBLE_PROFILE = {
    **ELIGIBLE_PROFILE,
    "registration_authority": "昆山市民政局",
    "inspection_result": OrganisationProfile.InspectionResult.BASICALLY_PASSED,
    "full_time_staff": 3,
    "assistant_social_workers": 1,
    "social_workers": 0,
}
PROJECT_RUBRIC = [
    ("需求分析", "服务需求调研充分，需求清单与服务对象实际相符。", 20),
    ("项目设计", "目标、服务内容与指标对应，运用社会工作专业方法。", 30),
    ("机构能力", "专职人员与持证社会工作者配备，同类项目经验。", 20),
    ("经费预算", "预算科目清楚、标准合理，不超过项目包额度。", 15),
    ("创新与示范", "服务模式有创新之处，可复制推广。", 15),
]
PROJECT_TEXT = {
    "necessity": "项目团队于申报前走访服务区域内的{area}，采用问卷与入户访谈相结合的方式开展需求调研，"
    "共回收有效问卷一百余份、访谈服务对象及家属三十余人。调研发现，服务对象在日常照料、情绪支持、"
    "社会参与和政策知晓等方面存在明显需求，现有服务以物质帮扶为主，专业服务供给不足。",
    "goals": "项目以{lot}为主线，运用个案工作、小组工作和社区工作方法，围绕“需求评估—分类服务—资源链接—"
    "成效评估”开展服务：建立服务对象档案，开展个案管理；组织支持性与发展性小组；策划社区主题活动，"
    "培育志愿服务队，推动服务对象从受助者转变为参与者。",
    "outcomes": "预期完成个案服务 {cases} 个、小组工作 {groups} 个、社区活动 {events} 场；服务对象满意度不低于 90%；"
    "培育志愿服务队 {teams} 支；形成项目服务手册一册。服务对象的社会支持网络得到加强，社区互助氛围明显改善。",
    "feasibility": "机构现有专职工作人员 6 名，其中持证社会工作者 3 名，近三年承接同类项目 4 个，"
    "均通过末期评估；与街道、社区建立了稳定的合作关系，具备实施本项目的场地、人员与管理条件。",
    "innovation": "项目探索“社会工作者+志愿者+社区两委”联动服务模式，以积分激励带动居民参与，"
    "服务流程和工具可在同类社区复制推广。",
    "schedule": "第1—2个月：需求评估与服务对象建档；第3—9个月：个案、小组、社区活动全面实施；"
    "第6个月：接受中期评估；第10—11个月：成效巩固与志愿服务队培育；第12个月：总结评估，接受末期评估。",
    "budget_detail": "人员经费 {staff_cost} 万元；活动经费 {activity_cost} 万元；"
    "督导、培训与宣传 {training_cost} 万元；管理费用 {admin_cost} 万元。合计 {budget} 万元。",
}
PROJECTS = [
    # title, lot, area, budget (万元), indicators (cases, groups, events, visits, teams), beneficiaries, quality
    ("“夕阳暖心”怡园社区老年人关爱服务项目", 0, "裕民街道怡园社区", "9.60", (12, 4, 8, 60, 2), (150, 600), 0.92),
    ("“银龄互助”社区老年人社会参与项目", 0, "裕民街道怡园社区", "9.80", (10, 3, 6, 50, 1), (120, 480), 0.74),
    ("“护苗成长”沈闸村困境儿童关爱服务项目", 1, "峡口镇沈闸村", "7.90", (10, 4, 6, 40, 1), (80, 320), 0.85),
    ("青铜峡市社会工作服务项目第三方评估", 2, "青铜峡市", "1.90", (0, 0, 2, 0, 0), (30, 200), 0.66),
]
BENEFICIARIES = [
    ["60岁以上老年人", "特困老人"],
    ["60岁以上老年人"],
    ["0-16岁儿童", "困境儿童、留守儿童、孤儿"],
    ["其他"],
]


def project_call_seed(out, *, today: dt.date, people: dict, staff) -> dict:
    if Campaign.objects.filter(slug=PROJECT_SLUG).exists():
        campaign = Campaign.objects.get(slug=PROJECT_SLUG)
        out.write(f"已存在示例：{campaign.title}\n")
        return {"campaign": campaign}
    day = today - dt.timedelta(days=150)
    dates = {
        "announced_on": day,
        "submission_opens_at": _at(day + dt.timedelta(days=1)),
        "submission_closes_at": _at(day + dt.timedelta(days=31), 17),
        "formal_check_closes_at": _at(day + dt.timedelta(days=36), 17),
        "review_opens_at": _at(day + dt.timedelta(days=37)),
        "review_closes_at": _at(day + dt.timedelta(days=50), 17),
        "publicity_starts_at": _at(day + dt.timedelta(days=53)),
        "publicity_ends_at": _at(day + dt.timedelta(days=60), 17),  # 公示 7 days on the government site
    }
    campaign = _campaign(
        slug=PROJECT_SLUG,
        title=f"{dates['submission_opens_at'].year}年青铜峡市社会工作服务项目申报（示例）",
        preset=PROJECT_CALL,
        dates=dates,
        description="（示例评选活动，所有时间均已结束）为推进社会工作服务高质量发展，现面向社会工作服务机构"
        "公开征集社会工作服务项目。本次设老年社会工作服务项目、儿童社会工作服务项目和第三方评估类项目三个项目包；"
        "每个机构最多申报 1 个项目。经专家评审、公示 7 天后签订服务协议，项目实施期间接受中期、末期评估。",
        contact="青铜峡市民政局社会事务股 0953-3012345",
        staff=staff,
    )
    licence, qualification = material_slots_save(
        campaign=campaign,
        rows=[
            {
                "name": "法人登记证书副本（正反面扫描）",
                "required": True,
                "allowed_types": ["jpeg", "png", "pdf"],
                "max_files": 2,
                "help_text": "正、反面各一页，或合并为一个 PDF。",
            },
            {
                "name": "工作人员资质证明",
                "required": False,
                "allowed_types": ["jpeg", "png", "pdf"],
                "max_files": 5,
                "help_text": "专职工作人员的社会工作者职业水平证书等，最多 5 个文件。",
            },
        ],
        by=staff,
    )
    eligibility_rules_save(
        campaign=campaign,
        rows=[
            {"kind": EligibilityRule.Kind.ANNUAL_INSPECTION_PASSED, "year": 2022},
            {"kind": EligibilityRule.Kind.MIN_FULL_TIME_STAFF, "number": 2},
            {"kind": EligibilityRule.Kind.MIN_CERTIFIED, "number": 1, "level": "assistant"},
        ],
        by=staff,
    )
    for name, text, points in PROJECT_RUBRIC:
        criterion_add(campaign=campaign, name=name, description=text, max_points=Decimal(points), by=staff)
    ReviewSettings.objects.update_or_create(
        campaign=campaign,
        defaults={"reviewers_per_application": 3},
    )
    tiers_save(campaign=campaign, tiers=project_tiers(), by=staff)
    _panel(campaign)

    # The applying organisations: 阳光 (its admin keeps the profile, 张敏 files), 益民 and two of 青铜峡.
    users, orgs = people["users"], people["organisations"]
    filers = [
        (orgs[0], users["applicant"], users["org_admin"]),
        (orgs[2], _person("yimin@demo.ks.gov.cn", "钱丽华", "13800000011", orgs[2]), None),
    ]
    for name, first17, district, email, person, phone in PROJECT_ORGANISATIONS:
        org = _organisation(name, first17, district)
        filers.append((org, _person(email, person, phone, org), None))
    for index, (org, filer, admin) in enumerate(filers):
        organisation_profile_save(
            organisation=org,
            values=ELIGIBLE_PROFILE,
            by=admin or filer,
            new_evidence=_upload("法人登记证书副本.pdf", _pdf(f"{org.name} 法人登记证书", index)),
            evidence_description="法人登记证书副本（正、反面）",
        )
    organisation_profile_save(organisation=orgs[1], values=INELIGIBLE_PROFILE, by=users["org_admin_b"])

    quality = {}
    for index, ((org, filer, _admin), project) in enumerate(zip(filers, PROJECTS, strict=True)):
        title, lot, area, budget, (cases, groups, events, visits, teams), (direct, indirect), level = project
        lot_name = _lot(campaign, lot)
        period_start = (campaign.publicity_ends_at + dt.timedelta(days=10)).date()
        costs = _budget_lines(Decimal(budget))
        text = {"area": area, "lot": lot_name, "cases": cases, "groups": groups, "events": events, "teams": teams}
        text.update(costs, budget=budget)
        data = {
            "title": title,
            "lot": lot_name,
            "service_area": area,
            "budget": budget,
            "period": [period_start.isoformat(), (period_start + dt.timedelta(days=364)).isoformat()],
            "org_name": org.name,
            "leader_name": filer.name,
            "leader_phone": filer.phone,
            "leader_email": filer.email,
            "case_count": cases,
            "group_count": groups,
            "community_activity_count": events,
            "visit_count": visits,
            "volunteer_team_count": teams,
            "beneficiary_groups": BENEFICIARIES[index],
            "direct_beneficiaries": direct,
            "indirect_beneficiaries": indirect,
            "staff": [
                {"name": filer.name, "post": "项目负责人", "qualification": "社会工作师", "phone": filer.phone},
                {"name": "王佳", "post": "项目社工", "qualification": "助理社会工作师", "phone": "13995001001"},
                {"name": "李娜", "post": "项目社工", "qualification": "无", "phone": "13995001002"},
            ],
            "summary": f"本项目在{area}开展{lot_name}，面向服务对象提供个案、小组和社区活动等专业服务，"
            "预期提升服务对象的生活质量和社会参与水平。",
            **{key: template.format(**text) for key, template in PROJECT_TEXT.items()},
        }
        materials = [
            (licence, "法人登记证书副本（正面）.jpg", _jpeg(f"{org.name} 正本", index * 10 + 1)),
            (licence, "法人登记证书副本（反面）.jpg", _jpeg(f"{org.name} 副本", index * 10 + 2)),
            (qualification, "社会工作者职业水平证书.pdf", _pdf("社会工作者职业水平证书", index * 10 + 3)),
        ]
        application = _file_application(
            campaign=campaign,
            user=filer,
            data=data,
            materials=materials,
            now=campaign.submission_opens_at + dt.timedelta(days=5 + index * 4, hours=index),
        )
        quality[application.pk] = level
    reviews = _review_all(campaign=campaign, staff=staff, rng=random.Random(4), quality=quality)
    _decide_and_publish(campaign=campaign, staff=staff, publish=results_publish)
    out.write(
        f"已创建示例：{campaign.title}（{len(quality)} 个项目申报，{reviews} 份评审，拟立项名单已公示、结果已发布）\n"
    )
    return {"campaign": campaign}


def _budget_lines(budget: Decimal) -> dict:
    """The budget's lines in 万元 (half for staff, 30% activities, 10% training, the rest management): they add up."""
    cent = Decimal("0.01")
    lines = {
        "staff_cost": (budget * Decimal("0.5")).quantize(cent),
        "activity_cost": (budget * Decimal("0.3")).quantize(cent),
        "training_cost": (budget * Decimal("0.1")).quantize(cent),
    }
    lines["admin_cost"] = budget - sum(lines.values())
    return lines


def _lot(campaign: Campaign, index: int) -> str:
    from cases.formdef import definition_field

    return definition_field(campaign_definition(campaign), "lot")["choices"][index]


def project_tiers() -> list[dict]:
    """The call funds the three best-ranked projects (one per lot in the notice; here simply the top three)."""
    return [{"name": "拟立项", "by": "count", "value": Decimal(3), "is_award": True}]


# ---------------------------------------------------------------- 社工站评估（示例）: 淮安, seed 001

STATIONS = [
    # name, credit code's first 17, county, town, person's e-mail, name, phone, quality
    (
        "淮安市淮安区车桥镇社会工作服务站",
        "52320803MJ6A1B2C3",
        "淮安区",
        "车桥镇",
        "cheqiao@demo.ha.example",
        "孙静",
        "13905230001",
        0.90,
    ),
    (
        "淮安市淮阴区王营街道社会工作服务站",
        "52320804MJ6D4E5F6",
        "淮阴区",
        "王营街道",
        "wangying@demo.ha.example",
        "钱程",
        "13905230002",
        0.58,
    ),
    (
        "淮安市洪泽区朱坝镇社会工作服务站",
        "52320813MJ6G7H8J9",
        "洪泽区",
        "朱坝镇",
        "zhuba@demo.ha.example",
        "周倩",
        "13905230003",
        0.84,
    ),
    (
        "淮安市涟水县高沟镇社会工作服务站",
        "52320826MJ6K1L2M3",
        "涟水县",
        "高沟镇",
        "gaogou@demo.ha.example",
        "吴磊",
        "13905230004",
        0.66,
    ),
    (
        "淮安市盱眙县马坝镇社会工作服务站",
        "52320830MJ6N4P5Q6",
        "盱眙县",
        "马坝镇",
        "maba@demo.ha.example",
        "郑洁",
        "13905230005",
        0.52,
    ),
]
# The demo station of accounts.demo (赵站长 logs in as station@demo.ks.gov.cn).
DEMO_STATION = ("淮安市清江浦区和平镇社会工作服务站", "清江浦区", "和平镇", 0.76)
# The station part of the 淮安 index in short: 2 level-1 indicators, 4 level-2, 8 observation points, 100 points.
STATION_RUBRIC = [
    (
        "一、服务团队",
        [
            (
                "（一）人员配备",
                [
                    ("1. 专职社会工作者不少于 2 名", "查看劳动合同与社保缴纳记录。", 10),
                    ("2. 持证社会工作者占比不低于 50%", "查看职业水平证书。", 10),
                ],
            ),
            (
                "（二）培训督导",
                [
                    ("3. 年度专业培训不少于 40 学时", "查看培训记录与证明。", 10),
                    ("4. 每月接受专业督导不少于 1 次", "查看督导记录。", 10),
                ],
            ),
        ],
    ),
    (
        "二、服务开展",
        [
            (
                "（一）个案与小组",
                [
                    ("5. 年度个案服务不少于 20 个", "抽查个案档案 3 份。", 15),
                    ("6. 年度小组工作不少于 4 个", "查看小组计划书与总结。", 15),
                ],
            ),
            (
                "（二）社区活动与成效",
                [
                    ("7. 年度社区活动不少于 12 场", "查看活动记录、照片与签到表。", 15),
                    ("8. 服务对象满意度不低于 90%", "现场随机访谈服务对象。", 15),
                ],
            ),
        ],
    ),
]
STATION_TEXT = {
    "summary": "本年度{town}社工站围绕“五社联动”开展服务，建立困境群体台账，"
    "累计开展个案服务 {cases} 个、小组工作 {groups} 个、社区活动 {events} 场，服务群众两千余人次。",
    "site": "社工站设于{town}便民服务中心二楼，使用面积 {area} 平方米，设有接待区、个案室、小组活动室和办公区，"
    "标识标牌统一规范，服务时间对外公示。",
    "management": "社工站由运营机构负责日常管理，镇民政办负责指导监督；建立了服务流程、档案管理、财务管理、"
    "安全管理等制度，每月召开站务会。",
    "personnel": "站内配备专职社会工作者 {staff} 名，其中持证社会工作者 {certified} 名；全年参加市、县培训 48 学时，"
    "每月接受外聘督导一次。",
    "services": "以困境儿童、独居老人、低保家庭为重点服务对象，开展“一户一策”个案管理，组织亲子、"
    "长者互助等小组，策划社区节日活动和志愿服务。",
    "funding": "运营经费由县（区）财政和镇级配套资金保障，全年到位 {funds} 万元，专款专用，接受审计。",
}


def station_tiers() -> list[dict]:
    """The 淮安 split of the ranking in thirds: 优秀, 合格, 整改. 整改 is a result, not a prize (is_award False):
    it is published as a 评定结果 and never gets a certificate."""
    third = Decimal("0.3333")
    return [
        {"name": "优秀", "by": "fraction", "value": third, "is_award": True},
        {"name": "合格", "by": "fraction", "value": third, "is_award": True},
        {"name": "整改", "by": "fraction", "value": third, "is_award": False},
    ]


def station_evaluation_seed(out, *, today: dt.date, people: dict, staff) -> dict:
    if Campaign.objects.filter(slug=STATION_SLUG).exists():
        campaign = Campaign.objects.get(slug=STATION_SLUG)
        out.write(f"已存在示例：{campaign.title}\n")
        return {"campaign": campaign}
    day = today - dt.timedelta(days=80)
    dates = {
        "announced_on": day,
        "submission_opens_at": _at(day + dt.timedelta(days=1)),
        "submission_closes_at": _at(day + dt.timedelta(days=20), 17),
        "formal_check_closes_at": _at(day + dt.timedelta(days=23), 17),
        "review_opens_at": _at(day + dt.timedelta(days=24)),
        "review_closes_at": _at(day + dt.timedelta(days=35), 17),
        "publicity_starts_at": _at(day + dt.timedelta(days=38)),
        "publicity_ends_at": _at(day + dt.timedelta(days=44), 17),
    }
    campaign = _campaign(
        slug=STATION_SLUG,
        title=f"{dates['submission_opens_at'].year}年淮安市社工站评估（示例）",
        preset=STATION_EVALUATION,
        dates=dates,
        description="（示例评选活动，所有时间均已结束）依据《淮安市镇（街道）社会工作服务站评价指标体系》，"
        "各社工站提交年度自评报告，专家按观测点逐项评分，全市排名后前三分之一为“优秀”、中间三分之一为“合格”、"
        "后三分之一为“整改”。",
        contact="淮安市民政局慈善事业促进和社会工作处 0517-83600000",
        staff=staff,
    )
    for level1, level2s in STATION_RUBRIC:
        top = criterion_add(campaign=campaign, name=level1, max_points=Decimal(0), by=staff)
        for level2, points in level2s:
            middle = criterion_add(campaign=campaign, name=level2, max_points=Decimal(0), parent=top, by=staff)
            for name, method, value in points:
                criterion_add(
                    campaign=campaign,
                    name=name,
                    description=method,
                    max_points=Decimal(value),
                    parent=middle,
                    by=staff,
                )
    ReviewSettings.objects.update_or_create(campaign=campaign, defaults={"reviewers_per_application": 3})
    tiers_save(campaign=campaign, tiers=station_tiers(), by=staff)
    _panel(campaign)

    stations = []
    demo_org = Organisation.objects.filter(name=DEMO_STATION[0]).first()
    demo_user = people["users"].get("station")
    if demo_org is not None and demo_user is not None:
        stations.append((demo_org, demo_user, *DEMO_STATION[1:]))
    for name, first17, county, town, email, person, phone, level in STATIONS:
        org = _organisation(name, first17, county)
        stations.append((org, _person(email, person, phone, org), county, town, level))

    quality = {}
    for index, (org, head, county, town, level) in enumerate(stations):
        staff_count = 3 + index % 3
        figures = {
            "town": town,
            "cases": 18 + index * 3,
            "groups": 3 + index % 3,
            "events": 10 + index * 2,
            "area": 120 + index * 20,
            "staff": staff_count,
            "certified": 1 + index % 2,
            "funds": 20 + index * 2,
        }
        data = {
            "title": org.name,
            "county": county,
            "town": town,
            "address": f"淮安市{county}{town}便民服务中心二楼",
            "established_on": dt.date(2021, 3 + index, 1).isoformat(),
            "floor_area": figures["area"],
            "operator": f"{county}社会工作服务中心",
            "head_name": head.name,
            "head_phone": head.phone,
            "full_time_count": staff_count,
            "staff": [
                {"name": head.name, "post": "站长", "full_time": "是", "qualification": "社会工作师", "years": 6},
                {
                    "name": "陈晨",
                    "post": "社会工作者",
                    "full_time": "是",
                    "qualification": "助理社会工作师",
                    "years": 3,
                },
                {"name": "刘畅", "post": "社会工作者", "full_time": "是", "qualification": "无", "years": 1},
            ],
            **{key: template.format(**figures) for key, template in STATION_TEXT.items()},
        }
        application = _file_application(
            campaign=campaign,
            user=head,
            data=data,
            materials=[],
            now=campaign.submission_opens_at + dt.timedelta(days=3 + index * 2, hours=index),
        )
        quality[application.pk] = level
    reviews = _review_all(campaign=campaign, staff=staff, rng=random.Random(1), quality=quality)
    _decide_and_publish(campaign=campaign, staff=staff, publish=results_publish)
    out.write(
        f"已创建示例：{campaign.title}（{len(quality)} 个社工站自评，{reviews} 份评审，优秀 / 合格 / 整改 已发布）\n"
    )
    return {"campaign": campaign}
