"""The due-reminder selector and the beat service, with time frozen (Asia/Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from cases.models import Application
from cases.tests.factories import CampaignFactory
from notifications.models import NotificationPreference, OutboxEmail, Reminder, ReminderKind, ReminderRule
from notifications.scheduler import coming_reminders, due_reminders, fire_at, in_quiet_hours
from notifications.services import reminder_rules_ensure, reminders_send_due
from reviews.tests.factories import AssignmentFactory, ConflictFactory, ReviewFactory

from .factories import ApplicationFactory

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


SUBMISSION_CLOSES = at(12, 10, 17)
RESUBMIT_UNTIL = at(12, 10, 12)
REVIEW_CLOSES = at(12, 20, 17)


@pytest.fixture
def world(cast):
    """A campaign closing 10 Dec 17:00 with two drafts, a submitted case in each organisation
    awaiting recommendation, and a returned case due back 10 Dec 12:00."""
    campaign = CampaignFactory(
        submission_opens_at=at(11, 1, 9),
        submission_closes_at=SUBMISSION_CLOSES,
        review_opens_at=at(12, 12, 9),
        review_closes_at=REVIEW_CLOSES,
        publicity_starts_at=at(12, 25, 9),
        publicity_ends_at=at(12, 31, 17),
        recommendation_required=True,
    )
    draft_a = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    draft_b = ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b)
    submitted_a = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, status=Application.Status.SUBMITTED
    )
    submitted_b = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b, status=Application.Status.SUBMITTED
    )
    returned = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        status=Application.Status.RETURNED,
        resubmit_until=RESUBMIT_UNTIL,
    )
    # Not reminded: withdrawn and accepted cases, and an unpublished campaign's draft.
    ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, status=Application.Status.WITHDRAWN)
    accepted = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, status=Application.Status.ACCEPTED, reference="KS2026-0001"
    )
    accepted_2 = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_b, status=Application.Status.ACCEPTED, reference="KS2026-0002"
    )
    # Reviews: the assigned reviewer has one case untouched and one in progress; another has submitted;
    # the conflicted reviewer's assignment does not count.
    AssignmentFactory(application=accepted, reviewer=cast.reviewer)
    ReviewFactory(
        assignment=AssignmentFactory(application=accepted_2, reviewer=cast.reviewer), status="draft", submitted_at=None
    )
    ReviewFactory(assignment=AssignmentFactory(application=accepted, reviewer=cast.reviewer_unassigned))
    AssignmentFactory(application=accepted_2, reviewer=cast.reviewer_conflicted)
    ConflictFactory(application=accepted_2, reviewer=cast.reviewer_conflicted)
    hidden = CampaignFactory(is_published=False, submission_closes_at=SUBMISSION_CLOSES, **_later_dates())
    ApplicationFactory(campaign=hidden, applicant=cast.applicant_a, organisation=cast.org_a)
    return cast, campaign, locals()


def _later_dates():
    return {
        "submission_opens_at": at(11, 1, 9),
        "review_opens_at": at(12, 12, 9),
        "review_closes_at": REVIEW_CLOSES,
        "publicity_starts_at": at(12, 25, 9),
        "publicity_ends_at": at(12, 31, 17),
    }


def due_set(now):
    with time_machine.travel(now, tick=False):
        return {(d.recipient.email, d.kind, d.milestone) for d in due_reminders()}


def send(now, django_capture_on_commit_callbacks):
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        return reminders_send_due()


def returned_milestone(world, days="1d"):
    return f"a{world[2]['returned'].pk}-202612101200-{days}"


@pytest.mark.django_db
def test_three_days_before_the_deadline_only_the_drafts_are_due(world):
    assert due_set(at(12, 7, 17, 5)) == {
        ("a@example.cn", "draft", "3d"),
        ("b@example.cn", "draft", "3d"),
    }


@pytest.mark.django_db
def test_just_before_the_three_day_milestone_nothing_is_due(world):
    assert due_set(at(12, 7, 16, 59)) == set()


@pytest.mark.django_db
def test_two_days_before_the_organisation_admins_are_asked_to_recommend(world, django_capture_on_commit_callbacks):
    send(at(12, 7, 17, 5), django_capture_on_commit_callbacks)
    assert due_set(at(12, 8, 17, 5)) == {
        ("orgadmin@example.cn", "recommendation", "2d"),
        ("orgadmin.b@example.cn", "recommendation", "2d"),
    }


@pytest.mark.django_db
def test_one_day_before_drafts_and_the_returned_case_are_due(world, django_capture_on_commit_callbacks):
    send(at(12, 7, 17, 5), django_capture_on_commit_callbacks)
    send(at(12, 8, 17, 5), django_capture_on_commit_callbacks)
    assert due_set(at(12, 9, 17, 5)) == {
        ("a@example.cn", "draft", "1d"),
        ("b@example.cn", "draft", "1d"),
        ("a@example.cn", "returned", returned_milestone(world)),
    }


@pytest.mark.django_db
def test_a_missed_three_day_reminder_is_replaced_by_the_one_day_reminder_not_sent_with_it(world):
    found = due_set(at(12, 9, 17, 5))
    assert ("a@example.cn", "draft", "1d") in found
    assert ("a@example.cn", "draft", "3d") not in found
    assert ("orgadmin@example.cn", "recommendation", "2d") in found  # still before its deadline


@pytest.mark.django_db
def test_on_the_last_day_nothing_new_is_due_and_after_the_deadline_nothing_at_all(
    world, django_capture_on_commit_callbacks
):
    for moment in (at(12, 7, 17, 5), at(12, 8, 17, 5), at(12, 9, 17, 5)):
        send(moment, django_capture_on_commit_callbacks)
    assert due_set(at(12, 10, 9, 0)) == set()
    assert due_set(at(12, 10, 17, 1)) == set()


@pytest.mark.django_db
def test_quiet_hours_hold_due_reminders_until_eight_in_the_morning(world):
    assert due_set(at(12, 7, 21, 0)) == set()
    assert due_set(at(12, 8, 7, 59)) == set()
    assert due_set(at(12, 8, 8, 0)) == {("a@example.cn", "draft", "3d"), ("b@example.cn", "draft", "3d")}
    assert due_set(at(12, 7, 20, 59)) == {("a@example.cn", "draft", "3d"), ("b@example.cn", "draft", "3d")}


@pytest.mark.django_db
def test_quiet_hours_come_from_settings(world, settings):
    settings.NOTIFICATIONS_QUIET_HOURS = ""
    assert not in_quiet_hours(at(12, 7, 23, 0))
    assert due_set(at(12, 7, 23, 0)) == {("a@example.cn", "draft", "3d"), ("b@example.cn", "draft", "3d")}
    settings.NOTIFICATIONS_QUIET_HOURS = "12:00-14:00"
    assert in_quiet_hours(at(12, 7, 12, 0)) and not in_quiet_hours(at(12, 7, 14, 0))


@pytest.mark.django_db
def test_a_second_run_returns_nothing_new_and_sends_nothing_twice(world, django_capture_on_commit_callbacks):
    assert send(at(12, 7, 17, 5), django_capture_on_commit_callbacks) == 2
    assert due_set(at(12, 7, 17, 5)) == set()
    assert send(at(12, 7, 17, 20), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 2


@pytest.mark.django_db
def test_the_unique_constraint_refuses_a_second_record_of_the_same_reminder(world):
    cast, campaign, _ = world
    Reminder.objects.create(recipient=cast.applicant_a, campaign=campaign, kind="draft", milestone="3d")
    with pytest.raises(IntegrityError):
        Reminder.objects.create(recipient=cast.applicant_a, campaign=campaign, kind="draft", milestone="3d")


@pytest.mark.django_db
def test_an_organisation_admin_who_switched_recommendation_reminders_off_gets_none(world):
    cast, _, _ = world
    NotificationPreference.objects.create(user=cast.org_admin, recommendation=False)
    assert due_set(at(12, 8, 17, 5)) >= {("orgadmin.b@example.cn", "recommendation", "2d")}
    assert not {r for r in due_set(at(12, 8, 17, 5)) if r[0] == "orgadmin@example.cn"}


@pytest.mark.django_db
def test_no_recommendation_reminder_when_the_campaign_needs_no_recommendation(world):
    _, campaign, _ = world
    campaign.recommendation_required = False
    campaign.save()
    assert {r for r in due_set(at(12, 8, 17, 5)) if r[1] == "recommendation"} == set()


@pytest.mark.django_db
def test_staff_are_told_when_the_publicity_window_opens(world):
    assert due_set(at(12, 25, 9, 0)) == {("staff@example.cn", "publicity_opens", "0d")}
    assert due_set(at(12, 25, 8, 59)) == set()


@pytest.mark.django_db
def test_reviewers_with_unfinished_reviews_are_reminded_two_days_one_day_and_at_nine_on_the_last_day(
    world, django_capture_on_commit_callbacks
):
    assert due_set(at(12, 18, 16, 59)) == set()
    assert due_set(at(12, 18, 17, 5)) == {("reviewer@example.cn", "review", "2d")}
    send(at(12, 18, 17, 5), django_capture_on_commit_callbacks)
    assert due_set(at(12, 19, 17, 5)) == {("reviewer@example.cn", "review", "1d")}
    send(at(12, 19, 17, 5), django_capture_on_commit_callbacks)
    assert due_set(at(12, 20, 8, 59)) == set()
    assert due_set(at(12, 20, 9, 0)) == {("reviewer@example.cn", "review", "0d@0900")}
    send(at(12, 20, 9, 0), django_capture_on_commit_callbacks)
    assert due_set(at(12, 20, 9, 15)) == set()
    message = mail.outbox[-1]
    assert message.to == ["reviewer@example.cn"] and "2 份评审尚未完成" in message.subject
    assert "KS2026-0001" in message.body and "KS2026-0002" in message.body and "/reviews/" in message.body


@pytest.mark.django_db
def test_a_reviewer_who_submitted_everything_is_not_reminded(world):
    from reviews.models import Assignment, Review

    for assignment in Assignment.objects.filter(reviewer=world[0].reviewer):
        Review.objects.update_or_create(assignment=assignment, defaults={"status": "submitted"})
    assert due_set(at(12, 18, 17, 5)) == set()


def test_the_last_day_review_reminder_fires_at_nine_in_shanghai():
    rule = ReminderRule(kind=ReminderKind.REVIEW, days_before=0, at_time=dt.time(9, 0))
    assert fire_at(rule, REVIEW_CLOSES) == at(12, 20, 9, 0)
    assert fire_at(ReminderRule(kind=ReminderKind.REVIEW, days_before=2), REVIEW_CLOSES) == at(12, 18, 17)


@pytest.mark.django_db
def test_staff_edited_rules_replace_the_defaults(world, django_capture_on_commit_callbacks):
    _, campaign, _ = world
    reminder_rules_ensure(campaign=campaign)
    ReminderRule.objects.filter(campaign=campaign, kind="draft", days_before=3).update(days_before=5)
    assert due_set(at(12, 5, 16, 59)) == set()
    assert due_set(at(12, 5, 17, 5)) == {("a@example.cn", "draft", "5d"), ("b@example.cn", "draft", "5d")}
    send(at(12, 5, 17, 5), django_capture_on_commit_callbacks)
    assert due_set(at(12, 7, 17, 5)) == set()  # no 3-day reminder any more


@pytest.mark.django_db
def test_rules_are_created_once_per_campaign(world):
    _, campaign, _ = world
    assert reminder_rules_ensure(campaign=campaign) == 9
    assert reminder_rules_ensure(campaign=campaign) == 0


@pytest.mark.django_db
def test_the_reminder_email_says_what_is_due_for_which_case_by_when_with_a_link(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.cn"
    cast, _, objects = world
    send(at(12, 7, 17, 5), django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["a@example.cn"])
    assert "草稿" in message.subject and "第" in message.subject
    assert "昆山社工案例评选门户" in message.from_email
    assert objects["draft_a"].title in message.body
    assert "2026年12月10日 17:00" in message.body
    assert "https://portal.example.cn/cases/my/" in message.body
    assert "此邮件由系统自动发送" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://portal.example.cn/cases/my/"' in html and objects["draft_a"].title in html


@pytest.mark.django_db
def test_the_coming_reminders_list_who_will_be_reminded_and_when(world, django_capture_on_commit_callbacks):
    cast, campaign, _ = world
    send(at(12, 7, 17, 5), django_capture_on_commit_callbacks)
    with time_machine.travel(at(12, 7, 18, 0), tick=False):
        rows = coming_reminders(campaign)
    draft_3d = next(r for r in rows if r.rule.kind == "draft" and r.rule.days_before == 3)
    assert {u.email for u in draft_3d.recipients} == {"a@example.cn", "b@example.cn"}
    assert draft_3d.sent == {cast.applicant_a.pk, cast.applicant_b.pk}
    review_last_day = next(r for r in rows if r.rule.kind == "review" and r.rule.at_time)
    assert review_last_day.send_at == at(12, 20, 9, 0)
    # A reminder falling in the quiet hours is shown at the end of them.
    draft_1d = next(r for r in rows if r.rule.kind == "draft" and r.rule.days_before == 1)
    assert draft_1d.send_at == at(12, 9, 17)


@pytest.mark.django_db
def test_a_milestone_replaced_by_a_later_one_is_shown_as_replaced(world):
    _, campaign, _ = world
    with time_machine.travel(at(12, 9, 18, 0), tick=False):
        rows = coming_reminders(campaign)
    by_days = {r.rule.days_before: r for r in rows if r.rule.kind == "draft"}
    assert by_days[3].superseded and not by_days[1].superseded


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_reminder_once(world):
    """Two beat runs at the same moment, in two threads and two database connections (PostgreSQL)."""
    import threading

    from django.db import connections

    from tests.fixtures import require_postgresql

    require_postgresql("并发写入需要 PostgreSQL（SQLite 整库加锁）。")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(reminders_send_due())
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(at(12, 7, 17, 5), tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sorted(results) in ([0, 2], [1, 1])
    assert Reminder.objects.count() == 2 and OutboxEmail.objects.count() == 2


@pytest.mark.django_db
def test_staff_are_told_when_the_publicity_window_closes_with_objections_still_open(
    world, django_capture_on_commit_callbacks
):
    from awards.models import Objection
    from awards.tests.factories import AwardFactory, ObjectionFactory

    cast, campaign, objects = world
    closes = at(12, 31, 17, 5)

    def closing(now):
        return {(email, kind) for email, kind, _ in due_set(now) if kind == "publicity_closes"}

    assert closing(closes) == set()  # no objection at all
    ObjectionFactory(
        award=AwardFactory(campaign=campaign, application=objects["accepted_2"], confirmed_by=cast.staff),
        status=Objection.Status.DISMISSED,
    )
    assert closing(closes) == set()  # the only objection is resolved
    ObjectionFactory(award=AwardFactory(campaign=campaign, application=objects["accepted"], confirmed_by=cast.staff))
    assert closing(at(12, 31, 16, 55)) == set()  # still open
    assert closing(closes) == {("staff@example.cn", "publicity_closes")}
    send(closes, django_capture_on_commit_callbacks)
    assert closing(closes) == set()
    message = mail.outbox[-1]
    assert message.to == ["staff@example.cn"] and "KS2026-0001" in message.body
    assert "KS2026-0002" not in message.body


def _draft_row(campaign, now, days_before=1):
    with time_machine.travel(now, tick=False):
        rows = coming_reminders(campaign)
    return next(r for r in rows if r.rule.kind == "draft" and r.rule.days_before == days_before)


@pytest.mark.django_db
def test_a_milestone_whose_window_closed_with_recipients_pending_is_shown_as_missed_with_why(world):
    _, campaign, _ = world
    row = _draft_row(campaign, at(12, 10, 17, 1))  # nothing ever ran; the deadline passed a minute ago
    assert row.state == "missed" and row.state_label == "已错过"
    assert "2 人未收到" in row.why and "不再补发" in row.why and "run_periodic" in row.why


@pytest.mark.django_db
def test_a_milestone_is_due_until_two_checks_have_passed_then_overdue_and_not_yet_missed(world):
    _, campaign, _ = world
    assert _draft_row(campaign, at(12, 9, 16, 59)).state == "scheduled"
    assert _draft_row(campaign, at(12, 9, 17, 29)).state == "due"
    overdue = _draft_row(campaign, at(12, 9, 17, 30))
    assert overdue.state == "overdue" and "30 分钟" in overdue.why
    assert _draft_row(campaign, at(12, 10, 16, 59)).state == "overdue"  # still sendable before the deadline


@pytest.mark.django_db
def test_a_milestone_sent_to_everyone_is_shown_as_sent_after_its_deadline(world, django_capture_on_commit_callbacks):
    _, campaign, _ = world
    send(at(12, 9, 17, 5), django_capture_on_commit_callbacks)
    row = _draft_row(campaign, at(12, 10, 18, 0))
    assert row.state == "sent" and row.why == ""


@pytest.mark.django_db
def test_the_reminders_page_marks_a_passed_milestone_as_missed_not_as_time_reached(world, client):
    cast, campaign, _ = world
    with time_machine.travel(at(12, 10, 17, 1), tick=False):
        client.force_login(cast.staff)
        response = client.get("/notifications/manage/reminders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "已错过" in page and "不再补发" in page
    assert "已到时间" not in page
