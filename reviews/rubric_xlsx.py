"""评分指标表 (.xlsx): one row per scored criterion (leaf) with its path, read for import and written for the
template and the export. Reading never writes: it returns rows and a message per bad row, and the import
service (services.rubric_import) writes only a file without any.

Columns: 部分 | 一级指标 | 二级指标 | 三级指标（观测点） | 分值 | 说明 [| 一级指标分值]
A 2-level rubric leaves 三级 empty, a 1-level one 二级 and 三级. 一级指标分值 is optional: where given, the
leaves of that level-1 indicator must add up to it (the notice's printed total, a check against typing slips).
"""

import io
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

HEADER = ["部分", "一级指标", "二级指标", "三级指标（观测点）", "分值", "说明"]
TOTAL_COLUMN = "一级指标分值"
LEVELS = ("一级指标", "二级指标", "三级指标（观测点）")
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
NAME_MAX = 100  # Criterion.name
PART_MAX = 40  # RubricPart.name
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RubricRow:
    """One leaf of the file: its line number in the sheet, its path and points."""

    line: int
    part: str
    path: list[str]  # level-1 name, then level-2, level-3 where given
    points: str  # Decimal as text (rows travel signed through the preview page)
    description: str = ""
    total: str = ""  # the level-1 indicator's stated total, if the column is given on this row

    @property
    def max_points(self) -> Decimal:
        return Decimal(self.points)


@dataclass
class RubricCheck:
    rows: list[RubricRow]
    row_errors: dict[int, list[str]]  # line -> messages
    errors: list[str]  # about the whole file

    @property
    def ok(self) -> bool:
        return not self.row_errors and not self.errors

    def messages(self) -> list[str]:
        return self.errors + [f"第 {line} 行：{m}" for line, ms in sorted(self.row_errors.items()) for m in ms]


