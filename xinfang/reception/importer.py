"""The reception ledger import (接访台账, docs/reception.md "Reception ledger import"): the history of
leaders' receptions, one row per matter received, brought in as reception records.

All or nothing, like the petition ledger: every cell is checked first with reads only (several problems
per row, each with its row, column and reason); any error and nothing is written. Then the whole file is
written in one transaction through `reception_record` — which writes each matter through the petitions
services (a new matter registered, or a 来访 event of a known one) — with one audit record per reception
and one for the import. A dry run stops after the check: it writes nothing and issues no matter number.

Rows with the same date, leaders, type and place are one reception; each row is a matter received: a new
matter, unless it carries the 登记编号 of a matter of the county (a new event of that matter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.directory.names import DirectoryNames
from xinfang.lib.cells import split_list
from xinfang.lib.ledger_cells import CellError, parse_date, parse_names, parse_persons
from xinfang.lib.ledger_file import LedgerLayout, LedgerRow, LedgerTable
from xinfang.lib.ledger_problems import ImportResult, LedgerProblem
from xinfang.lib.masking import scrub_text
from xinfang.petitions.models import Channel, Level, Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.rules import event_refusal
from xinfang.reception.models import ReceivedMatter, Reception
from xinfang.reception.records import (
    MAX_ATTENDEES,
    MAX_MATTERS,
    AttendeeInput,
    ReceivedInput,
    ReceptionInput,
    reception_record,
)

Kind = Reception.Kind
Outcome = ReceivedMatter.Outcome

COLUMNS = (
    "接访日期", "接访领导", "接访类型", "地点", "信访人", "人数", "问题类别", "乡镇", "反映问题", "处理结果",
    "登记编号",
)  # fmt: skip
REQUIRED_COLUMNS = ("接访日期", "接访领导", "接访类型", "地点", "问题类别", "乡镇", "反映问题", "处理结果")
LAYOUT = LedgerLayout(
    columns=COLUMNS,
    required=REQUIRED_COLUMNS,
    header="接访日期",
    raw_columns=frozenset({"接访日期"}),
    title="接访台账",
)
OPEN, DOWN = "公开接访", "下沉接访"
TYPES = {OPEN: OPEN, "公开": OPEN, DOWN: DOWN, "下沉": DOWN}
OUTCOMES = {str(label): str(value) for value, label in Outcome.choices}
AUDIT_TYPE = "reception.import"


@dataclass
class ReceptionImportResult(ImportResult):
    """The petition ledger's counts (`created`: matters registered, `updated`: known matters given a new
    event) and `receptions`: the receptions recorded. The reception ledger has no 包案期次: `batches` and
    `batch_matters` are always 0, kept so that both imports answer with the same keys."""

    receptions: int = 0

    def counts(self) -> dict[str, int]:
        return {"receptions": self.receptions, "batches": 0, "batch_matters": 0}


@dataclass(slots=True)
class _Row:
    row: LedgerRow
    outcome: str
    persons: int
    matter: Matter | None
    registration: RegistrationInput | None
    petitioners: tuple[PetitionerInput, ...]


@dataclass
class _Plan:
    """One reception: the first row naming it, what it records and its rows (its matters received)."""

    first: LedgerRow
    data: ReceptionInput
    rows: list[_Row] = field(default_factory=list)

    def received(self) -> list[ReceivedInput]:
        return [
            ReceivedInput(
                outcome=row.outcome, persons=row.persons, matter=row.matter, registration=row.registration,
                petitioners=row.petitioners,
            )
            for row in self.rows
        ]  # fmt: skip


def _reception_type(text: str) -> str:
    value = TYPES.get(text)
    if value is None:
        raise CellError(f"未知接访类型：{text}（应为公开接访或下沉接访）" if text else "接访类型不能为空")
    return value


def _outcome(text: str) -> str:
    value = OUTCOMES.get(text)
    if value is None:
        raise CellError(
            f"未知处理结果：{text}（应为当场化解、交办或解释答复）" if text else "处理结果不能为空"
        )
    return value


def _leader_names(text: str) -> list[str]:
    names = list(dict.fromkeys(split_list(text)))
    if not names:
        raise CellError("接访领导不能为空")
    if len(names) > MAX_ATTENDEES:
        raise CellError(f"一次接访最多{MAX_ATTENDEES}位领导")
    if any(len(name) > 30 for name in names):
        raise CellError("接访领导姓名过长（每人不超过30个字符）")
    return names


class _Checker:
    """Turns the rows into receptions (`_Plan`s), recording every problem cell. Reads only."""

    def __init__(self, county: County, table: LedgerTable, result: ReceptionImportResult) -> None:
        self.county = county
        self.result = result
        self.today = timezone.localdate()
        self.directory = DirectoryNames(county)
        # Leaders out of office too: a history names the leaders of its day.
        self.leaders = {leader.name: leader for leader in Leader.objects.filter(county=county)}
        self.officials = {
            (official.unit_id, official.name): official
            for official in UnitOfficial.objects.filter(unit__county=county, unit__kind=Unit.Kind.TOWNSHIP)
        }
        numbers = sorted({row.text("登记编号") for row in table.rows} - {""})
        self.matters: dict[str, Matter] = {}
        for start in range(0, len(numbers), 500):
            chunk = Matter.objects.filter(county=county, number__in=numbers[start : start + 500])
            self.matters.update((matter.number, matter) for matter in chunk)
        self.parsed: dict[tuple[str, Any], tuple[Any, str]] = {}
        self.plans: dict[tuple[Any, ...], _Plan] = {}

    def error(self, row: LedgerRow, column: str, message: str) -> None:
        self.result.add_error(LedgerProblem(row.number, row.sheet_row, column, message))

    def warning(self, row: LedgerRow, column: str, message: str) -> None:
        self.result.add_warning(LedgerProblem(row.number, row.sheet_row, column, message))

    def cell(self, row: LedgerRow, column: str, parse: Callable[[Any], Any], raw: bool = False) -> Any:
        """The parsed cell, or None with an error recorded; each distinct value of a column parsed once."""
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

    def date(self, value: Any) -> dt.date:
        day = parse_date(value, today=self.today, label="接访日期")
        if day.year < 1990:
            raise CellError(f"接访日期不正确：{day.isoformat()}")
        return day

    def place(self, text: str) -> tuple[Unit | None, str]:
        """地点: (the township received in or None for the centre, the place recorded). A township by its
        full name or unique short name, or a place in it (周庄镇接待室); anything else is the centre."""
        if not text or text == settings.XINFANG_RECEPTION_PLACE:
            return None, str(settings.XINFANG_RECEPTION_PLACE)
        if len(text) > 100:
            raise CellError("地点过长（不超过100个字符）")
        township, count = self.directory.townships.find(text)
        if count > 1:
            raise CellError(f"地点“{text}”对应多个乡镇，请写全称")
        if township is not None:
            return township, township.name
        within = [unit for name, unit in self.directory.townships.exact.items() if text.startswith(name)]
        return (within[0], text) if len(within) == 1 else (None, text)

    def attendee(self, row: LedgerRow, name: str, township: Unit | None) -> AttendeeInput:
        leader = self.leaders.get(name)
        if leader is not None:
            return AttendeeInput(leader=leader)
        official = self.officials.get((township.pk, name)) if township is not None else None
        if official is not None:
            return AttendeeInput(official=official)
        where = f"本县县级领导或{township.name}领导" if township is not None else "本县县级领导"
        self.warning(row, "接访领导", f"“{name}”不是{where}（已按原文保存）")
        return AttendeeInput(name=name)

    def check(self, row: LedgerRow) -> None:
        errors_before = self.result.error_count
        date = self.cell(row, "接访日期", self.date, raw=True)
        names = self.cell(row, "接访领导", _leader_names)
        reception_type = self.cell(row, "接访类型", _reception_type)
        where = self.cell(row, "地点", self.place)
        township, place = where if where is not None else (None, "")
        if reception_type == DOWN and where is not None and township is None:
            self.error(row, "地点", f"下沉接访的地点应为本县乡镇：{row.text('地点') or '（空）'}")
        received = self.received(row)
        if self.result.error_count > errors_before:
            return
        assert received is not None
        kind = Kind.DOWN if reception_type == DOWN else Kind.TOWNSHIP if township else Kind.CENTRE
        key = (date, kind, township.pk if township else place, tuple(names))
        attendees = [self.attendee(row, name, township) for name in names]
        plan = self.plans.get(key)
        if plan is None:
            if (
                kind == Kind.CENTRE
                and date.weekday() == 2
                and any(
                    person.leader is not None and person.leader.post_kind in Leader.FOUR_BODIES_MAIN_POSTS
                    for person in attendees
                )
            ):
                kind = Kind.WEDNESDAY
            data = ReceptionInput(
                county=self.county, date=date, kind=kind, attendees=attendees, township=township, place=place
            )
            plan = self.plans[key] = _Plan(first=row, data=data)
        elif len(plan.rows) >= MAX_MATTERS:
            self.error(row, "接访领导", f"同一次接访最多导入{MAX_MATTERS}件事项，请分为几次接访记录")
            return
        plan.rows.append(received)

    def received(self, row: LedgerRow) -> _Row | None:
        """The matter received on the row: a known matter (登记编号) or a new registration."""
        number = row.text("登记编号")
        matter = None
        if number:
            matter = self.matters.get(number)
            if matter is None:
                self.error(row, "登记编号", f"登记编号“{number}”不是本县的信访事项")
            elif (refusal := event_refusal(None, matter)) is not None:
                self.error(row, "登记编号", f"{number}：{refusal}")
        names = parse_names(row.text("信访人"))
        if names.warning:
            self.warning(row, "信访人", names.warning)
        if any(len(name) > 30 for name in names.value):
            self.error(row, "信访人", "信访人姓名过长（每人不超过30个字符）")
        persons = self.cell(row, "人数", parse_persons)
        if persons is not None and persons.warning:
            self.warning(row, "人数", persons.warning)
        outcome = self.cell(row, "处理结果", _outcome)
        # A known matter keeps its own township, category and content: the cells may be left blank.
        township = self.cell(row, "乡镇", self.directory.township) if row.text("乡镇") or not number else None
        category = (
            self.cell(row, "问题类别", self.directory.category)
            if row.text("问题类别") or not number
            else None
        )
        content = scrub_text(row.text("反映问题")).strip()
        if not content and not number:
            self.error(row, "反映问题", "反映问题不能为空")
        if persons is None or outcome is None or (matter is None and (township is None or category is None)):
            return None
        petitioners = tuple(PetitionerInput(name=name) for name in names.value)
        registration = None
        if matter is None:
            assert township is not None and category is not None
            # The event is the reception's 来访, set by `reception_record`; this one only fills the form.
            event = EventInput(
                date=self.today, channel=Channel.VISIT, level=Level.COUNTY, persons=persons.value
            )
            registration = RegistrationInput(
                county=self.county, event=event, origin_township=township, category=category, content=content,
                petitioners=petitioners,
            )  # fmt: skip
        return _Row(row, outcome, persons.value, matter, registration, petitioners)

    def duplicates(self) -> None:
        """A reception already on record (imported before, or entered on the page) is not imported again."""
        if not self.plans:
            return
        dates = {plan.data.date for plan in self.plans.values()}
        recorded = set()
        receptions = Reception.objects.filter(county=self.county, date__in=dates).prefetch_related(
            "attendances"
        )
        for reception in receptions:
            names = tuple(attendance.name for attendance in reception.attendances.all())
            recorded.add((reception.date, reception.kind, reception.township_id or reception.place, names))
        for plan in self.plans.values():
            data = plan.data
            names = tuple(person.leader.name if person.leader else person.official.name if person.official
                          else scrub_text(person.name).strip() for person in data.attendees)  # fmt: skip
            if (data.date, data.kind, data.township.pk if data.township else data.place, names) in recorded:
                self.error(
                    plan.first, "接访日期",
                    f"{data.date} {data.place}（{'、'.join(names)}）的接访已有记录，不能重复导入",
                )  # fmt: skip


class _Refused(Exception):
    def __init__(self, plan: _Plan, message: str) -> None:
        super().__init__(message)
        self.plan = plan


def _message(error: ValidationError) -> str:
    return "；".join(str(message) for message in error.messages)


def reception_import(
    *,
    county: County,
    table: LedgerTable,
    by: User | None,
    file_name: str,
    sha256: str,
    dry_run: bool = False,
) -> ReceptionImportResult:
    """Check a reception ledger and, unless `dry_run` or a cell is in error, write it all in one
    transaction. The result counts what was (or, on a dry run, would be) written."""
    result = ReceptionImportResult(dry_run=dry_run, rows=len(table.rows))
    for column in table.missing_columns:
        result.add_error(LedgerProblem(1, 0, column, f"缺少必需的列：{column}"))
    if result.errors:
        return result
    checker = _Checker(county, table, result)
    for row in table.rows:
        checker.check(row)
    checker.duplicates()
    if result.errors:
        return result
    plans = list(checker.plans.values())
    rows = [row for plan in plans for row in plan.rows]
    result.receptions = len(plans)
    result.created = sum(1 for row in rows if row.matter is None)
    result.updated = len({row.matter.pk for row in rows if row.matter is not None})
    if dry_run:
        return result
    try:
        _write(county=county, plans=plans, by=by, result=result, file_name=file_name, sha256=sha256)
    except _Refused as refused:
        first = refused.plan.first
        result.add_error(LedgerProblem(first.number, first.sheet_row, "接访日期", str(refused)))
        result.receptions = result.created = result.updated = 0
        return result
    result.imported = len(rows)
    return result


@transaction.atomic
def _write(
    *, county: County, plans: Sequence[_Plan], by: User | None, result: ReceptionImportResult, file_name: str,
    sha256: str,
) -> None:  # fmt: skip
    for plan in plans:
        try:
            reception_record(by=by, data=plan.data, received=plan.received(), imported=True)
        except ValidationError as error:  # the check missed something the services refuse: nothing written
            raise _Refused(
                plan, f"未能写入（{plan.data.date} {plan.data.place}）：{_message(error)}"
            ) from error
    audit_record(
        action="reception.import", actor=by, actor_name="" if by else "system", object_type=AUDIT_TYPE,
        object_id=sha256[:16], object_repr=file_name[:200], county=county,
        changes={
            "file": file_name, "sha256": sha256, "rows": result.rows, "receptions": result.receptions,
            "created": result.created, "updated": result.updated, "warnings": result.warning_count,
        },
    )  # fmt: skip
