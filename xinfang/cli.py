"""The `xinfang` command: set-up, serving, the worker, imports, and any Django management command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from xinfang.lib.chinese_argparse import (
    FORMAT_HELP,
    VERSION,
    ChineseArgumentParser,
    ChineseHelpFormatter,
    parser_in_chinese,
    usage_message,
)

if TYPE_CHECKING:
    import subprocess

DEMO_BANNER = """
信访工作平台 (Xinfang) 演示环境已启动：{url}

演示账号（密码均为 {password}）：
  bureau       信访局工作人员        bureau_head  信访局长
  secretary    县委书记(县主要领导)  leader       副县长(分包周庄镇)
  zhouzhuang   周庄镇单位用户        renshe       县人社局单位用户
  auditor      审计员                sysadmin     系统管理员
  secadmin     安全管理员

数据目录：{data_dir}　　按 Ctrl-C 停止。
"""


# `xinfang <name> …` runs the management command of that name with the rest of the arguments.
PASSTHROUGH = {
    "calendar": "calendar",
    "gen-data": "gendata",
    "stats": "stats",
    "history": "history",
    "kpi": "kpi",
    "verify-audit": "verifyaudit",
    "jobs": "jobs",
    "backup": "backup",
    "restore": "restore",
    "report": "report",
    "ownership": "ownership",
    "reception": "reception",
    "downvisit": "downvisit",
    "competition": "competition",
    "meeting": "meeting",
    "villages": "villages",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()


def _call(name: str, *args: str) -> None:
    from django.core.management import call_command

    call_command(name, *args)


def _ensure_field_key() -> None:
    """Create the field-encryption key file on first set-up, unless keys come from the environment."""
    from django.conf import settings

    from xinfang.lib.keys import create_key_file

    if not settings.XINFANG_FIELD_KEYS.strip() and create_key_file(settings.XINFANG_FIELD_KEY_FILE):
        print(f"已生成字段加密密钥：{settings.XINFANG_FIELD_KEY_FILE}（请妥善保管，不要放进备份）")


def cmd_init(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    _ensure_field_key()
    _call("migrate", "--no-input", "-v", "0")
    _call("createcachetable")
    print(f"数据库已就绪：{settings.DATABASES['default']['NAME']}")
    if args.demo_directory:
        from xinfang.demo.services import demo_county_load

        loaded = demo_county_load()
        print("已载入演示县名录与演示账号。" if loaded else "演示县已存在，未重复载入。")
    return 0


def _reset_database() -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        # The audit table's guard refuses to be emptied; the demo lifts it (migrate puts it back).
        from django.db import connection

        from xinfang.audit.guard import audit_guard_drop

        audit_guard_drop(connection)
        _call("flush", "--no-input")


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> bool:
    # urllib.request and subprocess are imported where used: together 0.1 s of every command's start.
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}healthz", timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _load_demo_history() -> None:
    """Bring the demo county's history up to today: two years the first time, the missing days on a later
    start (xinfang/demo/history.py); nothing when it is already up to date."""
    from xinfang.demo.directory import DEMO_COUNTY_CODE
    from xinfang.demo.generator import progress_bar
    from xinfang.demo.history import demo_history_load
    from xinfang.directory.models import County

    county = County.objects.get(code=DEMO_COUNTY_CODE)
    demo_history_load(county=county, progress=progress_bar, say=lambda text: print(text, flush=True))


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from xinfang.demo.directory import DEMO_PASSWORD
    from xinfang.demo.services import demo_county_load

    if args.reset:
        _reset_database()
        _setup_django()
    _ensure_field_key()
    _call("migrate", "--no-input", "-v", "0")
    _call("createcachetable")
    demo_county_load()
    _load_demo_history()
    url = f"http://{args.host}:{args.port}/"
    # The demo logs every role in with the password alone, and every page says so (docs/security.md).
    env = {"XINFANG_2FA_ROLES": "", **os.environ, "XINFANG_DATA_DIR": str(settings.DATA_DIR)}
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "xinfang", "worker"], env=env)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "xinfang", "serve", "--host", args.host, "--port", str(args.port)], env=env
    )
    processes = (server, worker)

    def stop(signum: int, frame: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if _wait_until_up(url, server):
        print(DEMO_BANNER.format(url=url, password=DEMO_PASSWORD, data_dir=settings.DATA_DIR), flush=True)
    code = server.wait()
    stop(signal.SIGTERM, None)
    worker.wait(timeout=30)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


# The server's processes: one more than the processors, each with two threads. A request is mostly Python
# (the GIL lets one thread of a process run at a time): on 2 cores 3 × 2 kept both processors busy and
# served some 15 % more list pages a second than 2 × 4 (docs/benchmarks.md).
SERVE_WORKERS = (os.cpu_count() or 1) + 1
SERVE_THREADS = 2


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ["XINFANG_DEBUG"] = "0"
    command = [
        sys.executable, "-m", "gunicorn", "xinfang.wsgi:application",
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--timeout", "120",
        "--access-logfile", "-",
    ]  # fmt: skip
    os.execv(sys.executable, command)  # noqa: S606 - replaces this process with gunicorn


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    _call("runworker")
    return 0


# The options every Django management command has, whose help Django writes in English.
DJANGO_OPTION_HELP = {
    "version": VERSION,
    "verbosity": "输出的详细程度：0 最少，1 正常，2 详细，3 非常详细",
    "settings": "设置模块（Python 路径，如 xinfang.settings）；不给时用环境变量 DJANGO_SETTINGS_MODULE",
    "pythonpath": "加到 Python 模块搜索路径的目录",
    "traceback": "出错时显示完整的调用栈",
    "no_color": "不用彩色输出",
    "force_color": "总用彩色输出",
    "skip_checks": "跳过系统检查",
}


def command_parser(name: str) -> argparse.ArgumentParser:
    """The option parser of `xinfang <name>` (a management command, PASSTHROUGH), in Chinese."""
    _setup_django()
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import DjangoHelpFormatter

    class CommandHelpFormatter(ChineseHelpFormatter, DjangoHelpFormatter):
        """Chinese, with Django's own options listed last."""

    command = PASSTHROUGH[name]
    parser = load_command_class(get_commands()[command], command).create_parser("xinfang", name)
    return parser_in_chinese(parser, option_help=DJANGO_OPTION_HELP, formatter_class=CommandHelpFormatter)


