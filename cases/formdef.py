"""申报表单: a campaign's application form defined as data, and the checks of its answers.

A definition is a dict::

    {"pledge": "承诺文字（可选）",
     "sections": [{"key", "title", "kind": "fields" | "body", "guidance": str,
                   "guidance_by": {"field": <choice key>, "texts": {<choice value>: str}},  # optional
                   "fields": [{"key", "label", "type", "required": bool, "help": str, ...type options}]}]}

Field types and their options (every field may also carry `personal` — hidden from blind reviewers and public
pages — and `filter` — offered as a staff list filter, choice fields only; `column` marks a field of the case
award that lives in an Application column, served by the official editor):

- text: max_chars · textarea: min_chars, max_chars (advice), hard_limit (the range blocks a submit)
- number: min, max, integer · money: unit "yuan" | "wan" · date · daterange ([start, end])
- choice / multichoice: choices (list of str) · email · phone
- table: columns [{key, label, type}] (type among text, number, date, choice, email, phone), min_rows, max_rows

Everything here is pure: no database reads except `form_definition_validate(..., campaign=...)`, which asks
whether the campaign already has submitted applications.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

FIELD_TYPES = {
    "text": "单行文字",
    "textarea": "多行文字",
    "number": "数字",
    "money": "金额",
    "date": "日期",
    "daterange": "日期范围",
    "choice": "单选",
    "multichoice": "多选",
    "email": "电子邮箱",
    "phone": "电话",
    "table": "表格",
}
TABLE_COLUMN_TYPES = ("text", "number", "date", "choice", "email", "phone")
SECTION_KINDS = {"fields": "字段", "body": "正文章节"}
MONEY_UNITS = {"yuan": "元", "wan": "万元"}
TABLE_MAX_ROWS = 200
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Names the editor's own inputs use: a field key may not take one (its input would collide).
RESERVED_KEYS = frozenset(
    {
        "version",
        "action",
        "confirm_findings",
        "pledge_accepted",
        "pledge_signature",
        "link_url",
        "link_title",
        "new_photos",
        "new_photo_caption",
        "new_attachment",
        "new_attachment_description",
        "photo_delete",
        "attachment_delete",
        "link_delete",
        "csrfmiddlewaretoken",
        "submit",
        "photos",
        "attachments",
        "links",
    }
)
PHONE_RE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}\d{7,8}(?:\d{1,6})?)$")


# ---------------------------------------------------------------- reading a definition


def definition_sections(definition: dict) -> list[dict]:
    sections = (definition or {}).get("sections")
    return sections if isinstance(sections, list) else []


def definition_fields(definition: dict) -> list[dict]:
    """Every field, in order, each with its section's key under "section"."""
    fields = []
    for section in definition_sections(definition):
        for field in section.get("fields") or []:
            if isinstance(field, dict):
                fields.append({**field, "section": section.get("key")})
    return fields


def definition_field(definition: dict, key: str) -> dict | None:
    return next((f for f in definition_fields(definition) if f.get("key") == key), None)


def filter_fields(definition: dict) -> list[dict]:
    """The choice fields staff may filter the application list by."""
    return [f for f in definition_fields(definition) if f.get("filter") and f.get("type") == "choice"]


# The short field types a list row or a score sheet shows; a table and a long text never fit a cell.
SUMMARY_TYPES = ("text", "number", "money", "date", "daterange", "choice", "multichoice", "email", "phone")


def summary_fields(definition: dict) -> list[dict]:
    """The fields that say what an application is in a row of a list or the score sheet (项目包, 申请资金,
    所属县（区）…): the short, non-personal fields of the form's field sections, in form order. The name field
    ("title") is left out: every row shows it in its own column."""
    return [
        field
        for section in definition_sections(definition)
        if section.get("kind", "fields") == "fields"
        for field in section.get("fields") or []
        if isinstance(field, dict)
        and field.get("type") in SUMMARY_TYPES
        and not field.get("personal")
        and not field.get("column")
        and field.get("key") != "title"
    ]


