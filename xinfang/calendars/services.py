"""Entering the official holiday arrangement: single days, a CSV file, closing a year."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from xinfang.audit.services import audit_record
from xinfang.calendars.models import CalendarDay, ClosedYear
from xinfang.lib.workdays import library_covers

TYPE_WORDS = {"workday": True, "工作日": True, "上班": True, "holiday": False, "假日": False, "放假": False}


class CalendarError(ValueError):
    """A Chinese message for the operator."""


def parse_day_type(text: str) -> bool:
    value = TYPE_WORDS.get(text.strip().lower())
    if value is None:
        raise CalendarError(f"类型应为 workday（上班）或 holiday（放假）：{text}")
    return value


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise CalendarError(f"日期应写作 YYYY-MM-DD：{text}") from None


@transaction.atomic
def calendar_set(*, day: dt.date, is_workday: bool, note: str = "", by: Any = None) -> CalendarDay:
    """Declare one day a working day or a holiday (the bureau's entry wins over the library)."""
    if ClosedYear.objects.filter(year=day.year).exists():
        raise CalendarError(
            f"{day.year}年已确认录入完整，不能再修改；"
            f"如需更正，请先运行 xinfang calendar reopen-year {day.year}。"
        )
    previous = CalendarDay.objects.filter(day=day).first()
    entry, _ = CalendarDay.objects.update_or_create(
        day=day, defaults={"is_workday": is_workday, "note": note[:100], "updated_by": by}
    )
    audit_record(
        action="calendar.set",
        actor=by,
        object_type="calendars.calendarday",
        object_id=day.isoformat(),
        object_repr=str(entry),
        changes={"is_workday": [previous.is_workday if previous else None, is_workday], "note": note},
        actor_name="" if by else "system",
    )
    return entry


@dataclass
class CalendarImportResult:
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def calendar_import(*, text: str, by: Any = None, dry_run: bool = False) -> CalendarImportResult:
    """Import `date,type,note` rows (a header row is optional); all or nothing."""
    result = CalendarImportResult()
    parsed: list[tuple[dt.date, bool, str]] = []
    seen: dict[dt.date, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or (number == 1 and cells[0].lower() in {"date", "日期"}):
            continue
        result.rows += 1
        try:
            if len(cells) < 2:
                raise CalendarError("每行应有 日期,类型[,说明] 三列")
            day, is_workday = parse_date(cells[0]), parse_day_type(cells[1])
            if day in seen:
                raise CalendarError(f"与第{seen[day]}行日期重复")
            if ClosedYear.objects.filter(year=day.year).exists():
                raise CalendarError(f"{day.year}年已确认录入完整，不能再修改")
        except CalendarError as error:
            result.errors.append((number, str(error)))
            continue
        seen[day] = number
        parsed.append((day, is_workday, cells[2] if len(cells) > 2 else ""))
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for day, is_workday, note in parsed:
            calendar_set(day=day, is_workday=is_workday, note=note, by=by)
    return result


# The seven statutory holidays put at least 11 weekdays off every year; fewer means an incomplete entry.
MIN_WEEKDAY_HOLIDAYS = 7


@transaction.atomic
def calendar_reopen_year(*, year: int, by: Any = None) -> None:
    """Undo a closing, to correct the year's entries (working days of that year become unknown again)."""
    deleted, _ = ClosedYear.objects.filter(year=year).delete()
    if not deleted:
        raise CalendarError(f"{year}年没有确认过，无需重新开放。")
    audit_record(
        action="calendar.reopen_year",
        actor=by,
        object_type="calendars.closedyear",
        object_id=str(year),
        object_repr=f"{year}年",
        actor_name="" if by else "system",
    )


@transaction.atomic
def calendar_close_year(*, year: int, by: Any = None) -> ClosedYear:
    """Declare a year's arrangement fully entered, after a sanity check that holidays were entered."""
    if library_covers(year):
        raise CalendarError(f"{year}年的节假日已由日历库提供，无需确认。")
    if ClosedYear.objects.filter(year=year).exists():
        raise CalendarError(f"{year}年已确认过。")
    holidays = CalendarDay.objects.filter(day__year=year, is_workday=False).count()
    weekday_holidays = sum(
        1
        for day in CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True)
        if day.weekday() < 5
    )
    if weekday_holidays < MIN_WEEKDAY_HOLIDAYS:
        raise CalendarError(
            f"{year}年只录入了{weekday_holidays}个工作日的放假安排（至少应有{MIN_WEEKDAY_HOLIDAYS}个）。"
            f"请先按国务院办公厅通知录入元旦、春节、清明、劳动节、端午、中秋、国庆的放假和调休安排。"
        )
    closed = ClosedYear.objects.create(year=year, closed_by=by)
    audit_record(
        action="calendar.close_year",
        actor=by,
        object_type="calendars.closedyear",
        object_id=str(year),
        object_repr=f"{year}年",
        changes={"holidays": holidays},
        actor_name="" if by else "system",
    )
    return closed
