"""A 30-field defined form: the staff list filters by its choice fields in the database, and the editor and the
staff list cost a pinned number of queries whatever the size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Application
from cases.tests.factories import ApplicationFactory, defined_campaign

pytestmark = pytest.mark.django_db

COUNTIES = ["清江浦区", "淮安区", "淮阴区"]


def thirty_fields() -> dict:
    """A form of 30 fields of every type, three of them staff filters."""
    fields = [
        {"key": "title", "label": "名称", "type": "text", "required": True, "max_chars": 100},
        {"key": "county", "label": "所属县（区）", "type": "choice", "choices": COUNTIES, "filter": True},
        {"key": "level", "label": "等级", "type": "choice", "choices": ["甲", "乙"], "filter": True},
        {"key": "kind", "label": "类型", "type": "choice", "choices": ["站", "点"], "filter": True},
        {"key": "groups", "label": "人群", "type": "multichoice", "choices": ["老人", "儿童"]},
        {"key": "budget", "label": "资金", "type": "money", "unit": "wan"},
        {"key": "period", "label": "周期", "type": "daterange"},
        {"key": "opened", "label": "建站时间", "type": "date"},
        {"key": "mail", "label": "邮箱", "type": "email"},
        {"key": "phone_no", "label": "电话", "type": "phone", "personal": True},
        {
            "key": "staff",
            "label": "人员",
            "type": "table",
            "max_rows": 20,
            "columns": [
                {"key": "name", "label": "姓名", "type": "text"},
                {"key": "age", "label": "年龄", "type": "number"},
            ],
        },
    ]
    fields += [{"key": f"n{i}", "label": f"指标{i}", "type": "number", "integer": True} for i in range(17)]
    body = [{"key": f"t{i}", "label": f"第{i}节", "type": "textarea"} for i in range(2)]
    return {
        "pledge": "承诺真实。",
        "sections": [
            {"key": "main", "title": "基本信息", "kind": "fields", "fields": fields},
            {"key": "body", "title": "正文", "kind": "body", "fields": body},
        ],
    }


def full_answers(i: int) -> dict:
    answers = {
        "title": f"社工站{i}",
        "county": COUNTIES[i % 3],
        "level": "甲",
        "kind": "站",
        "groups": ["老人"],
        "budget": 10,
        "period": ["2023-01-01", "2023-12-31"],
        "opened": "2022-05-01",
        "mail": "a@example.cn",
        "phone_no": "13912345678",
        "staff": [{"name": f"社工{j}", "age": 30} for j in range(20)],
        "t0": "社会工作者开展服务。" * 300,
        "t1": "社会工作者开展服务。" * 300,
    }
    answers.update({f"n{k}": k for k in range(17)})
    return answers


@pytest.fixture
def campaign():
    campaign = defined_campaign("station_evaluation")
    campaign.form_definition = thirty_fields()
    campaign.save()
    return campaign


def submitted(cast, campaign, n, start=0):
    for i in range(start, start + n):
        ApplicationFactory(
            campaign=campaign,
            applicant=cast.applicant_a,
            organisation=cast.org_a,
            status=Application.Status.SUBMITTED,
            reference=f"ZP2026-{i + 1:04d}",
            title=f"社工站{i}",
            answers=full_answers(i),
        )


def test_the_form_has_thirty_fields(campaign):
    from cases.formdef import definition_fields, form_definition_validate

    assert len(definition_fields(campaign.form_definition)) == 30
    assert form_definition_validate(campaign.form_definition) == []


def test_the_staff_list_filters_by_a_choice_field_in_the_database(client, cast, campaign):
    submitted(cast, campaign, 6)
    client.force_login(cast.staff)
    url = reverse("cases:staff_applications") + f"?campaign={campaign.pk}&answer_county=淮安区"
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert "ZP2026-0002" in html and "ZP2026-0005" in html
    assert "ZP2026-0001" not in html and "ZP2026-0003" not in html
    assert "所属县（区）" in html and 'data-testid="answer-cell">淮安区<' in html
    sql = "\n".join(q["sql"] for q in captured).lower()
    assert "county" in sql  # the filter is a query, not a loop over rows
    assert '"cases_application"."answers"' not in sql.replace('"cases_application"."answers" ->', "")


@pytest.mark.parametrize("size", [1, 30])
def test_the_staff_list_of_a_thirty_field_form_costs_pinned_queries(
    client, cast, campaign, size, django_assert_num_queries
):
    submitted(cast, campaign, size)
    client.force_login(cast.staff)
    url = reverse("cases:staff_applications") + f"?campaign={campaign.pk}&answer_level=甲"
    # The list without a campaign costs 9 (cases/tests/test_views.py); the chosen campaign's form is one more.
    with django_assert_num_queries(10):
        client.get(url)


@pytest.mark.parametrize("filled", [False, True])
def test_the_editor_of_a_thirty_field_form_costs_pinned_queries(
    client, cast, campaign, filled, django_assert_num_queries
):
    draft = ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        team=False,
        answers=full_answers(1) if filled else {},
    )
    client.force_login(cast.applicant_a)
    url = reverse("cases:application_edit", args=[draft.pk])
    client.get(url)  # the privacy check of the texts is remembered after the first read
    # session, user, application, its photos (privacy check of captions), memberships, photos and attachments
    # (the page), the campaign's 申报材料 slots, the session save: the same for an empty form and a full one with a
    # 20-row table.
    with django_assert_num_queries(11):
        response = client.get(url)
    if filled:
        assert "社工19" in response.content.decode()


def three_fields() -> dict:
    return {
        "sections": [
            {
                "key": "main",
                "title": "基本信息",
                "kind": "fields",
                "fields": [
                    {"key": "title", "label": "名称", "type": "text"},
                    {"key": "county", "label": "所属县（区）", "type": "choice", "choices": COUNTIES},
                    {"key": "budget", "label": "资金", "type": "money"},
                ],
            }
        ]
    }


@pytest.mark.parametrize("size", [3, 30])
def test_the_staff_form_editor_of_a_thirty_field_form_costs_pinned_queries(
    client, cast, campaign, size, django_assert_num_queries
):
    if size == 3:
        campaign.form_definition = three_fields()
        campaign.save()
    client.force_login(cast.staff)
    # session, user, the campaign, the user's memberships, whether it has submissions, the session save (3):
    # the definition is one column of the campaign, so 3 fields or 30 cost the same.
    with django_assert_num_queries(8):
        response = client.get(reverse("cases:campaign_form", args=[campaign.slug]))
    html = response.content.decode()
    assert html.count('data-testid="form-field-') == size
    assert 'data-testid="add-section"' in html
    with django_assert_num_queries(8):
        response = client.get(reverse("cases:campaign_form_section_edit", args=[campaign.slug, "main"]))
    assert "“所属县（区）”为“淮阴区”时的说明" in response.content.decode()
