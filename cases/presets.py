"""Presets a new campaign starts from (评选活动模板).

Interface shared by the campaign workspace (new campaign, copy) and the campaign engine (form definitions):
- preset_choices() -> list of (key, label) for a select;
- preset_apply(campaign=..., key=...) sets what the preset decides on an unsaved or saved campaign
  (its form and rules); the caller saves.

Each preset carries its application form (申报表单, see cases.formdef). The case award's form describes the
official 报名表 word for word; its fields are stored in Application's columns ("column": true), so the official
editor, Word layout, blind review and privacy check keep serving it. The other presets' answers live in
Application.answers.
"""

import copy
from dataclasses import dataclass, field

from .models import DEFAULT_DOMAINS, PLAN_GUIDANCE, PLEDGE_TEXT, SECTION_GUIDANCE, SECTIONS, default_categories


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str = ""
    # Campaign field values the preset sets (name -> value, or a callable giving a fresh value).
    campaign_values: dict = field(default_factory=dict)
    # The application form (cases.formdef); a campaign gets a deep copy it may edit until its first submission.
    definition: dict = field(default_factory=dict)


CASE_AWARD = "case_award"
PROJECT_CALL = "project_call"
STATION_EVALUATION = "station_evaluation"

CERTIFICATE_LEVELS = ["助理社会工作师", "社会工作师", "高级社会工作师", "无"]


def _f(key, label, kind, *, required=False, help="", **options) -> dict:
    return {"key": key, "label": label, "type": kind, "required": required, "help": help, **options}


def _body(key, title, *, guidance="", required=True, column=False, **options) -> dict:
    """A body section (正文章节): its heading and one long-text field under it."""
    textarea = _f(key, title, "textarea", required=required, **options)
    if column:
        textarea["column"] = True
    return {"key": f"s_{key}", "title": title, "kind": "body", "guidance": guidance, "fields": [textarea]}


# ---------------------------------------------------------------- 优秀社工案例评选 (seed 000, today's form)

_CATEGORY_LABELS = {"casework": "个案", "group": "小组", "community": "社区"}


def _case_award_definition() -> dict:
    col = {"column": True}
    body = []
    for name, heading in SECTIONS:
        section = _body(name, heading, guidance=SECTION_GUIDANCE.get(name, ""), column=True)
        if name == "plan":
            section["guidance"] = PLAN_GUIDANCE["casework"]
            section["guidance_by"] = {
                "field": "category",
                "texts": {_CATEGORY_LABELS[k]: text for k, text in PLAN_GUIDANCE.items()},
            }
        body.append(section)
    return {
        "pledge": PLEDGE_TEXT,
        "sections": [
            {
                "key": "form",
                "title": "报名表",
                "kind": "fields",
                "guidance": "",
                "fields": [
                    _f("title", "案例名称", "text", required=True, max_chars=100, **col),
                    _f("period", "案例起止时间", "daterange", required=True, **col),
                    _f("declaring_unit", "申报单位", "text", required=True, max_chars=100, personal=True, **col),
                    _f("organisation_name", "机构名称", "text", required=True, max_chars=100, personal=True, **col),
                    _f("applicant_name", "申报社工姓名", "text", required=True, max_chars=50, personal=True, **col),
                    _f("phone", "联系方式（电话）", "phone", required=True, personal=True, **col),
                    _f("email", "电子邮箱", "email", required=True, personal=True, **col),
                    _f("qq", "QQ", "text", max_chars=11, personal=True, **col),
                    _f("category", "案例类别", "choice", required=True, choices=["个案", "小组", "社区"], **col),
                    _f("domain", "案例领域", "choice", required=True, choices=list(DEFAULT_DOMAINS), **col),
                ],
            },
            {
                "key": "team_section",
                "title": "实施团队基本情况",
                "kind": "fields",
                "guidance": "1—10 人。",
                "fields": [
                    _f(
                        "team",
                        "实施团队基本情况",
                        "table",
                        required=True,
                        personal=True,
                        min_rows=1,
                        max_rows=10,
                        columns=[
                            {"key": "name", "label": "姓名", "type": "text"},
                            {"key": "gender", "label": "性别", "type": "choice", "choices": ["男", "女"]},
                            {"key": "age", "label": "年龄", "type": "number"},
                            {"key": "education", "label": "学历", "type": "text"},
                            {"key": "unit_and_title", "label": "单位及职务", "type": "text"},
                            {"key": "years_in_social_work", "label": "从事社会工作年限", "type": "number"},
                            {
                                "key": "certificate_level",
                                "label": "社会工作专业技术等级",
                                "type": "choice",
                                "choices": CERTIFICATE_LEVELS,
                            },
                            {"key": "contact", "label": "联系方式", "type": "text"},
                        ],
                        **col,
                    )
                ],
            },
            *body,
        ],
    }


