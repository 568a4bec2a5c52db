"""Spreadsheets staff upload and download: read rows of an .xlsx or .csv by their (Chinese) header names, and
write a table or an import template as .xlsx. One reader and one writer serve every import and export (experts,
festival units, organisations), so every import treats encodings, blank rows and headers alike."""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


@dataclass(frozen=True)
class Column:
    """A column of a table: the key the code uses, the header users see, other headers accepted on reading
    (older templates, “工作单位” for “工作单位名称”), an example value for the template and whether it is required."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    example: str = ""
    required: bool = False
    help: str = ""


@dataclass
class Row:
    """A data row: its number as the spreadsheet shows it (the header is row 1) and its values by column key."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


class TableError(Exception):
    """The file as a whole cannot be read (wrong type, unreadable, a required column missing)."""


def _header_key(text: str) -> str:
    """Headers compare without spaces, the required-mark asterisk and full-width forms: “ 电子邮箱* ”, “电子邮箱”."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*＊").lower()


def cell_text(value) -> str:
    """A cell as text: a phone number typed into Excel comes back as 13912345678 (int) or 13912345678.0 (float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)) if isinstance(value, int) else str(value)
    return text.replace("\u3000", " ").strip()


def _decode_csv(data: bytes) -> str:
    # UTF-8 (with the BOM Excel writes for “CSV UTF-8”, or without), else GB18030, the superset of the GBK that
    # Excel on a Chinese Windows writes for plain “CSV”.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别 CSV 文件的编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传。")


def _raw_rows_csv(data: bytes) -> list[list[str]]:
    text = _decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _raw_rows_xlsx(data: bytes) -> list[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or disguised file
        raise TableError("无法读取该 Excel 文件，请确认是 .xlsx 格式（不是 .xls）且未加密。") from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def table_read(*, name: str, data: bytes, columns: Sequence[Column]) -> list[Row]:
    """The data rows of the first sheet (.xlsx) or of the file (.csv), by column key. Blank rows are skipped;
    columns not asked for are ignored. Raises TableError for the file as a whole."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(f"文件过大：不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        raw = _raw_rows_xlsx(data)
    elif lower.endswith(".csv"):
        raw = _raw_rows_csv(data)
    elif lower.endswith(".xls"):
        raise TableError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后重新上传。")
    else:
        raise TableError("只能上传 .xlsx 或 .csv 文件。")
    while raw and not any(cell_text(v) for v in raw[0]):
        raw.pop(0)  # blank lines above the header
    if not raw:
        raise TableError("文件中没有内容。")
    header_number = 1
    headers = [_header_key(cell) for cell in raw[0]]
    positions: dict[str, int] = {}
    for column in columns:
        for candidate in (column.header, *column.aliases):
            key = _header_key(candidate)
            if key in headers:
                positions[column.key] = headers.index(key)
                break
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise TableError(f"缺少必需的列：{'、'.join(missing)}。请使用页面上的模板，第一行为列名。")
    if len(raw) - 1 > MAX_ROWS:
        raise TableError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
    rows = []
    for offset, cells in enumerate(raw[1:], start=header_number + 1):
        values = {key: cell_text(cells[index]) if index < len(cells) else "" for key, index in positions.items()}
        if not any(values.values()):
            continue
        rows.append(Row(number=offset, values=values))
    if not rows:
        raise TableError("文件中只有列名，没有数据行。")
    return rows


def table_write(*, columns: Sequence[Column], rows: Iterable[Sequence], title: str = "Sheet1") -> bytes:
    """An .xlsx with a bold header row and the given rows (values in column order), every cell as text so that
    phone numbers and credit codes keep their digits."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for values in rows:
        sheet.append(["" if v is None else str(v) for v in values])
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a text starting with “=” as a formula: what a user typed stays text.
            if cell.data_type == "f":
                cell.data_type = "s"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, 2 * len(column.header) + 6))
        for cell in sheet[letter]:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_template(*, columns: Sequence[Column], title: str = "导入模板") -> bytes:
    """The import template: the header row and one example row (required columns are marked * in the header)."""
    marked = [Column(key=c.key, header=f"{c.header}*" if c.required else c.header, example=c.example) for c in columns]
    return table_write(columns=marked, rows=[[c.example for c in columns]], title=title)
