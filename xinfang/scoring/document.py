"""A quarter's tables as an official document (through the one builder, core/documents) and as an Excel
workbook (lib/xlsx.py): the same columns in both, each unit's deductions by level, additions, score,
veto and rank."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from xinfang.core.documents import Document, Heading, Masthead, Paragraph, Table
from xinfang.lib.xlsx import HEADER, XlsxBook
from xinfang.scoring.engine import LEVELS

TABLE_KEYS = (("townships", "乡镇"), ("departments", "县直单位"))
CHARGE_HEADER = ("表", "单位", "登记编号", "信访日期", "访别", "人数", "集体访", "扣分", "申诉成立免扣")
HEADER_ROW = ("名次", "单位", "基础分", *(f"{label}扣分" for _, label in LEVELS), "加分", "得分", "否决")


def row_cells(row: Mapping[str, Any]) -> tuple[Any, ...]:
    deductions = row["deductions"]
    cells = [f"{deductions[label]['events']}批/{deductions[label]['points']}分" if deductions[label]["events"]
             else "—" for _, label in LEVELS]  # fmt: skip
    veto = f"否决（{row['veto']['document_number']}）" if row["vetoed"] else ""
    return (row["rank"], row["unit"], row["base"], *cells, row["additions"], row["score"], veto)


def _rules_text(rules: Mapping[str, Any]) -> str:
    per = "每人次" if rules["per"] == "person" else "每批次"
    points = "、".join(f"{label}{per}扣{rules['points'][level]}分" for level, label in LEVELS)
    return (
        f"基础分{rules['base']}分；{points}；{rules['collective_persons']}人以上集体访计一批、"
        f"扣分乘以{rules['collective_factor']}。"
    )


def competition_document(
    figures: Mapping[str, Any], *, county_name: str, number: int | None, issued_on: dt.date
) -> Document:
    blocks: list[Any] = [Paragraph.of(f"评分规则：{_rules_text(figures['rules'])}")]
    for index, (key, label) in enumerate(TABLE_KEYS):
        rows = figures[key]
        blocks.append(Heading(f"{'一二'[index]}、{label}排名"))
        deducted = sum(1 for row in rows if any(cell["events"] for cell in row["deductions"].values()))
        vetoed = [row["unit"] for row in rows if row["vetoed"]]
        summary = f"共{len(rows)}个{label}，{deducted}个被扣分"
        summary += f"，{'、'.join(vetoed)}被一票否决。" if vetoed else "。"
        blocks.append(Paragraph.of(summary))
        blocks.append(Table(header=HEADER_ROW, rows=tuple(row_cells(row) for row in rows)))
    return Document(
        masthead=Masthead(
            organ=f"{county_name}信访局",
            title="信访工作比拼通报",
            number=f"{issued_on.year}年第{number}期" if number else "",
            date=issued_on,
        ),
        title=f"{figures['label']}乡镇和县直单位信访工作比拼结果",
        blocks=tuple(blocks),
        draft=number is None,
        distribution="报：县委书记、县长",
    )


def competition_xlsx(
    figures: Mapping[str, Any], charges: Mapping[int, Sequence[Mapping[str, Any]]], *, title: str
) -> bytes:
    """The two tables and every deduction by event (`charges`: each unit's, by its id), one sheet each."""
    target = io.BytesIO()
    with XlsxBook(target, title=title) as book:
        for key, label in TABLE_KEYS:
            sheet = book.sheet(label, widths=(6, 18, 8, 12, 12, 12, 8, 8, 22), frozen_rows=1)
            sheet.row(HEADER_ROW, HEADER)
            for row in figures[key]:
                sheet.row(row_cells(row))
        sheet = book.sheet("扣分明细", widths=(10, 18, 22, 12, 8, 6, 8, 8, 30), frozen_rows=1)
        sheet.row(CHARGE_HEADER, HEADER)
        for key, label in TABLE_KEYS:
            for row in figures[key]:
                for charge in charges.get(row["unit_id"], ()):
                    sheet.row(_charge_cells(label, row["unit"], charge))
    return target.getvalue()


def _charge_cells(table: str, unit: str, charge: Mapping[str, Any]) -> Sequence[Any]:
    return (
        table, unit, charge["matter_number"], dt.date.fromisoformat(charge["date"]), charge["level_label"],
        charge["persons"], "是" if charge["collective"] else "", charge["points"],
        charge["waived_reason"] if charge["waived"] else "",
    )  # fmt: skip
