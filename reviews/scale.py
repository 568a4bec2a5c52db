"""Synthetic data at scale for benchmarks: one campaign with N accepted applications (realistic body
lengths), M reviewers, K submitted reviews per application with a score per leaf criterion. Bulk inserts only."""

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from cases.models import SECTIONS, Application, Campaign, TeamMember

from . import services
from .models import Assignment, PanelMember, Review, Score
from .selectors import rubric_leaves, rubric_tree

PARAGRAPH = (
    "社会工作者在接案后与服务对象建立专业关系，运用优势视角评估其需求与资源，"
    "与家庭、学校和社区协同制定服务计划，分阶段开展个别辅导、小组活动和社区倡导，"
    "并通过前后测量表、服务对象访谈和第三方观察评估服务成效，总结专业反思。"
)


def _body(rng: random.Random, chars: int) -> str:
    repeated = PARAGRAPH * (chars // len(PARAGRAPH) + 2)
    start = rng.randrange(len(PARAGRAPH))
    return repeated[start : start + chars]


@transaction.atomic
def scale_fill(
    *, applications: int, reviewers: int, reviews_per: int, seed: int = 7, body_chars: int = 6000
) -> Campaign:
    if reviews_per > reviewers:
        raise ValueError("每个案例的评审数不能超过专家人数。")
    rng = random.Random(seed)
    now = timezone.now()
    tag = secrets.token_hex(4)
    campaign = Campaign.objects.create(
        title=f"规模测试评选 {tag}",
        slug=f"scale-{tag}",
        case_period_start=dt.date(2020, 1, 1),
        case_period_end=dt.date(2025, 12, 31),
        submission_opens_at=now - dt.timedelta(days=30),
        submission_closes_at=now - dt.timedelta(days=20),
        review_opens_at=now - dt.timedelta(days=10),
        review_closes_at=now + dt.timedelta(days=1),
        publicity_starts_at=now + dt.timedelta(days=2),
        publicity_ends_at=now + dt.timedelta(days=5),
    )
    services.rubric_ensure(campaign=campaign)
    leaves = rubric_leaves(rubric_tree(campaign))
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"规模测试机构{tag}-{i}", credit_code=f"{tag}{i:010d}".upper()[:18], district="玉山镇")
        for i in range(max(1, applications // 50))
    )
    applicants = User.objects.bulk_create(
        User(email=f"scale-{tag}-a{i}@example.cn", name=f"申报人{i}", password="!") for i in range(len(orgs))
    )
    experts = User.objects.bulk_create(
        User(email=f"scale-{tag}-r{i}@example.cn", name=f"专家{i:03d}", is_reviewer=True, password="!")
        for i in range(reviewers)
    )
    PanelMember.objects.bulk_create(PanelMember(campaign=campaign, reviewer=r) for r in experts)
    categories = ["casework", "group", "community"]
    apps = []
    for start in range(0, applications, 1000):
        batch = []
        for i in range(start, min(start + 1000, applications)):
            owner = i % len(orgs)
            total_chars = min(10000, max(5000, body_chars + rng.randint(-500, 500)))
            sections = {name: _body(rng, total_chars // len(SECTIONS)) for name, _ in SECTIONS}
            batch.append(
                Application(
                    campaign=campaign,
                    applicant=applicants[owner],
                    organisation=orgs[owner],
                    status=Application.Status.ACCEPTED,
                    reference=f"S{tag}-{i:06d}",
                    title=f"规模测试案例{i}",
                    period_start=dt.date(2023, 3, 1),
                    period_end=dt.date(2024, 6, 30),
                    declaring_unit=orgs[owner].name,
                    organisation_name=orgs[owner].name,
                    applicant_name=applicants[owner].name,
                    category=rng.choice(categories),
                    domain=rng.choice(campaign.domains),
                    pledge_accepted=True,
                    submitted_at=now,
                    **sections,
                )
            )
        apps += Application.objects.bulk_create(batch)
    TeamMember.objects.bulk_create(
        (TeamMember(application=a, name=f"成员{a.pk}", unit_and_title="社工") for a in apps), batch_size=5000
    )
    # Rotate through the panel so loads are even, as the automatic assignment would make them.
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(application=a, reviewer=experts[(n * reviews_per + k) % reviewers])
            for n, a in enumerate(apps)
            for k in range(reviews_per)
        ),
        batch_size=5000,
    )
    harshness = {r.pk: rng.uniform(-0.1, 0.1) for r in experts}
    reviews, scores = [], []
    for a in assignments:
        points = {
            leaf.pk: Decimal(
                round(min(1.0, max(0.0, rng.gauss(0.78, 0.1) + harshness[a.reviewer_id])) * float(leaf.max_points) * 2)
            )
            / 2
            for leaf in leaves
        }
        reviews.append(
            Review(
                assignment=a,
                status=Review.Status.SUBMITTED,
                opinion="案例结构完整，专业方法运用得当。",
                total=sum(points.values(), Decimal("0")),
                submitted_at=now,
            )
        )
        scores.append(points)
    reviews = Review.objects.bulk_create(reviews, batch_size=5000)
    Score.objects.bulk_create(
        (
            Score(review=r, criterion_id=c, points=p)
            for r, pts in zip(reviews, scores, strict=True)
            for c, p in pts.items()
        ),
        batch_size=10000,
    )
    services.campaign_scores_rebuild(campaign=campaign)
    return campaign
