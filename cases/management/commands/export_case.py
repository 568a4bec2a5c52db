"""Writes one application as the Word 报名表, as the web export does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.docx_export import application_docx, application_docx_filename, export_queryset
from cases.models import Application


class Command(BaseCommand):
    help = "把申报案例导出为 Word 报名表（.docx）。--out 为目录时使用“案例名称+组织名称+负责人个人姓名.docx”命名。"

    def add_arguments(self, parser):
        parser.add_argument("reference", metavar="REF", help="申报编号（如 KS2026-0007）")
        parser.add_argument("--out", required=True, help="输出文件路径或目录")
        parser.add_argument("--blind", action="store_true", help="匿名版本：不含申报人、机构和联系方式")

    def handle(self, *args, reference, out, blind=False, **options):
        application = export_queryset(Application.objects.filter(reference=reference)).first()
        if application is None:
            raise CommandError(f"找不到申报编号为 {reference} 的申报案例。")
        target = Path(out)
        if target.is_dir():
            target = target / application_docx_filename(application, blind=blind)
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}")
        target.write_bytes(application_docx(application, blind=blind))
        self.stdout.write(f"已导出：{target}")
