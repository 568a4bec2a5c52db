import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from accounts.models import AuditEvent
from reviews import services
from reviews.models import Assignment, Review, ReviewSettings
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    review_window_campaign,
)

pytestmark = pytest.mark.django_db

OPINION = "案例背景交代清楚，服务计划与目标对应，过程记录详实，评估方法可以更加多样。"


@pytest.fixture
def setup(cast, client):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)
    app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    assignment = AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    criteria = {c.name: c for c in campaign.criteria.all()}
    return campaign, app, assignment, criteria


def _post(client, app, criteria, action="submit", opinion=OPINION, **points):
    data = {"action": action, "opinion": opinion}
    defaults = {"真实性": "18", "专业性": "25.5", "完整性": "17", "示范性": "24"}
    defaults.update(points)
    for name, value in defaults.items():
        data[f"c{criteria[name].pk}"] = value
    return client.post(reverse("reviews:case", kwargs={"pk": app.pk}), data)


def test_a_reviewer_submits_scores_with_half_points_and_the_total_adds_up(setup, client, cast):
    campaign, app, assignment, criteria = setup
    response = _post(client, app, criteria)
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED
    assert review.total == Decimal("84.50")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REVIEW_SUBMIT, user=cast.reviewer).count() == 1


def test_a_score_above_the_maximum_is_refused_with_a_chinese_message_and_the_input_kept(setup, client):
    _campaign, app, assignment, criteria = setup
    response = _post(client, app, criteria, 真实性="21")
    assert response.status_code == 200
    html = response.content.decode()
    assert "得分不能超过 20 分。" in html
    assert 'value="21"' in html and "25.5" in html
    assert not Review.objects.filter(assignment=assignment).exists()


def test_a_score_that_is_not_a_whole_or_half_point_is_refused(setup, client):
    _campaign, app, assignment, criteria = setup
    response = _post(client, app, criteria, 专业性="25.3")
    assert "得分只能是整数或半分" in response.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()


def test_submitting_needs_every_score_and_a_long_enough_opinion_but_a_draft_does_not(setup, client):
    _campaign, app, assignment, criteria = setup
    response = _post(client, app, criteria, opinion="很好", 示范性="")
    html = response.content.decode()
    assert "请为此项打分。" in html
    assert "请填写专家评审意见，不少于 30 字" in html
    assert not Review.objects.filter(assignment=assignment).exists()
    response = _post(client, app, criteria, action="draft", opinion="很好", 示范性="")
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT and review.total == Decimal("60.50")


