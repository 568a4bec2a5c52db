"""The pages through the test client: forms keep what was typed, refusals are shown, lists cost fixed queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from awards.tests.factories import AwardFactory
from evaluations import services
from evaluations.models import Stage, StageRecord
from evaluations.tests.factories import (
    ApplicationFactory,
    StageCriterionFactory,
    StageEvaluatorFactory,
    StageFactory,
    StageRecordFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_storage):
    return media_storage


def _records(stage, n, *, evaluator=None):
    """n submitted records of the stage, each scored by the evaluator when given."""
    criterion = stage.criteria.first() or StageCriterionFactory(stage=stage)
    for _ in range(n):
        record = StageRecordFactory(stage=stage, status=StageRecord.Status.SUBMITTED, report="进展")
        if evaluator is not None:
            services.stage_review_save(
                record=record, evaluator=evaluator, points={criterion.pk: 30}, opinion="好", submit=True
            )


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_staff_record_list_costs_the_same_queries_for_1_and_30_records(client, cast):
    stage = StageFactory()
    StageEvaluatorFactory(stage=stage, user=cast.reviewer)
    client.force_login(cast.staff)
    url = reverse("evaluations:stage_detail", args=[stage.pk])
    _records(stage, 1, evaluator=cast.reviewer)
    one = _count(client, url)
    _records(stage, 29, evaluator=cast.reviewer)
    assert _count(client, url) == one


@pytest.mark.parametrize("size", [1, 30])
def test_the_staff_record_list_query_count_is_pinned(client, cast, django_assert_num_queries, size):
    stage = StageFactory()
    StageEvaluatorFactory(stage=stage, user=cast.reviewer)
    _records(stage, size, evaluator=cast.reviewer)
    client.force_login(cast.staff)
    # session, user, roles, stage, criteria, evaluators, the reviewer choices, count, the page, the session save (3)
    with django_assert_num_queries(12):
        client.get(reverse("evaluations:stage_detail", args=[stage.pk]))


def test_the_evaluator_list_costs_the_same_queries_for_1_and_30_records(client, cast):
    stage = StageFactory()
    StageEvaluatorFactory(stage=stage, user=cast.reviewer)
    client.force_login(cast.reviewer)
    url = reverse("evaluations:queue")
    _records(stage, 1, evaluator=cast.reviewer)
    one = _count(client, url)
    _records(stage, 29)
    assert _count(client, url) == one


@pytest.mark.parametrize("size", [1, 30])
def test_the_evaluator_list_query_count_is_pinned(client, cast, django_assert_num_queries, size):
    stage = StageFactory()
    StageEvaluatorFactory(stage=stage, user=cast.reviewer)
    _records(stage, size, evaluator=cast.reviewer)
    client.force_login(cast.reviewer)
    # session, user, roles, count, the page, the session save (3)
    with django_assert_num_queries(8):
        client.get(reverse("evaluations:queue"))


def test_the_evaluator_list_shows_only_their_stages(client, cast):
    mine = StageFactory(name="中期评估")
    StageEvaluatorFactory(stage=mine, user=cast.reviewer)
    StageRecordFactory(stage=mine, application__title="我的项目")
    StageRecordFactory(stage=StageFactory(name="末期评估"), application__title="别人的项目")
    client.force_login(cast.reviewer)
    html = client.get(reverse("evaluations:queue")).content.decode()
    assert "中期评估" in html and "末期评估" not in html


def _org_record(cast, **stage_kwargs):
    stage = StageFactory(**stage_kwargs)
    application = ApplicationFactory(campaign=stage.campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    AwardFactory(campaign=stage.campaign, application=application)
    return StageRecordFactory(stage=stage, application=application)


def test_staff_add_a_stage_and_a_bad_window_keeps_what_was_typed(client, cast):
    stage = StageFactory.build()
    client.force_login(cast.staff)
    url = reverse("evaluations:stage_list", args=[stage.campaign.slug])
    data = {
        "kind": "midterm",
        "name": "中期评估",
        "position": "1",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-02-01T17:00",
        "instructions": "提交中期报告",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "提交截止时间必须晚于开始时间" in html and "提交中期报告" in html
    assert not Stage.objects.filter(campaign=stage.campaign).exists()
    response = client.post(url, {**data, "closes_at": "2027-03-31T17:00"})
    created = Stage.objects.get(campaign=stage.campaign)
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluations:stage_detail", args=[created.pk]
    )


def test_the_organisation_admin_submits_a_report_and_sees_it(client, cast):
    record = _org_record(cast)
    client.force_login(cast.org_admin)
    url = reverse("evaluations:record", args=[record.pk])
    response = client.post(url, {"report": "已完成个案 5 个。", "attachments": [pdf_upload()]})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "已完成个案 5 个。" in html and "进展报告.pdf" in html


def test_an_empty_report_is_refused_beside_the_field(client, cast):
    record = _org_record(cast)
    client.force_login(cast.org_admin)
    response = client.post(reverse("evaluations:record", args=[record.pk]), {"report": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()


def test_after_the_window_the_page_says_why_and_a_post_is_refused(client, cast):
    now = timezone.now()
    record = _org_record(cast, opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(days=1))
    client.force_login(cast.org_admin)
    url = reverse("evaluations:record", args=[record.pk])
    html = client.get(url).content.decode()
    assert "截止，不能再提交或修改材料" in html and 'data-testid="record-form"' not in html
    response = client.post(url, {"report": "迟交的报告"}, follow=True)
    assert "截止" in response.content.decode()
    record.refresh_from_db()
    assert record.report == "" and record.status == StageRecord.Status.PENDING


def test_an_evaluator_points_above_the_maximum_stay_in_the_form(client, cast):
    record = _org_record(cast)
    criterion = StageCriterionFactory(stage=record.stage, name="服务成效", max_points=Decimal("40"))
    StageEvaluatorFactory(stage=record.stage, user=cast.reviewer)
    services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[])
    client.force_login(cast.reviewer)
    response = client.post(
        reverse("evaluations:score", args=[record.pk]), {f"c{criterion.pk}": "45", "opinion": "意见原文", "submit": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "不能超过满分 40" in html and "意见原文" in html


def test_the_result_shows_on_the_organisation_page_and_the_application_page(client, cast):
    record = _org_record(cast)
    services.stage_report_submit(record=record, by=cast.org_admin, report="进展", attachments=[])
    services.stage_result_decide(record=record, by=cast.staff, result="rectify", note="补充经费使用明细。")
    client.force_login(cast.org_admin)
    html = client.get(reverse("cases:organisation_applications")).content.decode()
    assert 'data-testid="organisation-stages"' in html and "整改" in html
    client.force_login(cast.applicant_a)
    html = client.get(reverse("cases:application_detail", args=[record.application.pk])).content.decode()
    assert "整改" in html and "补充经费使用明细。" in html


def test_another_organisations_admin_does_not_see_the_record(client, cast):
    record = _org_record(cast)
    client.force_login(cast.org_admin_b)
    assert client.get(reverse("evaluations:record", args=[record.pk])).status_code == 404
    html = client.get(reverse("cases:organisation_applications")).content.decode()
    assert 'data-testid="organisation-stages"' not in html


def test_a_member_who_is_not_admin_cannot_submit(client, cast):
    record = _org_record(cast)
    member = MembershipFactory(organisation=cast.org_a).user
    client.force_login(member)
    assert client.post(reverse("evaluations:record", args=[record.pk]), {"report": "x"}).status_code == 404


def test_the_contract_stage_takes_a_date_and_a_scan_that_the_evaluator_downloads(client, cast):
    from evaluations.tests.factories import jpeg_upload

    record = _org_record(cast, kind=Stage.Kind.CONTRACT, name="签订协议")
    StageEvaluatorFactory(stage=record.stage, user=cast.reviewer)
    client.force_login(cast.org_admin)
    url = reverse("evaluations:record", args=[record.pk])
    missing = client.post(url, {"signed_on": timezone.localdate().isoformat()})
    assert missing.status_code == 200 and "请上传签订后的协议扫描件" in missing.content.decode()
    done = client.post(url, {"signed_on": timezone.localdate().isoformat(), "scan": jpeg_upload()})
    assert done.status_code == 302
    client.force_login(cast.reviewer)
    download = client.get(reverse("evaluations:contract", args=[record.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8\xff")


def test_staff_edit_a_stage_window(client, cast):
    stage = StageFactory()
    client.force_login(cast.staff)
    url = reverse("evaluations:stage_detail", args=[stage.pk])
    closes = timezone.localtime(stage.closes_at + dt.timedelta(days=7))
    response = client.post(
        url,
        {
            "kind": "final",
            "name": "末期评估",
            "position": "3",
            "opens_at": timezone.localtime(stage.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "instructions": "",
        },
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.name == "末期评估" and stage.kind == Stage.Kind.FINAL
    assert timezone.localtime(stage.closes_at).strftime("%Y-%m-%d %H:%M") == closes.strftime("%Y-%m-%d %H:%M")