def public_fields(definition: dict) -> list[dict]:
    """The fields a public page (publicity and results lists) shows beside an application's name: the
    non-personal single-choice and money fields of the summary (项目包 and 申请资金, 所属县（区）), the
    counterpart of the case award's 案例类别 and 案例领域. Personal fields never appear."""
    return [field for field in summary_fields(definition) if field.get("type") in ("choice", "money")]


def field_heading(field: dict) -> str:
    """A column heading for the field: its label, with the unit of a money field (申请资金（万元）)."""
    label = field.get("label") or field.get("key")
    if field.get("type") == "money":
        unit = MONEY_UNITS.get(field.get("unit", "yuan"), "元")
        if unit not in label:
            return f"{label}（{unit}）"
    return label


def cell_value(field: dict, value):
    """An answer as one spreadsheet cell: numbers and amounts stay numbers (the unit is in the heading), the
    rest is the text value_display gives; None when empty."""
    if _is_empty(value):
        return None
    if field.get("type") in ("number", "money") and _is_number(value):
        return value
    return value_display(field, value)


def textarea_keys(definition: dict) -> list[str]:
    """The long-text fields: the privacy and terminology check runs on each."""
    return [f["key"] for f in definition_fields(definition) if f.get("type") == "textarea"]


def campaign_definition(campaign) -> dict:
    """The campaign's form: its own copy, or its preset's definition when it has none."""
    if campaign.form_definition:
        return campaign.form_definition
    from .presets import CASE_AWARD, PRESETS

    preset = PRESETS.get(campaign.form_preset) or PRESETS[CASE_AWARD]
    return preset.definition


# ---------------------------------------------------------------- validating a definition


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _field_problems(field: dict, where: str) -> list[str]:
    errors = []
    kind = field.get("type")
    label = field.get("label")
    if not isinstance(label, str) or not label.strip():
        errors.append(f"{where}缺少名称（label）。")
    if kind not in FIELD_TYPES:
        errors.append(f"{where}的类型“{kind}”不受支持，可选：{'、'.join(FIELD_TYPES)}。")
        return errors
    if kind in ("choice", "multichoice"):
        choices = field.get("choices")
        if not isinstance(choices, list) or not choices:
            errors.append(f"{where}是选择题，请至少填写一个选项。")
        elif not all(isinstance(c, str) and c.strip() for c in choices):
            errors.append(f"{where}的选项不能为空。")
        elif len(set(choices)) != len(choices):
            errors.append(f"{where}的选项有重复。")
    if field.get("filter") and kind != "choice":
        errors.append(f"{where}不是单选字段，不能作为筛选条件。")
    for low, high in (("min_chars", "max_chars"), ("min", "max"), ("min_rows", "max_rows")):
        for name in (low, high):
            if field.get(name) is not None and not _is_number(field.get(name)):
                errors.append(f"{where}的“{name}”应为数字。")
        if _is_number(field.get(low)) and _is_number(field.get(high)) and field[low] > field[high]:
            errors.append(f"{where}的下限大于上限。")
    if kind == "money" and field.get("unit", "yuan") not in MONEY_UNITS:
        errors.append(f"{where}的金额单位只能是元（yuan）或万元（wan）。")
    if kind == "table":
        columns = field.get("columns")
        if not isinstance(columns, list) or not columns:
            errors.append(f"{where}是表格，请至少填写一列。")
        else:
            keys = [c.get("key") for c in columns if isinstance(c, dict)]
            if len(keys) != len(columns) or not all(isinstance(k, str) and KEY_RE.match(k) for k in keys):
                errors.append(f"{where}的列标识须以小写字母开头，只含小写字母、数字和下划线。")
            elif len(set(keys)) != len(keys):
                errors.append(f"{where}的列标识有重复。")
            for column in columns:
                if not isinstance(column, dict):
                    continue
                if not str(column.get("label") or "").strip():
                    errors.append(f"{where}的列“{column.get('key')}”缺少名称。")
                if column.get("type", "text") not in TABLE_COLUMN_TYPES:
                    errors.append(f"{where}的列“{column.get('key')}”类型“{column.get('type')}”不受支持。")
                if column.get("type") == "choice" and not column.get("choices"):
                    errors.append(f"{where}的列“{column.get('key')}”是选择题，请填写选项。")
        if _is_number(field.get("max_rows")) and field["max_rows"] > TABLE_MAX_ROWS:
            errors.append(f"{where}最多 {TABLE_MAX_ROWS} 行。")
    return errors


