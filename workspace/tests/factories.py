"""A finished campaign with everything a copy must take and everything it must leave behind."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone

from awards.models import Certificate, CertificateTemplate, Publicity
from awards.tests.factories import AwardFactory, ObjectionFactory
from cases.tests.factories import CampaignFactory
from notifications.models import ReminderKind, ReminderRule
from reviews.models import Criterion, ReviewSettings, TierRule
from reviews.tests.factories import PanelMemberFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


def roomy_campaign(**kwargs):
    """A campaign in its submission window with room before the review for 单位推荐 and 形式审查."""
    now = timezone.now()
    days = {"review_opens_at": 20, "review_closes_at": 25, "publicity_starts_at": 27, "publicity_ends_at": 30}
    return CampaignFactory(
        **{name: now + dt.timedelta(days=n) for name, n in days.items()},
        ceremony_at=now + dt.timedelta(days=40),
        **kwargs,
    )


def finished_campaign(*, staff, with_images=False, year=2025):
    """Last year's campaign, done: every date set, rules changed from the defaults, a 3-level rubric, a panel,
    reminder rules, a certificate template, publicity texts, and results (applications, awards, objections,
    certificates) that a copy must never take. Its dates are in `year` (the 2025 notice's days)."""
    move = relativedelta(years=year - 2025)
    dates = {
        "announced_on": dt.date(2025, 2, 28),
        "case_period_start": dt.date(2022, 1, 1),
        "case_period_end": dt.date(2024, 12, 31),
        "submission_opens_at": _at(2025, 2, 28, 9),
        "submission_closes_at": _at(2025, 3, 10, 23, 59, 59),
        "recommendation_closes_at": _at(2025, 3, 14, 17),
        "formal_check_closes_at": _at(2025, 3, 18, 17),
        "review_opens_at": _at(2025, 3, 19, 9),
        "review_closes_at": _at(2025, 3, 30, 17),
        "publicity_starts_at": _at(2025, 4, 2, 9),
        "publicity_ends_at": _at(2025, 4, 8, 17),
        "ceremony_at": _at(2025, 4, 20, 14),
    }
    campaign = CampaignFactory(
        title=f"{year}年昆山市优秀社工案例评选",
        slug=f"{year}-ksyxsgalpx",
        **{name: value + move for name, value in dates.items()},
        domains=["老龄事业", "社区建设"],
        categories=["casework", "community"],
        body_min_chars=4000,
        photos_max=8,
        max_applications_per_organisation=3,
        blind_review=False,
        reference_prefix="KSA",
        reference_counter=17,
    )
    ReviewSettings.objects.create(
        campaign=campaign,
        reviewers_per_application=2,
        ranking_method="median",
        decision_confirmed_at=timezone.now(),
        decision_confirmed_by=staff,
    )
    TierRule.objects.create(campaign=campaign, position=1, name="一等奖", by="count", value=3)
    TierRule.objects.create(campaign=campaign, position=2, name="二等奖", by="count", value=5)
    TierRule.objects.create(campaign=campaign, position=3, name="整改", by="fraction", value="0.2", is_award=False)
    top = Criterion.objects.create(campaign=campaign, name="专业性", max_points=Decimal("0"), position=1)
    middle = Criterion.objects.create(campaign=campaign, parent=top, name="理论运用", max_points=Decimal("0"))
    Criterion.objects.create(campaign=campaign, parent=middle, name="理论与需求匹配", max_points=Decimal("15"))
    Criterion.objects.create(campaign=campaign, parent=middle, name="方法恰当", max_points=Decimal("15"))
    Criterion.objects.create(campaign=campaign, name="真实性", max_points=Decimal("20"), position=0)
    PanelMemberFactory(campaign=campaign)
    PanelMemberFactory(campaign=campaign, is_active=False)
    ReminderRule.objects.create(campaign=campaign, kind=ReminderKind.DRAFT, days_before=3)
    ReminderRule.objects.create(campaign=campaign, kind=ReminderKind.REVIEW, days_before=1, at_time=dt.time(9, 30))
    template = CertificateTemplate(
        campaign=campaign,
        title="荣誉证书",
        body="{name} 同志：特发此证。",
        issuer="昆山市民政局",
        issued_on=dt.date(2025, 4, 20) + move,
        number_prefix="KSZS",
    )
    if with_images:
        template.background.save("bg.png", ContentFile(PNG), save=False)
        template.seal.save("seal.png", ContentFile(PNG), save=False)
    template.save()
    Publicity.objects.create(
        campaign=campaign,
        how_to_object="请实名书面提出异议，并附联系电话。",
        no_award_message="感谢参与。",
        results_published_at=timezone.now(),
        results_published_by=staff,
        override="closed",
    )
    award = AwardFactory(campaign=campaign, confirmed_by=staff)
    award.application.reference = f"KSA{year}-0017"
    award.application.status = "accepted"
    award.application.save()
    Certificate.objects.create(award=award, campaign=campaign, serial=1, number=f"KSZS{year}-0001")
    ObjectionFactory(award=award, campaign=campaign)
    return campaign
