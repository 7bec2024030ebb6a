"""Bringing checked ledger rows in: rows grouped into matters, folded into what is stored, and written in
bulk through the rows of `petitions/rows.py`."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import serializers
from django.db import connection, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record_many
from xinfang.calendars.selectors import work_calendar
from xinfang.core.bulk import bulk_insert
from xinfang.core.cipher import field_cipher
from xinfang.core.matter_hooks import matters_changed
from xinfang.directory.models import County
from xinfang.ledger.checking import CheckedRow
from xinfang.ledger.models import LedgerImport, LedgerImportBatch, LedgerImportItem
from xinfang.lib.deadlines import profile_on
from xinfang.ownership.models import Batch, BatchEntry
from xinfang.ownership.services import batch_imported
from xinfang.petitions.facts import OPEN_STATUS_CLOCKS, event_facts, matter_summary
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    Event,
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
from xinfang.petitions.services.common import EVENT_FACTS

Status = Matter.Status
Progress = Callable[[str, int, int], None]

_STAGES: dict[str, str] = {Status.REVIEW: Stage.REVIEW, Status.RE_REVIEW: Stage.RE_REVIEW}
CHUNK = 2000  # ids or keys per IN list
# Matters per write transaction: a few tenths of a second of writing, the longest another writer waits.
WRITE_CHUNK = 500
WRITE_PAUSE = 0.1  # seconds between chunks on SQLite: longer than its busy handler's longest sleep
MATTER_TYPE = Matter._meta.label_lower  # how audit records name a matter


# Actions recorded on a matter that change nothing: they neither stop an import nor block its undo.
READ_ONLY_ACTIONS = frozenset({"pii.reveal"})


class LedgerError(ValueError):
    """An action on an import is refused; the message is Chinese and safe to show."""


@dataclass
class EventPlan:
    date: dt.date
    channel: str
    level: str
    persons: int
    row: int  # the row that last set it
    event: Event | None = None  # the stored event, for one that exists


@dataclass
class MatterPlan:
    key: str
    rows: list[CheckedRow]
    matter: Matter | None = None  # the stored matter, when it exists
    events: list[EventPlan] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # the matter fields the rows give, by attname
    old_status: str = ""
    changed: bool = False
    created: bool = False
    pk: int = 0  # the matter's id, once it exists
    number: str = ""
    # 包案期次: each batch its rows put it in -> the leader of the latest such row; the batch of its
    # latest such row first (the one whose entry gets the ownership the import starts).
    batches: dict[tuple[int, int], int] = field(default_factory=dict)

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


def group_rows(rows: Sequence[CheckedRow]) -> list[MatterPlan]:
    plans: dict[str, MatterPlan] = {}
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.number:
            key = f"n:{row.number}"
        else:
            base = _ledger_key(row, 0)
            seen[base] += 1
            key = f"k:{base if seen[base] == 1 else _ledger_key(row, seen[base] - 1)}"
        plans.setdefault(key, MatterPlan(key=key, rows=[])).rows.append(row)
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


class Importer:
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
        # 包案期次: the batches the file names, (year, number) -> latest 信访日期 of their rows; those
        # stored, by the same key; the stored entries of the file's matters, (batch id, matter id) ->
        # (entry id, leader id, ownership id).
        self.batch_dates: dict[tuple[int, int], dt.date] = {}
        self.batches: dict[tuple[int, int], Batch] = {}
        self.entries: dict[tuple[int, int], tuple[int, int | None, int | None]] = {}
        self.entry_owned: set[int] = set()  # ownerships an entry of a file's matter started
        # The last audit record before anything was read: a matter recorded after it changed meanwhile.
        self.audit_floor: int = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def report(self, phase: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(phase, done, total)

    # -- reading what exists --

    def attach_existing(self, plans: list[MatterPlan]) -> None:
        by_number = {plan.key[2:]: plan for plan in plans if plan.key.startswith("n:")}
        by_key = {plan.key[2:]: plan for plan in plans if plan.key.startswith("k:")}
        for lookup, wanted in (("number", by_number), ("ledger_key", by_key)):
            names = list(wanted)
            for start in range(0, len(names), CHUNK):
                chunk = names[start : start + CHUNK]
                for matter in Matter.objects.filter(county=self.county, **{f"{lookup}__in": chunk}):
                    wanted[getattr(matter, lookup)].matter = matter
        existing = {plan.matter.pk: plan for plan in plans if plan.matter is not None}
        for plan in existing.values():
            assert plan.matter is not None
            plan.pk, plan.number = plan.matter.pk, plan.matter.number
        matter_ids = list(existing)
        for first in range(0, len(matter_ids), CHUNK):
            ids = matter_ids[first : first + CHUNK]
            events = Event.objects.filter(matter_id__in=ids).only("matter_id", "date", *_EVENT_FIELDS)
            for event in events.order_by("date", "id"):
                existing[event.matter_id].events.append(
                    EventPlan(event.date, event.channel, event.level, event.persons, 0, event)
                )
            people = Petitioner.objects.filter(matter_id__in=ids)
            for person in people.only("matter_id", "name", "id_number_index", "phone_index"):
                self.petitioners[person.matter_id].append(person)
            for ownership in Ownership.objects.filter(matter_id__in=ids, is_current=True):
                self.owners[ownership.matter_id] = ownership
            if self.batch_dates:
                rows = BatchEntry.objects.filter(matter_id__in=ids).values_list(
                    "pk", "batch_id", "matter_id", "leader_id", "ownership_id"
                )
                for pk, batch_id, matter_id, leader_id, ownership_id in rows:
                    self.entries[batch_id, matter_id] = (pk, leader_id, ownership_id)
                    if ownership_id is not None:
                        self.entry_owned.add(ownership_id)

    def plan_batches(self, plans: list[MatterPlan]) -> None:
        """Each matter's batches from its rows (the latest row of a batch names its leader), and each
        batch's latest 信访日期; then the batches already stored. Before `attach_existing`."""
        for plan in plans:
            for row in reversed(plan.rows):  # the latest first
                if row.batch is None or row.leader is None:
                    continue
                plan.batches.setdefault(row.batch, row.leader.pk)
                if row.batch not in self.batch_dates or self.batch_dates[row.batch] < row.date:
                    self.batch_dates[row.batch] = row.date
        years = {year for year, _ in self.batch_dates}
        for batch in Batch.objects.filter(county=self.county, year__in=years, number__isnull=False):
            assert batch.year is not None and batch.number is not None
            if (batch.year, batch.number) in self.batch_dates:
                self.batches[batch.year, batch.number] = batch

    # -- deciding --

    def merge_events(self, plan: MatterPlan) -> bool:
        """Fold the rows into the matter's events; True when a stored event changes or one is added."""
        stored = len(plan.events)
        for row in plan.rows:  # in date and row order: the last row of a date wins
            same = next((event for event in plan.events if event.date == row.date), None)
            values = (row.channel, row.level, row.persons)
            if same is None:
                plan.events.append(EventPlan(row.date, *values, row.row.number))
            else:
                same.channel, same.level, same.persons, same.row = *values, row.row.number
        return len(plan.events) > stored or any(
            (event.channel, event.level, event.persons)
            != (event.event.channel, event.event.level, event.event.persons)
            for event in plan.events
            if event.event is not None
        )

    def matter_values(self, plan: MatterPlan) -> dict[str, Any]:
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

    def decide(self, plan: MatterPlan) -> None:
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
        plan.changed = (
            events_changed or fields_changed or owner_changed or bool(self.new_petitioners(plan))
            or self.batches_changed(plan)
        )  # fmt: skip

    def batches_changed(self, plan: MatterPlan) -> bool:
        """Whether the file puts a stored matter in a batch it is not in, or under another leader."""
        for key, leader_id in plan.batches.items():
            batch = self.batches.get(key)
            stored = self.entries.get((batch.pk, plan.pk)) if batch is not None else None
            if stored is None or stored[1] != leader_id:
                return True
        return False

    def new_petitioners(self, plan: MatterPlan) -> list[tuple[str, str, str]]:
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

    def petitioner_rows(self, plan: MatterPlan) -> list[dict[str, Any]]:
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

    def write(self, plans: list[MatterPlan], ledger_import: LedgerImport, message: str) -> None:
        """Write the changed matters a chunk at a time, each chunk one short transaction with its audit
        records and undo items, so that other writers (a registration, a login) wait for one chunk at
        most, never for the whole file; on SQLite a pause after each chunk lets a waiting writer in.
        Each chunk refreshes the import's claim: a writer that stops is noticed and rolled back
        (`ledger_rollback`)."""
        changed = [plan for plan in plans if plan.changed]
        if self.batch_dates:
            with transaction.atomic():
                self.save_batches(ledger_import)
        self.report("写入", 0, len(changed))
        for start in range(0, len(changed), WRITE_CHUNK):
            chunk = changed[start : start + WRITE_CHUNK]
            with transaction.atomic():
                self.write_chunk(chunk, ledger_import, message)
                LedgerImport.objects.filter(pk=ledger_import.pk).update(claimed_at=timezone.now())
            self.report("写入", start + len(chunk), len(changed))
            if connection.vendor == "sqlite":
                time.sleep(WRITE_PAUSE)

    def write_chunk(self, chunk: list[MatterPlan], ledger_import: LedgerImport, message: str) -> None:
        """One chunk. A stored matter someone changed since the import read it (every change is audited)
        stops the import: what it decided from the old state would overwrite theirs."""
        new = [plan for plan in chunk if plan.created]
        old = [plan for plan in chunk if not plan.created]
        changed_since = set(
            AuditRecord.objects.filter(
                object_type=MATTER_TYPE, object_id__in=[str(plan.pk) for plan in old], pk__gt=self.audit_floor
            )
            .exclude(action__in=READ_ONLY_ACTIONS)
            .values_list("object_id", flat=True)
        )
        if changed_since:
            moved = [plan.number for plan in old if str(plan.pk) in changed_since]
            raise LedgerError(
                f"导入期间有 {len(moved)} 件事项被他人修改（如 {'、'.join(moved[:3])}），"
                "本次导入已全部撤回，请重新导入"
            )
        # What the changed matters were, for the undo (and a rollback).
        snapshots = _snapshots([plan.pk for plan in old])
        self.create_matters(new)
        for plan in old:
            self.update_matter(plan)
        Matter.objects.bulk_update(
            [plan.matter for plan in old if plan.matter is not None], _MATTER_FIELDS, batch_size=1000
        )
        self.save_events(chunk)
        bulk_insert(Petitioner, [row for plan in chunk for row in self.petitioner_rows(plan)])
        self.save_history(chunk)
        owners = self.save_owners(chunk)
        self.save_entries(chunk, owners)
        matters_changed([plan.pk for plan in chunk])  # the KPI roll-up, in this chunk's transaction
        bulk_insert(LedgerImportItem, [
            {"ledger_import_id": ledger_import.pk, "matter_id": plan.pk, "created": plan.created,
             "before": snapshots.get(plan.pk, "")}
            for plan in chunk
        ])  # fmt: skip
        audit_record_many(
            action="matter.import",
            actor=self.by,
            county=self.county,
            object_type=MATTER_TYPE,
            objects=[
                (
                    plan.pk,
                    plan.number,
                    {"import": ledger_import.pk, "created": plan.created, "events": len(plan.events)},
                )
                for plan in chunk
            ],
            actor_name="" if self.by else "system",
            message=message,
        )

    def create_matters(self, plans: list[MatterPlan]) -> None:
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

    def update_matter(self, plan: MatterPlan) -> None:
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

    def summarize(self, plan: MatterPlan) -> dict[str, Any]:
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

    def save_events(self, plans: list[MatterPlan]) -> None:
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
                        "imported": True,
                    })  # fmt: skip
                elif any(getattr(event, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(event, name, value)
                    updated.append(event)
        bulk_insert(Event, created)
        Event.objects.bulk_update(updated, list(_EVENT_FIELDS), batch_size=1000)

    def save_history(self, plans: list[MatterPlan]) -> None:
        """Imported statuses are history: one status record, marked imported, per change."""
        bulk_insert(Transition, [
            {"matter_id": plan.pk, "from_status": "" if plan.created else plan.old_status,
             "to_status": plan.status, "at": self.now, "by_id": self.by.pk if self.by else None,
             "reason": "台账导入", "imported": True}
            for plan in plans
            if plan.created or plan.status != plan.old_status
        ])  # fmt: skip

    def save_owners(self, plans: list[MatterPlan]) -> dict[int, tuple[int, int]]:
        """The owners the rows name. Returns the current ownership of each matter the rows put in a batch
        (whose rows name a leader, then), matter id -> (ownership id, leader id)."""
        ended, started = [], []
        owners: dict[int, tuple[int, int]] = {}
        for plan in plans:
            leader = _latest(plan.rows, "leader")
            current = self.owners.get(plan.pk)
            if leader is None:
                continue
            previous, new = ownership_rows(
                current=current, matter_id=plan.pk, leader_id=leader.pk,
                since=plan.events[0].date if plan.created else self.today, ended_on=self.today,
                by_id=self.by.pk if self.by else None,
            )  # fmt: skip
            ended += [previous] if previous is not None else []
            started += [new] if new is not None else []
            if new is None and current is not None and plan.batches:
                owners[plan.pk] = (current.pk, current.leader_id)
        Ownership.objects.bulk_update(ended, ["is_current", "ended_on"])
        keys = bulk_insert(Ownership, started, returning=bool(self.batch_dates))
        for row, pk in zip(started, keys, strict=False):
            owners[row["matter_id"]] = (pk, row["leader_id"])
        return owners

    def save_batches(self, ledger_import: LedgerImport) -> None:
        """The batches the file names, created as imported ones where missing (an imported batch counts
        as issued on the latest 信访日期 of its rows), each recorded for the undo."""
        records = []
        for (year, number), latest in sorted(self.batch_dates.items()):
            stored = self.batches.get((year, number))
            before = stored.issued_on if stored is not None else None
            batch = batch_imported(county=self.county, year=year, number=number, issued_on=latest, by=self.by)
            if not batch.imported:  # issued on the platform since the check
                raise LedgerError(f"{batch.label}已在平台印发，不能从台账向其中导入事项，请重新导入")
            self.batches[year, number] = batch
            records.append(LedgerImportBatch(
                ledger_import=ledger_import, batch=batch, created=stored is None, issued_on_before=before,
                issued_on_after=batch.issued_on,
            ))  # fmt: skip
        LedgerImportBatch.objects.bulk_create(records)

    def save_entries(self, plans: list[MatterPlan], owners: dict[int, tuple[int, int]]) -> None:
        """The matters' batch entries (`ownership.services.batch_entry_imported`, in bulk): new ones, and
        stored ones under another leader. The entry of a matter's latest batch gets the current ownership
        when its leader owns the matter and no entry has it yet (the batch started it)."""
        created: list[dict[str, Any]] = []
        changed: list[BatchEntry] = []
        days = dt.timedelta(days=settings.XINFANG_OWNERSHIP_DEADLINE_DAYS)
        for plan in plans:
            owner = owners.get(plan.pk)
            for position, (key, leader_id) in enumerate(plan.batches.items()):
                batch = self.batches[key]
                ownership_id = None
                if position == 0 and owner is not None and owner[1] == leader_id:
                    ownership_id = owner[0] if owner[0] not in self.entry_owned else None
                stored = self.entries.get((batch.pk, plan.pk))
                if stored is None:
                    created.append({
                        "batch_id": batch.pk, "matter_id": plan.pk, "reasons": ["台账导入"],
                        "leader_id": leader_id, "ownership_id": ownership_id,
                        "deadline": batch.issued_on + days if batch.issued_on else None,
                        "added_by_id": self.by.pk if self.by else None,
                    })  # fmt: skip
                elif stored[1] != leader_id or (ownership_id and stored[2] is None):
                    changed.append(
                        BatchEntry(pk=stored[0], leader_id=leader_id, ownership_id=ownership_id or stored[2])
                    )
                if ownership_id is not None:
                    self.entry_owned.add(ownership_id)
        bulk_insert(BatchEntry, created)
        BatchEntry.objects.bulk_update(changed, ["leader", "ownership"])

    def numbers(self, plans: list[MatterPlan]) -> dict[str, str]:
        """Registration numbers for matters whose rows have none, from the county's sequence, skipping
        the numbers the file itself uses."""
        issued: dict[str, str] = {}
        by_year: dict[int, list[MatterPlan]] = defaultdict(list)
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


def _event_order(event: EventPlan) -> tuple[dt.date, int, int]:
    """Stored events first in id order, then new ones by row: the order ids will have."""
    if event.event is not None:
        return (event.date, 0, event.event.pk)
    return (event.date, 1, event.row)


_SNAPSHOT_MODELS = (Event, Petitioner, Transition, Ownership)


def _snapshots(matter_ids: list[int]) -> dict[int, str]:
    """Each changed matter's rows as they were, in Django's JSON serialization (restored by the undo),
    read a chunk of matters at a time."""
    snapshots: dict[int, str] = {}
    for start in range(0, len(matter_ids), CHUNK):
        ids = matter_ids[start : start + CHUNK]
        rows: dict[int, list[Any]] = {matter.pk: [matter] for matter in Matter.objects.filter(pk__in=ids)}
        for model in _SNAPSHOT_MODELS:
            for row in model.objects.filter(matter_id__in=ids).order_by("pk"):
                rows[row.matter_id].append(row)
        # An import writes the entries of imported batches only.
        for entry in BatchEntry.objects.filter(matter_id__in=ids, batch__imported=True).order_by("pk"):
            rows[entry.matter_id].append(entry)
        snapshots.update((pk, serializers.serialize("json", stored)) for pk, stored in rows.items())
    return snapshots
