"""Sample contexts so staff can preview every e-mail the portal sends (unsaved objects only)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Organisation, User
from cases.models import Application, Campaign

from .models import ReminderKind
from .selectors import LINKS, SUBJECTS, DueReminder


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
            "欢迎注册昆山社工案例评选门户",
            {"user": user, "organisation": organisation},
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
    ]
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


def preview_named(name: str) -> Preview | None:
    return next((p for p in previews() if p.name == name), None)