def points_text(value: Decimal) -> str:
    """150, 2.5: a number of points as the bureau writes it (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f") if value else "0"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _points(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def rubric_rows_read(handle) -> RubricCheck:
    """Read a filled-in template. Never raises on a bad file: a file that is not a spreadsheet of this shape
    comes back with one message and no rows."""
    if (getattr(handle, "size", None) or 0) > MAX_BYTES:
        return RubricCheck([], {}, ["文件过大（不超过 2 MB），请使用下载的模板。"])
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return RubricCheck([], {}, ["文件过大（不超过 2 MB），请使用下载的模板。"])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not .xlsx
        return RubricCheck([], {}, ["无法读取该文件，请使用下载的模板填写后另存为 .xlsx 文件。"])
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)  # a sheet of a million blank rows stops here
    header = [_text(v) for v in next(lines, ())]
    while header and not header[-1]:
        header.pop()
    if header[: len(HEADER)] != HEADER or header[len(HEADER) :] not in ([], [TOTAL_COLUMN]):
        return RubricCheck([], {}, [f"表头应为：{' | '.join(HEADER)}（可加一列“{TOTAL_COLUMN}”）。"])
    has_total = len(header) > len(HEADER)
    rows: list[RubricRow] = []
    row_errors: dict[int, list[str]] = {}
    for line, values in enumerate(lines, start=2):
        values = list(values) + [None] * (len(header) - len(values))
        cells = [_text(v) for v in values[: len(header)]]
        if not any(cells):
            continue
        if line > MAX_ROWS + 1:
            return RubricCheck([], {}, [f"指标过多：最多 {MAX_ROWS} 行。"])
        problems = []
        part, level1, level2, level3 = cells[0], cells[1], cells[2], cells[3]
        if not level1:
            problems.append("缺少一级指标。")
        if level3 and not level2:
            problems.append("填写了三级指标，但缺少二级指标。")
        path = [name for name in (level1, level2, level3) if name]
        for label, name in zip(LEVELS, (level1, level2, level3), strict=True):
            if len(name) > NAME_MAX:
                problems.append(f"{label}名称过长（不超过 {NAME_MAX} 字）。")
            if name.startswith(FORMULA_STARTS):
                problems.append(f"{label}名称不能以 = + - @ 开头。")
        if len(part) > PART_MAX:
            problems.append(f"部分名称过长（不超过 {PART_MAX} 字）。")
        points = None
        try:
            points = _points(values[4])
        except ValueError:
            problems.append(f"分值“{cells[4]}”不是数字。")
        else:
            if points is None:
                problems.append("缺少分值。")
            elif points < 0:
                problems.append("分值不能为负数。")
            elif points >= Decimal("100000") or points != points.quantize(Decimal("0.1")):
                problems.append("分值最多一位小数，且小于 100000。")
        total = ""
        if has_total and cells[6]:
            try:
                stated = _points(values[6])
                total = points_text(stated) if stated is not None else ""
            except ValueError:
                problems.append(f"一级指标分值“{cells[6]}”不是数字。")
        if problems:
            row_errors[line] = problems
        rows.append(
            RubricRow(
                line=line,
                part=part,
                path=path,
                points=points_text(points) if points is not None and not problems else "0",
                description=cells[5],
                total=total,
            )
        )
    if not rows:
        return RubricCheck([], {}, ["文件中没有指标：请从第 2 行起每行填写一个打分项。"])
    return RubricCheck(rows, row_errors, [])


def rubric_rows_check(check: RubricCheck, *, stated_max: Decimal | None = None) -> RubricCheck:
    """The checks across rows: a name used both as a scored item and as a parent, duplicate items under the
    same parent, a level-1 indicator in two parts, a level-1 total that its leaves do not reach, a file total
    unequal to the campaign's stated maximum. Adds to `check` and returns it."""
    if check.errors:
        return check

    def add(line: int, message: str) -> None:
        check.row_errors.setdefault(line, []).append(message)

    good = [r for r in check.rows if r.line not in check.row_errors]
    leaf_line: dict[tuple, int] = {}
    parent_line: dict[tuple, int] = {}
    for row in good:
        key = tuple(row.path)
        if key in leaf_line:
            add(row.line, f"与第 {leaf_line[key]} 行重复：同一上级指标下已有“{row.path[-1]}”。")
            continue
        if key in parent_line:
            add(row.line, f"“{row.path[-1]}”在第 {parent_line[key]} 行已有下级指标，不能同时单独打分。")
            continue
        for depth in range(1, len(key)):
            prefix = key[:depth]
            if prefix in leaf_line:
                add(row.line, f"“{prefix[-1]}”在第 {leaf_line[prefix]} 行是打分项，不能再有下级指标。")
                break
            parent_line.setdefault(prefix, row.line)
        else:
            leaf_line[key] = row.line
    part_of: dict[str, tuple[str, int]] = {}
    for row in good:
        first = part_of.setdefault(row.path[0], (row.part, row.line))
        if first[0] != row.part:
            add(
                row.line,
                f"一级指标“{row.path[0]}”在第 {first[1]} 行属于“{first[0] or '未分部分'}”，"
                f"此行为“{row.part or '未分部分'}”。",
            )
    sums: dict[str, Decimal] = {}
    stated: dict[str, tuple[Decimal, int]] = {}
    for row in check.rows:
        if row.line in check.row_errors or not row.path:
            continue
        sums[row.path[0]] = sums.get(row.path[0], Decimal("0")) + row.max_points
        if row.total:
            first = stated.setdefault(row.path[0], (Decimal(row.total), row.line))
            if first[0] != Decimal(row.total):
                add(row.line, f"一级指标“{row.path[0]}”的分值与第 {first[1]} 行不一致（{points_text(first[0])}）。")
    for name, (total, line) in stated.items():
        if name in sums and sums[name] != total:
            add(
                line,
                f"一级指标“{name}”各打分项合计 {points_text(sums[name])} 分，"
                f"与所填一级指标分值 {points_text(total)} 分不符。",
            )
    grand = sum((r.max_points for r in check.rows if r.line not in check.row_errors), Decimal("0"))
    if stated_max is not None and not check.row_errors and grand != stated_max:
        check.errors.append(
            f"全部打分项合计 {points_text(grand)} 分，与本评选活动规定的满分 {points_text(stated_max)} 分不符。"
        )
    return check


def rubric_rows_dump(rows: list[RubricRow]) -> list[dict]:
    return [asdict(r) for r in rows]


def rubric_rows_load(data: list[dict]) -> list[RubricRow]:
    return [RubricRow(**item) for item in data]


