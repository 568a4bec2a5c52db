import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.tabular import Column, TableError, table_read, table_template, table_write

COLUMNS = [
    Column("name", "姓名", required=True),
    Column("phone", "手机号码", ("手机",)),
    Column("email", "电子邮箱", ("邮箱",), required=True),
]


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_rows_are_read_by_header_with_their_spreadsheet_row_numbers():
    data = _xlsx(
        [["电子邮箱*", " 姓名 ", "备注"], ["a@example.cn", "张明", "x"], [None, None, None], ["b@example.cn", "李华"]]
    )
    rows = table_read(name="专家.XLSX", data=data, columns=COLUMNS)
    assert [(r.number, r.values) for r in rows] == [
        (2, {"name": "张明", "email": "a@example.cn"}),
        (4, {"name": "李华", "email": "b@example.cn"}),
    ]


def test_a_phone_number_excel_stored_as_a_number_keeps_its_digits():
    rows = table_read(
        name="a.xlsx", data=_xlsx([["姓名", "手机", "邮箱"], ["张明", 13912345678, "a@x.cn"]]), columns=COLUMNS
    )
    assert rows[0].get("phone") == "13912345678"
    rows = table_read(
        name="a.xlsx", data=_xlsx([["姓名", "手机", "邮箱"], ["张明", 13912345678.0, "a@x.cn"]]), columns=COLUMNS
    )
    assert rows[0].get("phone") == "13912345678"


def test_csv_in_utf8_with_bom_as_excel_saves_it():
    data = "姓名,电子邮箱,手机号码\r\n张明,a@example.cn,13912345678\r\n".encode("utf-8-sig")
    rows = table_read(name="a.csv", data=data, columns=COLUMNS)
    assert rows[0].values == {"name": "张明", "email": "a@example.cn", "phone": "13912345678"}


def test_csv_in_utf8_without_bom():
    data = "姓名,电子邮箱\n王芳,c@example.cn\n".encode()
    assert table_read(name="a.csv", data=data, columns=COLUMNS)[0].get("name") == "王芳"


def test_csv_in_gbk_as_excel_on_chinese_windows_saves_it():
    data = "姓名,电子邮箱\r\n欧阳娜,d@example.cn\r\n".encode("gbk")
    rows = table_read(name="a.csv", data=data, columns=COLUMNS)
    assert rows[0].values["name"] == "欧阳娜"


def test_a_missing_required_column_is_named():
    with pytest.raises(TableError, match="缺少必需的列：电子邮箱"):
        table_read(name="a.csv", data="姓名\n张明\n".encode(), columns=COLUMNS)


@pytest.mark.parametrize(
    ("name", "message"),
    [("a.xls", "不支持旧版 .xls"), ("a.txt", "只能上传 .xlsx 或 .csv"), ("a.xlsx", "无法读取该 Excel 文件")],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(name, message):
    with pytest.raises(TableError, match=message):
        table_read(name=name, data=b"not a spreadsheet", columns=COLUMNS)


def test_a_file_with_only_the_header_is_refused():
    with pytest.raises(TableError, match="没有数据行"):
        table_read(name="a.csv", data="姓名,电子邮箱\n".encode(), columns=COLUMNS)


def test_the_template_has_the_marked_header_and_one_example_row_that_reads_back():
    columns = [
        Column("name", "姓名", required=True, example="张明"),
        Column("email", "电子邮箱", required=True, example="a@x.cn"),
    ]
    data = table_template(columns=columns)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["姓名*", "电子邮箱*"]
    assert [c.value for c in sheet[2]] == ["张明", "a@x.cn"]
    assert table_read(name="t.xlsx", data=data, columns=columns)[0].values == {"name": "张明", "email": "a@x.cn"}


def test_a_written_table_keeps_long_digit_strings_as_text():
    data = table_write(columns=COLUMNS, rows=[["张明", "13912345678", "a@x.cn"]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].value == "13912345678"


def test_a_value_that_looks_like_a_formula_is_written_as_text():
    data = table_write(columns=COLUMNS, rows=[['=HYPERLINK("http://evil.example","点我")', "", "a@x.cn"]])
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
