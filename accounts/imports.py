"""The page every staff import shares: a template to download, an upload, a preview with a message per bad row,
and a confirmation that writes every row or none.

Between the preview and the confirmation the parsed rows wait in the staff member's session (stored on the
server, never sent to the browser) under a random token the confirmation form carries; the confirmation reads
them from there, never from the client, and the import's service checks every row again inside its
transaction (the database may have changed since the preview)."""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from .tabular import XLSX_CONTENT_TYPE, Column, Row, TableError, table_read, table_template, table_write


@dataclass(frozen=True)
class ImportSpec:
    """One kind of import: what it is called, its columns, its row check (fills each row's errors, writes
    nothing) and its commit (checks again and writes all rows in one transaction; raises ValidationError)."""

    key: str
    title: str
    columns: Sequence[Column]
    check: Callable[[list[Row]], None]
    commit: Callable[..., int]
    done_message: str = "已导入 {count} 条。"


def _with_cells(spec: ImportSpec, rows: list[Row]) -> list[Row]:
    for row in rows:
        row.cells = [row.get(c.key) for c in spec.columns]
    return rows


def _session_key(spec: ImportSpec, scope: str) -> str:
    return f"import:{spec.key}:{scope}"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def template_response(spec: ImportSpec) -> HttpResponse:
    return xlsx_response(table_template(columns=spec.columns), f"{spec.title}模板.xlsx")


def export_response(*, columns: Sequence[Column], rows, filename: str, title: str) -> HttpResponse:
    return xlsx_response(table_write(columns=columns, rows=rows, title=title), filename)


def import_page(
    request,
    *,
    spec: ImportSpec,
    scope: str,
    context: dict,
    template_url: str,
    done_url: str,
    commit_options: Callable[[dict], dict] | None = None,
    template_name: str = "accounts/import.html",
) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview (staged only when every row is good). POST with the
    staged token: the commit. `commit_options` turns the POSTed options (e.g. “加入本次评审组”) into the commit's
    keyword arguments; they are read on the confirmation, from the confirmation form."""
    key = _session_key(spec, scope)
    page = {
        **context,
        "spec": spec,
        "columns": spec.columns,
        "template_url": template_url,
        "rows": None,
        "file_error": "",
        "token": "",
    }
    if request.method != "POST":
        return render(request, template_name, page)

    if request.POST.get("action") == "confirm":
        staged = request.session.get(key)
        if not staged or not secrets.compare_digest(staged.get("token", ""), request.POST.get("token", "")):
            messages.error(request, "导入内容已过期或已导入，请重新上传文件。")
            return redirect(request.path)
        rows = [Row(number=number, values=values) for number, values in staged["rows"]]
        options = commit_options(request.POST) if commit_options else {}
        try:
            count = spec.commit(rows=rows, by=request.user, request=request, **options)
        except ValidationError as error:
            # Someone else wrote a clashing row since the preview: show the rows again with their messages.
            spec.check(rows)
            del request.session[key]
            page.update(rows=_with_cells(spec, rows), bad=[r for r in rows if r.errors], name=staged.get("name", ""))
            for message in error.messages[:5]:
                messages.error(request, message)
            return render(request, template_name, page)
        del request.session[key]
        messages.success(request, spec.done_message.format(count=count))
        return redirect(done_url)

    request.session.pop(key, None)
    upload = request.FILES.get("file")
    if upload is None:
        page["file_error"] = "请选择要上传的 .xlsx 或 .csv 文件。"
        return render(request, template_name, page, status=400)
    try:
        rows = table_read(name=upload.name, data=upload.read(), columns=spec.columns)
    except TableError as error:
        page["file_error"] = str(error)
        return render(request, template_name, page, status=400)
    spec.check(rows)
    bad = [r for r in rows if r.errors]
    page.update(rows=_with_cells(spec, rows), bad=bad, name=upload.name)
    if not bad:
        token = secrets.token_urlsafe(16)
        request.session[key] = {
            "token": token,
            "name": upload.name,
            "rows": [[r.number, r.values] for r in rows],
        }
        page["token"] = token
    return render(request, template_name, page)
