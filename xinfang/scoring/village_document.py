"""A year's village star ratings as an official document (core/documents) and an Excel workbook
(lib/xlsx.py): the same columns in both — township, village, stars, petition star (and the matters that
vetoed it), star count, work funds, cadre pay."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from xinfang.core.documents import Document, Heading, Masthead, Paragraph, Table
from xinfang.lib.xlsx import HEADER, XlsxBook
from xinfang.scoring.village_selectors import SHOWN_VETOES

HEADER_ROW = (
    "乡镇",
    "村(社区)",
    "所获星级",
    "信访相关星",
    "否决事项",
    "星数",
    "工作经费（元）",
    "干部报酬（元）",
)


def vetoes_text(row: Mapping[str, Any]) -> str:
    """The matters vetoing a village's petition star, the first few (`SHOWN_VETOES`) and the number of
    events when not every one is named: the document and the list's sheet stay one line a village; the
    export's second sheet and the village's page list every event."""
    named = row["vetoed_by"][:SHOWN_VETOES]
    count = row.get("veto_count", len(row["vetoes"]))
    text = "、".join(named)
    if count > len(row["vetoes"]) or len(row["vetoed_by"]) > len(named):
        text += f"等（共{count}批）"
    return text


def row_cells(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        row["township"], row["village"], "、".join(row["stars"]) or "—",
        "保留" if row["petition_star"] else "否决", vetoes_text(row), row["star_count"],
        row["work_funds"], row["cadre_pay"],
    )  # fmt: skip


def _summary(figures: Mapping[str, Any]) -> str:
    rows = figures["villages"]
    star = figures["petition_star"] or "信访相关星"
    text = (
        f"共评定{len(rows)}个村(社区)，{figures['totals']['vetoed']}个因到市以上信访被否决{star}；"
        f"奖励工作经费合计{figures['totals']['work_funds']}元、干部报酬合计{figures['totals']['cadre_pay']}元。"
    )
    if figures.get("unmatched"):
        count = sum(row["events"] for row in figures["unmatched"])
        text += f"另有{count}批到市以上信访的村(社区)未能匹配，未计入。"
    return text


def _rewards_text(figures: Mapping[str, Any]) -> str:
    parts = [
        f"{r['stars']}星：工作经费{r['work_funds']}元、干部报酬{r['cadre_pay']}元" for r in figures["rewards"]
    ]
    return "；".join(parts) + "。" if parts else "未设置星级奖励。"


def ratings_document(
    figures: Mapping[str, Any], *, county_name: str, number: int | None, issued_on: dt.date
) -> Document:
    blocks: list[Any] = [
        Paragraph.of(_summary(figures)),
        Heading("一、奖励标准"),
        Paragraph.of(_rewards_text(figures)),
        Heading("二、评定结果"),
        Table(header=HEADER_ROW, rows=tuple(row_cells(row) for row in figures["villages"])),
    ]
    return Document(
        masthead=Masthead(
            organ=f"{county_name}信访局",
            title="村级星级评定结果",
            number=f"{issued_on.year}年第{number}期" if number else "",
            date=issued_on,
        ),
        title=f"{figures['year']}年度村(社区)星级评定和奖励结果",
        blocks=tuple(blocks),
        draft=number is None,
        distribution="报：县委书记、县长",
    )


def ratings_xlsx(figures: Mapping[str, Any], *, title: str) -> bytes:
    """The year's list and the events that vetoed the petition star, one sheet each."""
    target = io.BytesIO()
    with XlsxBook(target, title=title) as book:
        sheet = book.sheet("星级评定", widths=(12, 14, 30, 10, 40, 6, 14, 14), frozen_rows=1)
        sheet.row(HEADER_ROW, HEADER)
        for row in figures["villages"]:
            sheet.row(row_cells(row))
        sheet = book.sheet("否决明细", widths=(12, 14, 22, 12, 8, 6), frozen_rows=1)
        sheet.row(("乡镇", "村(社区)", "登记编号", "信访日期", "访别", "人数"), HEADER)
        for row in figures["villages"]:
            for veto in row["vetoes"]:
                day = dt.date.fromisoformat(veto["date"])
                cells = (row["township"], row["village"], veto["matter_number"], day, veto["level_label"])
                sheet.row((*cells, veto["persons"]))
    return target.getvalue()
