"""评分汇总表: the committee's score sheet as .xlsx — one summary row per application, one sheet per reviewer."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from cases.models import Campaign

from .models import Score
from .selectors import ranking, rubric_leaves, rubric_tree

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _append(sheet, values) -> None:
    sheet.append([neutralise(v) for v in values])


def _sheet_title(name: str, used: set) -> str:
    base = re.sub(r"[\\[\]*?:/]", "", name)[:28] or "专家"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}{n}", n + 1
    used.add(title)
    return title


def score_sheet(campaign: Campaign) -> bytes:
    result = ranking(campaign)
    reviewer_ids = sorted(result.reviewer_names, key=lambda r: result.reviewer_names[r])
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    header = ["名次", "申报编号", "案例名称", "案例类别", "案例领域"]
    header += [f"{result.reviewer_names[r]}" for r in reviewer_ids]
    header += ["评审数", "平均分", "中位数", "去极值平均", "标准化得分", "分歧", "奖项等级"]
    _append(summary, header)
    for cell in summary[1]:
        cell.font = BOLD
    scores = {}
    for app, agg, per in result.rows:
        totals = {reviewer_id: total for reviewer_id, _name, total in per}
        row = [agg.rank, app.reference, app.title, app.get_category_display(), app.domain]
        row += [float(totals[r]) if r in totals else None for r in reviewer_ids]
        row += [
            agg.count,
            *(round(v, 2) if v is not None else None for v in (agg.mean, agg.median, agg.trimmed_mean, agg.normalised)),
            "是" if agg.disagreement else "",
            agg.final_tier,
        ]
        _append(summary, row)
        scores[app.pk] = app

    leaves = rubric_leaves(rubric_tree(campaign))
    points = {}
    reviews = {}
    for review_id, app_id, reviewer_id, criterion_id, value, total, opinion in Score.objects.filter(
        review__assignment__application__campaign=campaign, review__status="submitted"
    ).values_list(
        "review_id",
        "review__assignment__application_id",
        "review__assignment__reviewer_id",
        "criterion_id",
        "points",
        "review__total",
        "review__opinion",
    ):
        points[(review_id, criterion_id)] = float(value)
        reviews[review_id] = (app_id, reviewer_id, float(total), opinion)
    used = {"汇总"}
    for reviewer_id in reviewer_ids:
        sheet = wb.create_sheet(_sheet_title(result.reviewer_names[reviewer_id], used))
        _append(sheet, ["申报编号", "案例名称", *[leaf.name for leaf in leaves], "总分", "专家评审意见"])
        for cell in sheet[1]:
            cell.font = BOLD
        for review_id, (app_id, rid, total, opinion) in sorted(reviews.items(), key=lambda item: item[1][0]):
            if rid != reviewer_id or app_id not in scores:
                continue
            app = scores[app_id]
            _append(
                sheet,
                [app.reference, app.title, *[points.get((review_id, leaf.pk)) for leaf in leaves], total, opinion],
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
