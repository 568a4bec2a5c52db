"""Every read about e-mails and reminders: which reminders are due, which are coming, the log."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from cases.models import Application, Campaign

from .models import NotificationPreference, Reminder, ReminderKind, ReminderRule

SHANGHAI = ZoneInfo("Asia/Shanghai")
# How long after the publicity window closes staff are still told about open objections.
PUBLICITY_CLOSE_GRACE = dt.timedelta(days=3)


# --- Who is waiting on whom (the reviews app's assignments; objections plug in here) --------------


# The reminder rules a campaign starts with (kind, days before, time of day).
DEFAULT_RULES = (
    (ReminderKind.DRAFT, 3, None),
    (ReminderKind.DRAFT, 1, None),
    (ReminderKind.RECOMMENDATION, 2, None),
    (ReminderKind.RETURNED, 1, None),
    (ReminderKind.REVIEW, 2, None),
    (ReminderKind.REVIEW, 1, None),
    (ReminderKind.REVIEW, 0, dt.time(9, 0)),
    (ReminderKind.PUBLICITY_OPENS, 0, None),
    (ReminderKind.PUBLICITY_CLOSES, 0, None),
)


def pending_reviews_by_reviewer(campaign: Campaign) -> dict[User, list]:
    """Reviewers with unfinished reviews in the campaign, each with the cases still to review: an
    assignment to an accepted case, not conflicted, whose review is missing or not yet submitted."""
    from django.db.models import Exists, OuterRef

    from reviews.models import Assignment, Conflict, Review

    conflicted = Conflict.objects.filter(application=OuterRef("application"), reviewer=OuterRef("reviewer"))
    assignments = (
        Assignment.objects.filter(
            application__campaign=campaign,
            application__status=Application.Status.ACCEPTED,
            reviewer__is_active=True,
        )
        .filter(~Exists(conflicted))
        .exclude(review__status=Review.Status.SUBMITTED)
        .select_related("reviewer", "application")
        .order_by("reviewer_id", "application_id")
    )
    grouped: dict[User, list] = defaultdict(list)
    for assignment in assignments:
        grouped[assignment.reviewer].append(assignment.application)
    return grouped


def open_objections(campaign: Campaign) -> list[Application]:
    """The cases that still have an objection (异议) not yet upheld or dismissed, for the
    "publicity closes with open objections" reminder to staff."""
    from awards.models import Objection

    objections = (
        Objection.objects.filter(campaign=campaign)
        .exclude(status__in=Objection.RESOLVED)
        .select_related("award__application")
        .order_by("pk")
    )
    return list({o.award.application_id: o.award.application for o in objections}.values())


# --- Time ------------------------------------------------------------------------------------------


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    raw = (getattr(settings, "NOTIFICATIONS_QUIET_HOURS", "") or "").strip()
    if not raw:
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in raw.split("-"))
    return start, end


def in_quiet_hours(now: dt.datetime) -> bool:
    """Between the quiet hours' start and end (Asia/Shanghai), e.g. 21:00–08:00 across midnight."""
    hours = quiet_hours()
    if hours is None:
        return False
    start, end = hours
    local = now.astimezone(SHANGHAI).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(moment: dt.datetime) -> dt.datetime:
    """The first moment at or after `moment` outside the quiet hours."""
    if not in_quiet_hours(moment):
        return moment
    _, end = quiet_hours()
    local = moment.astimezone(SHANGHAI)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


# --- Rules and milestones ----------------------------------------------------------------------------


def campaign_rules(campaign: Campaign) -> list[ReminderRule]:
    """The campaign's rules; the defaults (unsaved) until the beat task has created them."""
    rules = list(campaign.reminder_rules.all())
    if rules:
        return [rule for rule in rules if rule.is_active]
    return [ReminderRule(campaign=campaign, kind=k, days_before=d, at_time=t) for k, d, t in DEFAULT_RULES]


def fire_at(rule: ReminderRule, anchor: dt.datetime) -> dt.datetime:
    """When the rule's reminder is due for a deadline (or publicity moment) `anchor`."""
    moment = anchor - dt.timedelta(days=rule.days_before)
    if rule.at_time is None:
        return moment
    local = moment.astimezone(SHANGHAI)
    return local.replace(hour=rule.at_time.hour, minute=rule.at_time.minute, second=0, microsecond=0)


