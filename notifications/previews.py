"""Sample contexts so staff can preview every e-mail the portal sends (unsaved objects only)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Organisation, User
from awards.models import DEFAULT_NO_AWARD_MESSAGE, Award, Objection
from cases.models import Application, Campaign
from events.models import Activity, ActivityReport
from reviews.models import Assignment, AwardDecision, Review

from .models import ReminderKind
from .scheduler import LINKS, SUBJECTS, DueReminder


@dataclass(frozen=True)
class Preview:
    name: str
    label: str
    template: str
    subject: str
    context: dict


def _campaign() -> Campaign:
    now = timezone.now()
    return Campaign(
        title="第三届昆山市优秀社会工作案例评选",
        slug="preview",
        submission_opens_at=now - dt.timedelta(days=20),
        submission_closes_at=now + dt.timedelta(days=3),
        review_opens_at=now + dt.timedelta(days=5),
        review_closes_at=now + dt.timedelta(days=15),
        publicity_starts_at=now + dt.timedelta(days=20),
        publicity_ends_at=now + dt.timedelta(days=27),
    )


def _apps() -> list[Application]:
    return [
        Application(title="“银龄同行”——社区独居老人社会支持网络构建", reference="KS2026-0012"),
        Application(title="困境儿童“四点半课堂”小组工作实践", reference=None),
    ]


def previews() -> list[Preview]:
    user = User(name="张敏", email="zhangmin@example.cn")
    organisation = Organisation(name="阳光社会工作服务中心", status=Organisation.Status.APPROVED)
    campaign = _campaign()
    result = [
        Preview(
            "welcome",
            "注册成功（欢迎邮件）",
            "accounts/email/welcome.txt",
            "请验证邮箱，完成昆山社工案例评选门户注册",
            {"user": user, "organisation": organisation, "activation_link": "/accounts/activate/MQ/preview-token/"},
        ),
        Preview(
            "signup_existing",
            "已注册的邮箱再次注册（告知账户本人）",
            "accounts/email/signup_existing.txt",
            "昆山社工案例评选门户：您的邮箱已注册",
            {"user": user, "activation_link": ""},
        ),
        Preview(
            "organisation_decided",
            "机构审核结果",
            "accounts/email/organisation_decided.txt",
            f"机构审核结果：{organisation.name}",
            {"organisation": organisation, "approve": True, "note": ""},
        ),
        Preview(
            "password_reset",
            "重置密码",
            "accounts/email/password_reset.txt",
            "昆山社工案例评选门户：重置密码",
            {"user": user, "uid": "MQ", "token": "preview-token"},
        ),
        Preview(
            "password_reset_unknown",
            "重置密码（该邮箱没有账户）",
            "accounts/email/password_reset_unknown.txt",
            "昆山社工案例评选门户：重置密码",
            {"email": "someone@example.cn", "signup_link": "/accounts/signup/"},
        ),
    ]
    case = Application(
        pk=12,
        campaign=campaign,
        declaring_unit="玉山镇城北社区",
        submitted_at=campaign.submission_opens_at + dt.timedelta(days=3),
        title="“银龄同行”——社区独居老人社会支持网络构建",
        reference="KS2026-0012",
        applicant_name="张敏",
        category="community",
        domain="老年人服务",
        return_reason="服务照片不足三张；正文第四部分缺少服务过程记录。",
        resubmit_until=campaign.submission_closes_at + dt.timedelta(days=5),
    )
    assignment = Assignment(application=case)
    case.award_decision = AwardDecision(tier="优秀", rank=3)  # the one record of the tier
    award = Award(application=case, rank=3, status=Award.Status.ACTIVE)
    objection = Objection(
        tracking_number="YY7Q2K9D",
        name="赵某某",
        status=Objection.Status.DISMISSED,
        reply="经核实，案例服务时间与机构服务记录一致，异议不成立。",
    )
    result += [
        Preview(
            "objection_received",
            "异议受理回执",
            "awards/email/objection_received.txt",
            f"异议已受理：{objection.tracking_number}",
            {"objection": objection, "campaign": campaign, "application": case},
        ),
        Preview(
            "objection_reply",
            "异议处理结果",
            "awards/email/objection_reply.txt",
            f"异议处理结果：{objection.tracking_number}",
            {"objection": objection, "application": case, "campaign": campaign},
        ),
        Preview(
            "award_result",
            "评选结果通知",
            "awards/email/result.txt",
            f"评选结果：{case.title}",
            {"awards": [award], "application": case, "campaign": campaign},
        ),
        Preview(
            "award_result_not_awarded",
            "评选结果通知（未获奖）",
            "awards/email/result_not_awarded.txt",
            f"评选结果：{case.title}",
            {"application": case, "campaign": campaign, "message": DEFAULT_NO_AWARD_MESSAGE},
        ),
    ]
    result += [
        Preview(
            "case_submitted",
            "申报回执",
            "cases/email/submitted.txt",
            f"申报回执：{case.reference} {case.title}",
            {"application": case, "campaign": campaign},
        ),
        Preview(
            "case_returned",
            "单位退回修改",
            "cases/email/returned.txt",
            f"申报案例被退回修改：{case.title}",
            {"application": case, "reason": "请补充服务对象的评估数据，并删除照片中可辨认的面部。"},
        ),
    ]
    result += [
        Preview(
            "formal_check_result",
            "形式审查结果（退回修改）",
            "reviews/email/formal_check_result.txt",
            f"形式审查结果：{case.title}",
            {"application": case, "result": "退回修改"},
        ),
        Preview(
            "reviewer_invitation",
            "评审专家邀请",
            "reviews/email/invitation.txt",
            "评审专家邀请",
            {
                "user": User(name="陈教授", email="chen@example.cn"),
                "link": "/reviews/invitation/MQ/preview/",
                "campaign": campaign,
            },
        ),
        Preview(
            "reviewer_assignments",
            "评审任务通知",
            "reviews/email/assignments.txt",
            f"评审任务通知：{campaign.title}",
            {"reviewer": User(name="陈教授"), "campaign": campaign, "assignments": [assignment, assignment]},
        ),
        Preview(
            "review_reopened",
            "评审已重新开放",
            "reviews/email/review_reopened.txt",
            f"评审已重新开放：{case.title}",
            {
                "review": Review(assignment=Assignment(application=case, reviewer=User(name="陈教授"))),
                "application": case,
                "reason": "评分与专家评审意见不一致，请复核。",
            },
        ),
    ]
    report = ActivityReport(
        pk=1,
        activity=Activity(pk=1, title="社工宣传周·社区开放日"),
        organisation=organisation,
        held_on=dt.date(2026, 3, 18),
        return_reason="照片中可辨认服务对象面部，请更换或打码后重新报送。",
    )
    result += [
        Preview(
            "report_accepted",
            "活动报送已采用",
            "events/email/report_accepted.txt",
            f"活动报送已采用：{report.activity.title}",
            {"report": report},
        ),
        Preview(
            "report_returned",
            "活动报送被退回",
            "events/email/report_returned.txt",
            f"活动报送被退回：{report.activity.title}",
            {"report": report},
        ),
    ]
    result += _evaluation_previews(campaign, case)
    deadlines = {
        ReminderKind.DRAFT: campaign.submission_closes_at,
        ReminderKind.RECOMMENDATION: campaign.submission_closes_at,
        ReminderKind.RETURNED: campaign.submission_closes_at + dt.timedelta(days=2),
        ReminderKind.REVIEW: campaign.review_closes_at,
        ReminderKind.PUBLICITY_OPENS: campaign.publicity_starts_at,
        ReminderKind.PUBLICITY_CLOSES: campaign.publicity_ends_at,
    }
    for kind in ReminderKind:
        items = _apps()[:1] if kind == ReminderKind.RETURNED else _apps()
        if kind == ReminderKind.PUBLICITY_OPENS:
            items = []
        due = DueReminder(user, campaign, kind, "preview", deadlines[kind], items)
        assert kind in LINKS and kind in SUBJECTS
        result.append(
            Preview(
                f"reminder_{kind.value}",
                f"提醒：{kind.label}",
                f"notifications/email/reminder_{kind.value}.txt",
                due.subject,
                due.context(),
            )
        )
    return result


def _evaluation_previews(campaign: Campaign, case: Application) -> list[Preview]:
    """The evaluation stages' e-mails (evaluations/services.py)."""
    from evaluations.models import Stage, StageEvaluator, StageRecord

    now = timezone.now()
    stage = Stage(
        pk=1,
        campaign=campaign,
        kind=Stage.Kind.MIDTERM,
        name="中期评估",
        opens_at=now,
        closes_at=now + dt.timedelta(days=14),
        instructions="请提交项目中期进展报告：服务指标完成情况、经费使用情况，附服务记录。",
    )
    evaluator = StageEvaluator(stage=stage, user=User(name="陈教授"), organisation="宁夏众益社会工作评估中心")
    record = StageRecord(
        pk=3, stage=stage, application=case, result=StageRecord.Result.RECTIFY, result_note="请补充经费使用明细。"
    )
    return [
        Preview(
            "evaluation_evaluator_added",
            "指定评估专家",
            "evaluations/email/evaluator_added.txt",
            f"评估任务：{campaign.title}·{stage.name}",
            {"stage": stage, "evaluator": evaluator},
        ),
        Preview(
            "evaluation_stage_opened",
            "评估阶段开始（通知机构提交材料）",
            "evaluations/email/stage_opened.txt",
            f"请提交{stage.name}材料：{case.title}",
            {"stage": stage, "application": case},
        ),
        Preview(
            "evaluation_report_submitted",
            "机构已提交评估材料（通知评估专家）",
            "evaluations/email/report_submitted.txt",
            f"待评估：{case.title}（{stage.name}）",
            {"record": record},
        ),
        Preview(
            "evaluation_result",
            "评估结果",
            "evaluations/email/result.txt",
            f"{stage.name}结果：{case.title}",
            {"record": record},
        ),
    ]


def preview_named(name: str) -> Preview | None:
    return next((p for p in previews() if p.name == name), None)