# ---------------------------------------------------------------- 社会工作服务项目申报 (seed 004, 青铜峡)

PROJECT_LOTS = ["老年社会工作服务项目", "儿童社会工作服务项目", "第三方评估类项目"]


def _project_call_definition() -> dict:
    advice = {"min_chars": 300, "max_chars": 3000}
    return {
        "pledge": "本机构承诺：项目申报书所填内容及所附材料均真实有效；"
        "如获立项，将按服务协议实施项目并接受中期、末期评估。",
        "sections": [
            {
                "key": "project",
                "title": "项目基本信息",
                "kind": "fields",
                "guidance": "每个机构最多申报 1 个项目。",
                "fields": [
                    _f("title", "项目名称", "text", required=True, max_chars=100),
                    _f(
                        "lot",
                        "申报项目包",
                        "choice",
                        required=True,
                        filter=True,
                        choices=list(PROJECT_LOTS),
                        help="老年社会工作服务项目（裕民街道怡园社区）资金 10 万元；"
                        "儿童社会工作服务项目（峡口镇沈闸村）资金 8 万元；第三方评估类项目资金 2 万元。",
                    ),
                    _f(
                        "service_area",
                        "服务地点",
                        "text",
                        required=True,
                        max_chars=100,
                        help="街道（镇）、社区（村）。",
                    ),
                    _f("budget", "申请资金", "money", required=True, unit="wan", help="不超过所申报项目包的资金额度。"),
                    _f("period", "项目实施周期", "daterange", required=True, help="自合同签订起一年。"),
                ],
            },
            {
                "key": "organisation",
                "title": "申报机构",
                "kind": "fields",
                "guidance": "",
                "fields": [
                    _f("org_name", "申报机构名称", "text", required=True, max_chars=100, personal=True),
                    _f("leader_name", "项目负责人", "text", required=True, max_chars=50, personal=True),
                    _f("leader_phone", "联系电话", "phone", required=True, personal=True),
                    _f("leader_email", "电子邮箱", "email", personal=True),
                ],
            },
            {
                "key": "indicators",
                "title": "服务指标",
                "kind": "fields",
                "guidance": "项目的指标量化应包含个案、小组、社区活动的个数。",
                "fields": [
                    _f("case_count", "个案服务（个）", "number", required=True, integer=True, min=0),
                    _f("group_count", "小组工作（个）", "number", required=True, integer=True, min=0),
                    _f("community_activity_count", "社区活动（场）", "number", required=True, integer=True, min=0),
                    _f("visit_count", "日常走访对象（个人或家庭）", "number", integer=True, min=0),
                    _f("volunteer_team_count", "培育社区社会组织和志愿服务队（个）", "number", integer=True, min=0),
                ],
            },
            {
                "key": "beneficiaries",
                "title": "受益对象",
                "kind": "fields",
                "guidance": "须明确直接受益对象与间接受益对象的数量规模。",
                "fields": [
                    _f(
                        "beneficiary_groups",
                        "直接受益群体",
                        "multichoice",
                        required=True,
                        choices=["0-16岁儿童", "60岁以上老年人", "困境儿童、留守儿童、孤儿", "特困老人", "其他"],
                    ),
                    _f("direct_beneficiaries", "直接受益人数", "number", required=True, integer=True, min=0),
                    _f("indirect_beneficiaries", "间接受益人数", "number", required=True, integer=True, min=0),
                ],
            },
            {
                "key": "staff_section",
                "title": "项目专职人员",
                "kind": "fields",
                "guidance": "至少安排 2 名专职工作人员，其中至少 1 名获得助理社会工作师及以上资格。",
                "fields": [
                    _f(
                        "staff",
                        "项目专职人员",
                        "table",
                        required=True,
                        personal=True,
                        min_rows=2,
                        max_rows=20,
                        columns=[
                            {"key": "name", "label": "姓名", "type": "text"},
                            {"key": "post", "label": "岗位", "type": "text"},
                            {
                                "key": "qualification",
                                "label": "社工资格",
                                "type": "choice",
                                "choices": CERTIFICATE_LEVELS,
                            },
                            {"key": "phone", "label": "联系电话", "type": "phone"},
                        ],
                    )
                ],
            },
            _body("summary", "项目概述", guidance="服务对象、服务内容和预期成效的简要说明。", max_chars=800),
            _body("necessity", "一、项目背景与必要性", guidance="需求调研的方法与发现，服务需求清单。", **advice),
            _body("goals", "二、项目目标与服务内容", guidance="运用社会工作专业方法开展的服务内容。", **advice),
            _body(
                "outcomes",
                "三、预期成效",
                guidance="可量化的产出、可评估的实施效益和预期社会影响；服务对象在心理、行为、功能、社会关系、"
                "环境营造等方面的具体改善。",
                **advice,
            ),
            _body("feasibility", "四、可行性分析", guidance="机构自身资源和能力、服务对象的综合情况。", **advice),
            _body(
                "innovation",
                "五、创新与示范",
                guidance="与同类项目相比的示范、创新之处，服务模式的可复制性。",
                **advice,
            ),
            _body("schedule", "六、实施计划与进度安排", guidance="按月列出主要工作与时间节点。", **advice),
            _body("budget_detail", "七、经费预算", guidance="按支出科目列出预算明细。", required=True),
        ],
    }


