"""The form engine (cases.formdef): a definition validates, each field type checks its values in Chinese, a
submit names the required field left empty, and the presets are valid forms."""

import copy

import pytest

from cases.formdef import (
    answers_clean,
    answers_for_display,
    answers_problems,
    answers_warnings,
    campaign_definition,
    form_definition_validate,
)
from cases.models import Application
from cases.presets import PRESETS, preset_apply, preset_choices
from cases.tests.factories import ApplicationFactory, CampaignFactory, defined_campaign


def one_field(**field) -> dict:
    return {"sections": [{"key": "main", "title": "基本信息", "kind": "fields", "fields": [field]}]}


def f(key="x", label="字段", type="text", **options) -> dict:
    return {"key": key, "label": label, "type": type, **options}


# ---------------------------------------------------------------- definitions


def test_a_valid_definition_has_no_errors():
    assert form_definition_validate(one_field(**f(type="number", min=0, max=10, integer=True))) == []


def test_an_unknown_type_is_refused_naming_it():
    errors = form_definition_validate(one_field(**f(type="slider")))
    assert any("类型“slider”不受支持" in e for e in errors)


def test_a_duplicate_key_is_refused():
    definition = {
        "sections": [
            {"key": "a", "title": "甲", "kind": "fields", "fields": [f(key="name")]},
            {"key": "b", "title": "乙", "kind": "body", "fields": [f(key="name", type="textarea")]},
        ]
    }
    assert "字段标识“name”重复。" in form_definition_validate(definition)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (f(label=""), "缺少名称"),
        (f(key="Bad-Key"), "标识须以小写字母开头"),
        (f(key="version"), "系统保留"),
        (f(type="choice", choices=[]), "请至少填写一个选项"),
        (f(type="choice", choices=["是", "是"]), "选项有重复"),
        (f(type="multichoice", choices=["是", ""]), "选项不能为空"),
        (f(type="text", filter=True), "不能作为筛选条件"),
        (f(type="number", min=10, max=1), "下限大于上限"),
        (f(type="money", unit="dollar"), "金额单位"),
        (f(type="table", columns=[]), "请至少填写一列"),
        (f(type="table", columns=[{"key": "a", "label": "甲", "type": "photo"}]), "不受支持"),
    ],
)
def test_a_bad_field_is_refused_with_a_chinese_message(field, message):
    errors = form_definition_validate(one_field(**field))
    assert any(message in e for e in errors), errors


def test_not_a_definition_at_all_is_refused():
    assert form_definition_validate([]) == ["申报表单定义应包含章节列表（sections）。"]
    assert form_definition_validate({"sections": []}) == ["申报表单至少要有一个章节。"]


def test_guidance_by_must_follow_a_choice_field_of_the_form():
    definition = one_field(**f(key="kind", type="choice", choices=["个案", "小组"]))
    definition["sections"].append(
        {"key": "plan", "title": "服务计划", "kind": "body", "fields": [f(key="plan", type="textarea")]}
    )
    definition["sections"][1]["guidance_by"] = {"field": "kind", "texts": {"个案": "写明理论依据。"}}
    assert form_definition_validate(definition) == []
    definition["sections"][1]["guidance_by"] = {"field": "kind", "texts": {"社区": "…"}}
    assert form_definition_validate(definition)
    definition["sections"][1]["guidance_by"] = {"field": "nothing", "texts": {}}
    assert form_definition_validate(definition)


@pytest.mark.django_db
def test_a_required_field_removed_after_a_submission_is_refused():
    campaign = defined_campaign()
    definition = copy.deepcopy(campaign.form_definition)
    definition["sections"][0]["fields"] = [x for x in definition["sections"][0]["fields"] if x["key"] != "budget"]
    assert form_definition_validate(definition, campaign=campaign) == []  # no submission yet: allowed

    ApplicationFactory(
        campaign=campaign, status=Application.Status.SUBMITTED, submitted_at=campaign.submission_opens_at
    )
    assert form_definition_validate(definition, campaign=campaign) == ["已有申报提交，不能删除必填字段“申请资金”。"]


@pytest.mark.django_db
def test_a_type_changed_or_a_new_required_field_after_a_submission_is_refused():
    campaign = defined_campaign()
    ApplicationFactory(
        campaign=campaign, status=Application.Status.WITHDRAWN, submitted_at=campaign.submission_opens_at
    )
    definition = copy.deepcopy(campaign.form_definition)
    definition["sections"][0]["fields"][2]["type"] = "textarea"  # 服务地点
    definition["sections"][0]["fields"].append(f(key="extra", label="补充说明", required=True))
    errors = form_definition_validate(definition, campaign=campaign)
    assert "已有申报提交，不能更改字段“服务地点”的类型。" in errors
    assert "已有申报提交，不能新增必填字段“补充说明”。" in errors


