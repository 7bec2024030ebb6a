from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinfang.directory.management.options import county_option, date_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.reports.services import daily_report_preview, daily_report_send


class Command(BaseCommand):
    help = "报告：daily 生成并发送（或 --preview 只预览）某日的每日访情报告。"

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="报告")
        daily = reports.add_parser("daily", help="每日访情报告")
        daily.add_argument("--date", required=True, help="报告日期 YYYY-MM-DD")
        daily.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        daily.add_argument("--preview", action="store_true", help="只预览，不发送")
        daily.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        day, county = date_option(options["date"]), county_option(options["county"])
        if day > timezone.localdate():
            raise CommandError("报告日期不能晚于今天", returncode=2)
        queued = None
        if not options["preview"]:
            _, queued = daily_report_send(county=county, day=day)
        draft = daily_report_preview(county=county, day=day)
        if options["format"] == "json":
            self.stdout.write(json.dumps(draft.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{county.name} {day:%Y-%m-%d} 每日访情报告")
        for label, figures in draft.counts().items():
            self.stdout.write(f"  {label}：{figures['matters']}起 {figures['persons']}人")
        for message in draft.messages:
            who = f"{message.recipient.name}（{message.recipient.title}）{message.as_dict()['to']}"
            self.stdout.write(f"\n→ {who}，{message.parts}条计费\n{message.body}")
        for person in draft.missing_mobile:
            self.stderr.write(f"警告：{person.name}（{person.title}）没有手机号码，收不到报告")
        if queued is not None:
            self.stdout.write(f"\n已排队发送 {queued} 条短信（已发过的收件人不再重复）。")
        else:
            self.stdout.write("\n预览：未发送。")
