import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kunshan_portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用其在线备份接口）和存储中的全部文件，附校验清单。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份写入的目录（不存在或为空）。")

    def handle(self, *args, out: str, **options):
        started = time.monotonic()
        try:
            manifest = backup_create(out_dir=Path(out))
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{out}（数据库 {manifest['database']['engine']}，文件 {len(manifest['files'])} 个，"
                f"{size / 1048576:.1f} MB，用时 {time.monotonic() - started:.1f} 秒）。"
            )
        )