@pytest.mark.django_db
def test_an_optional_field_may_be_added_after_a_submission():
    campaign = defined_campaign()
    ApplicationFactory(
        campaign=campaign, status=Application.Status.SUBMITTED, submitted_at=campaign.submission_opens_at
    )
    definition = copy.deepcopy(campaign.form_definition)
    definition["sections"][0]["fields"].append(f(key="extra", label="补充说明"))
    assert form_definition_validate(definition, campaign=campaign) == []


# ---------------------------------------------------------------- values, type by type


@pytest.mark.parametrize(
    ("field", "raw", "value", "error"),
    [
        (f(type="text", max_chars=5), "青铜峡市民政局", None, "最多 5 字（现有 7 字）。"),
        (f(type="text", max_chars=5), "  民政局 ", "民政局", None),
        (f(type="textarea"), "第一段\r\n第二段", "第一段\n第二段", None),
        (f(type="number"), "十二", None, "请填写数字。"),
        (f(type="number", integer=True), "2.5", None, "请填写整数。"),
        (f(type="number", min=0), "-1", None, "不能小于 0。"),
        (f(type="number", max=100), "101", None, "不能大于 100。"),
        (f(type="number"), "1,200", 1200, None),
        (f(type="number"), "１２", 12, None),
        (f(type="money", unit="wan"), "10.5", 10.5, None),
        (f(type="money"), "10.555", None, "金额最多保留两位小数。"),
        (f(type="money"), "-3", None, "金额不能为负数。"),
        (f(type="money"), "十万", None, "请填写金额（数字，最多两位小数）。"),
        (f(type="date"), "2023-05-16", "2023-05-16", None),
        (f(type="date"), "2023-02-30", None, "请填写正确的日期，如 2023-05-16。"),
        (f(type="daterange"), ["2023-06-01", "2024-05-31"], ["2023-06-01", "2024-05-31"], None),
        (f(type="daterange"), ["2024-06-01", "2023-05-31"], None, "结束日期不能早于开始日期。"),
        (f(type="daterange"), ["昨天", ""], None, "请填写正确的日期，如 2023-05-16。"),
        (f(type="choice", choices=["甲", "乙"]), "乙", "乙", None),
        (f(type="choice", choices=["甲", "乙"]), "丙", None, "请从列表中选择。"),
        (f(type="multichoice", choices=["甲", "乙"]), ["甲", "乙"], ["甲", "乙"], None),
        (f(type="multichoice", choices=["甲", "乙"]), ["丁"], None, "请从列表中选择。"),
        (f(type="email"), "qtxsmzj@nx.gov.cn", "qtxsmzj@nx.gov.cn", None),
        (f(type="email"), "qtxsmzj@", None, "请填写正确的电子邮箱地址。"),
        (f(type="phone"), "0953-3012345", "0953-3012345", None),
        (f(type="phone"), "12345", None, "请填写正确的电话号码，如 13912345678 或 0512-57501234。"),
    ],
)
def test_each_type_checks_its_value_in_chinese(field, raw, value, error):
    answers, errors = answers_clean(one_field(**field), {"x": raw})
    assert answers.get("x") == value
    assert errors.get("x", [None])[0] == error


def test_a_table_row_with_a_bad_cell_is_reported_by_row_and_column():
    table = f(
        type="table",
        columns=[{"key": "name", "label": "姓名", "type": "text"}, {"key": "age", "label": "年龄", "type": "number"}],
        max_rows=2,
    )
    answers, errors = answers_clean(
        one_field(**table), {"x": [{"name": "王芳", "age": "32"}, {"name": "李静", "age": "三十"}]}
    )
    assert errors == {"x": ["第 2 行“年龄”：请填写数字。"]}
    answers, errors = answers_clean(one_field(**table), {"x": [{"name": "王芳", "age": "32"}, {"name": "", "age": ""}]})
    assert answers == {"x": [{"name": "王芳", "age": 32}]} and errors == {}
    _, errors = answers_clean(one_field(**table), {"x": [{"name": str(i)} for i in range(3)]})
    assert errors == {"x": ["最多填写 2 行（现有 3 行）。"]}


