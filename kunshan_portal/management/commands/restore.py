import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kunshan_portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从 backup 命令写出的目录恢复一个空的部署（空数据库、空存储），并逐个核对文件校验值。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="backup --out 写出的备份目录。")

    def handle(self, *args, directory: str, **options):
        started = time.monotonic()
        try:
            manifest = backup_restore(backup_dir=Path(directory))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：数据库 {manifest['database']['engine']}，文件 {len(manifest['files'])} 个，"
                f"校验值全部一致，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
