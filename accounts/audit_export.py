"""The filtered audit log as a file staff hand to an inspector: CSV (streamed) or .xlsx."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from .models import AuditEvent

HEADERS = ["时间", "事件", "用户", "IP 地址", "对象类型", "对象编号", "对象", "说明"]
FIELDS = ["created_at", "kind", "user_label", "ip", "object_type", "object_id", "object_repr", "detail"]
KIND_LABELS = dict(AuditEvent.Kind.choices)
# Leading characters a spreadsheet would run as a formula: such a cell is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(row: dict) -> list[str]:
    cells = [
        timezone.localtime(row["created_at"]).strftime("%Y-%m-%d %H:%M:%S"),
        KIND_LABELS.get(row["kind"], row["kind"]),
        row["user_label"],
        row["ip"] or "",
        row["object_type"],
        row["object_id"],
        row["object_repr"],
        row["detail"],
    ]
    return ["'" + c if c.startswith(FORMULA_START) else c for c in cells]


def _rows(events) -> Iterator[list[str]]:
    for row in events.values(*FIELDS).iterator(chunk_size=2000):
        yield _cells(row)


class _Echo:
    def write(self, value):
        return value


def _filename(extension: str) -> str:
    return f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def audit_csv_response(events) -> StreamingHttpResponse:
    """UTF-8 with BOM so Excel opens the Chinese text; streamed, whatever the log's size."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(HEADERS)
        for cells in _rows(events):
            yield writer.writerow(cells)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename("csv"))
    return response


def audit_xlsx_response(events) -> FileResponse:
    """openpyxl's write-only mode keeps memory flat; the file is spooled to a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(HEADERS)
    for cells in _rows(events):
        sheet.append(cells)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
