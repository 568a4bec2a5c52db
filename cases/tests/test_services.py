import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from cases import services
from cases.models import Application, Endorsement
from cases.tests.factories import ApplicationFactory, CampaignFactory, add_photo

pytestmark = pytest.mark.django_db


def _save(application, **fields):
    return services.application_save_draft(application=application, expected_version=application.version, fields=fields)


def test_a_draft_saves_with_required_fields_missing(draft):
    saved = _save(draft, title="", phone="", background="")
    assert saved.title == "" and saved.version == 2


def test_a_draft_keeps_a_badly_formatted_phone_and_reports_it(draft):
    saved = _save(draft, phone="12345", qq="12", email="not-an-email")
    assert saved.phone == "12345"
    problems = services.application_problems(saved, final=False)
    assert set(problems) == {"phone", "qq", "email"}


@pytest.mark.parametrize("phone", ["13912345678", "+86 139-1234-5678", "0512-57501234", "051257501234"])
def test_phone_numbers_in_usual_forms_are_accepted(draft, phone):
    draft.phone = phone
    assert "phone" not in services.application_problems(draft, final=False)


@pytest.mark.parametrize(
    ("qq", "ok"), [("12345", True), ("12345678901", True), ("1234", False), ("123456789012", False)]
)
def test_qq_has_five_to_eleven_digits(draft, qq, ok):
    draft.qq = qq
    assert ("qq" not in services.application_problems(draft, final=False)) is ok


def test_case_dates_outside_the_campaign_period_are_reported(draft):
    draft.period_start = draft.campaign.case_period_start - dt.timedelta(days=1)
    draft.period_end = draft.campaign.case_period_end + dt.timedelta(days=1)
    problems = services.application_problems(draft, final=False)
    assert "不能早于" in problems["period_start"][0]
    assert "不能晚于" in problems["period_end"][0]


def test_case_end_before_start_is_reported(draft):
    draft.period_start, draft.period_end = dt.date(2024, 5, 1), dt.date(2024, 4, 1)
    assert "不能早于开始时间" in services.application_problems(draft, final=False)["period_end"][0]


def test_a_stale_save_is_refused_and_changes_nothing(draft):
    first_version = draft.version
    _save(draft, title="第一个窗口的标题")
    with pytest.raises(services.StaleVersion) as refused:
        services.application_save_draft(application=draft, expected_version=first_version, fields={"title": "旧窗口"})
    assert "第 2 版" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.title == "第一个窗口的标题"


def test_team_rows_are_replaced_and_capped_at_ten(draft):
    team = [{"name": f"成员{i}", "gender": "male", "age": 30} for i in range(12)]
    services.application_save_draft(application=draft, expected_version=draft.version, fields={}, team=team)
    assert draft.team_members.count() == 10


def test_the_pledge_is_stored_with_time_and_ip(draft, rf):
    draft.pledge_accepted = False
    draft.save()
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    saved = services.application_save_draft(
        application=draft,
        expected_version=draft.version,
        fields={},
        pledge={"accepted": True, "signature": "张敏"},
        request=request,
    )
    assert saved.pledge_accepted and saved.pledge_signature == "张敏"
    assert saved.pledged_ip == "10.1.2.3" and saved.pledged_at is not None


def test_submit_gives_a_reference_locks_audits_and_mails_a_receipt(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(application_id=draft.pk, by=draft.applicant)
    year = draft.campaign.submission_opens_at.year
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.reference.startswith(f"KS{year}-") and len(submitted.reference.split("-")[1]) == 4
    assert not submitted.is_editable
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT, object_id=str(draft.pk)).count() == 1
    assert len(mail.outbox) == 1 and submitted.reference in mail.outbox[0].body


def test_submitting_twice_makes_one_submission(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.application_submit(application_id=draft.pk, by=draft.applicant)
        second = services.application_submit(application_id=draft.pk, by=draft.applicant)
    assert first.reference == second.reference
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT).count() == 1
    assert len(mail.outbox) == 1


def test_references_are_sequential_per_campaign_and_never_reused(cast):
    campaign = CampaignFactory()
    a = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    b = ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b)
    ref_a = services.application_submit(application_id=a.pk, by=a.applicant).reference
    services.application_withdraw(application_id=a.pk, by=a.applicant)
    ref_b = services.application_submit(application_id=b.pk, by=b.applicant).reference
    again = services.application_submit(application_id=a.pk, by=a.applicant).reference
    assert ref_a.endswith("-0001") and ref_b.endswith("-0002") and again == ref_a


def test_submit_refuses_missing_fields_empty_sections_and_no_team(cast):
    draft = ApplicationFactory(
        applicant=cast.applicant_a, organisation=cast.org_a, title="", reflection="  ", team=False
    )
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application_id=draft.pk, by=draft.applicant)
    assert {"title", "reflection", "team"} <= set(refused.value.message_dict)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT and draft.reference is None


def test_group_cases_need_three_to_five_photos_but_casework_may_have_none(cast):
    group = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a, category="group")
    assert "photos" in services.application_problems(group, final=True)
    for _ in range(3):
        add_photo(group)
    assert "photos" not in services.application_problems(group, final=True)
    casework = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a, category="casework")
    assert "photos" not in services.application_problems(casework, final=True)


def test_body_length_outside_the_advice_warns_but_does_not_block(cast):
    short = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a, background="短。")
    short.analysis = short.plan = short.implementation = short.evaluation = short.reflection = "短。"
    short.save()
    assert services.application_warnings(short)
    assert "body_length" not in services.application_problems(short, final=True)
    short.campaign.body_limits_are_hard = True
    assert "body_length" in services.application_problems(short, final=True)


