"""The monthly situation analysis as an official document (through the one builder, `core.documents`):
built from the figures alone (a draft's, or the snapshot frozen at approval), so the archived issue always
reads as approved. Its sections are the issue's: 访量, 涉及单位, 问题分类, 舆情预判, 下一步工作. Every count
links to what is behind it: events to `/stats/events/` with the month and the breakdown, a responsible
unit's to `/matters/` with the unit, at-risk matters to their pages (Word and PDF print the text only)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from xinfang.core.documents import Chart, Document, Heading, Link, Paragraph, Table
from xinfang.lib.periods import month_parse
from xinfang.reports.document_parts import (
    DISTRIBUTION,
    analysis_masthead,
    day_label,
    events_link,
    text_paragraphs,
)
from xinfang.reports.monthly import changes, share_rows

MATTERS_URL = "/matters/"
UNITS_SHOWN = 20
CATEGORIES_SHOWN = 20
RISK_REASONS_SHOWN = 3  # the document's at-risk table; the page of the matter shows every factor


def span(first: str, last: str) -> str:
    """Two ISO days as a report writes a span: 12月1日至12月31日, with the years when it crosses one."""
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    if start.year == end.year:
        return f"{day_label(first)}至{day_label(last)}"
    return f"{start.year}年{day_label(first)}至{end.year}年{day_label(last)}"


def _matters(figures: Mapping[str, Any], number: int, **filters: str) -> Link:
    query = urlencode({"date_from": figures["from"], "date_to": figures["to"], **filters})
    return Link(str(number), f"{MATTERS_URL}?{query}")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _figure(text: str) -> str | None:
    """A rate or change for a table: "—" (none) as the builder's empty cell, printed "—" too but aligned
    with the figures of its column (given as text, it stood at the left of a right-aligned column)."""
    return None if text == "—" else text


def monthly_document(
    *,
    county_name: str,
    figures: Mapping[str, Any],
    analysis: str,
    suggestions: str,
    number: int | None,
    year: int,
    issued_on: dt.date,
    keys: Mapping[str, Mapping[str, str]],
) -> Document:
    """The issue as the builder takes it. `keys` maps each breakdown's names to the values of its filter
    (level and channel codes, category and township ids for /stats/events/; "by_unit" unit ids for
    /matters/; "matters" at-risk numbers to matter ids)."""
    month = month_parse(figures["month"])
    blocks: list[Any] = []
    blocks += _volume(figures, keys)
    blocks += _units(figures, keys)
    blocks += _categories(figures, keys)
    blocks += _outlook(figures, keys, analysis)
    blocks.append(Heading("五、下一步工作"))
    blocks.extend(text_paragraphs(suggestions))
    return Document(
        masthead=analysis_masthead(
            county_name=county_name, title="月信访形势分析", number=number, year=year, issued_on=issued_on
        ),
        title=f"{county_name}{month.label}信访形势分析",
        blocks=tuple(blocks),
        draft=number is None,
        distribution=DISTRIBUTION,
    )


def _volume(figures: Mapping[str, Any], keys: Mapping[str, Mapping[str, str]]) -> list[Any]:
    totals, previous, last_year = figures["totals"], figures["previous"], figures["last_year"]
    period = f"{day_label(figures['from'])}至{day_label(figures['to'])}"
    year_ago = (
        f"去年同期{last_year['events']}批次，同比{changes(totals['events'], last_year['events'])}"
        if last_year
        else "去年同期无数据，同比—"
    )
    blocks: list[Any] = [
        Heading("一、访量"),
        Paragraph.of(
            f"{month_parse(figures['month']).label}（{period}），全县共登记信访事项",
            events_link(figures, totals["matters"]),
            "起、",
            events_link(figures, totals["events"]),
            "批次、",
            events_link(figures, totals["persons"]),
            f"人次。上月{previous['events']}批次，环比{changes(totals['events'], previous['events'])}；"
            f"{year_ago}。其中越级访{figures['over_level_events']}批次，集体访",
            events_link(figures, figures["collective_events"], collective="on"),
            "批次，重复访",
            events_link(figures, figures["repeat_events"], repeat="on"),
            "批次。",
        ),
        _trend_chart(figures),
    ]
    for index, (key, title, name) in enumerate(
        (("by_level", "访别", "level"), ("by_channel", "信访形式", "channel")), start=1
    ):
        blocks.append(Heading(f"（{'一二'[index - 1]}）按{title}", level=2))
        blocks.append(_compared(figures, key, name, keys.get(key, {})))
    blocks.append(Heading("（三）考核指标", level=2))
    blocks.append(
        Table(
            header=("指标", "分子", "分母", "比率", "未计入"),
            rows=tuple(
                (name, kpi["numerator"], kpi["denominator"], _figure(_percent(kpi["rate"])), kpi["excluded"])
                for name, kpi in figures.get("kpis", {}).items()
            ),
        )
    )
    return blocks


def _compared(figures: Mapping[str, Any], key: str, name: str, values: Mapping[str, str]) -> Table:
    """A breakdown with 环比 and 同比 (同比 "—" where the year before is unknown)."""
    before = figures.get("previous_by", {}).get(key, {})
    year_by = figures.get("last_year_by") or {}
    year_ago = year_by.get(key)
    labels = list(figures[key]) + [label for label in before if label not in figures[key]]
    rows = []
    for label in labels:
        row = figures[key].get(label, {"matters": 0, "events": 0, "persons": 0})
        events: Any = row["events"]
        if name and label in values and row["events"]:
            events = events_link(figures, row["events"], **{name: values[label]})
        last = before.get(label, {}).get("events", 0)
        base = None if year_ago is None else year_ago.get(label, {}).get("events", 0)
        rows.append((label, row["matters"], events, row["persons"], _figure(changes(row["events"], last)),
                     base, _figure(changes(row["events"], base))))  # fmt: skip
    header = ("名称", "起", "批次", "人次", "环比", "去年同期批次", "同比")
    return Table(header=header, rows=tuple(rows))


def _trend_chart(figures: Mapping[str, Any]) -> Chart:
    trend = figures["trend"]

    # A month nobody knows (before the county's records) is a gap in the line, not a 0.
    def line(key: str) -> tuple[float, ...]:
        return tuple(math.nan if item[key] is None else float(item[key]) for item in trend)

    series: list[tuple[str, tuple[float, ...]]] = [("信访批次", line("events"))]
    if any(item["last_year"] is not None for item in trend):
        series.append(("上年同月", line("last_year")))
    return Chart(
        title="近12个月信访批次走势",
        kind="line",
        categories=tuple(f"{int(item['month'][5:])}月" for item in trend),
        series=tuple(series),
        unit="批次",
    )


def _units(figures: Mapping[str, Any], keys: Mapping[str, Mapping[str, str]]) -> list[Any]:
    units = keys.get("by_unit", {})
    before = figures.get("previous_by", {}).get("by_unit", {})
    over_before = figures.get("previous_over_level_by_unit", {})
    ranked = share_rows(dict(figures))
    rows = []
    for rank, (name, events, over) in enumerate(ranked[:UNITS_SHOWN], start=1):
        # 起 links to the unit's matters of the month (the registry's list filters matters, not events).
        matters = figures["by_unit"][name]["matters"]
        shown: Any = _matters(figures, matters, unit=units[name]) if name in units else matters
        last, over_last = before.get(name, {}).get("events", 0), over_before.get(name, 0)
        rows.append(
            (
                rank,
                name,
                shown,
                events,
                _figure(changes(events, last)),
                over,
                _figure(changes(over, over_last)),
            )
        )
    blocks: list[Any] = [Heading("二、涉及单位")]
    if not rows:
        return [*blocks, Paragraph.of("本月无信访事项涉及的责任单位。")]
    blocks.append(
        Table(header=("排名", "责任单位", "起", "批次", "环比", "越级访批次", "越级访环比"), rows=tuple(rows))
    )
    by_over = sorted(((n, name) for name, n in figures["over_level_by_unit"].items() if n), reverse=True)
    if by_over:
        blocks.append(
            Paragraph.of(
                "越级访较多的单位："
                + "、".join(f"{name}{n}批次" for n, name in sorted(by_over, key=lambda x: (-x[0], x[1]))[:5])
                + "。"
            )
        )
    if len(ranked) > UNITS_SHOWN:
        blocks.append(Paragraph.of(f"另有{len(ranked) - UNITS_SHOWN}个单位未列出，详见信访工作平台。"))
    return blocks


def _categories(figures: Mapping[str, Any], keys: Mapping[str, Mapping[str, str]]) -> list[Any]:
    values = keys.get("by_category", {})
    before = figures.get("previous_by", {}).get("by_category", {})
    total = figures["totals"]["events"] or 0
    ordered = sorted(figures["by_category"].items(), key=lambda item: (-item[1]["events"], item[0]))
    rows = []
    for name, row in ordered[:CATEGORIES_SHOWN]:
        events: Any = row["events"]
        if name in values:
            events = events_link(figures, row["events"], category=values[name])
        share = f"{row['events'] / total * 100:.1f}%" if total else None
        last = before.get(name, {}).get("events", 0)
        rows.append((name, events, share, _figure(changes(row["events"], last))))
    blocks: list[Any] = [Heading("三、问题分类")]
    blocks.append(Table(header=("问题类别", "批次", "占比", "环比"), rows=tuple(rows)))
    blocks.append(Paragraph.of(_rising_text(figures)))
    return blocks


def _rising_text(figures: Mapping[str, Any]) -> str:
    found = figures["rising_categories"]
    if not found:
        return "本月没有明显上升的问题类别（以本月不少于5批次、且显著高于前几个月平均水平为准）。"
    parts = []
    for item in found:
        rise = "此前无同类" if item["change"] is None else f"增长{item['change'] * 100:.0f}%"
        parts.append(f"{item['name']}{item['events']}批次（前几个月平均{item['baseline']:.1f}批次，{rise}）")
    return "明显上升的问题类别：" + "；".join(parts) + "。"


def _outlook(figures: Mapping[str, Any], keys: Mapping[str, Mapping[str, str]], analysis: str) -> list[Any]:
    forecast = figures["forecast"]
    month = month_parse(forecast["month"])
    if forecast["mape_12m"] is None:
        error = f"可回测的月份不足3个（{forecast['mape_months']}个），历史数据太短，暂不能给出预测误差"
    else:
        error = (
            f"按同一方法回测近{forecast['mape_months']}个月，平均绝对百分比误差为"
            f"{forecast['mape_12m'] * 100:.1f}%，对照基准（同月或上月数）为"
            f"{forecast['baseline_mape_12m'] * 100:.1f}%"
        )
    blocks: list[Any] = [
        Heading("四、舆情预判"),
        Paragraph.of(
            f"预计{month.label}全县信访约{forecast['events']}批次（80%区间{forecast['low']}—"
            f"{forecast['high']}批次；方法：{forecast['method']}）。{error}。"
        ),
        Paragraph.of(
            "上升较快的问题类别："
            + ("、".join(item["name"] for item in figures["rising_categories"]) or "无")
            + "（详见问题分类）。"
        ),
    ]
    periods = figures.get("sensitive_periods", [])
    if periods:
        text = "；".join(f"{span(p['from'], p['to'])}{p['name']}" for p in periods)
        blocks.append(Paragraph.of(f"未来两个月的敏感节点：{text}。"))
    else:
        blocks.append(Paragraph.of("未来两个月无设定的敏感节点。"))
    if figures.get("hotspots"):
        text = "、".join(f"{spot['township']}{spot['category']}（近14天{spot['count']}批次）"
                        for spot in figures["hotspots"])  # fmt: skip
        blocks.append(Paragraph.of(f"热点：{text}。"))
    matters = keys.get("matters", {})
    at_risk = figures["at_risk"]
    if at_risk:
        # A paragraph each: in a table the long reasons squeeze the number and score into slivers.
        blocks.append(Heading("越级风险较高的事项", level=2))
        for index, row in enumerate(at_risk, start=1):
            number: Any = row["number"]
            if number in matters:
                number = Link(number, f"{MATTERS_URL}{matters[number]}/")
            reasons = "；".join(row["reasons"][:RISK_REASONS_SHOWN]) or "—"
            blocks.append(Paragraph.of(f"{index}. ", number, f"（风险分{row['score']}）：{reasons}。"))
    else:
        blocks.append(Paragraph.of("目前没有在办的越级风险事项。"))
    if analysis.strip():
        blocks.append(Heading("综合研判", level=2))
        blocks.extend(text_paragraphs(analysis))
    return blocks
