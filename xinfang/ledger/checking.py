"""Checking a ledger's rows (台账, SPEC §4's column table) against the county's directory: every
problem cell, several per row if need be, and the typed values of the rows that pass. Reads only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone

from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.directory.names import DirectoryNames
from xinfang.lib.idcard import InvalidValue, normalize_id_number, normalize_phone
from xinfang.lib.ledger_cells import (
    CellError,
    parse_batch,
    parse_channel,
    parse_date,
    parse_level,
    parse_names,
    parse_persons,
    parse_yes_no,
)
from xinfang.lib.ledger_file import LedgerRow
from xinfang.lib.ledger_problems import MAX_PROBLEMS as MAX_PROBLEMS  # the tests read it here
from xinfang.lib.ledger_problems import ImportResult, LedgerProblem
from xinfang.lib.masking import scrub_text
from xinfang.ownership.models import Batch
from xinfang.petitions.models import Matter

Status = Matter.Status

# 办理状态 as written in ledgers: the status names of the flow, and the usual 已… forms.
STATUS_NAMES: dict[str, str] = {
    **{label: value for value, label in Status.choices},
    "已登记": Status.REGISTERED, "已受理": Status.ACCEPTED, "已转送": Status.TRANSFERRED,
    "已终结": Status.CLOSED, "已办结": Status.CONCLUDED, "正在办理": Status.IN_PROGRESS,
}  # fmt: skip


@dataclass
class LedgerResult(ImportResult):
    # 包案期次: the batches the file puts matters in, and the distinct matters it puts in them.
    batches: int = 0
    batch_matters: int = 0
    ledger_import_id: int | None = None

    def counts(self) -> dict[str, int]:
        return {"batches": self.batches, "batch_matters": self.batch_matters}


# -- one row ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class CheckedRow:
    row: LedgerRow
    number: str
    date: dt.date
    names: list[str]
    id_number: str
    phone: str
    persons: int
    channel: str
    level: str
    township: Unit
    village: Village | None
    village_text: str
    category: Category
    unit: Unit | None
    content: str
    leader: Leader | None
    status: str  # "" when the row gives none
    resolved_on: dt.date | None
    batch: tuple[int, int] | None  # 包案期次 (year, number), only with a known 包案领导


class RowChecker:
    """Turns rows into `CheckedRow`s, recording every problem cell."""

    def __init__(self, county: County, result: LedgerResult) -> None:
        self.directory = DirectoryNames(county)
        self.result = result
        self.today = timezone.localdate()
        self.parsed: dict[tuple[str, Any], tuple[Any, str]] = {}
        self.county = county

    @cached_property
    def issued_batches(self) -> frozenset[tuple[int, int]]:
        """The batches issued on the platform (year, number): a ledger does not add to them."""
        issued = Batch.objects.filter(county=self.county, imported=False, number__isnull=False)
        return frozenset((year or 0, number or 0) for year, number in issued.values_list("year", "number"))

    def event_date(self, value: Any) -> dt.date:
        return parse_date(value, today=self.today)

    def error(self, row: LedgerRow, column: str, message: str) -> None:
        self.result.add_error(LedgerProblem(row.number, row.sheet_row, column, message))

    def warning(self, row: LedgerRow, column: str, message: str) -> None:
        self.result.add_warning(LedgerProblem(row.number, row.sheet_row, column, message))

    def cell(self, row: LedgerRow, column: str, parse: Callable[[Any], Any], raw: bool = False) -> Any:
        """The parsed cell, or None with an error recorded. Ledgers repeat the same few values down a
        column (dates, townships, categories), so each distinct value is parsed once."""
        value = row.get(column) if raw else row.text(column)
        key = (column, value)
        if key not in self.parsed:
            try:
                self.parsed[key] = (parse(value), "")
            except CellError as problem:
                self.parsed[key] = (None, str(problem))
        parsed, problem_text = self.parsed[key]
        if problem_text:
            self.error(row, column, problem_text)
        return parsed

    def check(self, row: LedgerRow) -> CheckedRow | None:
        errors_before = self.result.error_count
        number = row.text("登记编号")
        if len(number) > 40:
            self.error(row, "登记编号", "登记编号过长（不超过40个字符）")
        date = self.cell(row, "信访日期", self.event_date, raw=True)
        names = parse_names(row.text("信访人"))
        if names.warning:
            self.warning(row, "信访人", names.warning)
        if any(len(name) > 30 for name in names.value):
            self.error(row, "信访人", "信访人姓名过长（每人不超过30个字符）")
        id_number = row.text("身份证号").upper().replace(" ", "")
        if id_number:
            try:
                id_number = normalize_id_number(id_number, today=self.today)
            except InvalidValue as problem:
                self.warning(row, "身份证号", f"{problem}（已按原样保存）")
        phone = row.text("联系电话").replace(" ", "")
        if phone:
            try:
                phone = normalize_phone(phone)
            except InvalidValue:
                self.warning(row, "联系电话", "联系电话格式不正确（已按原样保存）")
        persons = self.cell(row, "人数", parse_persons)
        if persons is not None and persons.warning:
            self.warning(row, "人数", persons.warning)
        channel = self.cell(row, "信访形式", parse_channel)
        level = self.cell(row, "访别", parse_level)
        township = self.cell(row, "乡镇", self.directory.township)
        village, village_text = None, row.text("村(社区)")
        if village_text and township is not None:
            village = self.directory.village(township, village_text)
            if village is None:
                self.warning(row, "村(社区)", f"{township.name}没有村(社区)“{village_text}”（已按原文保存）")
            if len(village_text) > 50:
                self.error(row, "村(社区)", "村(社区)名称过长（不超过50个字符）")
        category = self.cell(row, "问题类别", self.directory.category)
        unit_text = row.text("责任单位")
        unit = self.cell(row, "责任单位", self.directory.unit) if unit_text else None
        leader = None
        leader_name = row.text("包案领导")
        batch = self.batch(row, date, leader_name)
        if leader_name:
            leaders = self.directory.leaders.get(leader_name, [])
            if len(leaders) == 1:
                leader = leaders[0]
            else:
                reason = "有多位同名县级领导" if leaders else "不是本县在任县级领导"
                unset = "未设置包案，也未列入包案期次" if batch else "未设置包案"
                self.warning(row, "包案领导", f"“{leader_name}”{reason}（{unset}）")
                batch = None
        status, resolved_on = self.resolution(row, date)
        if self.result.error_count > errors_before:
            return None
        assert date is not None and persons is not None  # no error: every required cell parsed
        return CheckedRow(
            row=row, number=number, date=date, names=names.value, id_number=id_number, phone=phone,
            persons=persons.value, channel=channel, level=level, township=township, village=village,
            village_text="" if village else village_text, category=category, unit=unit,
            content=scrub_text(row.text("反映问题")), leader=leader, status=status,
            resolved_on=resolved_on, batch=batch,
        )  # fmt: skip

    def batch(self, row: LedgerRow, date: dt.date | None, leader_name: str) -> tuple[int, int] | None:
        """包案期次 as (year, number), the year that of 信访日期 when the cell gives none; it needs a
        包案领导 (an unknown one is a warning on that column, and the row goes in no batch)."""
        if not row.text("包案期次"):
            return None
        label = self.cell(row, "包案期次", parse_batch)
        if label is None or date is None:
            return None
        year = label.year or date.year
        text = f"{year}年第{label.number}期"
        if not leader_name:
            self.error(row, "包案期次", f"填写了包案期次（{text}），但未填写包案领导")
        elif not 1990 <= year <= self.today.year:
            self.error(row, "包案期次", f"包案期次的年份不正确：{row.text('包案期次')}")
        elif (year, label.number) in self.issued_batches:
            self.error(row, "包案期次", f"{text}已在平台印发，不能从台账向其中导入事项")
        else:
            return year, label.number
        return None

    def resolution(self, row: LedgerRow, date: dt.date | None) -> tuple[str, dt.date | None]:
        """办理状态, 是否化解 and 化解日期, checked against each other and the event date."""
        status_text = row.text("办理状态")
        status = STATUS_NAMES.get(status_text, "")
        if status_text and not status:
            self.error(row, "办理状态", f"未知办理状态：{status_text}（应为{'、'.join(Status.labels)}之一）")
        resolved = self.cell(row, "是否化解", parse_yes_no)
        resolved_on = None
        if row.text("化解日期"):
            try:
                resolved_on = parse_date(row.get("化解日期"), today=self.today, label="化解日期")
            except CellError as problem:
                self.error(row, "化解日期", str(problem))
            if resolved_on and date and resolved_on < date:
                self.error(row, "化解日期", f"化解日期 {resolved_on} 早于信访日期 {date}")
        if resolved is True and status and status != Status.RESOLVED:
            self.error(row, "是否化解", f"已化解，但办理状态为“{row.text('办理状态')}”")
        if resolved is False and status == Status.RESOLVED:
            self.error(row, "是否化解", "办理状态为“已化解”，但是否化解为“否”")
        if resolved_on and (resolved is False or (status and status != Status.RESOLVED)):
            self.error(row, "化解日期", "填写了化解日期，但事项未化解")
        if not status and (resolved is True or resolved_on):
            status = Status.RESOLVED
        return status, resolved_on if status == Status.RESOLVED else None