def _asks_for_help(options: Sequence[str]) -> bool:
    options = list(options)
    before_end = options[: options.index("--")] if "--" in options else options
    return "-h" in before_end or "--help" in before_end


def _run_command(command: str, *options: str, name: str = "") -> int:
    """A management command whose exit status is the result (imports: 0 done, 1 bad cells and nothing
    written, 2 usage); its errors are printed in Chinese as `错误：…` on stderr. `name` is its name in the
    `xinfang` command, whose help it prints in Chinese."""
    _setup_django()
    from django.core.management import CommandError

    try:
        if name and _asks_for_help(options):
            command_parser(name).parse_args(options)  # prints the help and exits
        _call(command, *options)
    except CommandError as exc:
        message = str(exc)
        if message.startswith("Error: "):  # the option parser's own message: a usage error
            print(f"错误：{usage_message(message.removeprefix('Error: '))}", file=sys.stderr)
            return 2
        print(f"错误：{message}", file=sys.stderr)
        return exc.returncode
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def cmd_import_directory(args: argparse.Namespace) -> int:
    return _run_command(
        "importdirectory", str(args.file), "--format", args.format, *(["--dry-run"] if args.dry_run else [])
    )


def cmd_import_ledger(args: argparse.Namespace) -> int:
    return _run_command(
        "importledger", str(args.file), "--format", args.format, "--county", args.county,
        *(["--dry-run"] if args.dry_run else []),
    )  # fmt: skip


def cmd_import_receptions(args: argparse.Namespace) -> int:
    return _run_command(
        "importreceptions", str(args.file), "--format", args.format, "--county", args.county,
        *(["--dry-run"] if args.dry_run else []),
    )  # fmt: skip


MANAGE_HELP = """用法：xinfang manage 命令 [参数 …]

运行任意 Django 管理命令，如 xinfang manage check、xinfang manage migrate。
列出全部管理命令：xinfang manage help；某个命令的用法：xinfang manage help 命令
（Django 自带命令的说明是英文的）。
"""