def form_definition_validate(definition, *, campaign=None) -> list[str]:
    """Chinese messages for everything wrong with `definition` (empty: it may be saved). With `campaign`, a
    definition that would change what submitted applications were checked against is refused: a required field
    removed, a field's type changed, or a field made newly required."""
    if not isinstance(definition, dict) or not isinstance(definition.get("sections"), list):
        return ["申报表单定义应包含章节列表（sections）。"]
    errors: list[str] = []
    if not definition["sections"]:
        errors.append("申报表单至少要有一个章节。")
    seen_keys: set[str] = set()
    section_keys: set[str] = set()
    choice_fields: dict[str, list] = {}
    for number, section in enumerate(definition["sections"], start=1):
        if not isinstance(section, dict):
            errors.append(f"第 {number} 个章节格式不正确。")
            continue
        skey = section.get("key")
        title = section.get("title")
        where = f"章节“{title or skey or number}”"
        if not isinstance(skey, str) or not KEY_RE.match(skey):
            errors.append(f"{where}的标识须以小写字母开头，只含小写字母、数字和下划线。")
        elif skey in section_keys:
            errors.append(f"章节标识“{skey}”重复。")
        section_keys.add(skey if isinstance(skey, str) else "")
        if not isinstance(title, str) or not title.strip():
            errors.append(f"{where}缺少标题。")
        if section.get("kind", "fields") not in SECTION_KINDS:
            errors.append(f"{where}的类型只能是字段（fields）或正文章节（body）。")
        fields = section.get("fields")
        if not isinstance(fields, list):
            errors.append(f"{where}缺少字段列表。")
            continue
        for field in fields:
            if not isinstance(field, dict):
                errors.append(f"{where}中有格式不正确的字段。")
                continue
            key = field.get("key")
            fwhere = f"字段“{field.get('label') or key}”"
            if not isinstance(key, str) or not KEY_RE.match(key):
                errors.append(f"{fwhere}的标识须以小写字母开头，只含小写字母、数字和下划线（最多 40 个字符）。")
            elif key in RESERVED_KEYS:
                errors.append(f"{fwhere}的标识“{key}”为系统保留，请换一个。")
            elif key in seen_keys:
                errors.append(f"字段标识“{key}”重复。")
            if isinstance(key, str):
                seen_keys.add(key)
            errors.extend(_field_problems(field, fwhere))
            if field.get("type") == "choice":
                choice_fields[key] = field.get("choices") or []
    for section in definition["sections"]:
        by = section.get("guidance_by") if isinstance(section, dict) else None
        if by:
            if not isinstance(by, dict) or by.get("field") not in choice_fields:
                errors.append(f"章节“{section.get('title')}”的说明所依据的字段须是本表单的单选字段。")
            elif not isinstance(by.get("texts"), dict) or set(by["texts"]) - set(choice_fields[by["field"]]):
                errors.append(f"章节“{section.get('title')}”的说明只能按该单选字段的选项分别填写。")
    if campaign is not None and campaign.pk and not errors:
        errors.extend(_frozen_changes(campaign_definition_before(campaign), definition, campaign))
    return errors


def campaign_definition_before(campaign) -> dict:
    """The definition the campaign's submitted applications were checked against (the stored one)."""
    from .models import Campaign

    stored = Campaign.objects.filter(pk=campaign.pk).values("form_preset", "form_definition").first()
    if stored is None:
        return {}
    probe = copy.copy(campaign)
    probe.form_preset, probe.form_definition = stored["form_preset"], stored["form_definition"]
    return campaign_definition(probe)


