"""奖项等级 as rows (reviews.TierRule): applied by count, fraction and threshold in their order; entered on the
tier page as a formset whose bad cells are answered beside the cell with nothing saved; frozen once the
decision is confirmed; copied by the campaign copier."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import selectors, services
from reviews.models import TierRule
from reviews.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ReviewFactory,
    review_window_campaign,
    tiers_set,
)

pytestmark = pytest.mark.django_db


def _scored(campaign, totals):
    services.rubric_ensure(campaign=campaign)
    settings_row = selectors.review_settings_get(campaign=campaign)
    settings_row.reviewers_per_application = 1
    settings_row.save()
    apps = []
    for total in totals:
        app = ApplicationFactory(campaign=campaign)
        ReviewFactory(assignment=AssignmentFactory(application=app), total=Decimal(total))
        apps.append(app)
    return apps


def _tiers(campaign):
    return [agg.tier for _app, agg, _per in selectors.ranking(campaign).rows]


def test_tier_rows_apply_by_count_then_fraction_then_threshold_in_their_order():
    campaign = review_window_campaign()
    _scored(campaign, [95, 90, 85, 80, 75, 70, 65, 60, 55, 50])
    tiers_set(
        campaign,
        [
            {"name": "一等奖", "by": "count", "value": 1},
            {"name": "二等奖", "by": "fraction", "value": "0.3"},  # up to 30 % of 10 = position 3
            {"name": "三等奖", "by": "threshold", "value": 70},  # the rest scoring at least 70
        ],
    )
    assert _tiers(campaign) == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", "", "", "", ""]


def test_huaian_thirds_as_rows_split_ten_stations_three_four_three_with_zhenggai_a_result():
    campaign = review_window_campaign()
    _scored(campaign, range(100, 50, -5))
    tiers_set(
        campaign,
        [
            {"name": "优秀", "by": "fraction", "value": "0.3333"},
            {"name": "合格", "by": "fraction", "value": "0.3333"},
            {"name": "整改", "by": "fraction", "value": "0.3334", "is_award": False},
        ],
    )
    tiers = _tiers(campaign)
    assert [tiers.count(n) for n in ("优秀", "合格", "整改")] == [3, 4, 3]
    ranking = selectors.ranking(campaign)
    assert ranking.result_names == {"整改"}


def test_a_campaign_without_rows_reads_the_default_and_reading_never_writes():
    campaign = review_window_campaign()
    tiers = selectors.tier_rules(campaign=campaign)
    assert [(t.name, t.by, t.value) for t in tiers] == [("优秀", "fraction", Decimal("0.3"))]
    assert not TierRule.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"name": "优秀", "by": "fraction", "value": Decimal("1.5")}, "value", "不大于 1"),
        ({"name": "优秀", "by": "count", "value": Decimal("2.5")}, "value", "整数"),
        ({"name": "优秀", "by": "count", "value": Decimal("0")}, "value", "整数"),
        ({"name": "优秀", "by": "threshold", "value": Decimal("101")}, "value", "满分 100"),
        ({"name": "", "by": "count", "value": Decimal("1")}, "name", "请填写等级名称"),
        ({"name": "优秀", "by": "lottery", "value": Decimal("1")}, "by", "划分方式"),
    ],
)
def test_a_bad_row_is_answered_on_its_cell(row, field, message):
    errors, whole = services.tier_rows_errors([row], max_total=Decimal("100"))
    assert whole == "" and message in errors[0][field]


def test_duplicate_names_and_fractions_past_one_are_answered_on_the_later_row():
    rows = [
        {"name": "优秀", "by": "fraction", "value": Decimal("0.6")},
        {"name": "优秀", "by": "fraction", "value": Decimal("0.6")},
    ]
    errors, _ = services.tier_rows_errors(rows)
    assert 0 not in errors
    assert "重复" in errors[1]["name"] and "之和不能大于 1" in errors[1]["value"]


def test_tiers_save_refuses_bad_rows_writing_nothing(cast):
    campaign = review_window_campaign()
    tiers_set(campaign, [{"name": "优秀", "by": "count", "value": 3}])
    with pytest.raises(ValidationError, match="第 2 行"):
        services.tiers_save(
            campaign=campaign,
            tiers=[
                {"name": "一等奖", "by": "count", "value": Decimal(1)},
                {"name": "一等奖", "by": "count", "value": Decimal(2)},
            ],
            by=cast.staff,
        )
    assert list(TierRule.objects.filter(campaign=campaign).values_list("name", "value")) == [("优秀", Decimal(3))]


def _post(formset_rows, total_forms=None):
    data = {
        "tiers-TOTAL_FORMS": str(total_forms or len(formset_rows)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(formset_rows):
        for key, value in row.items():
            if value is not None:
                data[f"tiers-{i}-{key}"] = value
    return data


def test_staff_enter_rows_on_the_page_reordered_with_one_removed_and_a_result_tier(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    url = reverse("reviews:tiers", kwargs={"slug": campaign.slug})
    page = client.get(url).content.decode()
    assert 'name="tiers-0-name"' in page and 'value="优秀"' in page  # the default, shown as a row
    rows = [
        {"ORDER": "2", "name": "合格", "by": "fraction", "value": "0.3", "is_award": "on"},
        {"ORDER": "1", "name": "优秀", "by": "fraction", "value": "0.3", "is_award": "on"},
        {"ORDER": "3", "name": "整改", "by": "fraction", "value": "0.4"},  # unticked: not an award
        {"ORDER": "4", "name": "作废", "by": "count", "value": "1", "is_award": "on", "DELETE": "on"},
        {"ORDER": "", "name": "", "by": "count", "value": "", "is_award": "on"},  # a blank extra row
    ]
    response = client.post(url, _post(rows))
    assert response.status_code == 302
    saved = list(TierRule.objects.filter(campaign=campaign).values_list("position", "name", "by", "is_award"))
    assert saved == [(1, "优秀", "fraction", True), (2, "合格", "fraction", True), (3, "整改", "fraction", False)]


def test_bad_rows_on_the_page_show_the_message_beside_the_cell_keep_what_was_typed_and_save_nothing(client, cast):
    campaign = review_window_campaign()
    services.rubric_ensure(campaign=campaign)  # 100 points: a threshold above it is out of range
    client.force_login(cast.staff)
    url = reverse("reviews:tiers", kwargs={"slug": campaign.slug})
    rows = [
        {"ORDER": "1", "name": "一等奖", "by": "fraction", "value": "1.2", "is_award": "on"},
        {"ORDER": "2", "name": "一等奖", "by": "count", "value": "3", "is_award": "on"},
        {"ORDER": "3", "name": "三等奖", "by": "threshold", "value": "120", "is_award": "on"},
    ]
    response = client.post(url, _post(rows))
    assert response.status_code == 200
    html = response.content.decode()
    formset = response.context["formset"]
    assert "不大于 1" in formset.forms[0].errors["value"][0]
    assert "重复" in formset.forms[1].errors["name"][0]
    assert "满分 100" in formset.forms[2].errors["value"][0]
    assert 'data-field="value"' in html and 'data-field="name"' in html
    assert 'value="1.2"' in html and 'value="120"' in html  # nothing typed is lost
    assert not TierRule.objects.filter(campaign=campaign).exists()


def test_removing_every_row_is_refused_above_the_table(client, cast):
    campaign = review_window_campaign()
    client.force_login(cast.staff)
    url = reverse("reviews:tiers", kwargs={"slug": campaign.slug})
    rows = [{"ORDER": "1", "name": "优秀", "by": "count", "value": "3", "is_award": "on", "DELETE": "on"}]
    response = client.post(url, _post(rows))
    assert response.status_code == 200 and "请至少设置一个奖项等级" in response.content.decode()


def test_the_tiers_cannot_change_once_the_decision_is_confirmed(client, cast):
    campaign = review_window_campaign()
    _scored(campaign, [90])
    services.decision_confirm(campaign=campaign, by=cast.staff)
    with pytest.raises(ValidationError, match="已确认"):
        services.tiers_save(
            campaign=campaign, tiers=[{"name": "优秀", "by": "count", "value": Decimal(1)}], by=cast.staff
        )
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:tiers", kwargs={"slug": campaign.slug})).content.decode()
    assert 'data-testid="tiers-frozen"' in page and 'data-testid="tiers-save"' not in page


def test_the_ranking_offers_the_rows_and_labels_a_result_tier(client, cast):
    campaign = review_window_campaign()
    _scored(campaign, [90, 80])
    tiers_set(
        campaign,
        [{"name": "合格", "by": "count", "value": 1}, {"name": "整改", "by": "count", "value": 1, "is_award": False}],
    )
    client.force_login(cast.staff)
    html = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug})).content.decode()
    assert "整改（评定结果）" in html and ">评定结果</span>" in html
    assert services.decision_confirm(campaign=campaign, by=cast.staff) == 1  # 整改 is not counted as 获奖


def test_tiers_copy_gives_the_target_the_source_rows():
    source, target = review_window_campaign(slug="tiers-source"), review_window_campaign(slug="tiers-target")
    tiers_set(
        source,
        [{"name": "优秀", "by": "count", "value": 2}, {"name": "整改", "by": "count", "value": 9, "is_award": False}],
    )
    tiers_set(target, [{"name": "旧等级", "by": "count", "value": 1}])
    services.tiers_copy(source=source, target=target)
    got = TierRule.objects.filter(campaign=target).order_by("position")
    assert [(t.name, t.value, t.is_award) for t in got] == [("优秀", Decimal(2), True), ("整改", Decimal(9), False)]


@pytest.mark.parametrize("n", [1, 8])
def test_the_tier_page_costs_the_same_for_one_and_for_eight_rows(client, cast, django_assert_num_queries, n):
    campaign = review_window_campaign()
    tiers_set(campaign, [{"name": f"等级{i}", "by": "count", "value": 1} for i in range(n)])
    client.force_login(cast.staff)
    url = reverse("reviews:tiers", kwargs={"slug": campaign.slug})
    with django_assert_num_queries(TIER_PAGE_QUERIES):
        assert client.get(url).status_code == 200


# The page's own: the campaign, the rows, the rubric (the threshold's range), the settings (frozen?), saved?;
# the rest is the session, the user and the base template's navigation, as on every staff page.
TIER_PAGE_QUERIES = 11
