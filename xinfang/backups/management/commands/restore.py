from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.backups.services import BackupError, backup_restore


class Command(BaseCommand):
    help = "从加密备份恢复整个数据库（会替换当前数据库；请先停止网站和后台任务进程）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="xinfang backup 生成的 .sealed 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            meta = backup_restore(path=options["file"])
        except (BackupError, OSError) as error:
            raise CommandError(f"恢复失败，当前数据库未改动：{error}", returncode=1) from error
        self.stdout.write(f"已从 {options['file'].name} 恢复数据库（备份时间 {meta.get('created', '')}）。")
