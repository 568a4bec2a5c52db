"""The timeline's order rules and defaults: each out-of-order date named beside the later field."""

import datetime as dt

import pytest
from django.utils import timezone

from workspace.forms import TimelineForm
from workspace.timeline import (
    PHASES,
    Milestone,
    Phase,
    milestones,
    timeline_defaults,
    timeline_errors,
    timeline_phase_label,
    timeline_phases,
)

STEPS = milestones(PHASES)


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


def good_values():
    return {
        "announced_on": dt.date(2026, 3, 1),
        "submission_opens_at": at(2026, 3, 1, 9),
        "submission_closes_at": at(2026, 5, 20, 17),
        "recommendation_closes_at": at(2026, 5, 25, 17),
        "formal_check_closes_at": at(2026, 5, 30, 17),
        "review_opens_at": at(2026, 6, 1, 9),
        "review_closes_at": at(2026, 6, 15, 17),
        "publicity_starts_at": at(2026, 6, 18, 9),
        "publicity_ends_at": at(2026, 6, 25, 17),
        "ceremony_at": at(2026, 7, 2, 14),
    }


def test_a_timeline_in_order_has_no_errors():
    assert timeline_errors(steps=STEPS, values=good_values()) == {}


# (field moved, its new value, the field that gets the message, the phase the message names)
OUT_OF_ORDER = [
    (
        "submission_opens_at",
        at(2026, 2, 27, 9),
        "submission_opens_at",
        "申报开始时间不得早于发文启动日期（2026-03-01）",
    ),
    (
        "submission_closes_at",
        at(2026, 3, 1, 8),
        "submission_closes_at",
        "申报截止时间须晚于申报开始时间（2026-03-01 09:00）",
    ),
    (
        "recommendation_closes_at",
        at(2026, 5, 20, 17),
        "recommendation_closes_at",
        "单位推荐截止时间须晚于申报截止时间（2026-05-20 17:00）",
    ),
    (
        "formal_check_closes_at",
        at(2026, 5, 24, 17),
        "formal_check_closes_at",
        "形式审查截止时间须晚于单位推荐截止时间（2026-05-25 17:00）",
    ),
    (
        "review_opens_at",
        at(2026, 5, 29, 9),
        "review_opens_at",
        "专家评审开始时间须晚于形式审查截止时间（2026-05-30 17:00）",
    ),
    (
        "review_closes_at",
        at(2026, 6, 1, 9),
        "review_closes_at",
        "专家评审截止时间须晚于专家评审开始时间（2026-06-01 09:00）",
    ),
    (
        "publicity_starts_at",
        at(2026, 6, 10, 9),
        "publicity_starts_at",
        "公示开始时间须晚于专家评审截止时间（2026-06-15 17:00）",
    ),
    (
        "publicity_ends_at",
        at(2026, 6, 17, 9),
        "publicity_ends_at",
        "公示结束时间须晚于公示开始时间（2026-06-18 09:00）",
    ),
    ("ceremony_at", at(2026, 6, 25, 16), "ceremony_at", "颁奖时间须晚于公示结束时间（2026-06-25 17:00）"),
]


@pytest.mark.parametrize("name,value,field,message", OUT_OF_ORDER, ids=[row[0] for row in OUT_OF_ORDER])
def test_each_out_of_order_date_is_named_beside_its_own_field(name, value, field, message):
    values = {**good_values(), name: value}
    errors = timeline_errors(steps=STEPS, values=values)
    assert errors == {field: message + "。"}


def test_an_empty_optional_phase_is_skipped_and_the_next_compares_with_the_one_before():
    values = {**good_values(), "recommendation_closes_at": None, "formal_check_closes_at": None}
    values["review_opens_at"] = at(2026, 5, 20, 12)
    assert timeline_errors(steps=STEPS, values=values) == {
        "review_opens_at": "专家评审开始时间须晚于申报截止时间（2026-05-20 17:00）。"
    }


def test_required_milestones_left_empty_are_named():
    values = {**good_values(), "review_closes_at": None}
    assert timeline_errors(steps=STEPS, values=values) == {"review_closes_at": "请填写专家评审截止时间。"}


def test_defaults_follow_the_previous_phase():
    values = {
        **good_values(),
        "recommendation_closes_at": None,
        "formal_check_closes_at": None,
        "review_opens_at": None,
    }
    defaults = timeline_defaults(steps=STEPS, values=values)
    assert defaults["recommendation_closes_at"] == at(2026, 5, 25, 17)
    assert defaults["formal_check_closes_at"] == at(2026, 5, 30, 17)
    assert defaults["review_opens_at"] == at(2026, 5, 31, 9)  # the day after 形式审查 closes
    assert set(defaults) == {"recommendation_closes_at", "formal_check_closes_at", "review_opens_at"}
    assert timeline_errors(steps=STEPS, values={**values, **defaults}) == {}


def test_an_optional_phase_gets_no_suggestion_that_would_break_the_order_of_set_dates():
    values = {**good_values(), "recommendation_closes_at": None, "formal_check_closes_at": None}
    values["review_opens_at"] = at(2026, 5, 27, 9)  # room for 单位推荐 (5-25) but not for 形式审查 (5-30)
    defaults = timeline_defaults(steps=STEPS, values=values)
    assert defaults == {"recommendation_closes_at": at(2026, 5, 25, 17)}
    assert timeline_errors(steps=STEPS, values={**values, **defaults}) == {}