def test_findings_left_need_a_confirmation_to_submit(cast, django_capture_on_commit_callbacks):
    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    with django_capture_on_commit_callbacks(execute=True):  # the background check runs after the save
        _save(draft, background=draft.background + "服务对象身份证号 320583199001011232。")
    saved = Application.objects.get(pk=draft.pk)
    if not saved.findings_count:
        pytest.fail("the privacy checker should flag an ID number")
    with pytest.raises(ValidationError, match="隐私"):
        services.application_submit(application_id=draft.pk, by=draft.applicant)
    assert services.application_submit(application_id=draft.pk, by=draft.applicant, confirm_findings=True).reference


def test_per_applicant_limit_refuses_a_second_submission(cast):
    campaign = CampaignFactory(max_applications_per_applicant=1)
    a = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    b = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    services.application_submit(application_id=a.pk, by=cast.applicant_a)
    with pytest.raises(ValidationError, match="最多申报 1 个"):
        services.application_submit(application_id=b.pk, by=cast.applicant_a)


def test_per_organisation_limit_counts_every_applicant_of_it(cast):
    from accounts.tests.factories import MembershipFactory

    colleague = MembershipFactory(organisation=cast.org_a).user
    campaign = CampaignFactory(max_applications_per_organisation=1)
    a = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    b = ApplicationFactory(campaign=campaign, applicant=colleague, organisation=cast.org_a)
    services.application_submit(application_id=a.pk, by=cast.applicant_a)
    with pytest.raises(ValidationError, match="每个机构最多"):
        services.application_submit(application_id=b.pk, by=colleague)


def test_withdraw_before_the_deadline_makes_it_editable_again(draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    withdrawn = services.application_withdraw(application_id=draft.pk, by=draft.applicant)
    assert withdrawn.is_editable and withdrawn.status == Application.Status.WITHDRAWN


def test_withdraw_after_the_deadline_is_refused(draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    later = draft.campaign.submission_closes_at + dt.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="截止"):
        services.application_withdraw(application_id=draft.pk, by=draft.applicant, now=later)


def test_a_submitted_application_cannot_be_saved_as_a_draft(draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="已提交"):
        _save(draft, title="改一改")


def test_the_organisation_admin_recommends_a_submitted_application(cast, draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    endorsement = services.application_recommend(application_id=draft.pk, by=cast.org_admin, opinion="同意推荐。")
    draft.refresh_from_db()
    assert draft.status == Application.Status.RECOMMENDED
    assert endorsement.decision == Endorsement.Decision.RECOMMENDED


def test_the_admin_of_another_organisation_cannot_recommend(cast, draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    with pytest.raises(ValidationError, match="本机构负责人"):
        services.application_recommend(application_id=draft.pk, by=cast.org_admin_b, opinion="同意。")


def test_returning_mails_the_applicant_and_makes_it_editable(cast, draft, django_capture_on_commit_callbacks):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(application_id=draft.pk, by=cast.org_admin, reason="请补充评估数据。")
    draft.refresh_from_db()
    assert draft.status == Application.Status.RETURNED and draft.is_editable
    assert mail.outbox[0].to == [cast.applicant_a.email] and "请补充评估数据" in mail.outbox[0].body


def test_a_return_needs_a_reason(cast, draft):
    services.application_submit(application_id=draft.pk, by=draft.applicant)
    with pytest.raises(ValidationError):
        services.application_return(application_id=draft.pk, by=cast.org_admin, reason="  ")


def test_starting_prefills_the_form_from_the_account(cast):
    campaign = CampaignFactory()
    application = services.application_start(campaign=campaign, user=cast.applicant_a)
    assert application.applicant_name == "张敏"
    assert application.organisation == cast.org_a and application.declaring_unit == cast.org_a.name


def test_starting_outside_the_submission_window_is_refused(cast):
    campaign = CampaignFactory()
    with pytest.raises(ValidationError, match="不在申报时间内"):
        services.application_start(
            campaign=campaign, user=cast.applicant_a, now=campaign.submission_closes_at + dt.timedelta(seconds=1)
        )


def test_two_campaigns_with_the_same_prefix_and_year_never_share_a_reference(cast):
    first, second = CampaignFactory(), CampaignFactory()
    a = ApplicationFactory(campaign=first, applicant=cast.applicant_a, organisation=cast.org_a)
    b = ApplicationFactory(campaign=second, applicant=cast.applicant_b, organisation=cast.org_b)
    ref_a = services.application_submit(application_id=a.pk, by=a.applicant).reference
    ref_b = services.application_submit(application_id=b.pk, by=b.applicant).reference
    assert ref_a != ref_b


def test_a_draft_save_drops_control_characters_that_a_word_file_cannot_hold(cast):
    from cases.docx_export import application_docx
    from cases.services import application_save_draft
    from cases.tests.factories import CampaignFactory

    campaign = CampaignFactory()
    from cases.services import application_start

    application = application_start(campaign=campaign, user=cast.applicant_a)
    saved = application_save_draft(
        application=application,
        expected_version=application.version,
        fields={"title": "陪伴\x0b独居老人", "background": "第一段\x0c\n第二段\t缩进"},
    )
    saved.refresh_from_db()
    assert saved.title == "陪伴独居老人"
    assert saved.background == "第一段\n第二段\t缩进"
    assert application_docx(saved)  # the Word export no longer fails on it


def test_draft_saves_are_audited_once_per_application_in_ten_minutes(draft):
    from accounts.models import AuditEvent

    for title in ("一稿", "二稿", "三稿"):
        _save(draft, title=title)
        draft.refresh_from_db()
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DRAFT_SAVE, object_id=str(draft.pk))
    assert events.count() == 1
    assert events.get().object_type == "cases.application"
