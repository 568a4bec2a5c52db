"""评分汇总表: the committee's score sheet as .xlsx — one summary row per application, one sheet per reviewer.

Written with openpyxl's write-only mode (rows stream to a temporary file, memory stays flat) by a background
job (services.score_sheet_export_run): a campaign-wide file is never built inside a request."""

import re
from collections.abc import Callable

from django.db.models import Exists, OuterRef
from django.db.models.fields.json import KeyTransform
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cases.formdef import campaign_definition, cell_value, field_heading, summary_fields
from cases.models import Application, Campaign

from .models import Conflict, Score
from .selectors import (
    ranking,
    ranking_part_subtotals,
    rollup,
    rollup_grouping,
    rubric_leaves,
    rubric_parts,
    rubric_tree,
    submitted_reviews_of_campaign,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
PROGRESS_EVERY = 500


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _header(sheet, values) -> None:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _sheet_title(name: str, used: set) -> str:
    base = re.sub(r"[\\[\]*?:/]", "", name)[:28] or "专家"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}{n}", n + 1
    used.add(title)
    return title


def summary_answers(campaign: Campaign) -> dict[int, dict]:
    """The answers of the summary fields (cases.formdef.summary_fields) of the campaign's accepted applications,
    by application id, read in one query of those keys only (never the bodies). Empty for the case award."""
    if not campaign.uses_defined_form:
        return {}
    keys = [field["key"] for field in summary_fields(campaign_definition(campaign))]
    if not keys:
        return {}
    names = {f"answer_{i}": KeyTransform(key, "answers") for i, key in enumerate(keys)}
    rows = (
        Application.objects.filter(campaign=campaign, status=Application.Status.ACCEPTED)
        .annotate(**names)
        .values_list("pk", *names)
        .iterator(chunk_size=5000)
    )
    return {pk: dict(zip(keys, values, strict=True)) for pk, *values in rows}


def identity_columns(campaign: Campaign, app: Application | None, answers: dict | None = None) -> list[tuple]:
    """(heading, value) of the columns that say what an application is, after its name: the case award's
    案例类别 and 案例领域; for a campaign with its own form, its summary fields (项目包, 申请资金, 所属县（区）…)
    from `answers` (summary_answers). With no `app`, the headings with empty values (the header row)."""
    if not campaign.uses_defined_form:
        return [
            ("案例类别", app.get_category_display() if app else None),
            ("案例领域", app.domain if app else None),
        ]
    answers = answers or {}
    return [
        (field_heading(field), cell_value(field, answers.get(field["key"])) if app else None)
        for field in summary_fields(campaign_definition(campaign))
    ]


def score_sheet_size(campaign: Campaign) -> int:
    """The rows the job writes (summary rows and one per submitted review), for its progress bar."""
    return campaign.applications.filter(status="accepted").count() + submitted_reviews_of_campaign(campaign.pk).count()


def score_sheet_write(campaign: Campaign, handle, progress: Callable[[int], None] = lambda n: None) -> int:
    """Write the score sheet into the binary file `handle`; `progress(rows written)` every few hundred rows.
    Returns the number of rows written."""
    result = ranking(campaign)
    reviewer_ids = sorted(result.reviewer_names, key=lambda r: (result.reviewer_names[r], r))
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总")
    name_heading = f"{campaign.item_noun}名称"
    answers = summary_answers(campaign)
    header = ["名次", "申报编号", name_heading, *(heading for heading, _ in identity_columns(campaign, None))]
    header += [f"{result.reviewer_names[r]}" for r in reviewer_ids]
    header += ["评审数", "平均分", "中位数", "去极值平均", "标准化得分"]
    parts = rubric_parts(campaign)
    ranking_part_subtotals(result, parts)
    header += [f"{part.name}小计" for part in parts]
    header += ["分歧", "奖项等级"]
    _header(summary, header)
    written = 0
    apps = {}
    for app, agg, per in result.rows:
        totals = {reviewer_id: total for reviewer_id, _name, total in per}
        row = [agg.rank, app.reference, app.title]
        row += [value for _, value in identity_columns(campaign, app, answers.get(app.pk))]
        row += [float(totals[r]) if r in totals else None for r in reviewer_ids]
        row += [
            agg.count,
            *(round(v, 2) if v is not None else None for v in (agg.mean, agg.median, agg.trimmed_mean, agg.normalised)),
            *app.part_subtotals,
            "是" if agg.disagreement else "",
            agg.final_tier,
        ]
        summary.append([neutralise(v) for v in row])
        apps[app.pk] = app
        written += 1
        if written % PROGRESS_EVERY == 0:
            progress(written)

    leaves = rubric_leaves(rubric_tree(campaign))
    points: dict[tuple[int, int], float] = {}
    reviews: dict[int, dict[int, tuple]] = {}  # reviewer -> review -> (application id, total, opinion)
    for review_id, app_id, reviewer_id, criterion_id, value, total, opinion in (
        Score.objects.filter(review__assignment__application__campaign=campaign, review__status="submitted")
        .exclude(  # a conflicted expert's sheet leaves out the case, as the summary does
            Exists(
                Conflict.objects.filter(
                    application=OuterRef("review__assignment__application"),
                    reviewer=OuterRef("review__assignment__reviewer"),
                )
            )
        )
        .order_by("review__assignment__application_id", "review_id")
        .values_list(
            "review_id",
            "review__assignment__application_id",
            "review__assignment__reviewer_id",
            "criterion_id",
            "points",
            "review__total",
            "review__opinion",
        )
        .iterator(chunk_size=5000)
    ):
        points[(review_id, criterion_id)] = float(value)
        reviews.setdefault(reviewer_id, {})[review_id] = (app_id, float(total), opinion)
    used = {"汇总"}
    for reviewer_id in reviewer_ids:
        sheet = wb.create_sheet(_sheet_title(result.reviewer_names[reviewer_id], used))
        _header(sheet, ["申报编号", name_heading, *[leaf.name for leaf in leaves], "总分", "专家评审意见"])
        for review_id, (app_id, total, opinion) in reviews.get(reviewer_id, {}).items():
            if app_id not in apps:
                continue
            app = apps[app_id]
            values = [app.reference, app.title, *[points.get((review_id, leaf.pk)) for leaf in leaves], total, opinion]
            sheet.append([neutralise(v) for v in values])
            written += 1
            if written % PROGRESS_EVERY == 0:
                progress(written)
    if parts:
        written += _rollup_sheet(wb, campaign)
    wb.save(handle)
    progress(written)
    return written


def _rollup_sheet(wb, campaign: Campaign) -> int:
    """区县汇总: the ranking rolled up (selectors.rollup) over the campaign's default grouping, as the roll-up page
    shows it first (a station evaluation's 所属县（区）, else the organisations' 所属区镇), for a rubric in parts."""
    grouping, _choices = rollup_grouping(campaign)
    result = rollup(campaign, key=grouping.key)
    sheet = wb.create_sheet("区县汇总")
    _header(
        sheet,
        ["名次", grouping.label, "申报数", "已评审", *[p.name for p in result.parts], "汇总得分", "评定结果"],
    )
    for group in result.groups:
        values = [
            group.rank,
            group.group,
            group.applications,
            group.scored,
            *(round(v, 2) if v is not None else None for v in group.part_list),
            round(group.total, 2) if group.total is not None else None,
            group.result,
        ]
        sheet.append([neutralise(v) for v in values])
    return len(result.groups)
