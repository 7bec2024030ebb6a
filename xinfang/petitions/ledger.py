"""Ledger (台账) import: bureaus' Excel ledgers, one row per event, brought in as matters and events.

SPEC §4 gives the column table. The import checks every cell first (several problems per row may be
reported, each with its row, column and reason); any error and nothing is written. A real import is
one transaction: matters, events, petitioners, history, one audit record for the import and one per
matter it created or changed, and what each changed matter was before, so the bureau head can undo the
import as a whole while nothing it touched has been changed since.

Rows are grouped into matters by 登记编号 (the same number and date again is the same event, updated);
a row without a number is a matter of its own, known again on a re-import by a keyed digest of the row,
so importing the same file twice creates nothing and changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, audit_record_many
from xinfang.calendars.selectors import work_calendar
from xinfang.core.bulk import bulk_insert
from xinfang.core.cipher import field_cipher
from xinfang.core.claims import claim_one
from xinfang.core.roles import Role
from xinfang.directory.models import County
from xinfang.lib.deadlines import profile_on
from xinfang.lib.ledger_file import LedgerFileError, LedgerTable, ledger_read
from xinfang.petitions.facts import OPEN_STATUS_CLOCKS, event_facts, matter_summary
from xinfang.petitions.ledger_rows import CheckedRow, LedgerProblem, LedgerResult, RowChecker
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    Event,
    LedgerImport,
    LedgerImportItem,
    Matter,
    MatterText,
    Ownership,
    Petitioner,
    Stage,
    Transition,
)
from xinfang.petitions.rows import (
    address_brief,
    clock_fields,
    numbers_issue,
    ownership_rows,
    petitioner_row,
    query_codes_issue,
    rule_profiles,
)
from xinfang.petitions.search import matter_grams, matter_text_save
from xinfang.petitions.services import EVENT_FACTS

Status = Matter.Status
Progress = Callable[[str, int, int], None]

MATTER_TYPE = Matter._meta.label_lower  # how audit records name a matter
_STAGES: dict[str, str] = {Status.REVIEW: Stage.REVIEW, Status.RE_REVIEW: Stage.RE_REVIEW}
# Actions recorded on a matter that change nothing: they do not block undoing an import.
READ_ONLY_ACTIONS = frozenset({"pii.reveal"})
# How many problems of each kind the preview keeps (the counts are always exact).
STORED_PROBLEMS = 1000
_CHUNK = 2000


class LedgerError(ValueError):
    """An action on an import is refused; the message is Chinese and safe to show."""


# -- the plan: what each matter becomes ------------------------------------------------------------


@dataclass
class _EventPlan:
    date: dt.date
    channel: str
    level: str
    persons: int
    row: int  # the row that last set it
    event: Event | None = None  # the stored event, for one that exists


@dataclass
class _MatterPlan:
    key: str
    rows: list[CheckedRow]
    matter: Matter | None = None  # the stored matter, when it exists
    events: list[_EventPlan] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # the matter fields the rows give, by attname
    old_status: str = ""
    changed: bool = False
    created: bool = False
    pk: int = 0  # the matter's id, once it exists
    number: str = ""

    @property
    def status(self) -> str:
        return str(self.values.get("status") or (self.matter.status if self.matter else ""))

    @property
    def latest(self) -> CheckedRow:
        return self.rows[-1]


def _ledger_key(row: CheckedRow, occurrence: int) -> str:
    text = "|".join(
        (row.date.isoformat(), str(row.township.pk), "、".join(row.names), row.id_number, row.phone,
         row.content, str(occurrence))
    )  # fmt: skip
    return field_cipher().blind_index(text, domain="ledger-row")


def _group(rows: Sequence[CheckedRow]) -> list[_MatterPlan]:
    plans: dict[str, _MatterPlan] = {}
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.number:
            key = f"n:{row.number}"
        else:
            base = _ledger_key(row, 0)
            seen[base] += 1
            key = f"k:{base if seen[base] == 1 else _ledger_key(row, seen[base] - 1)}"
        plans.setdefault(key, _MatterPlan(key=key, rows=[])).rows.append(row)
    for plan in plans.values():
        plan.rows.sort(key=lambda row: (row.date, row.row.number))
    return list(plans.values())


def _latest(rows: Sequence[CheckedRow], attribute: str) -> Any:
    """The latest row's non-blank value of a field (rows are in date order)."""
    for row in reversed(rows):
        value = getattr(row, attribute)
        if value:
            return value
    return None


