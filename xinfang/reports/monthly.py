"""The figures of the monthly situation analysis (月信访形势分析, SPEC §5.3, issue 18). Reads only;
`services/monthly.py` drafts, approves and issues.

Every figure counts by the statistical month (`lib.periods`, XINFANG_MONTH_START_DAY) and by the counting
rules of docs/statistics.md: the month's figures are `xinfang stats` over `Month.range(start_day)`.

- 环比 compares with the month before, 同比 with the same month a year before: the registry's count when it
  has any event of the county in that month, else the county's entered history (`MonthlyHistory`: 批次 by
  访别, 人次 when entered, no 起 and no 信访形式), else none (`last_year` null, the report writes "—").
- The 12-month trend and the forecast read `stats.series.monthly_events` (registry, else history, else
  None); the forecast is `lib.forecast.forecast_next` over the last 36 months (24 for the seasonal factor
  plus 12 back-tested).
- Rising categories: `lib.trends.rising` over this month's events per first-level category against the
  category's own counts in the previous `RISING_MONTHS` known months (registry, else history).
- At risk: `stats.risk.risk_ranking` as of the first day after the month.
- KPIs: `stats.kpi.kpis` over the month; hotspots: `stats.hotspots.hotspots` on the month's last day.
- Sensitive periods: those of XINFANG_SENSITIVE_PERIODS overlapping the two months after this one.
- Suggestions (下一步工作) are drafted from these figures by `suggestions_for`; staff edit them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from xinfang.core.concurrent import side_by_side
from xinfang.directory.models import Category, County, Unit
from xinfang.lib.forecast import forecast_next
from xinfang.lib.periods import Month, month_of, months_between
from xinfang.lib.trends import rising
from xinfang.petitions.models import OVER_LEVELS, Event, Level, Matter
from xinfang.petitions.todo import running
from xinfang.reports.sensitive import sensitive_periods_between, sensitive_periods_parse
from xinfang.reports.weekly import BREAKDOWNS, NO_UNIT, change, totals_of
from xinfang.stats.hotspots import hotspots
from xinfang.stats.kpi import kpis
from xinfang.stats.models import MonthlyHistory
from xinfang.stats.risk import risk_ranking
from xinfang.stats.selectors import FIGURES, ROW, counted_events, event_statistics
from xinfang.stats.series import monthly_events

SERIES_MONTHS = 36  # the forecast's series: 24 months for the seasonal factor + 12 back-tested
TREND_MONTHS = 12
RISING_MONTHS = 6  # the rising test's baseline: the category's previous known months, at most this many
RISING_MIN_COUNT = 5
LOW_KPI = 0.9  # a KPI below this rate is named in the suggestions
HOTSPOTS_SHOWN = 5
LEVEL_LABELS = dict(Level.choices)


def month_start_day() -> int:
    return int(settings.XINFANG_MONTH_START_DAY)


def last_closed_month(day: dt.date) -> Month:
    """The statistical month before the one holding `day`: the newest a report can be made for."""
    return month_of(day, month_start_day()).shifted(-1)


def monthly_figures(*, county: County, month: Month) -> dict[str, Any]:
    """The monthly analysis's figures for `month`, in the shape of `xinfang report monthly --format json`:
    the issue's keys (month, totals, previous, last_year, by_channel, by_level, by_township, by_unit,
    by_category, rising_categories, forecast, at_risk) first, then what the document and the page need."""
    start_day = month_start_day()
    date_from, date_to = month.range(start_day)
    before_month = month.shifted(-1)
    before_from, before_to = before_month.range(start_day)
    year_ago = month.shifted(-12)

    def counts() -> tuple[Any, ...]:
        current = event_statistics(county=county, date_from=date_from, date_to=date_to)
        rising_rows = _rising_categories(county, month, start_day, current["by_category"])
        series = monthly_events(
            county=county, first=month.shifted(1 - SERIES_MONTHS), last=month, start_day=start_day
        )
        before = event_statistics(county=county, date_from=before_from, date_to=before_to)
        return current, rising_rows, series, before, _year_before(county, year_ago, start_day)

    def states() -> tuple[Any, ...]:
        overdue = running(Matter.objects.filter(county=county)).filter(due_date__lte=date_to).count()
        return kpis(county=county, date_from=date_from, date_to=date_to), overdue

    # The heavy reads side by side (on PostgreSQL): the escalation risk, the months' units, the rest.
    at_risk, units, (current, rising_rows, series, before, year_before), hot, (month_kpis, overdue) = (
        side_by_side(
            lambda: risk_ranking(county=county, as_of=date_to + dt.timedelta(days=1), limit=_at_risk_limit()),
            lambda: _units_of_periods(county, [(date_from, date_to), (before_from, before_to)]),
            counts,
            lambda: hotspots(county=county, day=date_to)[:HOTSPOTS_SHOWN],
            states,
        )
    )
    (by_unit, over_level_by_unit), (before_by_unit, before_over_level_by_unit) = units
    _with_units(current, by_unit)
    _with_units(before, before_by_unit)
    last_year, last_year_by, last_year_source = year_before
    forecast = forecast_next(series, month)
    next_first = date_to + dt.timedelta(days=1)
    next_last = month.shifted(2).range(start_day)[1]
    periods = sensitive_periods_between(
        sensitive_periods_parse(settings.XINFANG_SENSITIVE_PERIODS), next_first, next_last
    )
    trend_months = months_between(month.shifted(1 - TREND_MONTHS), month)
    figures: dict[str, Any] = {
        "month": str(month),
        "totals": totals_of(current),
        "previous": totals_of(before),
        "last_year": last_year,
        **{key: current[key] for key in ("by_channel", "by_level", "by_township", "by_unit", "by_category")},
        "rising_categories": rising_rows,
        "forecast": forecast.as_dict(),
        "at_risk": [
            {"number": risk.number, "score": risk.score, "reasons": risk.reasons} for risk in at_risk
        ],
        # What the document and the page need besides:
        "county": county.code,
        "number": None,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "start_day": start_day,
        "previous_month": str(before_month),
        "previous_from": before["from"],
        "previous_to": before["to"],
        "previous_by": {key: before[key] for key in BREAKDOWNS},
        "last_year_month": str(year_ago),
        "last_year_source": last_year_source,
        "last_year_by": last_year_by,
        "collective_events": current["collective_events"],
        "repeat_events": current["repeat_events"],
        "over_level_events": current["over_level_events"],
        "previous_collective_events": before["collective_events"],
        "previous_repeat_events": before["repeat_events"],
        "previous_over_level_events": before["over_level_events"],
        "over_level_by_unit": over_level_by_unit,
        "previous_over_level_by_unit": before_over_level_by_unit,
        "trend": [
            {"month": str(item), "events": value, "last_year": value_before}
            for item, value, value_before in zip(
                trend_months, series[-TREND_MONTHS:], series[-2 * TREND_MONTHS : -TREND_MONTHS], strict=True
            )
        ],
        "forecast_interval": forecast.interval_method,
        "kpis": {name: {**kpi.as_dict(), "definition": kpi.definition} for name, kpi in month_kpis.items()},
        "sensitive_periods": periods,
        "hotspots": [
            {
                "township": spot.township,
                "category": spot.category,
                "count": spot.count,
                "expected": spot.expected,
            }
            for spot in hot
        ],
        "overdue_matters": overdue,
        "at_risk_factors": {risk.number: risk.factors for risk in at_risk},
    }
    figures["suggested"] = suggestions_for(county, figures)
    return figures


def _at_risk_limit() -> int:
    return int(settings.XINFANG_MONTHLY_AT_RISK)


def _year_before(
    county: County, month: Month, start_day: int
) -> tuple[dict[str, int | None] | None, dict[str, Any] | None, str | None]:
    """The same month a year before: (totals, {"by_level", "by_channel"}, source) from the registry when it
    has events then, else from the entered history, else (None, None, None)."""
    date_from, date_to = month.range(start_day)
    figures = event_statistics(county=county, date_from=date_from, date_to=date_to)  # no units needed
    if figures["events"]:
        by = {"by_level": figures["by_level"], "by_channel": figures["by_channel"]}
        totals: dict[str, int | None] = dict(totals_of(figures))
        return totals, by, "registry"
    rows = list(
        MonthlyHistory.objects.filter(county=county, month=str(month))
        .values_list("level")
        .annotate(n_events=Sum("events"), n_persons=Sum("persons"), unknown=Count("pk") - Count("persons"))
        .order_by()
    )
    if not rows:
        return None, None, None
    levels = {level: (int(events or 0), None if unknown else int(persons or 0))
              for level, events, persons, unknown in rows}  # fmt: skip
    events = sum(count for count, _ in levels.values())
    persons = (
        None
        if any(value is None for _, value in levels.values())
        else sum(value or 0 for _, value in levels.values())
    )
    by_level = {
        label: {"matters": None, "events": levels[value][0], "persons": levels[value][1]}
        for value, label in Level.choices
        if value in levels
    }
    return {"matters": None, "events": events, "persons": persons}, {"by_level": by_level}, "history"


def _with_units(figures: dict[str, Any], by_unit: dict[str, dict[str, int]]) -> None:
    """`event_statistics` of a month made `weekly.period_figures`: its figures by unit (counted with the
    other month's) and its over-level events."""
    figures["by_unit"] = by_unit
    figures["over_level_events"] = sum(
        row["events"] for level, row in figures["by_level"].items() if level != LEVEL_LABELS[Level.COUNTY]
    )


def _units_of_periods(
    county: County, periods: list[tuple[dt.date, dt.date]]
) -> list[tuple[dict[str, dict[str, int]], dict[str, int]]]:
    """For each period (dates included, not overlapping): its figures by the matters' responsible unit, as
    `weekly.figures_by_unit` counts them, and its over-level (到市, 赴省, 进京) events by that unit — from one
    grouped pass over the periods' events joined to their matters (the join of a million-matter county's
    month to its matters is most of the cost: it was made four times). Units in the directory's order,
    then 未交办 (no responsible unit yet); a unit without over-level events is left out of the second."""
    in_periods = Q()
    which = Case(
        *(
            When(date__gte=first, date__lte=last, then=Value(index))
            for index, (first, last) in enumerate(periods)
        ),
        output_field=IntegerField(),
    )
    for first, last in periods:
        in_periods |= Q(date__gte=first, date__lte=last)
    rows = (
        Event.objects.filter(in_periods, county=county)
        .annotate(period=which)
        .values("period", "matter__responsible_unit_id")
        .annotate(
            n_matters=Count("matter_id", distinct=True),
            n_events=Count("pk"),
            n_persons=Coalesce(Sum("persons"), 0),
            n_over=Count("pk", filter=Q(level__in=[str(level) for level in OVER_LEVELS])),
        )
        .order_by()
        .values_list("period", "matter__responsible_unit_id", "n_matters", "n_events", "n_persons", "n_over")
    )
    counts: list[dict[int | None, tuple[int, int, int, int]]] = [{} for _ in periods]
    for period, unit_id, matters, events, persons, over in rows:
        counts[period][unit_id] = (int(matters), int(events), int(persons), int(over))
    unit_ids = {unit_id for period in counts for unit_id in period if unit_id is not None}
    names = list(
        Unit.objects.filter(county=county, pk__in=unit_ids)
        .order_by("kind", "order", "pk")
        .values_list("pk", "name")
    )
    result = []
    for period in counts:
        named = [(name, period[pk]) for pk, name in names if pk in period]
        if None in period:
            named.append((NO_UNIT, period[None]))
        by_unit = {name: dict(zip(FIGURES, row[:3], strict=True)) for name, row in named}
        over_level = {name: row[3] for name, row in named if row[3]}
        result.append((by_unit, over_level))
    return result


def _rising_categories(
    county: County, month: Month, start_day: int, by_category: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """This month's first-level categories rising against their previous known months (module docstring):
    one grouped query over the registry's events of those months, one over the entered history."""
    first = month.shifted(-RISING_MONTHS)
    last = month.shifted(-1)
    date_from, date_to = first.range(start_day)[0], last.range(start_day)[1]
    names = dict(Category.objects.filter(county=county, parent__isnull=True).values_list("pk", "name"))
    registry: dict[Month, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_day = (
        counted_events(county=county, date_from=date_from, date_to=date_to)
        .values_list("date", "category_top_id")
        .annotate(n=Count(ROW))
        .order_by()
    )
    for day, category_id, n in by_day:
        registry[month_of(day, start_day)][names.get(category_id, "")] += int(n)
    history: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    history_rows = (
        MonthlyHistory.objects.filter(county=county, month__gte=str(first), month__lte=str(last))
        .values_list("month", "category_id")
        .annotate(n=Sum("events"))
        .order_by()
    )
    for month_text, category_id, n in history_rows:
        history[month_text][names.get(category_id, "")] += int(n or 0)
    known: list[dict[str, int]] = []
    for item in months_between(first, last):
        if item in registry:
            known.append(registry[item])
        elif str(item) in history:
            known.append(history[str(item)])
    current = {name: row["events"] for name, row in by_category.items()}
    baselines = {name: [counts.get(name, 0) for counts in known] for name in current}
    found = rising(current, baselines, min_count=RISING_MIN_COUNT)
    return [
        {
            "name": item.name,
            "events": item.current,
            "baseline": round(item.baseline, 2),
            "change": None if item.change is None else round(item.change, 4),
            "p_value": item.p_value,
        }
        for item in found
    ]


def top_unit_of_category(county: County, figures: dict[str, Any], category: str) -> str:
    """The responsible unit with the most of the category's events in the month ("" when none)."""
    date_from, date_to = dt.date.fromisoformat(figures["from"]), dt.date.fromisoformat(figures["to"])
    row = (
        counted_events(county=county, date_from=date_from, date_to=date_to)
        .filter(category_top__name=category, matter__responsible_unit__isnull=False)
        .values_list("matter__responsible_unit__name")
        .annotate(n=Count(ROW))
        .order_by("-n", "matter__responsible_unit__name")
        .first()
    )
    return row[0] if row else ""


def suggestions_for(county: County, figures: dict[str, Any]) -> list[str]:
    """下一步工作, drafted from the figures: the rising categories and their units, the hotspot townships,
    the over-level units, the overdue matters, the low KPIs and the sensitive periods ahead."""
    lines: list[str] = []
    for item in figures["rising_categories"][:3]:
        unit = top_unit_of_category(county, figures, item["name"])
        rise = (
            f"较前几个月平均增长{item['change'] * 100:.0f}%"
            if item["change"] is not None
            else "此前无同类信访"
        )
        who = f"建议{unit}牵头" if unit else "建议相关责任单位"
        lines.append(f"{item['name']}类信访本月{item['events']}批次，{rise}，{who}开展专项排查化解。")
    for spot in figures["hotspots"][:2]:
        lines.append(
            f"{spot['township']}{spot['category']}类信访近期明显增多（近14天{spot['count']}批次），"
            f"建议{spot['township']}落实属地责任，逐件稳控化解。"
        )
    over_level = sorted(figures["over_level_by_unit"].items(), key=lambda item: (-item[1], item[0]))
    if over_level and over_level[0][1] > 0:
        unit, n = over_level[0]
        lines.append(f"{unit}本月越级访{n}批次，居各单位之首，建议压实领导包案责任，防止越级上访。")
    if figures["overdue_matters"]:
        lines.append(
            f"截至月末仍有{figures['overdue_matters']}件信访事项超期未办结，建议逐件督办，限期办结。"
        )
    for name, kpi in figures["kpis"].items():
        rate = kpi["rate"]
        if rate is not None and kpi["denominator"] and rate < LOW_KPI:
            lines.append(f"本月{name}为{rate * 100:.1f}%，低于{LOW_KPI * 100:.0f}%，建议查找原因、限期整改。")
    for period in figures["sensitive_periods"]:
        start, end = dt.date.fromisoformat(period["from"]), dt.date.fromisoformat(period["to"])
        years = start.year != end.year
        first = f"{start.year}年" * years + f"{start.month}月{start.day}日"
        last = f"{end.year}年" * years + f"{end.month}月{end.day}日"
        lines.append(
            f"{first}至{last}为{period['name']}，建议提前排查重点人员和突出问题，做好稳控和应急准备。"
        )
    return lines


def changes(current: int | None, base: int | None) -> str:
    """环比 or 同比 as the report writes it: "—" when the base is missing (None) or zero with events now."""
    if current is None or base is None:
        return "—"
    return change(current, base)


def share_rows(figures: dict[str, Any]) -> list[tuple[str, int, int]]:
    """Units ranked by events, then over-level events: (name, events, over-level events)."""
    over = figures["over_level_by_unit"]
    rows = [(name, row["events"], over.get(name, 0)) for name, row in figures["by_unit"].items()]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))
