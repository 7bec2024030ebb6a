from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.worker import Worker
from xinfang.registry import TASKS


class Command(BaseCommand):
    help = "运行后台任务进程（定时任务与短信发件箱），收到 SIGTERM 后干净退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出")
        parser.add_argument("--poll", type=float, default=None, help="空闲时轮询间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        poll = options["poll"] if options["poll"] is not None else settings.XINFANG_WORKER_POLL_SECONDS
        worker = Worker(TASKS, poll_seconds=poll)
        if options["once"]:
            worker.run_once()
            return
        worker.install_signal_handlers()
        worker.run()