def test_a_submitted_review_is_locked_until_staff_reopen_it_with_a_reason(setup, client, cast):
    _campaign, app, assignment, criteria = setup
    _post(client, app, criteria)
    response = _post(client, app, criteria, 真实性="10")
    assert "该评审已提交，不能再修改" in response.content.decode()
    review = Review.objects.get(assignment=assignment)
    assert review.total == Decimal("84.50")
    with pytest.raises(Exception, match="理由"):
        services.review_reopen(review=review, reason=" ", by=cast.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.review_reopen(review=review, reason="专家要求更正笔误", by=cast.staff)
    assert AuditEvent.objects.filter(detail__contains="专家要求更正笔误").exists()
    assert mail.outbox[-1].to == [cast.reviewer.email] and "专家要求更正笔误" in mail.outbox[-1].body
    _post(client, app, criteria, 真实性="10")
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.total == Decimal("76.50")


def test_submit_and_next_opens_the_next_unreviewed_case(setup, client, cast):
    campaign, app, _assignment, criteria = setup
    done = ApplicationFactory(campaign=campaign)
    ReviewFactory(assignment=AssignmentFactory(application=done, reviewer=cast.reviewer))
    following = ApplicationFactory(campaign=campaign)
    AssignmentFactory(application=following, reviewer=cast.reviewer)
    response = _post(client, app, criteria, action="submit_next")
    assert response["Location"] == reverse("reviews:case", kwargs={"pk": following.pk})


def test_submit_and_next_on_the_last_case_returns_to_the_queue(setup, client):
    _campaign, app, _assignment, criteria = setup
    response = _post(client, app, criteria, action="submit_next")
    assert response["Location"] == reverse("reviews:queue")


# --- The review window, on both sides of each boundary ------------------------------------


@pytest.mark.parametrize(
    "offset, allowed",
    [
        (dt.timedelta(seconds=-1), False),  # a second before it opens
        (dt.timedelta(0), True),  # the moment it opens
        ("close", True),  # the moment it closes
        ("after", False),  # a second after it closes
    ],
)
def test_scores_are_saved_only_inside_the_review_window(setup, client, offset, allowed):
    campaign, app, assignment, criteria = setup
    if offset == "close":
        moment = campaign.review_closes_at
    elif offset == "after":
        moment = campaign.review_closes_at + dt.timedelta(seconds=1)
    else:
        moment = campaign.review_opens_at + offset
    with time_machine.travel(moment, tick=False):
        client.force_login(assignment.reviewer)  # a fresh session at the travelled-to moment
        page = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
        response = _post(client, app, criteria)
    assert Review.objects.filter(assignment=assignment).exists() is allowed
    assert ('data-testid="window-closed"' in page) is not allowed
    if not allowed:
        assert response.status_code == 200


# --- Who sees what -------------------------------------------------------------------------


def test_conflicted_and_unassigned_reviewers_get_404_on_the_case_and_its_files(client, cast):
    """Uses the permission-table world's objects: the case, its photo and attachment."""
    from types import SimpleNamespace

    from tests.permission_tables import cases, reviews

    world = SimpleNamespace(cast=cast)
    cases.build(world)
    reviews.build(world)
    urls = [
        reverse("reviews:case", kwargs={"pk": world.review_app.pk}),
        reverse("reviews:case_docx", kwargs={"pk": world.review_app.pk}),
        reverse("reviews:photo", kwargs={"pk": world.photo.pk}),
        reverse("reviews:attachment", kwargs={"pk": world.attachment.pk}),
    ]
    for user in (cast.reviewer_conflicted, cast.reviewer_unassigned):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        post = client.post(reverse("reviews:conflict_declare", kwargs={"pk": world.review_app.pk}), {"reason": "x"})
        assert post.status_code == 404
        queue = client.get(reverse("reviews:queue")).content.decode()
        assert world.review_app.reference not in queue
    client.force_login(cast.reviewer)
    assert world.review_app.reference in client.get(reverse("reviews:queue")).content.decode()


def test_other_reviewers_scores_show_only_where_allowed_and_after_submitting_ones_own(setup, client, cast):
    campaign, app, assignment, criteria = setup
    ReviewFactory(assignment=AssignmentFactory(application=app), total=Decimal("61.50"))
    url = reverse("reviews:case", kwargs={"pk": app.pk})
    ReviewSettings.objects.update_or_create(campaign=campaign, defaults={"peers_visible": True})
    assert "61.50" not in client.get(url).content.decode()  # own review not yet submitted
    _post(client, app, criteria)
    assert "61.50" in client.get(url).content.decode()
    ReviewSettings.objects.filter(campaign=campaign).update(peers_visible=False)
    assert "61.50" not in client.get(url).content.decode()


def test_a_reviewer_declares_a_conflict_and_the_case_goes_to_another_panel_member(setup, client, cast):
    from reviews.tests.factories import PanelMemberFactory

    campaign, app, assignment, _criteria = setup
    spare = PanelMemberFactory(campaign=campaign, reviewer=ReviewerProfileFactory().user).reviewer
    response = client.post(reverse("reviews:conflict_declare", kwargs={"pk": app.pk}), {"reason": "曾在该机构兼职"})
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Assignment.objects.filter(application=app, reviewer=spare).exists()
    assert client.get(reverse("reviews:case", kwargs={"pk": app.pk})).status_code == 404
