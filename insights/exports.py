"""统计分析 as .xlsx: one sheet per figure with the same numbers as the page, and a cover sheet of the filters."""

import io
import re

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from reviews.exports import neutralise

from .selectors import Figure, Filters

BOLD = Font(bold=True)


def _sheet_title(title: str, used: set) -> str:
    base = re.sub(r"[\\[\]*?:/]", "", title)[:28] or "统计"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def statistics_workbook(*, filters: Filters, figures: list[Figure]) -> bytes:
    wb = Workbook()
    cover = wb.active
    cover.title = "说明"
    cover.append(["统计分析"])
    cover["A1"].font = BOLD
    cover.append(["筛选条件", neutralise(filters.label())])
    cover.append(["生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    cover.append(["说明", "有回避关系的评审专家的评分不计入任何统计。"])
    used = {"说明"}
    for figure in figures:
        sheet = wb.create_sheet(_sheet_title(figure.title, used))
        sheet.append(figure.columns)
        for cell in sheet[1]:
            cell.font = BOLD
        for row in figure.rows:
            sheet.append([neutralise(v) for v in row])
        if figure.note:
            sheet.append([])
            sheet.append([figure.note])
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
