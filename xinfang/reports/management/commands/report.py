from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinfang.core.documents import Document, document_docx, document_pdf, libraries_load
from xinfang.directory.management.options import county_option, date_option
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.periods import month_parse
from xinfang.reports.models import MonthlyReport, WeeklyReport
from xinfang.reports.monthly import changes, monthly_figures
from xinfang.reports.monthly_document import monthly_document
from xinfang.reports.services import daily_report_preview, daily_report_send
from xinfang.reports.services.monthly import monthly_check_month, monthly_draft, monthly_keys
from xinfang.reports.services.weekly import filter_keys, weekly_draft
from xinfang.reports.weekly import week_of, weekly_figures
from xinfang.reports.weekly_document import weekly_document
from xinfang.supervision.summary import progress_summary
from xinfang.supervision.summary_issue import progress_document

# `xinfang report monthly --format json` prints exactly these keys (issue 18).
MONTHLY_JSON = ("month", "totals", "previous", "last_year", "by_channel", "by_level", "by_township",
                "by_unit", "by_category", "rising_categories", "forecast", "at_risk")  # fmt: skip


class Command(BaseCommand):
    help = (
        "报告：daily 生成并发送（或 --preview 只预览）某日的每日访情报告；"
        "weekly 统计某周的每周访情分析（--draft 起草，--output 输出 Word 和 PDF）；"
        "monthly 统计某月的月信访形势分析（--draft 起草，--output 输出 Word 和 PDF）；"
        "progress 督办事项办理情况汇总。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="报告")
        daily = reports.add_parser("daily", help="每日访情报告")
        daily.add_argument("--date", required=True, help="报告日期 YYYY-MM-DD")
        daily.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        daily.add_argument("--preview", action="store_true", help="只预览，不发送")
        daily.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
        weekly = reports.add_parser("weekly", help="每周访情分析")
        weekly.add_argument("--week", required=True, help="该周内的任一日期 YYYY-MM-DD")
        weekly.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        weekly.add_argument("--draft", action="store_true", help="起草该周的访情分析（已起草的不重复）")
        weekly.add_argument("--output", default="", help="把 Word（.docx）和 PDF 写到该目录")
        weekly.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
        monthly = reports.add_parser("monthly", help="月信访形势分析")
        monthly.add_argument("--month", required=True, help="统计月 YYYY-MM（按 XINFANG_MONTH_START_DAY 计）")
        monthly.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        monthly.add_argument("--draft", action="store_true", help="起草该月的形势分析（已起草的不重复）")
        monthly.add_argument("--output", default="", help="把 Word（.docx）和 PDF 写到该目录")
        monthly.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
        progress = reports.add_parser("progress", help="督办事项办理情况汇总（每10天）")
        progress.add_argument("--date", required=True, help="汇总截至日期 YYYY-MM-DD")
        progress.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        progress.add_argument("--output", default="", help="把 Word（.docx）和 PDF 写到该目录")
        progress.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "weekly":
            self.weekly(**options)
            return
        if options["report"] == "progress":
            self.progress(**options)
            return
        if options["report"] == "monthly":
            self.monthly(**options)
            return
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

    def weekly(self, **options: Any) -> None:
        day, county = date_option(options["week"]), county_option(options["county"])
        date_from, date_to = week_of(day)
        if date_from > timezone.localdate():
            raise CommandError("该周尚未开始", returncode=2)
        if options["output"]:
            libraries_loading()
        if options["draft"]:
            weekly_draft(county=county, date_from=date_from, date_to=date_to, by=None)
        figures = weekly_figures(county=county, date_from=date_from, date_to=date_to)
        report = (
            WeeklyReport.objects.filter(county=county, date_from=date_from).select_related("document").first()
        )
        issued = report.document if report is not None else None
        figures["number"] = issued.number if issued is not None else None
        written = self.weekly_files(options["output"], county, figures, report) if options["output"] else []
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            totals, previous = figures["totals"], figures["previous"]
            title = f"{year_number(issued)}每周访情分析" if issued else "每周访情分析（未印发）"
            self.stdout.write(f"{county.name} {figures['from']} 至 {figures['to']} {title}")
            self.stdout.write(
                f"  本周 {totals['matters']} 起 {totals['events']} 批次 {totals['persons']} 人次；"
                f"上周 {previous['matters']} 起 {previous['events']} 批次 {previous['persons']} 人次"
            )
            self.stdout.write(
                f"  越级访 {figures['over_level_events']} 批次，集体访 {figures['collective_events']} 批次，"
                f"重复访 {figures['repeat_events']} 批次；重点事项 {figures['key_matters_total']} 件"
            )
        self.paths_write(written, options["format"])

    def weekly_files(
        self, output: str, county: Any, figures: dict[str, Any], report: WeeklyReport | None
    ) -> list[Path]:
        """The issued files when the week was issued (as archived), else the week as counted now, a draft."""
        return issue_files(
            output, f"每周访情分析_{figures['from']}_{figures['to']}", report.document if report else None,
            lambda: weekly_document(
                county_name=county.name, figures=figures, analysis=report.analysis if report else "",
                suggestions=report.suggestions if report else "", number=None, year=timezone.localdate().year,
                issued_on=timezone.localdate(), keys=filter_keys(county),
            ),
        )  # fmt: skip

    def monthly(self, **options: Any) -> None:
        try:
            month = month_parse(options["month"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        try:
            monthly_check_month(month)
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        if options["output"]:
            libraries_loading()
        drafted_now = options["draft"] and monthly_draft(county=county, month=month, by=None)[1]
        report = (
            MonthlyReport.objects.filter(county=county, month=str(month)).select_related("document").first()
        )
        issued = report.document if report is not None else None
        if issued is not None:
            figures = issued.snapshot
        elif drafted_now and report is not None:
            figures = report.figures  # counted a moment ago by the draft: not counted twice
        else:
            figures = monthly_figures(county=county, month=month)
        written = self.monthly_files(options["output"], county, figures, report) if options["output"] else []
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({key: figures[key] for key in MONTHLY_JSON}, ensure_ascii=False, indent=2)
            )
        else:
            totals, previous, last_year = figures["totals"], figures["previous"], figures["last_year"]
            title = f"{year_number(issued)}月信访形势分析" if issued else "月信访形势分析（未印发）"
            self.stdout.write(f"{county.name} {month.label}（{figures['from']} 至 {figures['to']}）{title}")
            self.stdout.write(
                f"  本月 {totals['matters']} 起 {totals['events']} 批次 {totals['persons']} 人次；"
                f"环比 {changes(totals['events'], previous['events'])}，"
                f"同比 {changes(totals['events'], last_year['events'] if last_year else None)}"
            )
            forecast = figures["forecast"]
            measured = (
                "历史太短" if forecast["mape_12m"] is None else f"回测误差 {forecast['mape_12m'] * 100:.1f}%"
            )
            self.stdout.write(
                f"  预计 {forecast['month']} 约 {forecast['events']} 批次"
                f"（{forecast['low']}—{forecast['high']}，{forecast['method']}，{measured}）"
            )
            rising_names = "、".join(item["name"] for item in figures["rising_categories"]) or "无"
            self.stdout.write(
                f"  上升较快的问题类别：{rising_names}；越级风险事项 {len(figures['at_risk'])} 件"
            )
        self.paths_write(written, options["format"])

    def monthly_files(
        self, output: str, county: Any, figures: dict[str, Any], report: MonthlyReport | None
    ) -> list[Path]:
        """The issued files when the month was issued (as archived), else the month counted now, a draft."""
        return issue_files(
            output, f"月信访形势分析_{figures['month']}", report.document if report else None,
            lambda: monthly_document(
                county_name=county.name, figures=figures, analysis=report.analysis if report else "",
                suggestions=report.suggestions if report else "\n".join(figures["suggested"]), number=None,
                year=timezone.localdate().year, issued_on=timezone.localdate(),
                keys=monthly_keys(county, figures),
            ),
        )  # fmt: skip

    def progress(self, **options: Any) -> None:
        day, county = date_option(options["date"]), county_option(options["county"])
        if day > timezone.localdate():
            raise CommandError("汇总日期不能晚于今天", returncode=2)
        summary = progress_summary(county=county, day=day)
        written: list[Path] = []
        if options["output"]:
            issued = IssuedDocument.objects.filter(
                county=county, kind=DocumentKind.PROGRESS, period_to=day
            ).first()
            written = issue_files(
                options["output"], f"督办事项办理情况汇总_{day.isoformat()}", issued,
                lambda: progress_document(summary, county_name=county.name, number=None, issued_on=day),
            )  # fmt: skip
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"{county.name} 截至 {summary['date']} 督办事项：未办结 {summary['open']} 件"
                f"（超期 {summary['overdue']} 件），办结 {summary['done']} 件"
            )
            rows = [
                [item["state"], item["deadline"], item["leader"], item["instruction"][:30]]
                for item in summary["items"]
            ]
            for line in table_lines(rows, align="<<<<", indent="  "):
                self.stdout.write(line)
        self.paths_write(written, options["format"])

    def paths_write(self, paths: list[Path], output_format: str) -> None:
        """The files written, after the text; on stderr after JSON (JSON alone on stdout)."""
        stream = self.stderr if output_format == "json" else self.stdout
        for path in paths:
            stream.write(str(path))


def libraries_loading() -> None:
    """The Word and PDF libraries imported in a thread while the figures are counted: the counting mostly
    waits on the database, the imports (python-docx, matplotlib, WeasyPrint) take 1–2 s of the processor,
    and the documents would otherwise wait for them after the figures. The first document waits for an
    import still under way (Python's import lock)."""
    threading.Thread(target=_libraries_load_quietly, name="document-libraries", daemon=True).start()


def _libraries_load_quietly() -> None:
    # A library that cannot load (WeasyPrint without Pango) fails again in the document, with its message
    # where the command reports errors; not here as a thread's traceback.
    try:
        libraries_load()
    except (ImportError, OSError):
        return


def issue_files(
    output: str, stem: str, issued: IssuedDocument | None, draft: Callable[[], Document]
) -> list[Path]:
    """Word and PDF in the directory `output`: the issued document's as archived, else the `draft` built
    now, its name marked 草稿."""
    directory = output_directory(output)
    if issued is not None:
        copy = issued.copies.get(key="full")
        return write_files(
            directory, f"{issued.year}年第{issued.number}期{stem}", bytes(copy.docx), bytes(copy.pdf)
        )
    content = draft()
    return write_files(directory, f"{stem}_草稿", document_docx(content), document_pdf(content))


def output_directory(output: str) -> Path:
    directory = Path(output)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"无法创建输出目录 {directory}：{error.strerror}", returncode=2) from error
    return directory


def write_files(directory: Path, stem: str, docx: bytes, pdf: bytes) -> list[Path]:
    paths = [directory / f"{stem}.docx", directory / f"{stem}.pdf"]
    try:
        for path, data in zip(paths, (docx, pdf), strict=True):
            path.write_bytes(data)
    except OSError as error:
        raise CommandError(f"无法写入 {directory}：{error.strerror}", returncode=2) from error
    return paths


def year_number(document: Any) -> str:
    return f"{document.year}年第{document.number}期"
