"""The 淮安 station index (seed 001, 《淮安市镇(街道)社会工作服务站评价指标体系(试行)》) as a test table:
7 level-1 indicators (the seed's 政策支持、组织管理、硬件条件、服务团队、制度建设、服务开展、服务成效),
27 level-2 indicators and 67 observation points worth 150, in a 区县部分 of 50 (indicators 1–3) and a
站点部分 of 100 (indicators 4–7). The seed gives the level-1 names, the counts and the totals; the level-2
names and the points of each level-1 indicator are abbreviated stand-ins that keep those figures."""

import io
from decimal import Decimal

from openpyxl import Workbook

from reviews.rubric_xlsx import HEADER, TOTAL_COLUMN

COUNTY, STATION = "区县部分", "站点部分"

# (part, level-1, its points, [(level-2, number of observation points)])
INDEX = [
    (COUNTY, "政策支持", 15, [("政策文件", 2), ("经费保障", 3), ("统筹协调", 2)]),
    (COUNTY, "组织管理", 20, [("管理机制", 2), ("督导评估", 3), ("信息化管理", 2), ("档案管理", 2)]),
    (COUNTY, "硬件条件", 15, [("服务场所", 3), ("功能分区", 2), ("标识标牌", 2), ("办公设备", 2)]),
    (STATION, "服务团队", 25, [("人员配备", 3), ("专业资质", 3), ("培训督导", 2), ("薪酬待遇", 2)]),
    (STATION, "制度建设", 15, [("工作制度", 3), ("服务规范", 2), ("安全管理", 2)]),
    (
        STATION,
        "服务开展",
        40,
        [("需求评估", 2), ("个案服务", 3), ("小组服务", 3), ("社区活动", 3), ("资源链接", 2)],
    ),
    (STATION, "服务成效", 20, [("满意度", 3), ("社会影响", 3), ("品牌项目", 3), ("典型案例", 3)]),
]


def huaian_rows() -> list[list]:
    """One row per observation point: 部分 | 一级 | 二级 | 三级 | 分值 | 说明 | 一级指标分值. Each level-1
    indicator's points are split in half points over its observation points, the last one taking the rest."""
    rows = []
    for part, level1, total, seconds in INDEX:
        count = sum(n for _name, n in seconds)
        each = Decimal(int(total * 2 // count)) / 2
        points = [each] * (count - 1) + [Decimal(total) - each * (count - 1)]
        i = 0
        for level2, n in seconds:
            for k in range(1, n + 1):
                rows.append([part, level1, level2, f"{level2}观测点{k}", float(points[i]), "查阅资料、实地查看", total])
                i += 1
    return rows


def xlsx_bytes(rows: list[list], *, header: list[str] | None = None) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(header or [*HEADER, TOTAL_COLUMN])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "指标.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
