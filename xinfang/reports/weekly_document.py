"""The weekly analysis as an official document (through the one builder, `core.documents`): built from
the figures alone (a draft's, or the snapshot frozen at approval), so the archived issue always reads as
approved. Every figure links to the events behind it (`/stats/events/` with the week and the breakdown)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from xinfang.core.documents import Chart, Document, Heading, Link, Paragraph, Table
from xinfang.reports.document_parts import (
    DISTRIBUTION,
    analysis_masthead,
    day_label,
    events_link,
    text_paragraphs,
)
from xinfang.reports.weekly import change

# breakdown → (its title, the /stats/events/ filter its rows link by; "" when the events page has none)
BREAKDOWN_TITLES = {
    "by_level": ("访别", "level"),
    "by_channel": ("信访形式", "channel"),
    "by_category": ("问题类别", "category"),
    "by_township": ("乡镇（属地）", "township"),
    "by_unit": ("责任单位", ""),
}


def weekly_document(
    *,
    county_name: str,
    figures: Mapping[str, Any],
    analysis: str,
    suggestions: str,
    number: int | None,
    year: int,
    issued_on: dt.date,
    keys: Mapping[str, Mapping[str, str]],
    omit: frozenset[str] = frozenset(),
) -> Document:
    """The issue as the builder takes it. `keys` maps each breakdown's names to the values of its
    /stats/events/ filter (level and channel codes, category and township ids); `omit` the numbers of
    key matters this copy leaves out (they report its recipient, Art. 46)."""
    totals, previous = figures["totals"], figures["previous"]
    period = f"{day_label(figures['from'])}至{day_label(figures['to'])}"
    blocks: list[Any] = [
        Heading("一、总体情况"),
        Paragraph.of(
            f"{period}，全县共登记信访事项",
            events_link(figures, totals["matters"]),
            "起、",
            events_link(figures, totals["events"]),
            "批次、",
            events_link(figures, totals["persons"]),
            f"人次；上周分别为{previous['matters']}起、{previous['events']}批次、{previous['persons']}人次，"
            f"批次环比{change(totals['events'], previous['events'])}。其中越级访",
            str(figures["over_level_events"]),
            "批次，集体访",
            events_link(figures, figures["collective_events"], collective="on"),
            "批次，重复访",
            events_link(figures, figures["repeat_events"], repeat="on"),
            "批次。",
        ),
    ]
    blocks.append(_trend_chart(figures))
    blocks.append(Heading("二、分类情况"))
    for index, (key, (title, name)) in enumerate(BREAKDOWN_TITLES.items(), start=1):
        blocks.append(Heading(f"（{'一二三四五'[index - 1]}）按{title}", level=2))
        blocks.append(_breakdown(figures, key, name, keys.get(key, {})))
    blocks.append(Heading("三、重点事项"))
    blocks.extend(_key_matters(figures, omit))
    blocks.append(Heading("四、分析研判"))
    blocks.extend(text_paragraphs(analysis))
    blocks.append(Heading("五、意见建议"))
    blocks.extend(text_paragraphs(suggestions))
    return Document(
        masthead=analysis_masthead(
            county_name=county_name, title="每周访情分析", number=number, year=year, issued_on=issued_on
        ),
        title=f"{county_name}{period}访情分析",
        blocks=tuple(blocks),
        draft=number is None,
        distribution=DISTRIBUTION,
    )


def _breakdown(figures: Mapping[str, Any], key: str, name: str, values: Mapping[str, str]) -> Table:
    before = figures.get("previous_by", {}).get(key, {})
    rows = []
    for label, row in figures[key].items():
        events: Any = row["events"]
        if name and label in values:
            events = events_link(figures, row["events"], **{name: values[label]})
        last = before.get(label, {}).get("events", 0)
        rows.append((label, row["matters"], events, row["persons"], last, change(row["events"], last)))
    for label, row in before.items():
        if label not in figures[key]:
            rows.append((label, 0, 0, 0, row["events"], change(0, row["events"])))
    return Table(header=("名称", "起", "批次", "人次", "上周批次", "环比"), rows=tuple(rows))


def _trend_chart(figures: Mapping[str, Any]) -> Chart:
    townships = list(figures["by_township"])[:15]
    before = figures.get("previous_by", {}).get("by_township", {})
    return Chart(
        title="各乡镇信访批次（本周与上周）",
        kind="bar",
        categories=tuple(townships),
        series=(
            ("本周", tuple(float(figures["by_township"][name]["events"]) for name in townships)),
            ("上周", tuple(float(before.get(name, {}).get("events", 0)) for name in townships)),
        ),
        unit="批次",
    )


def _key_matters(figures: Mapping[str, Any], omit: frozenset[str]) -> list[Any]:
    shown = [row for row in figures["key_matters"] if row["number"] not in omit]
    if not shown:
        return [Paragraph.of("本周无重点事项。")]
    rows = tuple(
        (
            Link(row["number"], f"/matters/{row['matter_id']}/"), row["township"], row["petitioner"],
            row["category"], "、".join(row["reasons"]), row["owner"] or "未包案", row["status"],
        )
        for row in shown
    )  # fmt: skip
    blocks: list[Any] = [
        Table(header=("编号", "乡镇", "信访人", "问题类别", "重点原因", "包案领导", "状态"), rows=rows)
    ]
    more = figures.get("key_matters_total", len(figures["key_matters"])) - len(figures["key_matters"])
    if more > 0:
        blocks.append(Paragraph.of(f"另有{more}件重点事项未列出，详见信访工作平台。"))
    return blocks
