"""The minutes (会议纪要) as an official document through the one builder (`core.documents`), built from the
rows frozen at approval (`minutes_rows`). Petitioners' names are masked; a copy for a reader whom a
matter reports leaves that matter out (Art. 46), numbered on as if it were not there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from xinfang.core.documents import Document, Heading, Link, Masthead, Paragraph, Table

NUMERALS = "一二三四五六七八九十"


def chinese_number(value: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99)."""
    tens, ones = divmod(value, 10)
    if tens == 0:
        return NUMERALS[ones - 1]
    head = "" if tens == 1 else NUMERALS[tens - 1]
    return head + "十" + (NUMERALS[ones - 1] if ones else "")


def minutes_document(
    *,
    county_name: str,
    header: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    year: int,
    number: int | None,
    issued_on: dt.date,
    omit: frozenset[str] = frozenset(),
) -> Document:
    """The minutes as the builder takes them; `number` None is a draft (草稿). `header`: label, held_on,
    place, chair, attendees; `rows`: one per matter decided, as `services.minutes_rows` freezes them."""
    shown = [row for row in rows if row["number"] not in omit]
    label = f"{year}年第{number}期" if number else "草稿"
    place = f"在{header['place']}" if header.get("place") else ""
    chair = f"由{header['chair']}主持，" if header.get("chair") else ""
    blocks: list[object] = [
        Paragraph.of(
            f"{header['held_on']}，{chair}{place}召开县信访工作联席会议，听取包案领导对{header['label']}筛选出的"
            f"疑难信访事项的化解情况汇报，逐件研究确定化解方案。现将会议议定事项纪要如下。"
        ),
        Paragraph.of(f"参会人员：{header['attendees'] or '（未登记）'}。"),
    ]
    for index, row in enumerate(shown, start=1):
        blocks.append(
            Heading(f"{chinese_number(index)}、{row['number']}（{row['where']}，{row['category']}）")
        )
        blocks.append(Paragraph.of(f"信访人：{row['petitioners'] or '—'}。反映问题：{row['content']}"))
        if row["report"]:
            blocks.append(Paragraph.of(f"包案领导{row['owner']}汇报：{row['report']}"))
        blocks.append(Paragraph.of(f"会议决定：{row['plan']}"))
        blocks.append(
            Paragraph.of(
                f"责任领导：{row['leader']}；责任单位：{row['units'] or '—'}；化解期限：{row['deadline']}。"
            )
        )
        if row["tasks"]:
            blocks.append(Paragraph.of(f"工作要求：{row['tasks']}"))
    blocks.append(Heading(f"{chinese_number(len(shown) + 1)}、督办安排" if shown else "一、督办安排"))
    if shown:
        blocks.append(
            Paragraph.of(
                "以上议定事项由县信访局逐件列入督办，责任单位按期报送办理进展，逾期未办结的提请下次会议研究。"
            )
        )
        blocks.append(
            Table(
                header=("序号", "事项编号", "责任领导", "责任单位", "化解期限"),
                rows=tuple(
                    (
                        str(index),
                        Link(row["number"], f"/matters/{row['matter_id']}/"),
                        row["leader"],
                        row["units"] or "—",
                        row["deadline"],
                    )
                    for index, row in enumerate(shown, start=1)
                ),
            )
        )
    else:
        blocks.append(Paragraph.of("本纪要无议定事项。"))
    return Document(
        masthead=Masthead(
            organ=f"{county_name}信访局", title="信访工作联席会议纪要", number=label, date=issued_on
        ),
        title=f"{county_name}信访工作联席会议纪要（{header['label']}）",
        blocks=tuple(blocks),  # type: ignore[arg-type]
        draft=number is None,
        distribution="送：参会县级领导、参会单位主要负责人",
    )