def rubric_part_sums(rows: list[RubricRow]) -> list[tuple[str, Decimal]]:
    """(part, the sum of its rows' points) in order of first appearance, for the preview (区县部分 50 …)."""
    sums: dict[str, Decimal] = {}
    for row in rows:
        if row.part:
            sums[row.part] = sums.get(row.part, Decimal("0")) + row.max_points
    return list(sums.items())


def rubric_plan(rows: list[RubricRow]) -> list[dict]:
    """The tree the rows make, depth first, for the preview and the import: dicts with name, depth, part,
    points (leaves), rolled (the sum under a parent), description, path."""
    nodes: dict[tuple, dict] = {}
    order: list[tuple] = []
    for row in rows:
        for depth in range(1, len(row.path) + 1):
            key = tuple(row.path[:depth])
            if key not in nodes:
                nodes[key] = {
                    "name": key[-1],
                    "depth": depth - 1,
                    "part": row.part,
                    "path": list(key),
                    "rolled": Decimal(0),
                    "points": None,
                    "description": "",
                }
                order.append(key)
            nodes[key]["rolled"] += row.max_points
        nodes[tuple(row.path)]["points"] = row.max_points
        nodes[tuple(row.path)]["description"] = row.description

    # Depth first in order of first appearance (a level-1 indicator's rows need not be contiguous).
    children: dict[tuple, list[tuple]] = {}
    for key in order:
        children.setdefault(key[:-1], []).append(key)
    out = []

    def walk(parent: tuple) -> None:
        for key in children.get(parent, []):
            out.append(nodes[key])
            walk(key)

    walk(())
    return out


def _workbook(rows: list[list], *, with_total: bool) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "评分指标"
    header = HEADER + ([TOTAL_COLUMN] if with_total else [])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([("'" + v) if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in row])
    for column, width in zip("ABCDEFG", (12, 18, 22, 36, 8, 40, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rubric_template_bytes() -> bytes:
    """The blank template with two example rows (a 3-level and a 2-level item) and a notes sheet."""
    examples = [
        ["区县部分", "政策支持", "政策文件", "出台社工站建设实施方案", 5, "查阅文件", 5],
        ["站点部分", "服务开展", "个案服务", "", 10, "查阅个案记录", 10],
    ]
    data = _workbook(examples, with_total=True)
    wb = load_workbook(io.BytesIO(data))
    notes = wb.create_sheet("填写说明")
    for text in (
        "每行填写一个打分项（最末级指标）及其所属的一级、二级指标；只有两级的指标体系，三级指标留空。",
        "同一上级指标下的名称不能重复；一级指标名称相同的行归入同一个一级指标。",
        "“部分”可留空；如区县部分、站点部分，每部分在排名和评分汇总表中显示小计。",
        "“一级指标分值”可留空；填写时，该一级指标下各打分项的分值之和须等于此值。",
        "分值为数字，最多一位小数。导入前会先预览并逐行提示错误，确认后才写入。",
        "请删除两行示例后再填写。",
    ):
        notes.append([text])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rubric_export_bytes(tree) -> bytes:
    """The rubric `tree` (selectors.rubric_tree) in the template's shape, with each level-1 indicator's total.
    A weighted criterion is written with its weighted points (分值 × 权重 down the tree), so the file adds up
    to the rubric's maximum and imports as the same rubric without weights. Refuses a tree deeper than three
    levels (the template has three)."""
    if any(c.depth > 2 for c in tree):
        raise ValidationError("评分指标超过三级，无法按模板格式导出。")
    rows: list[list] = []
    path: list = []
    top_rows: list[list] = []
    for c in tree:
        path = path[: c.depth] + [c.name]
        if c.depth == 0:
            _close_top(top_rows)
            top_rows = []
        if not c.is_leaf:
            continue
        names = path + [""] * (3 - len(path))
        part = c.rubric_part.name if c.rubric_part is not None else ""
        points = (c.max_points * c.effective_weight).quantize(Decimal("0.1"))
        row = [part, *names, float(points), c.description, None]
        rows.append(row)
        top_rows.append(row)
    _close_top(top_rows)
    return _workbook(rows, with_total=True)


def _close_top(rows: list[list]) -> None:
    """Write a level-1 indicator's total (the sum of its rows' points) into each of its rows."""
    total = float(sum((Decimal(str(row[4])) for row in rows), Decimal("0")))
    for row in rows:
        row[6] = total
