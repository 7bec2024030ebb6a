"""Undoing an import as a whole: each changed matter put back as it was, each created one removed, while
nothing recorded on them since blocks it."""

from __future__ import annotations

from typing import Any

from django.core import serializers
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, audit_record_many
from xinfang.core.roles import Role
from xinfang.ledger.importer import CHUNK, MATTER_TYPE, READ_ONLY_ACTIONS, WRITE_CHUNK, LedgerError
from xinfang.ledger.models import AUDIT_TYPE, LedgerImport, LedgerImportBatch, LedgerImportItem
from xinfang.ownership.models import Batch, BatchEntry
from xinfang.petitions.models import (
    Event,
    Matter,
    Ownership,
    Petitioner,
    Transition,
)
from xinfang.petitions.search import matter_text_save


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
    # Since it read the registry (imports before chunked writing: since their record), but its own records.
    since = locked.audit_floor if locked.audit_floor is not None else locked.audit_id or 0
    later = (
        AuditRecord.objects.filter(object_type=MATTER_TYPE, pk__gt=since)
        .exclude(action__in=READ_ONLY_ACTIONS)
        .exclude(action="matter.import", pk__lt=locked.audit_id or 0)
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
    created_ids = _revert(items)
    batches = _revert_batches(locked)
    locked.state, locked.undone_at, locked.undone_by = LedgerImport.State.UNDONE, timezone.now(), by
    locked.save(update_fields=["state", "undone_at", "undone_by"])
    restored = len(items) - len(created_ids)
    audit_record(
        action="ledger.undo", actor=by, object_type=AUDIT_TYPE, obj=locked, county=locked.county,
        changes={"file": locked.file_name, "deleted": len(created_ids), "restored": restored,
                 **({"batches_deleted": batches} if batches else {})},
    )  # fmt: skip
    return locked


def ledger_rollback(*, ledger_import: LedgerImport, reason: str) -> int:
    """Take back what an import that did not finish wrote (it failed, or its writer stopped), a chunk
    of matters per transaction, and mark it failed with `reason`: all or nothing, as if it had never
    begun. A rollback that stops is taken up again where it was (the items left say what remains).
    Returns how many matters it took back."""
    taken_back = 0
    while True:
        with transaction.atomic():
            items = list(
                LedgerImportItem.objects.filter(ledger_import_id=ledger_import.pk).order_by("pk")[
                    :WRITE_CHUNK
                ]
            )
            if not items:
                break
            _revert(items)
            taken_back += len(items)
    with transaction.atomic():
        _revert_batches(ledger_import)
        LedgerImport.objects.filter(pk=ledger_import.pk).update(
            state=LedgerImport.State.FAILED, message=reason[:500], claimed_at=None, content_enc=""
        )
        audit_record(
            action="ledger.rollback",
            object_type=AUDIT_TYPE,
            obj=ledger_import,
            county=ledger_import.county,
            outcome=AuditRecord.Outcome.FAILURE,
            changes={"file": ledger_import.file_name, "reverted": taken_back},
            message=reason[:500],
            actor_name="system",
        )
    return taken_back


def _revert(items: list[LedgerImportItem]) -> list[int]:
    """Delete the matters these items created, put back the ones they changed, and drop the items.
    Returns the ids of the deleted matters."""
    created_ids = [item.matter_id for item in items if item.created]
    for start in range(0, len(created_ids), CHUNK):
        ids = created_ids[start : start + CHUNK]
        BatchEntry.objects.filter(matter_id__in=ids).delete()  # they hold the matter and its ownership
        Matter.objects.filter(pk__in=ids).delete()
    for item in items:
        if not item.created:
            _restore(item)
    LedgerImportItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return created_ids


def _restore(item: LedgerImportItem) -> None:
    """The matter's rows as they were: those the import added deleted, the others saved back as they
    were (in place, so that rows referring to them, such as a batch entry or the five 包 of an
    ownership, stay)."""
    matter_id = item.matter_id
    before = list(serializers.deserialize("json", item.before))
    kept: dict[type[Model], list[Any]] = {}
    for stored in before:
        kept.setdefault(type(stored.object), []).append(stored.object.pk)
    added = [
        # Entries first: they refer to the ownerships. An import writes entries of imported batches only.
        BatchEntry.objects.filter(matter_id=matter_id, batch__imported=True),
        *(model.objects.filter(matter_id=matter_id) for model in (Event, Petitioner, Transition, Ownership)),
    ]
    for rows in added:
        rows.exclude(pk__in=kept.get(rows.model, [])).delete()
    for stored in before:
        stored.save()
    matter_text_save(Matter.objects.get(pk=matter_id))


def _revert_batches(ledger_import: LedgerImport) -> int:
    """After its matters: the batches the import created deleted when no matter is left in them, the
    issue dates it moved put back (unless a later import moved them again). Returns how many batches
    it deleted."""
    deleted = 0
    records = list(LedgerImportBatch.objects.filter(ledger_import=ledger_import).select_related("batch"))
    for record in records:
        batch = record.batch
        if record.created and not BatchEntry.objects.filter(batch=batch).exists():
            Batch.objects.filter(pk=batch.pk).delete()
            deleted += 1
        elif batch.issued_on == record.issued_on_after and record.issued_on_before is not None:
            batch.issued_on = record.issued_on_before
            batch.save(update_fields=["issued_on"])
    LedgerImportBatch.objects.filter(pk__in=[record.pk for record in records]).delete()
    return deleted
