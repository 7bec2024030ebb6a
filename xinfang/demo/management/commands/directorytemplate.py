from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.demo.directory import demo_directory_rows
from xinfang.onboarding.workbook import write_directory_workbook


class Command(BaseCommand):
    help = "生成名录导入模板（以演示县宝丰县为填写示例）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="生成的工作簿 .xlsx 的路径")

    def handle(self, *args: Any, **options: Any) -> None:
        write_directory_workbook(demo_directory_rows(), options["file"])
        self.stdout.write(f"已生成 {options['file']}")
