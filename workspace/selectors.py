"""Reads of the campaign workspace: the list, the checklist, and the summaries of the tabs that link elsewhere."""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Q
from django.urls import reverse

from awards.models import CertificateTemplate, Publicity
from cases.models import Application, Campaign
from notifications.models import ReminderRule
from notifications.scheduler import campaign_rules
from reviews.models import PanelMember, ReviewSettings
from reviews.selectors import rubric_leaves, rubric_max_total, rubric_tree


def campaigns_for_workspace():
    """Every campaign, newest first, with its count of submitted applications and its publicity row: one query."""
    submitted = ~Q(applications__status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
    return (
        Campaign.objects.select_related("publicity")  # the phase label reads the publicity settings
        .annotate(n_submitted=Count("applications", filter=submitted))
        .order_by("-submission_opens_at", "-id")
    )


def campaign_for_workspace(*, slug: str) -> Campaign | None:
    """The campaign with the one-to-one rows its pages read (review settings, publicity, certificate template)."""
    return (
        Campaign.objects.select_related("festival", "review_settings", "publicity", "certificate_template")
        .filter(slug=slug)
        .first()
    )


def related_or_none(campaign, name, model):
    try:
        return getattr(campaign, name)
    except model.DoesNotExist:
        return None


@dataclass
class ChecklistItem:
    text: str
    url: str
    link_label: str


@dataclass
class ChecklistGroup:
    phase: str
    items: list[ChecklistItem] = field(default_factory=list)


@dataclass
class ReviewSummary:
    settings: ReviewSettings
    leaves: int
    max_total: object
    panel_active: int
    panel_total: int
    # Active panel members who have not set a password yet (invited, the link not used): they cannot log in.
    panel_password_unset: int = 0


def review_summary(*, campaign: Campaign) -> ReviewSummary:
    settings_row = related_or_none(campaign, "review_settings", ReviewSettings) or ReviewSettings(campaign=campaign)
    tree = rubric_tree(campaign)
    counts = PanelMember.objects.filter(campaign=campaign).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True, reviewer__is_active=True)),
        password_unset=Count(
            "id",
            filter=Q(is_active=True, reviewer__is_active=True, reviewer__password__startswith=UNUSABLE_PASSWORD_PREFIX),
        ),
    )
    return ReviewSummary(
        settings=settings_row,
        leaves=len(rubric_leaves(tree)),
        max_total=rubric_max_total(tree),
        panel_active=counts["active"],
        panel_total=counts["total"],
        panel_password_unset=counts["password_unset"],
    )


def publish_blockers(*, campaign: Campaign) -> list[ChecklistItem]:
    """What must be set before applicants see the campaign: the 组织申报 items of the checklist. Publishing is
    refused while any is missing (workspace.services.campaign_publish), so the list names each one."""
    slug = campaign.slug
    timeline = reverse("workspace:timeline", kwargs={"slug": slug})
    items = []
    if not campaign.submission_opens_at or not campaign.submission_closes_at:
        items.append(ChecklistItem("尚未设置申报开始和截止时间。", timeline, "设置时间"))
    if not campaign.description.strip():
        basics = reverse("workspace:campaign", kwargs={"slug": slug})
        items.append(ChecklistItem("尚未填写活动说明，申报人不知道申报要求。", basics, "填写说明"))
    # 案例领域 and 案例类别 are fields of the case award's official 报名表; a campaign with its own form (a project
    # call, a station evaluation) has none of them, so it is not held back for lacking them.
    if not campaign.uses_defined_form and (not campaign.domains or not campaign.categories):
        items.append(
            ChecklistItem(
                "尚未设置案例领域或开放的案例类别。", reverse("workspace:rules", kwargs={"slug": slug}), "设置规则"
            )
        )
    return items


def campaign_checklist(*, campaign: Campaign, review: ReviewSummary) -> list[ChecklistGroup]:
    """What is still missing before each phase can start, with where to fix it. Only groups with items."""
    slug = campaign.slug
    timeline = reverse("workspace:timeline", kwargs={"slug": slug})
    awards_url = reverse("awards:campaign", kwargs={"slug": slug})

    submission = ChecklistGroup("组织申报", publish_blockers(campaign=campaign))
    if not campaign.is_published:
        submission.items.append(
            ChecklistItem(
                "评选活动尚未公开，申报人在门户上看不到。", reverse("workspace:publish", kwargs={"slug": slug}), "公开"
            )
        )

    recommendation = ChecklistGroup("单位推荐")
    if campaign.recommendation_required and campaign.recommendation_closes_at is None:
        recommendation.items.append(ChecklistItem("须经单位推荐，但尚未设置单位推荐截止时间。", timeline, "设置时间"))

    formal = ChecklistGroup("形式审查")
    if campaign.formal_check_closes_at is None:
        formal.items.append(ChecklistItem("尚未设置形式审查截止时间。", timeline, "设置时间"))

    review_group = ChecklistGroup("专家评审")
    if review.leaves == 0:
        review_group.items.append(
            ChecklistItem(
                "尚未设置评分指标，专家无法评分。", reverse("reviews:rubric", kwargs={"slug": slug}), "设置评分指标"
            )
        )
    needed = review.settings.reviewers_per_application
    if review.panel_active < needed:
        review_group.items.append(
            ChecklistItem(
                f"评审组参与评审的专家 {review.panel_active} 人，少于每个案例所需的 {needed} 人。",
                reverse("reviews:pool", kwargs={"slug": slug}),
                "添加评审专家",
            )
        )

    if review.panel_password_unset:
        review_group.items.append(
            ChecklistItem(
                f"参与评审的专家中有 {review.panel_password_unset} 人尚未通过邀请邮件设置密码，暂不能登录评审。",
                reverse("reviews:pool", kwargs={"slug": slug}) + "?password=unset",
                "查看并重发邀请",
            )
        )

    publicity_group = ChecklistGroup("结果公示")
    publicity = related_or_none(campaign, "publicity", Publicity)
    if publicity is None or not publicity.how_to_object.strip():
        publicity_group.items.append(
            ChecklistItem("尚未填写公示的异议方式说明（将使用默认说明）。", awards_url, "填写公示说明")
        )

    ceremony = ChecklistGroup("颁奖")
    if related_or_none(campaign, "certificate_template", CertificateTemplate) is None:
        ceremony.items.append(ChecklistItem("尚未保存证书模板（将使用默认模板）。", awards_url, "设置证书模板"))
    if campaign.ceremony_at is None:
        ceremony.items.append(ChecklistItem("尚未设置颁奖时间。", timeline, "设置时间"))

    groups = [submission, recommendation, formal, review_group, publicity_group, ceremony]
    return [g for g in groups if g.items]


def reminder_rules_summary(*, campaign: Campaign) -> tuple[list[ReminderRule], bool]:
    """The campaign's reminder rules in force, and whether they are the defaults (no rule saved yet)."""
    saved = ReminderRule.objects.filter(campaign=campaign).exists()
    return campaign_rules(campaign), not saved
