from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reviews import selectors, services
from reviews.models import Assignment, Conflict, Criterion
from reviews.selectors import rubric_leaves, rubric_max_total, rubric_tree
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    PanelMemberFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    ScoreFactory,
    TeamMemberFactory,
    deep_rubric,
    review_window_campaign,
)

pytestmark = pytest.mark.django_db


# --- Rubric ---------------------------------------------------------------------------------


def test_a_new_campaign_gets_the_kunshan_default_rubric():
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    tree = rubric_tree(campaign)
    assert [(c.name, c.max_points) for c in tree] == [
        ("真实性", Decimal("20")),
        ("专业性", Decimal("30")),
        ("完整性", Decimal("20")),
        ("示范性", Decimal("30")),
    ]
    assert rubric_max_total(tree) == Decimal("100")


def test_a_three_level_rubric_rolls_leaf_points_up_and_scores_only_leaves():
    campaign = review_window_campaign()
    top = services.criterion_add(campaign=campaign, name="专业性", max_points=Decimal("0"))
    mid = services.criterion_add(campaign=campaign, name="专业方法", max_points=Decimal("0"), parent=top)
    services.criterion_add(campaign=campaign, name="理论依据", max_points=Decimal("5"), parent=mid)
    services.criterion_add(campaign=campaign, name="技巧运用", max_points=Decimal("7.5"), parent=mid)
    services.criterion_add(campaign=campaign, name="专业反思", max_points=Decimal("10"), parent=top)
    tree = rubric_tree(campaign)
    by_name = {c.name: c for c in tree}
    assert [c.depth for c in tree] == [0, 1, 2, 2, 1]
    assert by_name["专业方法"].rolled_max == Decimal("12.5")
    assert by_name["专业性"].rolled_max == Decimal("22.5")
    assert [c.name for c in rubric_leaves(tree)] == ["理论依据", "技巧运用", "专业反思"]


def test_weights_multiply_down_the_tree_into_the_maximum_total():
    campaign = review_window_campaign()
    top = services.criterion_add(campaign=campaign, name="A", max_points=Decimal("0"), weight=Decimal("2"))
    services.criterion_add(campaign=campaign, name="A1", max_points=Decimal("10"), parent=top, weight=Decimal("0.5"))
    services.criterion_add(campaign=campaign, name="B", max_points=Decimal("10"))
    tree = rubric_tree(campaign)
    assert rubric_max_total(tree) == Decimal("20")  # 10 × 2 × 0.5 + 10


def test_a_huaian_shaped_rubric_has_67_scored_points_worth_150():
    campaign = review_window_campaign()
    deep_rubric(campaign)
    tree = rubric_tree(campaign)
    assert sum(1 for c in tree if c.depth == 0) == 7
    assert sum(1 for c in tree if c.depth == 1) == 27
    assert len(rubric_leaves(tree)) == 67
    assert rubric_max_total(tree) == Decimal("150")
    assert sum(c.rolled_max for c in tree if c.depth == 0) == Decimal("150")


def test_a_category_with_its_own_criteria_uses_them_and_the_others_use_the_shared_ones():
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    services.criterion_add(campaign=campaign, name="小组目标", max_points=Decimal("50"), category="group")
    assert [c.name for c in rubric_tree(campaign, "group")] == ["小组目标"]
    assert len(rubric_tree(campaign, "casework")) == 4


def test_the_rubric_is_locked_once_the_first_score_exists():
    campaign = review_window_campaign()
    criterion = services.criterion_add(campaign=campaign, name="真实性", max_points=Decimal("20"))
    ScoreFactory(criterion=criterion, review__assignment__application__campaign=campaign)
    with pytest.raises(ValidationError, match="已有专家评分"):
        services.criterion_add(campaign=campaign, name="新指标", max_points=Decimal("5"))
    with pytest.raises(ValidationError):
        services.criterion_delete(criterion=criterion, by=campaign.applications.first().applicant)
    assert Criterion.objects.filter(campaign=campaign).count() == 1


# --- Assignment -----------------------------------------------------------------------------


def _panel(campaign, n, **profile):
    return [
        PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory(**profile).user).reviewer
        for _ in range(n)
    ]


def test_automatic_assignment_gives_each_case_n_reviewers_and_balances_the_load(cast):
    campaign = review_window_campaign()
    reviewers = _panel(campaign, 5)
    apps = [ApplicationFactory(campaign=campaign) for _ in range(10)]
    count, short = services.assignments_auto(campaign=campaign, by=cast.staff)
    assert count == 30 and short == []
    for app in apps:
        assert Assignment.objects.filter(application=app).count() == 3
    loads = [Assignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) - min(loads) <= 1
    # Running it again assigns nothing more.
    assert services.assignments_auto(campaign=campaign, by=cast.staff)[0] == 0


