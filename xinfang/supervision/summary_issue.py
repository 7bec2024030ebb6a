"""The 10-day progress summary (督办办理情况汇总) issued: compiled by the worker on the summary days
(XINFANG_PROGRESS_SUMMARY_DAYS) from `summary.progress_summary`, built as an official document through the
one builder, numbered and archived by the documents app, and sent to the main leaders. One issue per
county and day, whatever the number of runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.core.documents import Document, Heading, Link, Masthead, Paragraph, Table
from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery, DocumentKind, IssuedDocument
from xinfang.documents.services import Recipient, document_issue, recipients_for
from xinfang.lib.schedule import Rule, monthly_on
from xinfang.supervision.summary import progress_summary, summary_days, summary_previous


def progress_summary_days() -> Rule:
    return monthly_on(*summary_days())


def progress_document(
    summary: Mapping[str, Any], *, county_name: str, number: int | None, issued_on: dt.date,
    omit: frozenset[str] = frozenset(),
) -> Document:  # fmt: skip
    """The summary as the builder takes it; `omit` the matter numbers this copy leaves out (Art. 46)."""
    day = dt.date.fromisoformat(summary["date"])
    since = summary_previous(day) + dt.timedelta(days=1)
    items = [
        item for item in summary["items"] if not item["matter_number"] or item["matter_number"] not in omit
    ]
    rows = tuple(
        (
            str(index), Link(item["instruction"], f"/supervision/{item['id']}/"), item["leader"],
            "、".join(item["units"]) or "—", _day(item["deadline"]), item["state"],
            item["latest_progress"] or "暂无报送",
        )
        for index, item in enumerate(items, start=1)
    )  # fmt: skip
    blocks: list[Any] = [
        Heading("一、总体情况"),
        Paragraph.of(
            f"截至{day.month}月{day.day}日，领导批示和联席会议决定的督办事项未办结",
            Link(str(summary["open"]), "/supervision/?state=open"),
            "件，其中超期",
            Link(str(summary["overdue"]), "/supervision/?state=overdue"),
            f"件；{since.month}月{since.day}日以来办结{summary['done']}件。",
        ),
        Heading("二、逐项办理情况"),
        Table(header=("序号", "批示或决定", "牵头领导", "责任单位", "期限", "状态", "最新进展"), rows=rows)
        if rows
        else Paragraph.of("本期无督办事项。"),
    ]
    return Document(
        masthead=Masthead(
            organ=f"{county_name}信访局",
            title="督办事项办理情况汇总",
            number=f"{issued_on.year}年第{number}期" if number else "",
            date=issued_on,
        ),
        title=f"领导批示和联席会议决定事项办理情况汇总（截至{day.month}月{day.day}日）",
        blocks=tuple(blocks),
        draft=number is None,
        distribution="报：县委书记、县长",
    )


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _recipients(county: County, summary: Mapping[str, Any]) -> list[Recipient]:
    leaders = Leader.objects.filter(county=county, is_active=True, post_kind__in=Leader.MAIN_POSTS)
    return recipients_for(
        county=county,
        leaders=list(leaders.order_by("protocol_order", "id")),
        purpose=lambda leader: Delivery.Purpose.READ,
        numbers=[item["matter_number"] for item in summary["items"] if item["matter_number"]],
    )


def progress_summary_issue(
    *, county: County, day: dt.date, by: User | None = None, now: dt.datetime | None = None
) -> tuple[IssuedDocument, bool]:
    """The summary of `day`, issued once (returns the existing one and False when it was)."""
    with transaction.atomic():
        existing = IssuedDocument.objects.filter(
            county=county, kind=DocumentKind.PROGRESS, period_to=day
        ).first()
        if existing is not None:
            return existing, False
        summary = progress_summary(county=county, day=day)

        def render(number: int, omit: frozenset[str]) -> Document:
            return progress_document(
                summary, county_name=county.name, number=number, issued_on=day, omit=omit
            )

        document = document_issue(
            county=county, kind=DocumentKind.PROGRESS,
            title=f"督办事项办理情况汇总（截至{day:%Y年%m月%d日}）",
            period=(summary_previous(day) + dt.timedelta(days=1), day), snapshot=summary, render=render,
            recipients=_recipients(county, summary), approved_by=by, now=now,
        )  # fmt: skip
    return document, True


def progress_summary_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    document, created = progress_summary_issue(county=county, day=day, now=now)
    if not created:
        return f"{document.label}已印发，未重复汇总"
    counts = document.snapshot
    return (
        f"已印发{document.label}：未办结{counts['open']}件，超期{counts['overdue']}件，办结{counts['done']}件"
    )
