from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.demo import DEMO_COUNTY_CODE
from xinfang.directory.models import County
from xinfang.petitions.generator import generate_matters, progress_bar


class Command(BaseCommand):
    help = "生成确定性的模拟信访数据（用于性能测试），进度显示在标准错误输出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matters", type=int, required=True, help="生成的信访事项数")
        parser.add_argument("--county", default=DEMO_COUNTY_CODE, help="县的行政区划代码（默认演示县）")
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--quiet", action="store_true", help="不显示进度")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["matters"] < 1:
            raise CommandError("--matters 应为正整数", returncode=2)
        county = County.objects.filter(code=options["county"]).first()
        if county is None:
            raise CommandError(
                f"县 {options['county']} 不存在：请先运行 xinfang init --demo-directory", returncode=2
            )
        started = time.monotonic()
        counts = generate_matters(
            county=county,
            matters=options["matters"],
            seed=options["seed"],
            progress=None if options["quiet"] else progress_bar,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"已生成 {counts.matters} 件事项、{counts.events} 批次、{counts.petitioners} 名信访人，"
            f"用时 {elapsed:.1f} 秒"
        )