def test_automatic_assignment_prefers_experts_in_the_case_domain(cast):
    campaign = review_window_campaign()
    selectors.review_settings_get(campaign=campaign)
    campaign.review_settings.reviewers_per_application = 1
    campaign.review_settings.save()
    generalists = _panel(campaign, 2)
    expert = _panel(campaign, 1, expertise=["医务社工"])[0]
    app = ApplicationFactory(campaign=campaign, domain="医务社工")
    services.assignments_auto(campaign=campaign, by=cast.staff)
    assert list(Assignment.objects.filter(application=app).values_list("reviewer", flat=True)) == [expert.pk]
    assert not Assignment.objects.filter(reviewer__in=generalists).exists()


def test_a_reviewer_of_the_applicants_or_a_team_members_unit_is_never_assigned(cast):
    campaign = review_window_campaign()
    same_org = _panel(campaign, 1, organisation=cast.org_a.name)[0]
    team_unit = _panel(campaign, 1, organisation="玉山镇社区卫生服务中心")[0]
    others = _panel(campaign, 3)
    app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    TeamMemberFactory(application=app, unit_and_title="玉山镇社区卫生服务中心 社工")
    services.assignments_auto(campaign=campaign, by=cast.staff)
    assigned = set(Assignment.objects.filter(application=app).values_list("reviewer", flat=True))
    assert assigned == {r.pk for r in others}
    assert set(Conflict.objects.filter(application=app).values_list("reviewer", flat=True)) == {
        same_org.pk,
        team_unit.pk,
    }


def test_cases_short_of_reviewers_are_reported(cast):
    campaign = review_window_campaign()
    _panel(campaign, 2)
    app = ApplicationFactory(campaign=campaign)
    count, short = services.assignments_auto(campaign=campaign, by=cast.staff)
    assert count == 2 and short == [app]


def test_staff_cannot_assign_a_conflicted_reviewer_by_hand(cast):
    app = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    reviewer = ReviewerProfileFactory(organisation=cast.org_a.name).user
    with pytest.raises(ValidationError, match="回避"):
        services.assignment_add(application=app, reviewer=reviewer, by=cast.staff)
    other = ReviewerProfileFactory().user
    services.assignment_add(application=app, reviewer=other, by=cast.staff)
    assert Assignment.objects.filter(application=app, reviewer=other, is_automatic=False).exists()


def test_a_declared_conflict_removes_the_reviewer_and_reassigns_the_case(cast):
    campaign = review_window_campaign()
    first, second, third, spare = _panel(campaign, 4)
    app = ApplicationFactory(campaign=campaign)
    for r in (first, second, third):
        AssignmentFactory(application=app, reviewer=r)
    services.conflict_add(
        application=app, reviewer=first, source=Conflict.Source.DECLARED, reason="曾督导该项目", by=first
    )
    assigned = set(Assignment.objects.filter(application=app).values_list("reviewer", flat=True))
    assert assigned == {second.pk, third.pk, spare.pk}


def test_a_submitted_review_cannot_be_unassigned_until_reopened(cast):
    review = ReviewFactory()
    with pytest.raises(ValidationError):
        services.assignment_remove(assignment=review.assignment, by=cast.staff)
    services.review_reopen(review=review, reason="总分录入有误", by=cast.staff)
    services.assignment_remove(assignment=review.assignment, by=cast.staff)
    assert not Assignment.objects.filter(pk=review.assignment_id).exists()


def test_staff_edit_a_criterion_until_the_first_score(client, cast):
    from django.urls import reverse

    campaign = review_window_campaign()
    criterion = services.criterion_add(campaign=campaign, name="真实性", max_points=Decimal("20"))
    client.force_login(cast.staff)
    url = reverse("reviews:criterion_edit", kwargs={"pk": criterion.pk})
    data = {"name": "真实性", "description": "案例真实", "max_points": "25", "weight": "1"}
    assert client.post(url, {**data, "max_points": "-1"}).status_code == 200
    assert client.post(url, data).status_code == 302
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal("25") and criterion.description == "案例真实"
    ScoreFactory(criterion=criterion, review__assignment__application__campaign=campaign)
    response = client.post(url, {**data, "max_points": "30"})
    assert "已有专家评分" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal("25")