def test_defaults_from_the_year_alone_make_a_timeline_in_order():
    defaults = timeline_defaults(steps=STEPS, values={"announced_on": dt.date(2027, 3, 1)})
    assert timeline_errors(steps=STEPS, values={"announced_on": dt.date(2027, 3, 1), **defaults}) == {}
    assert defaults["submission_opens_at"] == at(2027, 3, 1, 9)


def test_a_leading_empty_date_takes_the_first_set_one():
    values = {**good_values(), "announced_on": None}
    assert timeline_defaults(steps=STEPS, values=values) == {"announced_on": dt.date(2026, 3, 1)}


def _post(values):
    return {
        k: (
            v.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")
            if isinstance(v, dt.datetime)
            else (v.isoformat() if v else "")
        )
        for k, v in values.items()
    }


def test_the_form_puts_the_message_beside_the_later_field_and_keeps_what_was_typed():
    values = good_values()
    data = _post({**values, "review_opens_at": at(2026, 5, 19, 9)})
    form = TimelineForm(data, phases=list(PHASES), values=values, defaults={})
    assert not form.is_valid()
    assert "形式审查截止时间（2026-05-30 17:00）" in form.errors["review_opens_at"][0]
    assert list(form.errors) == ["review_opens_at"]
    assert form["review_opens_at"].value() == "2026-05-19T09:00"


def test_the_form_keeps_the_seconds_of_a_date_sent_back_unchanged():
    values = {**good_values(), "submission_closes_at": at(2026, 5, 20, 23, 59, 59)}
    form = TimelineForm(_post(values), phases=list(PHASES), values=values, defaults={})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["submission_closes_at"] == at(2026, 5, 20, 23, 59, 59)


def test_the_form_names_an_unreadable_date_and_checks_the_rest():
    values = good_values()
    data = {**_post(values), "review_closes_at": "下周", "publicity_starts_at": "2026-06-01T09:00"}
    form = TimelineForm(data, phases=list(PHASES), values=values, defaults={})
    assert not form.is_valid()
    assert set(form.errors) == {"review_closes_at", "publicity_starts_at"}
    assert "专家评审开始时间（2026-06-01 09:00）" in form.errors["publicity_starts_at"][0]


def test_a_stage_another_app_adds_joins_the_timeline_after_its_phase(monkeypatch):
    stored = {}
    contract = Phase(
        "contract",
        "签订合同",
        (Milestone("contract_signed_by", "合同签订截止时间", days_after=10, at=dt.time(17, 0)),),
        load=lambda campaign: {"contract_signed_by": None},
        store=lambda *, campaign, values: stored.update(values),
        after="publicity",
    )
    monkeypatch.setattr("workspace.timeline.EXTRA_PHASES", [lambda campaign: [contract]])
    phases = timeline_phases(campaign=None)
    keys = [p.key for p in phases]
    assert keys.index("contract") == keys.index("publicity") + 1


@pytest.mark.django_db
def test_a_stage_another_app_adds_is_stored_in_the_same_transaction_as_the_campaign(cast):
    from cases.tests.factories import CampaignFactory
    from workspace.services import campaign_timeline_update

    campaign = CampaignFactory()
    stored = []

    def store(*, campaign, values):
        stored.append(values)
        if values["contract_signed_by"] is None:
            raise RuntimeError("合同签订截止时间必填")

    contract = Phase("contract", "签订合同", (Milestone("contract_signed_by", "合同签订截止时间"),), store=store)
    phases = [*PHASES, contract]
    values = {m.name: getattr(campaign, m.name) for m in milestones(PHASES)}
    moved = campaign.ceremony_at + dt.timedelta(days=1)

    signed_by = campaign.ceremony_at + dt.timedelta(days=30)
    campaign_timeline_update(
        campaign=campaign,
        phases=phases,
        values={**values, "ceremony_at": moved, "contract_signed_by": signed_by},
        by=cast.staff,
    )
    assert stored == [{"contract_signed_by": signed_by}]
    campaign.refresh_from_db()
    assert campaign.ceremony_at == moved

    with pytest.raises(RuntimeError):
        campaign_timeline_update(
            campaign=campaign,
            phases=phases,
            values={**values, "ceremony_at": moved + dt.timedelta(days=1), "contract_signed_by": None},
            by=cast.staff,
        )
    campaign.refresh_from_db()
    assert campaign.ceremony_at == moved  # the campaign's dates rolled back with the stage


@pytest.mark.parametrize(
    "now, label",
    [
        (at(2026, 2, 28, 12), "尚未开始"),
        (at(2026, 3, 1, 8), "待组织申报"),  # announced, submission not open yet
        (at(2026, 3, 1, 9), "组织申报"),
        (at(2026, 5, 20, 17), "组织申报"),  # the deadline minute itself
        (at(2026, 5, 21, 9), "单位推荐"),
        (at(2026, 5, 27, 9), "形式审查"),
        (at(2026, 6, 10, 9), "专家评审"),
        (at(2026, 6, 16, 9), "待结果公示"),  # not "申报已截止"
        (at(2026, 6, 20, 9), "结果公示"),
        (at(2026, 6, 28, 9), "待颁奖"),
        (at(2026, 7, 2, 14), "待颁奖"),
        (at(2026, 7, 3, 9), "已结束"),
    ],
)
def test_the_phase_label_follows_every_milestone_of_the_timeline(now, label):
    values = good_values()
    assert timeline_phase_label(phases=PHASES, values=values, now=now) == label, values


def test_an_unset_optional_phase_is_skipped_by_the_phase_label():
    values = {**good_values(), "recommendation_closes_at": None, "formal_check_closes_at": None}
    assert timeline_phase_label(phases=PHASES, values=values, now=at(2026, 5, 21, 9)) == "待专家评审"
