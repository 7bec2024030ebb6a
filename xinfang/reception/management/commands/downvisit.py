"""`xinfang downvisit draw|verify`: the first-Tuesday draw to the townships (docs/reception.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.workdays import UnknownYear
from xinfang.reception.downvisits import (
    away_leaders,
    draw_compute,
    draw_json,
    draw_make,
    draw_of,
    draw_verify,
    drawn_visits,
    fresh_seed,
    liaison_visits,
    plan_json,
)
from xinfang.reception.draw import month_label, seed_bytes
from xinfang.reception.planning import parse_month


def _fail(message: str, error: BaseException | None = None) -> None:
    sys.stderr.write(f"错误：{message}\n")
    raise SystemExit(1) from error


class Command(BaseCommand):
    help = "下沉接访：draw 抽取某月六位县级主要领导下沉的乡镇；verify 按公布的种子和权重复核某月的抽签结果。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        draw = actions.add_parser("draw", help="某月的下沉接访抽签（每月一次），打印日期、种子、权重和结果")
        draw.add_argument("--month", required=True, help="月份 YYYY-MM")
        draw.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        draw.add_argument("--seed", default="", help="随机种子（十六进制）；不填则随机生成")
        draw.add_argument("--dry-run", action="store_true", help="只计算并打印，不记录")
        draw.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
        verify = actions.add_parser("verify", help="按记录的种子和权重重新计算某月抽签，结果一致时退出码为0")
        verify.add_argument("--month", required=True, help="月份 YYYY-MM")
        verify.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        if options["action"] == "verify":
            self._verify(county, month)
        else:
            self._draw(county, month, options)

    def _draw(self, county: Any, month: Any, options: dict[str, Any]) -> None:
        seed = options["seed"].strip()
        if seed:
            try:
                seed_bytes(seed)
            except ValueError as error:
                raise CommandError(str(error), returncode=2) from None
        try:
            if options["dry_run"]:
                plan = draw_compute(county=county, month=month, seed=seed or fresh_seed())
                result, away = plan_json(plan), plan.away
                liaison = [(v.leader.name, v.township.name) for v in plan.liaison_visits]
            else:
                draw = draw_make(county=county, month=month, by=None, now=timezone.now(), seed=seed or None)
                result, away = draw_json(draw), away_leaders(draw)
                liaison = [(v.name, v.township.name) for v in liaison_visits(draw)]
        except UnknownYear as error:
            _fail(str(error), error)
            return
        except ValidationError as error:
            _fail("；".join(error.messages), error)
            return
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        state = "试算，未记录" if options["dry_run"] else "已记录"
        self.stdout.write(f"{county.name} {month_label(month)}下沉接访抽签（{state}）")
        self.stdout.write(f"  下沉接访日：{result['date']}")
        self.stdout.write(f"  随机种子：{result['seed']}")
        weights = "、".join(f"{e['township']} {e['weight']:g}" for e in result["eligible"])
        self.stdout.write(f"  参与抽签的乡镇及权重（按此顺序）：{weights}")
        for order, row in enumerate(result["draws"], start=1):
            beside = f"，联系领导{row['liaison']}陪同" if row["liaison"] else "，无联系领导陪同"
            self.stdout.write(f"  {order}. {row['post']}{row['leader']} → {row['township']}{beside}")
        for entry in away:
            self.stdout.write(f"  不参加抽签：{entry['post']}{entry['name']}（{entry['away']}）")
        for name, township in liaison:
            self.stdout.write(f"  分包联系乡镇：{name} → {township}")

    def _verify(self, county: Any, month: Any) -> None:
        draw = draw_of(county, month)
        if draw is None:
            _fail(f"{county.name}{month_label(month)}还没有下沉接访抽签记录")
            return
        problems = draw_verify(draw)
        if problems:
            sys.stderr.write(f"{month_label(month)}下沉接访抽签复核不一致：\n")
            for problem in problems:
                sys.stderr.write(f"  {problem}\n")
            raise SystemExit(1)
        self.stdout.write(
            f"{county.name}{month_label(month)}下沉接访抽签复核一致：种子 {draw.seed}，"
            f"{len(drawn_visits(draw))}位领导的抽签结果均可由公布的种子和权重重新算出。"
        )