# ---------------------------------------------------------------- 社工站评估 (seed 001, 淮安)

COUNTIES = ["清江浦区", "淮安区", "淮阴区", "洪泽区", "涟水县", "盱眙县", "金湖县", "淮安经济技术开发区"]


def _station_evaluation_definition() -> dict:
    advice = {"min_chars": 200, "max_chars": 3000}
    return {
        "pledge": "本社工站承诺：所填报的年度自评内容及佐证材料均真实有效。",
        "sections": [
            {
                "key": "station",
                "title": "社工站基本信息",
                "kind": "fields",
                "guidance": "",
                "fields": [
                    _f("title", "社工站名称", "text", required=True, max_chars=100),
                    _f("county", "所属县（区）", "choice", required=True, filter=True, choices=list(COUNTIES)),
                    _f("town", "所属乡镇（街道）", "text", required=True, max_chars=50),
                    _f("address", "地址", "text", required=True, max_chars=200),
                    _f("established_on", "建站时间", "date"),
                    _f("floor_area", "服务场所面积（平方米）", "number", min=0),
                    _f("operator", "运营机构", "text", max_chars=100, personal=True),
                    _f("head_name", "站长", "text", required=True, max_chars=50, personal=True),
                    _f("head_phone", "联系电话", "phone", required=True, personal=True),
                    _f("full_time_count", "专职社会工作者人数", "number", required=True, integer=True, min=0),
                ],
            },
            {
                "key": "staff_section",
                "title": "工作人员",
                "kind": "fields",
                "guidance": "社工站全部工作人员。",
                "fields": [
                    _f(
                        "staff",
                        "工作人员",
                        "table",
                        required=True,
                        personal=True,
                        min_rows=1,
                        max_rows=50,
                        columns=[
                            {"key": "name", "label": "姓名", "type": "text"},
                            {"key": "post", "label": "岗位", "type": "text"},
                            {"key": "full_time", "label": "是否专职", "type": "choice", "choices": ["是", "否"]},
                            {
                                "key": "qualification",
                                "label": "社工资格",
                                "type": "choice",
                                "choices": CERTIFICATE_LEVELS,
                            },
                            {"key": "years", "label": "从事社会工作年限", "type": "number"},
                        ],
                    )
                ],
            },
            _body("summary", "一、年度工作总结", guidance="本年度社工站运行与服务开展的总体情况。", **advice),
            _body("site", "二、场所建设", guidance="有固定场所：场所面积、功能分区、标识标牌。", **advice),
            _body("management", "三、组织管理与制度规范", guidance="有组织管理、有制度规范。", **advice),
            _body("personnel", "四、专业人员队伍", guidance="有专业服务人员：配备、培训与督导。", **advice),
            _body("services", "五、项目与服务开展", guidance="有项目支撑：服务项目、个案、小组和社区活动。", **advice),
            _body("funding", "六、资金保障", guidance="有资金保障：资金来源与使用。", **advice),
            _body("problems", "七、特色亮点与存在问题", guidance="", required=False, **advice),
        ],
    }


