"""Conflicts by organisation identity (the registered Organisation), suspicions (疑似回避) for names that merely
resemble each other, and a conflicted expert's score counting nowhere."""

from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import OrganisationFactory
from insights.selectors import counted_reviews
from reviews import selectors, services
from reviews.models import ApplicationScore, Assignment, Conflict, ConflictFlag, ReviewerScoreStats
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    PanelMemberFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    review_window_campaign,
)
from reviews.unit_names import unit_name_normalise, unit_names_resemble

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("昆山市阳光社工服务中心", "阳光社工服务中心"),
        ("昆山阳光社会工作服务中心", "阳光社工服务中心"),
        ("昆山市 阳光社工服务中心", "昆山市阳光社工服务中心（有限公司）"),
        ("ＡＢＣ社工事务所", "abc社工事务所"),
        ("区阳光社工", "县阳光社会工作中心"),
    ],
)
def test_names_that_differ_only_in_place_spelling_or_suffix_resemble(a, b):
    assert unit_names_resemble(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("昆山市阳光社工服务中心", "昆山市阳光社工服务中心"),  # the very same text is a conflict, not a suspicion
        ("昆山市阳光社工服务中心", "昆山市彩虹社工服务中心"),
        ("中心", "服务中心"),
        ("", "阳光社工"),
    ],
)
def test_same_text_different_units_and_empty_names_do_not_resemble(a, b):
    assert not unit_names_resemble(a, b)


def test_normalisation_strips_place_prefixes_and_unifies_social_work():
    assert unit_name_normalise("昆山市社会工作协会") == unit_name_normalise("社工协会") == "社工协会"


@pytest.fixture
def campaign_with_case():
    campaign = review_window_campaign()
    org = OrganisationFactory(name="昆山市阳光社会工作服务中心")
    from accounts.tests.factories import MembershipFactory

    applicant = MembershipFactory(organisation=org).user
    app = ApplicationFactory(campaign=campaign, applicant=applicant, organisation=org)
    return campaign, app, org


def _expert(campaign, **profile):
    profile_row = ReviewerProfileFactory(**profile)
    PanelMemberFactory(campaign=campaign, reviewer=profile_row.user)
    return profile_row.user


def test_an_expert_of_the_same_registered_organisation_is_conflicted_whatever_they_typed(campaign_with_case):
    campaign, app, org = campaign_with_case
    expert = _expert(campaign, organisation="阳光中心（兼职）", organisation_ref=org)
    assert services.conflicts_detect(campaign=campaign) == (1, 0)
    conflict = Conflict.objects.get(application=app, reviewer=expert)
    assert conflict.source == Conflict.Source.ORGANISATION
    assert org.name in conflict.reason


def test_an_expert_of_another_registered_organisation_is_not_flagged_even_with_a_similar_text(campaign_with_case):
    campaign, app, _org = campaign_with_case
    other = OrganisationFactory(name="昆山市阳光社工服务中心分部")
    _expert(campaign, organisation="阳光社工服务中心", organisation_ref=other)
    assert services.conflicts_detect(campaign=campaign) == (0, 0)


def test_a_free_text_unit_that_merely_resembles_is_flagged_not_conflicted(campaign_with_case):
    campaign, app, _org = campaign_with_case
    expert = _expert(campaign, organisation="阳光社工服务中心")
    assert services.conflicts_detect(campaign=campaign) == (0, 1)
    flag = ConflictFlag.objects.get()
    assert (flag.application, flag.reviewer, flag.status) == (app, expert, ConflictFlag.Status.PENDING)
    assert not Conflict.objects.exists()
    # Detection does not raise the same suspicion twice, and auto-assignment keeps the expert away meanwhile.
    assert services.conflicts_detect(campaign=campaign) == (0, 0)
    assert services.is_conflicted(application=app, reviewer=expert)


def test_the_same_free_text_as_the_applicant_is_a_conflict(campaign_with_case):
    campaign, app, org = campaign_with_case
    expert = _expert(campaign, organisation=org.name)
    assert services.conflicts_detect(campaign=campaign) == (1, 0)
    assert Conflict.objects.filter(application=app, reviewer=expert).exists()


def test_auto_assignment_skips_a_pending_suspicion(campaign_with_case, cast):
    campaign, app, _org = campaign_with_case
    suspect = _expert(campaign, organisation="阳光社工服务中心")
    others = [_expert(campaign, organisation=f"苏州大学{i}") for i in range(3)]
    services.assignments_auto(campaign=campaign, by=cast.staff)
    assigned = set(Assignment.objects.filter(application=app).values_list("reviewer_id", flat=True))
    assert assigned == {u.pk for u in others}
    assert suspect.pk not in assigned