def campaign_has_submissions(campaign) -> bool:
    """Whether any application of the campaign was ever submitted (a withdrawn one included)."""
    from .models import Application

    return Application.objects.filter(campaign=campaign, submitted_at__isnull=False).exists()


def _frozen_changes(before: dict, after: dict, campaign) -> list[str]:
    old = {f["key"]: f for f in definition_fields(before) if isinstance(f.get("key"), str)}
    new = {f["key"]: f for f in definition_fields(after) if isinstance(f.get("key"), str)}
    problems = []
    for key, field in old.items():
        if field.get("required") and key not in new:
            problems.append(f"已有申报提交，不能删除必填字段“{field.get('label')}”。")
        elif key in new and new[key].get("type") != field.get("type"):
            problems.append(f"已有申报提交，不能更改字段“{field.get('label')}”的类型。")
    for key, field in new.items():
        if field.get("required") and not (old.get(key) or {}).get("required"):
            problems.append(f"已有申报提交，不能新增必填字段“{field.get('label')}”。")
    if problems and campaign_has_submissions(campaign):
        return problems
    return []


# ---------------------------------------------------------------- answers: values of one field


def _text(raw) -> str:
    if raw is None:
        return ""
    return str(raw).replace("\r\n", "\n")


def _number(raw: str, field: dict, *, money: bool = False):
    """(value, error) for a number typed in any common way: 1,200 / １２００ / 12.5."""
    text = _text(raw).strip().replace(",", "").replace("，", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "请填写金额（数字，最多两位小数）。" if money else "请填写数字。"
    if not value.is_finite():
        return None, "请填写数字。"
    if money:
        if value < 0:
            return None, "金额不能为负数。"
        if value != value.quantize(Decimal("0.01")):
            return None, "金额最多保留两位小数。"
        return float(value), None
    if field.get("integer") and value != value.to_integral_value():
        return None, "请填写整数。"
    if _is_number(field.get("min")) and value < Decimal(str(field["min"])):
        return None, f"不能小于 {field['min']}。"
    if _is_number(field.get("max")) and value > Decimal(str(field["max"])):
        return None, f"不能大于 {field['max']}。"
    return (int(value) if value == value.to_integral_value() else float(value)), None


def _date(raw):
    text = _text(raw).strip()
    if not text:
        return None, None
    try:
        return dt.date.fromisoformat(text.replace("/", "-")).isoformat(), None
    except ValueError:
        return None, "请填写正确的日期，如 2023-05-16。"


def _phone_ok(value: str) -> bool:
    return bool(PHONE_RE.match(re.sub(r"[\s\-()（）]", "", value)))


def _scalar(field: dict, raw):
    """(value, error) for the one-value types; an empty value is None, never an error (drafts are partial)."""
    kind = field.get("type", "text")
    if kind in ("number", "money"):
        return _number(raw, field, money=kind == "money")
    if kind == "date":
        return _date(raw)
    text = _text(raw).strip() if kind != "textarea" else _text(raw)
    if not text.strip():
        return None, None
    if kind == "text" and _is_number(field.get("max_chars")) and len(text) > field["max_chars"]:
        return None, f"最多 {field['max_chars']} 字（现有 {len(text)} 字）。"
    if kind == "textarea" and len(text) > settings.CASE_SECTION_MAX_CHARS:
        return None, (
            f"共 {len(text)} 字，超过 {settings.CASE_SECTION_MAX_CHARS} 字的上限，本项这次未保存"
            f"（您写的内容仍在本页）。请删减 {len(text) - settings.CASE_SECTION_MAX_CHARS} 字后再保存。"
        )
    if kind == "choice":
        return (text, None) if text in (field.get("choices") or []) else (None, "请从列表中选择。")
    if kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            return None, "请填写正确的电子邮箱地址。"
    if kind == "phone" and not _phone_ok(text):
        return None, "请填写正确的电话号码，如 13912345678 或 0512-57501234。"
    return text, None


def _as_list(raw) -> list:
    if raw is None or raw == "":
        return []
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _field_value(field: dict, raw):
    """(value, errors) of one field; a value of None means "empty"."""
    kind = field.get("type", "text")
    if kind == "multichoice":
        chosen = [_text(c).strip() for c in _as_list(raw) if _text(c).strip()]
        unknown = [c for c in chosen if c not in (field.get("choices") or [])]
        if unknown:
            return None, ["请从列表中选择。"]
        return (chosen or None), []
    if kind == "daterange":
        parts = raw if isinstance(raw, (list, tuple)) else [None, None]
        if isinstance(raw, dict):
            parts = [raw.get("start"), raw.get("end")]
        start, start_error = _date(parts[0] if len(parts) > 0 else None)
        end, end_error = _date(parts[1] if len(parts) > 1 else None)
        errors = [e for e in (start_error, end_error) if e]
        if errors:
            return None, errors[:1]
        if start and end and end < start:
            return None, ["结束日期不能早于开始日期。"]
        return ([start, end] if start or end else None), []
    if kind == "table":
        return _table_value(field, raw)
    value, error = _scalar(field, raw)
    return value, [error] if error else []


def _table_value(field: dict, raw):
    columns = [c for c in field.get("columns") or [] if isinstance(c, dict)]
    rows, errors = [], []
    limit = field.get("max_rows") if _is_number(field.get("max_rows")) else TABLE_MAX_ROWS
    for number, raw_row in enumerate(_as_list(raw), start=1):
        if not isinstance(raw_row, dict):
            continue
        row = {}
        for column in columns:
            value, error = _scalar({"type": column.get("type", "text"), **column}, raw_row.get(column["key"]))
            if error:
                errors.append(f"第 {number} 行“{column.get('label')}”：{error}")
            elif value is not None:
                row[column["key"]] = value
        if row:
            rows.append(row)
    if len(rows) > limit:
        errors.append(f"最多填写 {limit} 行（现有 {len(rows)} 行）。")
        rows = rows[:limit]
    if errors:
        return None, errors
    return (rows or None), []


def answers_clean(definition: dict, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Parse what was typed (`data`: raw values by field key) into answers. Returns (answers, errors by key):
    a value with an error is left out of the answers (the caller keeps the stored one), the rest is kept,
    so a draft never loses the fields typed right. Empty fields are left out too; nothing is required here."""
    answers, errors = {}, {}
    for field in definition_fields(definition):
        if field.get("column"):
            continue
        key = field.get("key")
        if key not in data:
            continue
        value, problems = _field_value(field, data[key])
        if problems:
            errors[key] = problems
        elif value is not None:
            answers[key] = value
    return answers, errors


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def length_range_text(field: dict) -> str:
    """A long text's length rule in words: "300—3000 字", "不超过 800 字", "不少于 200 字" ("" when none)."""
    low = field.get("min_chars") if _is_number(field.get("min_chars")) and field.get("min_chars") else None
    high = field.get("max_chars") if _is_number(field.get("max_chars")) else None
    if low and high:
        return f"{low}—{high} 字"
    if high:
        return f"不超过 {high} 字"
    if low:
        return f"不少于 {low} 字"
    return ""


def answers_problems(definition: dict, answers: dict) -> dict[str, list[str]]:
    """What blocks a submit, by field key, each message naming the field: a required field left empty, a
    table with too few rows, a long text outside its range when the range is a hard limit."""
    problems: dict[str, list[str]] = {}
    answers = answers or {}
    for field in definition_fields(definition):
        if field.get("column"):
            continue
        key, label = field["key"], field.get("label", field["key"])
        value = answers.get(key)
        if field.get("type") == "daterange" and field.get("required"):
            if not isinstance(value, list) or not all(value[:2]) or len(value) < 2:
                problems.setdefault(key, []).append(f"提交前请填写“{label}”的开始和结束日期。")
            continue
        if field.get("required") and _is_empty(value):
            problems.setdefault(key, []).append(f"提交前请填写“{label}”。")
            continue
        if field.get("type") == "table" and _is_number(field.get("min_rows")):
            count = len(value or [])
            if (field.get("required") or count) and count < field["min_rows"]:
                problems.setdefault(key, []).append(f"“{label}”至少填写 {field['min_rows']} 行（现有 {count} 行）。")
        if field.get("type") == "textarea" and field.get("hard_limit") and not _is_empty(value):
            length = len(value)
            low, high = field.get("min_chars"), field.get("max_chars")
            if (_is_number(low) and length < low) or (_is_number(high) and length > high):
                problems.setdefault(key, []).append(f"“{label}”共 {length} 字，本次要求{length_range_text(field)}。")
    return problems


def answers_warnings(definition: dict, answers: dict) -> list[str]:
    """Advice that never blocks: a long text outside its 为宜 range."""
    warnings = []
    for field in definition_fields(definition):
        if field.get("type") != "textarea" or field.get("hard_limit") or field.get("column"):
            continue
        text = (answers or {}).get(field["key"]) or ""
        low, high = field.get("min_chars"), field.get("max_chars")
        if text and ((_is_number(low) and len(text) < low) or (_is_number(high) and len(text) > high)):
            warnings.append(f"“{field.get('label')}”现有 {len(text)} 字，建议{length_range_text(field)}。")
    return warnings


# ---------------------------------------------------------------- showing answers


def value_display(field: dict, value) -> str:
    """One answer as text for pages and Word (tables are shown by `table_rows`)."""
    if _is_empty(value):
        return ""
    kind = field.get("type")
    if kind == "money":
        unit = MONEY_UNITS.get(field.get("unit", "yuan"), "元")
        return f"{value:,.2f} {unit}".replace(".00 ", " ")
    if kind == "date":
        return _date_cn(value)
    if kind == "daterange":
        start, end = (list(value) + [None, None])[:2]
        return f"{_date_cn(start)} 至 {_date_cn(end)}"
    if kind == "multichoice":
        return "、".join(value)
    return str(value)


def _date_cn(value) -> str:
    if not value:
        return "—"
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def table_rows(field: dict, value) -> list[list[str]]:
    columns = [c for c in field.get("columns") or [] if isinstance(c, dict)]
    rows = []
    for row in value or []:
        rows.append([value_display({"type": c.get("type", "text")}, row.get(c["key"])) for c in columns])
    return rows


def answers_for_display(definition: dict, answers: dict, *, hide_personal: bool = False, redact=None) -> list[dict]:
    """The answers shaped for a page or the Word file: sections with their rows. `hide_personal` leaves out the
    fields marked personal (blind review, public pages); `redact` is applied to every text shown."""
    redact = redact or (lambda text: text)
    shown = []
    for section in definition_sections(definition):
        rows = []
        for field in section.get("fields") or []:
            if hide_personal and field.get("personal"):
                continue
            value = (answers or {}).get(field.get("key"))
            row = {"key": field["key"], "label": field.get("label"), "type": field.get("type"), "field": field}
            if field.get("type") == "table":
                row["columns"] = [c.get("label") for c in field.get("columns") or []]
                row["rows"] = [[redact(cell) for cell in r] for r in table_rows(field, value)]
            else:
                row["text"] = redact(value_display(field, value))
            rows.append(row)
        shown.append(
            {"key": section.get("key"), "title": section.get("title"), "kind": section.get("kind"), "rows": rows}
        )
    return shown


def personal_values(definition: dict, answers: dict) -> list[str]:
    """The texts of personal fields (names, phones …): blind review removes them wherever they appear."""
    values = []
    for field in definition_fields(definition):
        if not field.get("personal"):
            continue
        value = (answers or {}).get(field["key"])
        if field.get("type") == "table":
            values.extend(str(v) for row in value or [] for v in row.values() if isinstance(v, str))
        elif isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values.extend(str(v) for v in value if isinstance(v, str))
    return values
