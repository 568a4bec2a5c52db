"""隐私与用语检查 for a text file or a stored application, for staff and tooling."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import SECTIONS, Application
from cases.privacy import KIND_LABELS, application_findings, find_findings


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Command(BaseCommand):
    help = (
        "检查案例文本中的个人隐私信息（身份证号、电话、邮箱、QQ、银行卡号、详细地址、姓名）和用语"
        "（社会工作者、服务对象）。--json 输出 [{kind, start, end, text, suggestion}]，位置按字符计。"
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", help="要检查的 UTF-8 文本文件")
        source.add_argument("--case", metavar="REF", help="要检查的申报案例编号（如 KS2026-0007）")
        parser.add_argument("--json", dest="as_json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, file=None, case=None, as_json=False, **options):
        if file:
            self._lint_file(Path(file), as_json=as_json)
        else:
            self._lint_case(case, as_json=as_json)

    def _lint_file(self, path: Path, *, as_json: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件不是 UTF-8 编码的文本：{path}") from exc
        except OSError as exc:
            raise CommandError(f"无法读取文件：{path}（{exc.strerror}）") from exc
        findings = find_findings(text)
        if as_json:
            self._print_json([f.as_dict() for f in findings])
            return
        for f in findings:
            line, column = _line_and_column(text, f.start)
            self.stdout.write(f"第{line}行第{column}列  [{KIND_LABELS[f.kind]}] {f.text} → 建议：{f.suggestion}")
        self._summary(len(findings))

    def _lint_case(self, reference: str, *, as_json: bool) -> None:
        application = Application.objects.prefetch_related("photos").filter(reference=reference).first()
        if application is None:
            raise CommandError(f"找不到申报编号为 {reference} 的申报案例。")
        by_field = application_findings(application)
        if as_json:
            self._print_json(
                [{**f.as_dict(), "field": field} for field, findings in by_field.items() for f in findings]
            )
            return
        headings = dict(SECTIONS)
        total = 0
        for field, findings in by_field.items():
            if not findings:
                continue
            total += len(findings)
            title = headings.get(field) or f"照片说明（照片 {field.partition(':')[2]}）"
            self.stdout.write(title)
            for f in findings:
                self.stdout.write(f"  第{f.start + 1}字  [{KIND_LABELS[f.kind]}] {f.text} → 建议：{f.suggestion}")
        self._summary(total)

    def _print_json(self, rows: list[dict]) -> None:
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def _summary(self, count: int) -> None:
        self.stdout.write("未发现隐私信息或不规范用语。" if count == 0 else f"共发现 {count} 处，请逐一处理。")
