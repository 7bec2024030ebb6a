from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import WorkbookError, read_directory_workbook


class Command(BaseCommand):
    help = "导入县域名录（乡镇、村(社区)、县直单位、县级领导、单位账号）。先用 --dry-run 检查。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="名录工作簿 .xlsx（模板见 docs/directory-template.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            sheets = read_directory_workbook(path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except WorkbookError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        result = directory_import(sheets=sheets, dry_run=options["dry_run"], source=path.name, sha256=digest)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.write_text(result)
        if not result.ok:
            raise SystemExit(1)

    def write_text(self, result: Any) -> None:
        for problem in result.problems:
            column = f"「{problem.column}」" if problem.column else ""
            self.stdout.write(f"{problem.sheet} 第{problem.row}行{column}：{problem.message}")
        if result.problems:
            self.stdout.write(f"共 {len(result.problems)} 处错误，未写入任何数据。")
            return
        verb = "检查通过（未写入）" if result.dry_run else "导入完成"
        counts = "，".join(
            f"{sheet} 新增{result.created.get(sheet, 0)} 更新{result.updated.get(sheet, 0)}"
            for sheet in dict.fromkeys([*result.created, *result.updated])
        )
        self.stdout.write(f"{verb}：{counts}")
        for username, password in result.generated_passwords:
            self.stdout.write(f"新账号 {username} 初始密码 {password}（请登录后立即修改）")