def cmd_manage(rest: Sequence[str]) -> int:
    if not rest or rest[0] in ("-h", "--help"):
        print(MANAGE_HELP, end="")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xinfang manage", *rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="xinfang", description="信访工作平台 (Xinfang) 命令行")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    demo = commands.add_parser("demo", help="载入演示县并启动网站与后台任务")
    demo.add_argument("--host", default="127.0.0.1", help="网站监听的地址（默认 127.0.0.1，只允许本机访问）")
    demo.add_argument("--port", type=int, default=8000, help="网站监听的端口（默认 8000）")
    demo.add_argument("--reset", action="store_true", help="先清空数据库，重新载入演示数据")
    demo.set_defaults(func=cmd_demo)

    init = commands.add_parser("init", help="创建/升级数据库")
    init.add_argument(
        "--demo-directory", action="store_true", help="同时载入演示县名录与演示账号（不含信访数据）"
    )
    init.set_defaults(func=cmd_init)

    serve = commands.add_parser("serve", help="以生产方式（gunicorn）提供网站服务")
    serve.add_argument("--host", default="127.0.0.1", help="监听的地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="监听的端口（默认 8000）")
    serve.add_argument(
        "--workers",
        type=int,
        default=SERVE_WORKERS,
        help=f"gunicorn 工作进程数（默认处理器数加一，本机 {SERVE_WORKERS}）",
    )
    serve.add_argument(
        "--threads", type=int, default=SERVE_THREADS, help=f"每个工作进程的线程数（默认 {SERVE_THREADS}）"
    )
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="运行后台任务进程")
    worker.set_defaults(func=cmd_worker)

    importer = commands.add_parser("import-directory", help="导入县域名录工作簿 (.xlsx)")
    importer.add_argument("file", type=Path, help="名录工作簿 .xlsx（模板见 docs/directory-template.xlsx）")
    importer.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    importer.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
    importer.set_defaults(func=cmd_import_directory)

    ledger = commands.add_parser("import-ledger", help="导入信访台账 (.xlsx 或 .csv)")
    ledger.add_argument("file", type=Path, help="台账文件 .xlsx 或 .csv（列见 docs/ledger-import.md）")
    ledger.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    ledger.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
    ledger.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
    ledger.set_defaults(func=cmd_import_ledger)

    receptions = commands.add_parser("import-receptions", help="导入领导接访台账 (.xlsx 或 .csv)")
    receptions.add_argument("file", type=Path, help="接访台账 .xlsx 或 .csv（列见 docs/reception.md）")
    receptions.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    receptions.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
    receptions.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
    receptions.set_defaults(func=cmd_import_receptions)

    # Their options are the management command's (PASSTHROUGH): `xinfang stats --help` shows them.
    commands.add_parser("calendar", help="工作日历：set / import / close-year / show", add_help=False)
    commands.add_parser("gen-data", help="生成模拟信访数据：--matters N", add_help=False)
    commands.add_parser("stats", help="信访统计：--from DATE --to DATE [--format json]", add_help=False)
    commands.add_parser(
        "history", help="历史月度数据：history import 文件 [--dry-run] [--format json]", add_help=False
    )
    commands.add_parser(
        "kpi",
        help="考核指标：kpi --from DATE --to DATE | --month YYYY-MM [--unit 单位] [--format json]",
        add_help=False,
    )
    commands.add_parser("backup", help="加密备份数据库：backup [目录]", add_help=False)
    commands.add_parser("restore", help="从加密备份恢复数据库：restore 文件", add_help=False)
    commands.add_parser("jobs", help="定时任务：jobs plan --from DATE --to DATE", add_help=False)
    commands.add_parser("report", help="每日访情报告：report daily --date DATE [--preview]", add_help=False)
    commands.add_parser(
        "ownership", help="领导包案：ownership stats --from DATE --to DATE [--format json]", add_help=False
    )
    commands.add_parser(
        "reception",
        help="领导接访：reception plan --month YYYY-MM | stats --from DATE --to DATE [--format json]",
        add_help=False,
    )
    commands.add_parser(
        "downvisit",
        help="下沉接访抽签：downvisit draw|verify --month YYYY-MM [--format json]",
        add_help=False,
    )
    commands.add_parser(
        "competition",
        help="季度比拼：competition score --quarter YYYYQn [--county CODE] [--format json]",
        add_help=False,
    )
    commands.add_parser(
        "villages",
        help="村级星级：villages stars --year YYYY [--county CODE] [--format json]",
        add_help=False,
    )
    commands.add_parser(
        "meeting",
        help="联席会议：meeting candidates --month YYYY-MM [--county CODE] [--format json]",
        add_help=False,
    )
    commands.add_parser("verify-audit", help="校验审计日志哈希链（完整时退出码为0）", add_help=False)
    commands.add_parser("manage", help="运行任意 Django 管理命令，如 xinfang manage check", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    if argv and argv[0] in PASSTHROUGH:
        return _run_command(PASSTHROUGH[argv[0]], *argv[1:], name=argv[0])
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
