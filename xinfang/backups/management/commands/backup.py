from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.backups.services import BackupError, backup_create, default_backup_dir


class Command(BaseCommand):
    help = "备份整个数据库（加密；不含密钥文件，请另行保管密钥）。默认存放在数据目录的 backups/ 下。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory", nargs="?", type=Path, help="备份目录（默认 $XINFANG_DATA_DIR/backups）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(directory=options["directory"] or default_backup_dir())
        except (BackupError, OSError) as error:
            raise CommandError(f"备份失败：{error}", returncode=1) from error
        self.stdout.write(f"已备份：{result.path}（{result.size:,} 字节，SHA-256 {result.sha256}）")