def _defined_form_values(key: str, definition_factory, *, prefix: str) -> dict:
    return {
        "form_preset": key,
        "form_definition": lambda: copy.deepcopy(definition_factory()),
        "categories": list,  # 案例类别 are the case award's
        "photos_min": 0,
        "photos_max": 10,
        "casework_photos_min": 0,
        "casework_photos_max": 10,
        "body_limits_are_hard": False,
        "blind_review": False,
        "recommendation_required": False,
        "reference_prefix": prefix,
    }


PRESETS: dict[str, Preset] = {
    CASE_AWARD: Preset(
        key=CASE_AWARD,
        label="优秀社工案例评选",
        description="昆山市优秀社工案例评选的报名表与规则。",
        campaign_values={
            "form_preset": CASE_AWARD,
            "form_definition": lambda: copy.deepcopy(_case_award_definition()),
            "categories": default_categories,
            "photos_min": 3,
            "photos_max": 5,
            "casework_photos_min": 0,
            "casework_photos_max": 5,
            "blind_review": True,
            "recommendation_required": True,
        },
        definition=_case_award_definition(),
    ),
    PROJECT_CALL: Preset(
        key=PROJECT_CALL,
        label="社会工作服务项目申报",
        description="社会工作服务项目申报书：项目包与资金、服务指标、受益对象、实施周期、专职人员与正文。",
        campaign_values={
            **_defined_form_values(PROJECT_CALL, _project_call_definition, prefix="XM"),
            "max_applications_per_organisation": 1,
        },
        definition=_project_call_definition(),
    ),
    STATION_EVALUATION: Preset(
        key=STATION_EVALUATION,
        label="社工站评估",
        description="社工站年度评估：社工站基本信息、所属县（区）、工作人员与年度自评。",
        campaign_values=_defined_form_values(STATION_EVALUATION, _station_evaluation_definition, prefix="ZP"),
        definition=_station_evaluation_definition(),
    ),
}


def preset_choices() -> list[tuple[str, str]]:
    return [(p.key, p.label) for p in PRESETS.values()]


def preset_apply(*, campaign, key: str) -> None:
    """Set the preset's values on `campaign` (not saved here): its form preset, a deep copy of the preset's form
    definition, and the rules the preset decides. Unknown keys raise KeyError."""
    preset = PRESETS[key]
    for name, value in preset.campaign_values.items():
        setattr(campaign, name, value() if callable(value) else value)
