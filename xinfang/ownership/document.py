"""A batch as an official document (through the one builder, `core.documents`): the matters, why each was
proposed, its owner and deadline, built from the rows frozen when the batch was issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from xinfang.core.documents import Document, Heading, Link, Masthead, Paragraph, Table

DISTRIBUTION = "报：县委书记、县长　　送：各包案县级领导"


def batch_document(
    *, county_name: str, year: int, number: int | None, issued_on: dt.date, rows: Sequence[Mapping[str, str]]
) -> Document:
    """The batch as the builder takes it; `number` None is a draft (草稿)."""
    owners = sorted({row["leader"] for row in rows if row["leader"]})
    label = f"{year}年第{number}期" if number else "草稿"
    blocks: list[object] = [
        Paragraph.of(
            f"根据县级领导包案化解信访问题工作制度，现将本期{len(rows)}件信访事项交由"
            f"{len(owners)}位县级领导包案。请各包案领导按照“五包”要求（包掌握情况、包解决问题、包教育转化、"
            "包稳控管理、包依法处置），在化解期限内见面约谈信访人、推动问题解决，并在信访工作平台填报工作情况；"
            "化解后申请销号，由县信访局确认。"
        ),
        Heading("包案事项"),
    ]
    if rows:
        blocks.append(
            Table(
                header=("序号", "事项编号", "乡镇", "问题类别", "提请理由", "包案领导", "化解期限"),
                rows=tuple(_row(index, row) for index, row in enumerate(rows, start=1)),
            )
        )
    else:
        blocks.append(Paragraph.of("本期无包案事项。"))
    return Document(
        masthead=Masthead(organ=f"{county_name}信访局", title="县级领导包案", number=label, date=issued_on),
        title=f"{county_name}县级领导包案信访事项（{label}）",
        blocks=tuple(blocks),  # type: ignore[arg-type]
        draft=number is None,
        distribution=DISTRIBUTION,
    )


def _row(index: int, row: Mapping[str, str]) -> tuple[str | Link, ...]:
    return (
        str(index), Link(row["number"], f"/matters/{row['matter_id']}/"), row["township"], row["category"],
        row["reasons"], row["leader"] or "未确定", row["deadline"] or "—",
    )  # fmt: skip