def test_a_bad_value_is_left_out_and_the_good_ones_kept():
    definition = one_field(**f(key="a", type="number"))
    definition["sections"][0]["fields"].append(f(key="b", label="名称"))
    answers, errors = answers_clean(definition, {"a": "abc", "b": "项目"})
    assert answers == {"b": "项目"} and list(errors) == ["a"]


def test_a_required_field_left_empty_blocks_submit_naming_it():
    definition = one_field(**f(key="title", label="项目名称", required=True))
    assert answers_problems(definition, {}) == {"title": ["提交前请填写“项目名称”。"]}
    assert answers_problems(definition, {"title": "项目"}) == {}


def test_a_required_date_range_needs_both_ends():
    definition = one_field(**f(key="period", label="项目实施周期", type="daterange", required=True))
    assert answers_problems(definition, {"period": ["2023-06-01", None]}) == {
        "period": ["提交前请填写“项目实施周期”的开始和结束日期。"]
    }


def test_table_minimum_rows_and_hard_length_limits_block_submit():
    table = f(
        key="staff", label="专职人员", type="table", required=True, min_rows=2, columns=[{"key": "n", "label": "姓名"}]
    )
    assert answers_problems(one_field(**table), {"staff": [{"n": "王芳"}]}) == {
        "staff": ["“专职人员”至少填写 2 行（现有 1 行）。"]
    }
    text = f(key="s", label="自评", type="textarea", min_chars=10, max_chars=20)
    assert answers_problems(one_field(**text), {"s": "短"}) == {}
    assert answers_warnings(one_field(**text), {"s": "短"}) == ["“自评”现有 1 字，建议10—20 字。"]
    hard = {**text, "hard_limit": True}
    assert answers_problems(one_field(**hard), {"s": "短"}) == {"s": ["“自评”共 1 字，本次要求10—20 字。"]}
    assert answers_warnings(one_field(**hard), {"s": "短"}) == []


def test_personal_fields_are_hidden_when_asked():
    definition = one_field(**f(key="leader", label="负责人", personal=True))
    definition["sections"][0]["fields"].append(f(key="title", label="项目名称"))
    shown = answers_for_display(definition, {"leader": "马晓燕", "title": "项目"}, hide_personal=True)
    assert [row["key"] for row in shown[0]["rows"]] == ["title"]
    shown = answers_for_display(definition, {"leader": "马晓燕", "title": "项目"})
    assert [row["text"] for row in shown[0]["rows"]] == ["马晓燕", "项目"]


# ---------------------------------------------------------------- presets


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_is_a_valid_form(key):
    assert form_definition_validate(PRESETS[key].definition) == []


def test_the_preset_choices_name_the_three_presets():
    assert preset_choices() == [
        ("case_award", "优秀社工案例评选"),
        ("project_call", "社会工作服务项目申报"),
        ("station_evaluation", "社工站评估"),
    ]


def test_the_case_award_describes_the_official_form_word_for_word():
    definition = PRESETS["case_award"].definition
    labels = [x["label"] for s in definition["sections"] for x in s["fields"]]
    assert labels == [
        "案例名称",
        "案例起止时间",
        "申报单位",
        "机构名称",
        "申报社工姓名",
        "联系方式（电话）",
        "电子邮箱",
        "QQ",
        "案例类别",
        "案例领域",
        "实施团队基本情况",
        "一、背景介绍",
        "二、分析预估",
        "三、服务计划",
        "四、服务计划实施过程",
        "五、总结评估",
        "六、专业反思",
    ]
    assert all(x.get("column") for s in definition["sections"] for x in s["fields"])


@pytest.mark.django_db
def test_preset_apply_gives_the_campaign_its_own_copy_and_defaults():
    campaign = CampaignFactory.build()
    preset_apply(campaign=campaign, key="station_evaluation")
    assert campaign.form_preset == "station_evaluation" and campaign.uses_defined_form
    assert campaign.form_definition == PRESETS["station_evaluation"].definition
    campaign.form_definition["sections"][0]["title"] = "改过"
    assert PRESETS["station_evaluation"].definition["sections"][0]["title"] == "社工站基本信息"
    assert campaign.photos_min == 0 and campaign.categories == []
    preset_apply(campaign=campaign, key="case_award")
    assert not campaign.uses_defined_form and campaign.photos_min == 3


def test_a_campaign_without_its_own_copy_uses_its_presets_form():
    campaign = CampaignFactory.build(form_preset="project_call", form_definition={})
    assert campaign_definition(campaign) is PRESETS["project_call"].definition
