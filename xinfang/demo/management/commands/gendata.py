from __future__ import annotations

import time
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.demo.directory import DEMO_COUNTY_CODE
from xinfang.demo.generator import generate_matters, progress_bar
from xinfang.demo.services import simulated_county_load
from xinfang.directory.models import County


class Command(BaseCommand):
    help = (
        "生成确定性的模拟信访数据（用于性能测试），进度显示在标准错误输出。"
        "--counties K 时另建 K-1 个模拟县（名录同演示县，代码 4199NN），事项平均分到各县。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matters", type=int, required=True, help="生成的信访事项总数")
        parser.add_argument("--counties", type=int, default=1, help="分布到几个县（默认1：只有 --county）")
        parser.add_argument("--county", default=DEMO_COUNTY_CODE, help="第一个县的行政区划代码（默认演示县）")
        parser.add_argument("--seed", type=int, default=20261127, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument("--quiet", action="store_true", help="不显示进度")

    def handle(self, *args: Any, **options: Any) -> None:
        total, count = options["matters"], options["counties"]
        if total < 1:
            raise CommandError("--matters 应为正整数", returncode=2)
        if not 1 <= count <= 99:
            raise CommandError("--counties 应为1到99之间的整数", returncode=2)
        first = County.objects.filter(code=options["county"]).first()
        if first is None:
            raise CommandError(
                f"县 {options['county']} 不存在：请先运行 xinfang init --demo-directory", returncode=2
            )
        counties = [first, *(simulated_county_load(index) for index in range(2, count + 1))]
        started = time.monotonic()
        made = events = people = 0
        for index, county in enumerate(counties):
            # The first county takes the remainder; each county its own seed, so their data differ.
            share = total // count + (total % count if index == 0 else 0)
            counts = generate_matters(
                county=county,
                matters=share,
                seed=options["seed"] + index,
                progress=None if options["quiet"] else partial(_overall, done_before=made, total=total),
            )
            made, events, people = made + counts.matters, events + counts.events, people + counts.petitioners
        elapsed = time.monotonic() - started
        where = f"{len(counties)} 个县" if len(counties) > 1 else first.name
        self.stdout.write(
            f"已在{where}生成 {made} 件事项、{events} 批次、{people} 名信访人，用时 {elapsed:.1f} 秒"
        )


def _overall(done: int, share: int, *, done_before: int, total: int) -> None:
    """One progress bar over every county."""
    progress_bar(done_before + done, total)