class _Importer:
    def __init__(self, county: County, progress: Progress | None) -> None:
        self.county = county
        self.progress = progress
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.cipher = field_cipher()
        self.profiles = rule_profiles(county)
        self.calendar = work_calendar()
        self.by: User | None = None
        self.file_numbers: set[str] = set()  # the 登记编号 the file itself uses
        self.petitioners: dict[int, list[Petitioner]] = defaultdict(list)
        self.owners: dict[int, Ownership] = {}

    def report(self, phase: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(phase, done, total)

    # -- reading what exists --

    def attach_existing(self, plans: list[_MatterPlan]) -> None:
        by_number = {plan.key[2:]: plan for plan in plans if plan.key.startswith("n:")}
        by_key = {plan.key[2:]: plan for plan in plans if plan.key.startswith("k:")}
        for lookup, wanted in (("number", by_number), ("ledger_key", by_key)):
            names = list(wanted)
            for start in range(0, len(names), _CHUNK):
                chunk = names[start : start + _CHUNK]
                for matter in Matter.objects.filter(county=self.county, **{f"{lookup}__in": chunk}):
                    wanted[getattr(matter, lookup)].matter = matter
        existing = {plan.matter.pk: plan for plan in plans if plan.matter is not None}
        for plan in existing.values():
            assert plan.matter is not None
            plan.pk, plan.number = plan.matter.pk, plan.matter.number
        matter_ids = list(existing)
        for first in range(0, len(matter_ids), _CHUNK):
            ids = matter_ids[first : first + _CHUNK]
            events = Event.objects.filter(matter_id__in=ids).only("matter_id", "date", *_EVENT_FIELDS)
            for event in events.order_by("date", "id"):
                existing[event.matter_id].events.append(
                    _EventPlan(event.date, event.channel, event.level, event.persons, 0, event)
                )
            people = Petitioner.objects.filter(matter_id__in=ids)
            for person in people.only("matter_id", "name", "id_number_index", "phone_index"):
                self.petitioners[person.matter_id].append(person)
            for ownership in Ownership.objects.filter(matter_id__in=ids, is_current=True):
                self.owners[ownership.matter_id] = ownership

    # -- deciding --

    def merge_events(self, plan: _MatterPlan) -> bool:
        """Fold the rows into the matter's events; True when a stored event changes or one is added."""
        stored = len(plan.events)
        for row in plan.rows:  # in date and row order: the last row of a date wins
            same = next((event for event in plan.events if event.date == row.date), None)
            values = (row.channel, row.level, row.persons)
            if same is None:
                plan.events.append(_EventPlan(row.date, *values, row.row.number))
            else:
                same.channel, same.level, same.persons, same.row = *values, row.row.number
        return len(plan.events) > stored or any(
            (event.channel, event.level, event.persons)
            != (event.event.channel, event.event.level, event.event.persons)
            for event in plan.events
            if event.event is not None
        )

    def matter_values(self, plan: _MatterPlan) -> dict[str, Any]:
        """The matter fields the rows give: the latest row's, blanks not overriding."""
        rows, latest = plan.rows, plan.rows[-1]
        matter = plan.matter
        values: dict[str, Any] = {
            "origin_township_id": latest.township.pk,
            "origin_village_id": latest.village.pk if latest.village else None,
            "origin_village_text": latest.village_text,
            "category_id": latest.category.pk,
        }
        unit = _latest(rows, "unit")
        values["responsible_unit_id"] = (
            unit.pk if unit else matter.responsible_unit_id if matter is not None else None
        )
        content = _latest(rows, "content")
        values["content"] = content if content or matter is None else matter.content
        status_row = next((row for row in reversed(rows) if row.status), None)
        if status_row is not None:
            values["status"], values["resolved_on"] = status_row.status, status_row.resolved_on
        elif matter is None:
            values["status"], values["resolved_on"] = Status.REGISTERED, None
        return values

    def decide(self, plan: _MatterPlan) -> None:
        matter = plan.matter
        events_changed = self.merge_events(plan)
        plan.values = values = self.matter_values(plan)
        if matter is None:
            plan.created = plan.changed = True
            return
        fields_changed = any(getattr(matter, name) != value for name, value in values.items())
        leader = _latest(plan.rows, "leader")
        owner = self.owners.get(matter.pk)
        owner_changed = leader is not None and (owner is None or owner.leader_id != leader.pk)
        plan.changed = events_changed or fields_changed or owner_changed or bool(self.new_petitioners(plan))

    def new_petitioners(self, plan: _MatterPlan) -> list[tuple[str, str, str]]:
        """(name, ID number, phone) of the rows' people not yet on the matter; the same ID number,
        phone or name is the same person. A row's ID number and phone go with its first name. Stored
        people are compared by blind index, the file's own by value (no index needed for a new matter)."""
        known = self.petitioners.get(plan.pk, [])
        known_ids = {person.id_number_index for person in known if person.id_number_index}
        known_phones = {person.phone_index for person in known if person.phone_index}
        ids: set[str] = set()
        phones: set[str] = set()
        names = {person.name for person in known if person.name}
        added: list[tuple[str, str, str]] = []
        for row in plan.rows:
            for position, name in enumerate(row.names or [""]):
                id_number, phone = (row.id_number, row.phone) if position == 0 else ("", "")
                if (id_number and (id_number in ids or self.stored(id_number, "id", known_ids))) or (
                    phone and (phone in phones or self.stored(phone, "phone", known_phones))
                ):
                    continue
                if (name and name in names) or not (name or id_number or phone):
                    continue
                ids.add(id_number)
                phones.add(phone)
                names.add(name)
                added.append((name, id_number, phone))
        return added

    def stored(self, value: str, domain: str, indexes: set[str]) -> bool:
        return bool(indexes) and self.cipher.blind_index(value, domain=domain) in indexes

    def petitioner_rows(self, plan: _MatterPlan) -> list[dict[str, Any]]:
        first = len(self.petitioners.get(plan.pk, []))
        latest = plan.latest
        brief = address_brief(latest.township, latest.village, latest.village_text)
        # Ledgers have no address column.
        return [
            {"matter_id": plan.pk, **petitioner_row(
                name=name, id_number=id_number, phone=phone, address="", brief=brief, order=order
            )}
            for order, (name, id_number, phone) in enumerate(self.new_petitioners(plan), start=first)
        ]  # fmt: skip

    # -- writing --

    def write(self, plans: list[_MatterPlan], ledger_import: LedgerImport) -> None:
        changed = [plan for plan in plans if plan.changed]
        new = [plan for plan in changed if plan.created]
        old = [plan for plan in changed if not plan.created]
        # What the changed matters were, read before anything is written, for the undo.
        snapshots = _snapshots([plan.pk for plan in old])
        self.report("写入", 0, len(changed))
        self.create_matters(new)
        for plan in old:
            self.update_matter(plan)
        Matter.objects.bulk_update(
            [plan.matter for plan in old if plan.matter is not None], _MATTER_FIELDS, batch_size=1000
        )
        self.report("写入", len(changed) // 3, len(changed))
        self.save_events(changed)
        bulk_insert(Petitioner, [row for plan in changed for row in self.petitioner_rows(plan)])
        self.report("写入", 2 * len(changed) // 3, len(changed))
        self.save_history(changed)
        self.save_owners(changed)
        bulk_insert(LedgerImportItem, [
            {"ledger_import_id": ledger_import.pk, "matter_id": plan.pk, "created": plan.created,
             "before": snapshots.get(plan.pk, "")}
            for plan in changed
        ])  # fmt: skip
        self.report("写入", len(changed), len(changed))

    def create_matters(self, plans: list[_MatterPlan]) -> None:
        numbers = self.numbers([plan for plan in plans if plan.key.startswith("k:")])
        codes = query_codes_issue(len(plans))
        rows = []
        for plan, code in zip(plans, codes, strict=True):
            first = plan.rows[0]
            plan.number = first.number or numbers[plan.key]
            summary = self.summarize(plan)
            rows.append({
                "county_id": self.county.pk, "number": plan.number, "query_code": code,
                "registered_at": self.now, "registered_by_id": self.by.pk if self.by else None,
                "ledger_key": "" if first.number else plan.key[2:], **plan.values, **summary,
                "stage": _STAGES.get(plan.status, Stage.INITIAL),
                **self.clock(plan.status, summary["last_event_date"], extension_days=0),
            })  # fmt: skip
        for plan, pk in zip(plans, bulk_insert(Matter, rows, returning=True), strict=True):
            plan.pk = pk
        texts = [{"matter_id": plan.pk, "grams": matter_grams(plan.values["content"], "")} for plan in plans]
        bulk_insert(MatterText, texts)

    def update_matter(self, plan: _MatterPlan) -> None:
        matter = plan.matter
        assert matter is not None
        plan.old_status, old_content = matter.status, matter.content
        for name, value in (*plan.values.items(), *self.summarize(plan).items()):
            setattr(matter, name, value)
        matter.stage = _STAGES.get(matter.status, matter.stage)
        if matter.status != plan.old_status:
            for name, value in self.clock(
                matter.status, matter.last_event_date, matter.extension_days
            ).items():
                setattr(matter, name, value)
        if matter.content != old_content:
            matter_text_save(matter)

    def summarize(self, plan: _MatterPlan) -> dict[str, Any]:
        """The matter's event summary; puts the plan's events in the order their ids have."""
        plan.events.sort(key=_event_order)
        return matter_summary(plan.events)

    def clock(self, status: str, last_event: dt.date, extension_days: int) -> dict[str, Any]:
        """An open status's clock, started at the latest event."""
        return clock_fields(
            clock=OPEN_STATUS_CLOCKS.get(status),
            start=last_event,
            profile=profile_on(last_event, self.profiles),
            calendar=self.calendar,
            extension_days=extension_days,
        )

    def save_events(self, plans: list[_MatterPlan]) -> None:
        """New events and changed stored ones, with the facts statistics count by (`event_facts`, as
        `event_facts_refresh` computes them). `summarize` has put each plan's events in id order."""
        created: list[dict[str, Any]] = []
        updated: list[Event] = []
        for plan in plans:
            category = plan.latest.category
            place = {
                "township_id": plan.latest.township.pk,
                "category_top_id": category.parent_id or category.pk,
            }
            for planned, facts in zip(plan.events, event_facts(plan.events), strict=True):
                values = {
                    "channel": planned.channel, "level": planned.level, "persons": planned.persons,
                    "is_collective": planned.persons >= COLLECTIVE_PERSONS, **facts.as_dict(), **place,
                }  # fmt: skip
                event = planned.event
                if event is None:
                    created.append({
                        **values, "matter_id": plan.pk, "county_id": self.county.pk, "date": planned.date,
                        "registered_at": self.now, "registered_by_id": self.by.pk if self.by else None,
                    })  # fmt: skip
                elif any(getattr(event, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(event, name, value)
                    updated.append(event)
        bulk_insert(Event, created)
        Event.objects.bulk_update(updated, list(_EVENT_FIELDS), batch_size=1000)

    def save_history(self, plans: list[_MatterPlan]) -> None:
        """Imported statuses are history: one status record, marked imported, per change."""
        bulk_insert(Transition, [
            {"matter_id": plan.pk, "from_status": "" if plan.created else plan.old_status,
             "to_status": plan.status, "at": self.now, "by_id": self.by.pk if self.by else None,
             "reason": "台账导入", "imported": True}
            for plan in plans
            if plan.created or plan.status != plan.old_status
        ])  # fmt: skip

    def save_owners(self, plans: list[_MatterPlan]) -> None:
        ended, started = [], []
        for plan in plans:
            leader = _latest(plan.rows, "leader")
            if leader is None:
                continue
            previous, new = ownership_rows(
                current=self.owners.get(plan.pk), matter_id=plan.pk, leader_id=leader.pk,
                since=plan.events[0].date if plan.created else self.today, ended_on=self.today,
                by_id=self.by.pk if self.by else None,
            )  # fmt: skip
            ended += [previous] if previous is not None else []
            started += [new] if new is not None else []
        Ownership.objects.bulk_update(ended, ["is_current", "ended_on"])
        bulk_insert(Ownership, started)

    def numbers(self, plans: list[_MatterPlan]) -> dict[str, str]:
        """Registration numbers for matters whose rows have none, from the county's sequence, skipping
        the numbers the file itself uses."""
        issued: dict[str, str] = {}
        by_year: dict[int, list[_MatterPlan]] = defaultdict(list)
        for plan in plans:
            by_year[plan.rows[0].date.year].append(plan)
        for year, wanted in sorted(by_year.items()):
            numbers = numbers_issue(county=self.county, year=year, count=len(wanted), avoid=self.file_numbers)
            issued.update(zip((plan.key for plan in wanted), numbers, strict=True))
        return issued


_MATTER_FIELDS = [
    "origin_township", "origin_village", "origin_village_text", "category", "responsible_unit",
    "content", "status", "stage", "resolved_on", "first_event_date", "last_event_date", "event_count",
    "person_count", "channel", "top_level", "is_collective", "clock", "clock_started", "due_date",
]  # fmt: skip
_EVENT_FIELDS = ("channel", "level", "persons", "is_collective", *EVENT_FACTS)


def _event_order(event: _EventPlan) -> tuple[dt.date, int, int]:
    """Stored events first in id order, then new ones by row: the order ids will have."""
    if event.event is not None:
        return (event.date, 0, event.event.pk)
    return (event.date, 1, event.row)


_SNAPSHOT_MODELS = (Event, Petitioner, Transition, Ownership)


def _snapshots(matter_ids: list[int]) -> dict[int, str]:
    """Each changed matter's rows as they were, in Django's JSON serialization (restored by the undo),
    read a chunk of matters at a time."""
    snapshots: dict[int, str] = {}
    for start in range(0, len(matter_ids), _CHUNK):
        ids = matter_ids[start : start + _CHUNK]
        rows: dict[int, list[Any]] = {matter.pk: [matter] for matter in Matter.objects.filter(pk__in=ids)}
        for model in _SNAPSHOT_MODELS:
            for row in model.objects.filter(matter_id__in=ids).order_by("pk"):
                rows[row.matter_id].append(row)
        snapshots.update((pk, serializers.serialize("json", stored)) for pk, stored in rows.items())
    return snapshots


# -- the actions -----------------------------------------------------------------------------------


def ledger_check(*, county: County, table: LedgerTable, progress: Progress | None = None) -> LedgerResult:
    """Check a ledger without writing: every problem cell, and how many matters it would create or
    change."""
    result, _ = _prepare(county, table, dry_run=True, progress=progress)
    return result


def _prepare(
    county: County, table: LedgerTable, *, dry_run: bool, progress: Progress | None
) -> tuple[LedgerResult, tuple[_Importer, list[_MatterPlan]] | None]:
    result = LedgerResult(dry_run=dry_run, rows=len(table.rows))
    for column in table.missing_columns:
        result.errors.append(LedgerProblem(1, 0, column, f"缺少必需的列：{column}"))
    if result.errors:
        return result, None
    checker = RowChecker(county, result)
    rows: list[CheckedRow] = []
    total = len(table.rows)
    for done, ledger_row in enumerate(table.rows, start=1):
        row = checker.check(ledger_row)
        if row is not None:
            rows.append(row)
        if progress and (done % 1000 == 0 or done == total):
            progress("检查", done, total)
    if result.errors:
        return result, None
    importer = _Importer(county, progress)
    plans = _group(rows)
    importer.file_numbers = {row.number for row in rows if row.number}
    importer.attach_existing(plans)
    for plan in plans:
        importer.decide(plan)
    result.created = sum(1 for plan in plans if plan.created)
    result.updated = sum(1 for plan in plans if plan.changed and not plan.created)
    return result, (importer, plans)


def ledger_import(
    *,
    county: County,
    table: LedgerTable,
    by: User | None,
    file_name: str,
    sha256: str,
    size: int = 0,
    dry_run: bool = False,
    record: LedgerImport | None = None,
    progress: Progress | None = None,
) -> LedgerResult:
    """Import a ledger, all or nothing (SPEC §4). A dry run, or any error, writes nothing.

    `record` is the upload being imported, when it came through the page; otherwise one is made."""
    if dry_run:
        return ledger_check(county=county, table=table, progress=progress)
    with transaction.atomic():
        # One import at a time per county: numbers and matches are decided on a stable registry.
        County.objects.select_for_update().get(pk=county.pk)
        result, prepared = _prepare(county, table, dry_run=False, progress=progress)
        if prepared is None:
            return result
        importer, plans = prepared
        importer.by = by
        record = record or LedgerImport(
            county=county, file_name=file_name[:200], sha256=sha256, size=size, created_at=importer.now,
            created_by=by,
        )  # fmt: skip
        record.save()
        importer.write(plans, record)
        result.imported = result.rows
        actor_name = "" if by else "system"
        audit_record_many(
            action="matter.import",
            actor=by,
            county=county,
            object_type=MATTER_TYPE,
            objects=[
                (
                    plan.pk,
                    plan.number,
                    {"import": record.pk, "created": plan.created, "events": len(plan.events)},
                )
                for plan in plans
                if plan.changed
            ],
            actor_name=actor_name,
            message=f"台账导入 {file_name}",
        )
        # Written after its matters' records: anything recorded on them after this blocks the undo.
        audited = audit_record(
            action="ledger.import",
            actor=by,
            obj=record,
            county=county,
            changes={
                "file": file_name,
                "sha256": sha256,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "warnings": len(result.warnings),
            },
            message=f"导入台账 {file_name}",
            actor_name=actor_name,
        )
        _finish(record, result, by=by, audit_id=audited.pk)
        result.ledger_import_id = record.pk
    return result


def _finish(ledger_import: LedgerImport, result: LedgerResult, *, by: User | None, audit_id: int) -> None:
    ledger_import.state = LedgerImport.State.IMPORTED
    ledger_import.imported_at, ledger_import.imported_by = timezone.now(), by
    ledger_import.audit_id = audit_id
    ledger_import.content_enc = ""
    ledger_import.claimed_at = None
    _store_counts(ledger_import, result)
    ledger_import.save()


def _store_counts(ledger_import: LedgerImport, result: LedgerResult) -> None:
    ledger_import.rows, ledger_import.created, ledger_import.updated = (
        result.rows,
        result.created,
        result.updated,
    )
    ledger_import.error_count, ledger_import.warning_count = len(result.errors), len(result.warnings)
    ledger_import.errors = [problem.stored() for problem in result.errors[:STORED_PROBLEMS]]
    ledger_import.warnings = [problem.stored() for problem in result.warnings[:STORED_PROBLEMS]]


# -- the page's flow: upload, check in the worker, confirm, import in the worker, undo -------------

UPLOAD_CONTEXT = "ledger.upload"


@transaction.atomic
def ledger_upload(*, by: User, county: County, file_name: str, content: bytes) -> LedgerImport:
    """Keep an uploaded ledger (encrypted) for the worker to check; nothing is imported yet."""
    if not content:
        raise LedgerError("文件为空")
    ledger_import = LedgerImport.objects.create(
        county=county,
        file_name=Path(file_name).name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_enc=field_cipher().encrypt(base64.b64encode(content).decode("ascii"), context=UPLOAD_CONTEXT),
        created_at=timezone.now(),
        created_by=by,
    )
    audit_record(
        action="ledger.upload", actor=by, obj=ledger_import, county=county,
        changes={"file": ledger_import.file_name, "sha256": ledger_import.sha256, "size": len(content)},
    )  # fmt: skip
    return ledger_import


def _content(ledger_import: LedgerImport) -> bytes:
    return base64.b64decode(field_cipher().decrypt(ledger_import.content_enc, context=UPLOAD_CONTEXT))


@transaction.atomic
def ledger_confirm(*, by: User, ledger_import: LedgerImport) -> LedgerImport:
    """Queue a checked ledger without errors for the worker to import."""
    locked = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
    if locked.state != LedgerImport.State.CHECKED or not locked.content_enc:
        raise LedgerError("该文件当前不能导入（可能已导入或已放弃）")
    if locked.error_count:
        raise LedgerError("文件中有错误，请改正后重新上传")
    locked.state, locked.imported_by, locked.claimed_at = LedgerImport.State.QUEUED, by, None
    locked.save(update_fields=["state", "imported_by", "claimed_at"])
    return locked


@transaction.atomic
def ledger_discard(*, by: User, ledger_import: LedgerImport) -> LedgerImport:
    """Drop an upload that will not be imported (its file with it)."""
    locked = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
    if locked.state not in (
        LedgerImport.State.CHECKING,
        LedgerImport.State.CHECKED,
        LedgerImport.State.FAILED,
    ):
        raise LedgerError("该文件已导入或正在导入，不能放弃")
    locked.state, locked.content_enc, locked.claimed_at = LedgerImport.State.DISCARDED, "", None
    locked.save(update_fields=["state", "content_enc", "claimed_at"])
    audit_record(action="ledger.discard", actor=by, obj=locked, county=locked.county)
    return locked


CLAIM_TIMEOUT = dt.timedelta(minutes=30)


def ledger_work_next() -> int:
    """The worker's step: claim one pending check or import (a conditional UPDATE, so two workers never
    take the same one) and run it. Returns how many it handled (0 or 1)."""
    now = timezone.now()
    record_id = claim_one(
        LedgerImport.objects.filter(state__in=[LedgerImport.State.CHECKING, LedgerImport.State.QUEUED])
        .exclude(claimed_at__gt=now - CLAIM_TIMEOUT)
        .order_by("created_at", "pk"),
        match=("state", "claimed_at"),
        changes=lambda row: {"claimed_at": now},
    )
    if record_id is None:
        return 0
    _run(LedgerImport.objects.select_related("county", "imported_by").get(pk=record_id))
    return 1


def _run(record: LedgerImport) -> None:
    progress = ProgressFile(record.pk)
    try:
        table = ledger_read(_content(record), record.file_name)
        if record.state == LedgerImport.State.CHECKING:
            _checked(record, ledger_check(county=record.county, table=table, progress=progress))
            return
        result = ledger_import(
            county=record.county, table=table, by=record.imported_by,
            file_name=record.file_name, sha256=record.sha256, size=record.size,
            record=record, progress=progress,
        )  # fmt: skip
        if not result.ok:  # the registry changed since the check: show the new problems
            _checked(record, result, message="导入前复查发现错误，未写入任何数据")
    except LedgerFileError as problem:
        _fail(record, str(problem))
    except Exception as problem:
        _fail(record, f"导入失败，未写入任何数据（{type(problem).__name__}）")
        raise
    finally:
        progress.clear()


def _checked(ledger_import: LedgerImport, result: LedgerResult, message: str = "") -> None:
    """The check's outcome, for the preview: counts and the first problems."""
    _store_counts(ledger_import, result)
    ledger_import.state, ledger_import.claimed_at = LedgerImport.State.CHECKED, None
    ledger_import.message = message
    ledger_import.save()


def _fail(ledger_import: LedgerImport, message: str) -> None:
    LedgerImport.objects.filter(pk=ledger_import.pk).update(
        state=LedgerImport.State.FAILED, message=message[:500], claimed_at=None, content_enc=""
    )


@transaction.atomic
def ledger_undo(*, by: User | None, ledger_import: LedgerImport) -> LedgerImport:
    """Undo an import as a whole: delete the matters it created and put back the ones it changed,
    provided nothing it touched has been changed since (anything recorded on them after it). Only the
    bureau head may (None: the system, e.g. a benchmark)."""
    if by is not None and by.role != Role.BUREAU_HEAD:
        raise LedgerError("只有信访局长可以撤销导入")
    locked = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
    if locked.state != LedgerImport.State.IMPORTED:
        raise LedgerError("只能撤销已导入的台账")
    items = list(locked.items.select_related("matter"))
    ids = {str(item.matter_id) for item in items}
    later = (
        AuditRecord.objects.filter(object_type=MATTER_TYPE, pk__gt=locked.audit_id or 0)
        .exclude(action__in=READ_ONLY_ACTIONS)
        .values_list("object_id", flat=True)
        .distinct()
    )
    touched = sorted(int(object_id) for object_id in later.iterator() if object_id in ids)
    if touched:
        numbers = list(Matter.objects.filter(pk__in=touched[:5]).values_list("number", flat=True))
        raise LedgerError(
            f"导入后已有 {len(touched)} 件事项被修改（如 {'、'.join(numbers)}），不能撤销整个导入"
        )
    audit_record_many(
        action="matter.import_undo",
        actor=by,
        county=locked.county,
        object_type=MATTER_TYPE,
        objects=[
            (item.matter_id, item.matter.number, {"import": locked.pk, "deleted": item.created})
            for item in items
        ],
    )
    created_ids = [item.matter_id for item in items if item.created]
    for start in range(0, len(created_ids), _CHUNK):
        Matter.objects.filter(pk__in=created_ids[start : start + _CHUNK]).delete()
    for item in items:
        if not item.created:
            _restore(item)
    locked.items.all().delete()
    locked.state, locked.undone_at, locked.undone_by = LedgerImport.State.UNDONE, timezone.now(), by
    locked.save(update_fields=["state", "undone_at", "undone_by"])
    restored = len(items) - len(created_ids)
    audit_record(
        action="ledger.undo", actor=by, obj=locked, county=locked.county,
        changes={"file": locked.file_name, "deleted": len(created_ids), "restored": restored},
    )  # fmt: skip
    return locked


def _restore(item: LedgerImportItem) -> None:
    from xinfang.petitions.search import matter_text_save

    matter_id = item.matter_id
    for model in (Event, Petitioner, Transition, Ownership):
        model.objects.filter(matter_id=matter_id).delete()
    for stored in serializers.deserialize("json", item.before):
        stored.save()
    matter_text_save(Matter.objects.get(pk=matter_id))


# -- progress, for the page while the worker runs --------------------------------------------------


class ProgressFile:
    """Progress of a running check or import, in a small file the page reads: the import's own
    transaction cannot show it in the database until it commits."""

    def __init__(self, ledger_import_id: int) -> None:
        self.path = progress_path(ledger_import_id)
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.3 and done < total:
            return
        self.last = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total}), encoding="utf-8")
        temporary.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def progress_path(ledger_import_id: int) -> Path:
    return Path(settings.DATA_DIR) / "ledger" / f"{ledger_import_id}.progress"


def ledger_progress(ledger_import_id: int) -> dict[str, Any] | None:
    try:
        data = json.loads(progress_path(ledger_import_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