def test_staff_confirm_a_suspicion_from_the_assignment_page(campaign_with_case, cast, client):
    campaign, app, _org = campaign_with_case
    expert = _expert(campaign, organisation="阳光社工服务中心")
    services.conflicts_detect(campaign=campaign)
    flag = ConflictFlag.objects.get()
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:assignments", kwargs={"slug": campaign.slug}))
    assert "疑似回避" in page.content.decode() and "阳光社工服务中心" in page.content.decode()
    response = client.post(reverse("reviews:conflict_flag_decide", kwargs={"pk": flag.pk}), {"decision": "confirm"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == ConflictFlag.Status.CONFIRMED and flag.decided_by == cast.staff
    conflict = Conflict.objects.get(application=app, reviewer=expert)
    assert conflict.source == Conflict.Source.SIMILAR_NAME
    assert AuditEvent.objects.filter(detail__contains="回避", user=cast.staff).exists()
    # A decided flag cannot be decided again.
    client.post(reverse("reviews:conflict_flag_decide", kwargs={"pk": flag.pk}), {"decision": "dismiss"})
    flag.refresh_from_db()
    assert flag.status == ConflictFlag.Status.CONFIRMED


def test_staff_dismiss_a_suspicion_and_the_expert_may_be_assigned(campaign_with_case, cast, client):
    campaign, app, _org = campaign_with_case
    expert = _expert(campaign, organisation="阳光社工服务中心")
    services.conflicts_detect(campaign=campaign)
    flag = ConflictFlag.objects.get()
    client.force_login(cast.staff)
    client.post(reverse("reviews:conflict_flag_decide", kwargs={"pk": flag.pk}), {"decision": "dismiss"})
    flag.refresh_from_db()
    assert flag.status == ConflictFlag.Status.DISMISSED
    assert AuditEvent.objects.filter(detail__startswith="排除疑似回避").exists()
    assert not services.is_conflicted(application=app, reviewer=expert)
    services.assignment_add(application=app, reviewer=expert, by=cast.staff)
    assert services.conflicts_detect(campaign=campaign) == (0, 0)  # dismissed stays dismissed


def _scored_case(campaign, app):
    """Three experts have submitted 90, 80 and 30 for the case; another case has one review of 70."""
    experts = [_expert(campaign, organisation=f"苏州大学{i}") for i in range(3)]
    for expert, total in zip(experts, (90, 80, 30), strict=True):
        ReviewFactory(assignment=AssignmentFactory(application=app, reviewer=expert), total=Decimal(total))
    ReviewFactory(assignment=AssignmentFactory(application=ApplicationFactory(campaign=campaign), reviewer=experts[0]))
    return experts


def _ranking_of(campaign, app):
    result = selectors.ranking(campaign)
    return next((agg, per) for a, agg, per in result.rows if a.pk == app.pk)


def test_a_conflict_recorded_after_the_score_takes_it_out_of_the_ranking_and_the_calibration_table(campaign_with_case):
    campaign, app, org = campaign_with_case
    experts = _scored_case(campaign, app)
    agg, _per = _ranking_of(campaign, app)
    assert agg.count == 3 and agg.mean == pytest.approx(200 / 3)
    # The low scorer turns out to work at the applicant's organisation: the conflict is written straight to the
    # table (as the admin would, keeping the stale assignment and its review), then the aggregates are rebuilt.
    low = experts[2]
    Conflict.objects.create(application=app, reviewer=low, source=Conflict.Source.STAFF, reason="同一单位")
    services.campaign_scores_rebuild(campaign=campaign)
    agg, per = _ranking_of(campaign, app)
    assert agg.count == 2 and agg.mean == pytest.approx(85)
    assert [reviewer_id for reviewer_id, _name, _total in per] == sorted(e.pk for e in experts[:2])
    assert low.pk not in selectors.ranking(campaign).reviewer_names
    assert ApplicationScore.objects.get(application=app).count == 2
    assert not ReviewerScoreStats.objects.filter(campaign=campaign, reviewer=low).exists()
    table, panel_mean, _sd = selectors.calibration_table(campaign)
    assert low.name not in [row["name"] for row in table]
    assert panel_mean == pytest.approx((90 + 80 + 80) / 3)  # 90, 80 and the other case's 80
    assert [r for r in selectors.submitted_reviews(campaign) if r[1] == low.pk and r[0] == app.pk] == []
    assert not counted_reviews_of(low)


def counted_reviews_of(user):
    from insights.selectors import Filters

    return counted_reviews(Filters()).filter(assignment__reviewer=user).exists()


def test_detection_after_the_score_removes_the_assignment_and_refreshes_the_stored_scores(campaign_with_case):
    campaign, app, org = campaign_with_case
    experts = _scored_case(campaign, app)
    profile = experts[2].reviewer_profile
    profile.organisation_ref = org
    profile.save()
    assert services.conflicts_detect(campaign=campaign) == (1, 0)
    assert not Assignment.objects.filter(application=app, reviewer=experts[2]).exists()
    score = ApplicationScore.objects.get(application=app)
    assert score.count == 2 and score.mean == pytest.approx(85)
    assert not ReviewerScoreStats.objects.filter(campaign=campaign, reviewer=experts[2]).exists()


def test_the_invite_form_links_the_expert_to_a_registered_organisation(cast, client):
    campaign = review_window_campaign()
    org = OrganisationFactory(name="昆山市彩虹社工服务中心")
    client.force_login(cast.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("reviews:pool", kwargs={"slug": campaign.slug}),
            {"name": "周敏", "email": "zhoumin@example.cn", "organisation": "", "organisation_ref": org.pk},
        )
    assert response.status_code == 302
    profile = cast.staff.__class__.objects.get(email="zhoumin@example.cn").reviewer_profile
    assert profile.organisation_ref == org and profile.organisation == org.name


def test_the_score_sheet_leaves_out_a_conflicted_experts_review(campaign_with_case):
    import io

    from openpyxl import load_workbook

    from reviews.exports import score_sheet_write

    campaign, app, _org = campaign_with_case
    experts = _scored_case(campaign, app)
    low = experts[2]
    Conflict.objects.create(application=app, reviewer=low, source=Conflict.Source.STAFF, reason="同一单位")
    services.campaign_scores_rebuild(campaign=campaign)
    handle = io.BytesIO()
    score_sheet_write(campaign, handle, progress=lambda n: None)
    book = load_workbook(io.BytesIO(handle.getvalue()))
    assert low.name not in book.sheetnames
    assert low.name not in [c.value for c in book["汇总"][1]]