def _window(rule: ReminderRule, campaign: Campaign, anchor: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(due from, due until) of one rule: a deadline reminder is pointless once the deadline passed."""
    if rule.kind == ReminderKind.PUBLICITY_OPENS:
        return fire_at(rule, anchor), campaign.publicity_ends_at
    if rule.kind == ReminderKind.PUBLICITY_CLOSES:
        return fire_at(rule, anchor), anchor + PUBLICITY_CLOSE_GRACE
    return fire_at(rule, anchor), anchor


ANCHORS = {
    ReminderKind.DRAFT: "submission_closes_at",
    ReminderKind.RECOMMENDATION: "submission_closes_at",
    ReminderKind.REVIEW: "review_closes_at",
    ReminderKind.PUBLICITY_OPENS: "publicity_starts_at",
    ReminderKind.PUBLICITY_CLOSES: "publicity_ends_at",
}


def _latest_due(rules: list[ReminderRule], campaign: Campaign, anchor: dt.datetime, now: dt.datetime):
    """The rule due now with the latest milestone: after a missed 3-day reminder, the 1-day one
    replaces it rather than both arriving together."""
    due = [rule for rule in rules if _window(rule, campaign, anchor)[0] <= now < _window(rule, campaign, anchor)[1]]
    return max(due, key=lambda rule: fire_at(rule, anchor), default=None)


# --- Recipients -----------------------------------------------------------------------------------------


@dataclass
class DueReminder:
    recipient: User
    campaign: Campaign
    kind: str
    milestone: str
    deadline: dt.datetime
    items: list = field(default_factory=list)
    due_at: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return ReminderKind(self.kind).label

    @property
    def link(self) -> str:
        return settings.PORTAL_BASE_URL + reverse(LINKS[self.kind])

    @property
    def subject(self) -> str:
        return SUBJECTS[self.kind].format(campaign=self.campaign.title, count=len(self.items))

    def context(self) -> dict:
        return {
            "recipient": self.recipient,
            "campaign": self.campaign,
            "deadline": self.deadline,
            "items": self.items,
            "link": self.link,
            "kind": self.kind,
        }


LINKS = {
    ReminderKind.DRAFT: "cases:dashboard",
    ReminderKind.RETURNED: "cases:dashboard",
    ReminderKind.RECOMMENDATION: "cases:organisation_applications",
    ReminderKind.REVIEW: "reviews:queue",
    ReminderKind.PUBLICITY_OPENS: "accounts:manage",
    ReminderKind.PUBLICITY_CLOSES: "accounts:manage",
}

SUBJECTS = {
    ReminderKind.DRAFT: "【申报提醒】{campaign}：您有 {count} 份草稿尚未提交",
    ReminderKind.RECOMMENDATION: "【推荐提醒】{campaign}：{count} 份申报案例等待单位推荐",
    ReminderKind.RETURNED: "【修改提醒】{campaign}：退回修改的案例即将到重新提交截止时间",
    ReminderKind.REVIEW: "【评审提醒】{campaign}：您有 {count} 份评审尚未完成",
    ReminderKind.PUBLICITY_OPENS: "【公示提醒】{campaign}：公示期已开始",
    ReminderKind.PUBLICITY_CLOSES: "【公示提醒】{campaign}：公示期已结束，仍有 {count} 条异议未处理",
}


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))


def _recipients(kind: str, campaign: Campaign, apps: list[Application]) -> dict[User, list]:
    """Everyone the kind concerns in the campaign, with the items it is about (ignores milestones)."""
    grouped: dict[User, list] = defaultdict(list)
    if kind == ReminderKind.DRAFT:
        for app in apps:
            if app.status == Application.Status.DRAFT and app.applicant.is_active:
                grouped[app.applicant].append(app)
    elif kind == ReminderKind.RECOMMENDATION:
        if not campaign.recommendation_required:
            return {}
        by_org = defaultdict(list)
        for app in apps:
            if app.status == Application.Status.SUBMITTED:
                by_org[app.organisation_id].append(app)
        if by_org:
            admins = Membership.objects.filter(
                organisation_id__in=by_org, role=Membership.Role.ADMIN, user__is_active=True
            ).select_related("user")
            for membership in admins:
                grouped[membership.user].extend(by_org[membership.organisation_id])
    elif kind == ReminderKind.REVIEW:
        grouped.update(pending_reviews_by_reviewer(campaign))
    elif kind == ReminderKind.PUBLICITY_OPENS:
        for user in _staff():
            grouped[user] = []
    elif kind == ReminderKind.PUBLICITY_CLOSES:
        objections = open_objections(campaign)
        if objections:
            for user in _staff():
                grouped[user] = list(objections)
    return grouped


def reminder_campaigns(now: dt.datetime):
    """Published campaigns that may still have a reminder to send."""
    return (
        Campaign.objects.published()
        .filter(publicity_ends_at__gte=now - PUBLICITY_CLOSE_GRACE)
        .prefetch_related("reminder_rules")
        .order_by("pk")
    )


def _candidates(campaign: Campaign, now: dt.datetime, apps: list[Application]) -> list[DueReminder]:
    """Every reminder of the campaign due at `now`, before removing those already sent."""
    rules = campaign_rules(campaign)
    found = []
    for kind, anchor_field in ANCHORS.items():
        anchor = getattr(campaign, anchor_field)
        rule = _latest_due([r for r in rules if r.kind == kind], campaign, anchor, now)
        if rule is None:
            continue
        for user, items in _recipients(kind, campaign, apps).items():
            found.append(DueReminder(user, campaign, kind, rule.milestone, anchor, items, fire_at(rule, anchor)))
    returned_rules = [r for r in rules if r.kind == ReminderKind.RETURNED]
    for app in apps:
        if app.status != Application.Status.RETURNED or app.resubmit_until is None or not app.applicant.is_active:
            continue
        rule = _latest_due(returned_rules, campaign, app.resubmit_until, now)
        if rule is not None:
            # A second return sets a new date, hence a new milestone.
            milestone = f"a{app.pk}-{app.resubmit_until.astimezone(SHANGHAI):%Y%m%d%H%M}-{rule.milestone}"
            found.append(
                DueReminder(
                    app.applicant,
                    campaign,
                    ReminderKind.RETURNED,
                    milestone,
                    app.resubmit_until,
                    [app],
                    fire_at(rule, app.resubmit_until),
                )
            )
    return found


def _campaign_applications(campaign: Campaign) -> list[Application]:
    return list(
        Application.objects.filter(
            campaign=campaign,
            status__in=[Application.Status.DRAFT, Application.Status.SUBMITTED, Application.Status.RETURNED],
        )
        .select_related("applicant", "organisation")
        .order_by("pk")
    )


def _without_sent_and_unwanted(candidates: list[DueReminder]) -> list[DueReminder]:
    if not candidates:
        return []
    sent = set(
        Reminder.objects.filter(
            campaign__in={c.campaign.pk for c in candidates}, recipient__in={c.recipient.pk for c in candidates}
        ).values_list("recipient_id", "campaign_id", "kind", "milestone")
    )
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in={c.recipient.pk for c in candidates})
    }
    result = []
    for c in candidates:
        if (c.recipient.pk, c.campaign.pk, c.kind, c.milestone) in sent:
            continue
        preference = preferences.get(c.recipient.pk)
        if preference is not None and not preference.allows(c.kind):
            continue
        result.append(c)
    return result


def due_reminders(now: dt.datetime | None = None) -> list[DueReminder]:
    """The reminders to send now: due, not yet sent, wanted; none during the quiet hours."""
    now = now or timezone.now()
    if in_quiet_hours(now):
        return []
    candidates = []
    for campaign in reminder_campaigns(now):
        candidates.extend(_candidates(campaign, now, _campaign_applications(campaign)))
    return _without_sent_and_unwanted(candidates)


# A due reminder goes out at the next check (every 15 minutes); one still pending after two checks means the
# periodic jobs are not running (no celery beat, no `manage.py run_periodic`).
OVERDUE_AFTER = dt.timedelta(minutes=30)


@dataclass
class ComingReminder:
    rule: ReminderRule
    kind_label: str
    send_at: dt.datetime
    deadline: dt.datetime  # the end of the window in which it may still go out
    recipients: list
    sent: set
    superseded: bool = False  # a later milestone of the same kind is due: this one will not go out
    state: str = "scheduled"
    why: str = ""

    STATE_LABELS = {
        "scheduled": "未到时间",
        "due": "待发送",
        "overdue": "逾期未发",
        "missed": "已错过",
        "sent": "已发送",
        "nobody": "无人需要提醒",
        "superseded": "已被取代",
    }

    @property
    def state_label(self) -> str:
        return self.STATE_LABELS[self.state]

    def assess(self, now: dt.datetime) -> "ComingReminder":
        """Set state and why: a milestone whose time has passed is sent, missed (its window closed with
        recipients still pending), overdue (pending past two checks) or due at the next check."""
        pending = [u for u in self.recipients if u.pk not in self.sent]
        local = self.deadline.astimezone(SHANGHAI)
        if self.superseded:
            self.state, self.why = "superseded", "已由更晚的提醒节点取代，不再发送。"
        elif now < self.send_at:
            self.state, self.why = "scheduled", ""
        elif not pending:
            self.state = "sent" if self.recipients else "nobody"
            self.why = "" if self.recipients else "到时间时没有需要提醒的人。"
        elif now >= self.deadline:
            self.state = "missed"
            self.why = (
                f"{len(pending)} 人未收到：从发送时间到 {local:%Y-%m-%d %H:%M} 之间没有发出，此后不再补发。"
                "通常是定时任务没有运行（生产环境为 celery beat；单机为 manage.py run_periodic，make run 会自动启动）。"
            )
        elif now >= self.send_at + OVERDUE_AFTER:
            minutes = int((now - self.send_at).total_seconds() // 60)
            self.state = "overdue"
            self.why = (
                f"已到发送时间 {minutes} 分钟，{len(pending)} 人仍未收到：定时任务可能没有运行"
                f"（celery beat 或 manage.py run_periodic）。在 {local:%Y-%m-%d %H:%M} 前恢复运行仍会发送。"
            )
        else:
            self.state, self.why = "due", "将在下一次检查（每 15 分钟）时发送。"
        return self


def coming_reminders(campaign: Campaign, now: dt.datetime | None = None) -> list[ComingReminder]:
    """Staff page: each rule of the campaign, when it goes out (after quiet hours), who it would
    reach if it went out now, and who already had it."""
    now = now or timezone.now()
    apps = _campaign_applications(campaign)
    sent = set(Reminder.objects.filter(campaign=campaign).values_list("recipient_id", "kind", "milestone"))
    rows = []
    rules = campaign_rules(campaign)
    recipients_of: dict[str, list] = {}  # one query per kind, not per rule
    for rule in rules:
        if rule.kind == ReminderKind.RETURNED:
            for app in apps:
                if app.status == Application.Status.RETURNED and app.resubmit_until:
                    milestone = f"a{app.pk}-{app.resubmit_until.astimezone(SHANGHAI):%Y%m%d%H%M}-{rule.milestone}"
                    rows.append(
                        ComingReminder(
                            rule,
                            rule.get_kind_display(),
                            quiet_hours_end(fire_at(rule, app.resubmit_until)),
                            app.resubmit_until,
                            [app.applicant],
                            {app.applicant_id} if (app.applicant_id, rule.kind, milestone) in sent else set(),
                        )
                    )
            continue
        anchor = getattr(campaign, ANCHORS[rule.kind])
        if rule.kind not in recipients_of:
            recipients_of[rule.kind] = list(_recipients(rule.kind, campaign, apps))
        recipients = recipients_of[rule.kind]
        latest = _latest_due([r for r in rules if r.kind == rule.kind], campaign, anchor, now)
        rows.append(
            ComingReminder(
                rule,
                rule.get_kind_display(),
                quiet_hours_end(fire_at(rule, anchor)),
                _window(rule, campaign, anchor)[1],
                recipients,
                {u.pk for u in recipients if (u.pk, rule.kind, rule.milestone) in sent},
                superseded=latest is not None and fire_at(rule, anchor) < fire_at(latest, anchor),
            )
        )
    return sorted((row.assess(now) for row in rows), key=lambda row: row.send_at)
