"""The publicity/results list (Word, and the PDF made from it) gives 案例名称 the width it needs."""

import io

import docx
from docx.shared import Cm

from awards import documents


def _table():
    rows = [
        (
            1,
            "KS2026-0001",
            "困境儿童成长陪伴：一名留守儿童的社会支持网络重建个案",
            "阳光社会工作服务中心",
            "张敏",
            "个案",
            "儿童及青少年",
            "一等奖",
        )
    ]
    data = documents.publicity_list_docx(title="获奖名单", lines=[], rows=rows)
    return docx.Document(io.BytesIO(data)).tables[0]


def test_the_case_name_column_is_the_widest_and_the_columns_fill_the_landscape_page():
    table = _table()
    widths = [column.width for column in table.columns]
    name = documents.LIST_HEADERS.index("案例名称")
    assert widths[name] == max(widths) and widths[name] >= Cm(7.5)
    assert abs(sum(widths) - Cm(29.7 - 4)) < Cm(0.05)
    assert not table.autofit


def test_every_cell_carries_its_column_width_for_libreoffice():
    table = _table()
    for row in table.rows:
        assert [cell.width for cell in row.cells] == [column.width for column in table.columns]
