import datetime as dt
import io
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import MembershipFactory, UserFactory
from cases.models import Application, TeamMember
from cases.tests.factories import CampaignFactory
from reviews.models import Assignment, Conflict, Criterion, PanelMember, Review, ReviewerProfile, Score, TierRule

BODY = "本案例中社会工作者与服务对象共同制定服务计划，按计划开展服务并进行评估。" * 8


class ApplicationFactory(DjangoModelFactory):
    """An application that passed the formal check, with every field of the form filled in."""

    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    applicant = factory.LazyAttribute(lambda o: MembershipFactory().user)
    organisation = factory.LazyAttribute(lambda o: o.applicant.memberships.first().organisation)
    reference = factory.Sequence(lambda n: f"KS2026-{n:04d}")
    status = Application.Status.ACCEPTED
    title = factory.Sequence(lambda n: f"困境儿童成长陪伴个案{n}")
    period_start = dt.date(2024, 3, 1)
    period_end = dt.date(2024, 12, 31)
    declaring_unit = factory.LazyAttribute(lambda o: o.organisation.name)
    organisation_name = factory.LazyAttribute(lambda o: o.organisation.name)
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.name)
    phone = "13800001111"
    email = factory.LazyAttribute(lambda o: o.applicant.email)
    qq = "12345678"
    category = "casework"
    domain = "儿童及青少年"
    background = BODY
    analysis = BODY
    plan = BODY
    implementation = BODY
    evaluation = BODY
    reflection = BODY
    pledge_accepted = True
    pledge_signature = factory.LazyAttribute(lambda o: o.applicant_name)
    submitted_at = factory.LazyFunction(timezone.now)


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"团队成员{n}")
    gender = TeamMember.Gender.FEMALE
    age = 30
    education = "本科"
    unit_and_title = "某社工机构 社工"
    years_in_social_work = 5
    contact = "13900002222"


class ReviewerFactory(UserFactory):
    is_reviewer = True


class ReviewerProfileFactory(DjangoModelFactory):
    class Meta:
        model = ReviewerProfile

    user = factory.SubFactory(ReviewerFactory)
    organisation = factory.Sequence(lambda n: f"某高校社会工作系{n}")
    title = "副教授"
    expertise = factory.LazyFunction(list)


class PanelMemberFactory(DjangoModelFactory):
    class Meta:
        model = PanelMember

    campaign = factory.SubFactory(CampaignFactory)
    reviewer = factory.SubFactory(ReviewerFactory)


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    max_points = Decimal("10")


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(ReviewerFactory)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    assignment = factory.SubFactory(AssignmentFactory)
    status = Review.Status.SUBMITTED
    opinion = "案例结构完整，专业方法运用得当，建议加强评估部分的量化数据。"
    total = Decimal("80")
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def stored_aggregates(review, create, extracted, **kwargs):
        """A submitted review counts in the ranking as one submitted through reviews.services does."""
        if create and review.status == Review.Status.SUBMITTED:
            from reviews.services import application_scores_refresh

            assignment = review.assignment
            application_scores_refresh(
                campaign=assignment.application.campaign,
                application_ids=[assignment.application_id],
                reviewer_ids=[assignment.reviewer_id],
            )


class ScoreFactory(DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory)
    points = Decimal("8")


class ConflictFactory(DjangoModelFactory):
    class Meta:
        model = Conflict

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(ReviewerFactory)
    source = Conflict.Source.STAFF
    reason = "曾指导该项目"


def review_window_campaign(**kwargs):
    """A campaign whose review window is open now."""
    now = timezone.now()
    defaults = dict(
        submission_opens_at=now - dt.timedelta(days=20),
        submission_closes_at=now - dt.timedelta(days=10),
        review_opens_at=now - dt.timedelta(days=1),
        review_closes_at=now + dt.timedelta(days=5),
        publicity_starts_at=now + dt.timedelta(days=6),
        publicity_ends_at=now + dt.timedelta(days=9),
        ceremony_at=now + dt.timedelta(days=15),
    )
    defaults.update(kwargs)
    return CampaignFactory(**defaults)


def deep_rubric(campaign, *, level1=7, level2=27, points=67, total=Decimal("150")) -> list[Criterion]:
    """A 淮安-shaped rubric: `level1` indicators, `level2` sub-indicators, `points` scored observation points,
    the points' maxima summing exactly to `total` (in half points)."""
    tops = [Criterion.objects.create(campaign=campaign, name=f"一级指标{i + 1}", position=i) for i in range(level1)]
    seconds = [
        Criterion.objects.create(campaign=campaign, parent=tops[i % level1], name=f"二级指标{i + 1}", position=i)
        for i in range(level2)
    ]
    halves = int(total * 2)
    base, extra = divmod(halves, points)
    leaves = []
    for i in range(points):
        max_points = Decimal(base + (1 if i < extra else 0)) / 2
        leaves.append(
            Criterion.objects.create(
                campaign=campaign, parent=seconds[i % level2], name=f"观测点{i + 1}", max_points=max_points, position=i
            )
        )
    return leaves


def jpeg_bytes(artist: str = "") -> bytes:
    """A small JPEG, with an EXIF Artist tag when given (to prove blind downloads drop metadata)."""
    from PIL import Image

    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def tiers_set(campaign, tiers: list[dict]) -> list[TierRule]:
    """The campaign's graded tiers (奖项等级) as rows, in order: each {"name", "by", "value"[, "is_award"]}."""
    TierRule.objects.filter(campaign=campaign).delete()
    return TierRule.objects.bulk_create(
        TierRule(
            campaign=campaign,
            position=i,
            name=t["name"],
            by=t["by"],
            value=Decimal(str(t["value"])),
            is_award=t.get("is_award", True),
        )
        for i, t in enumerate(tiers, start=1)
    )
