"""Undoing an import as a whole: each changed matter put back as it was, each created one removed, while
nothing recorded on them since blocks it."""

from __future__ import annotations

from django.core import serializers
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, audit_record_many
from xinfang.core.roles import Role
from xinfang.ledger.importer import CHUNK, MATTER_TYPE, LedgerError
from xinfang.ledger.models import AUDIT_TYPE, LedgerImport, LedgerImportItem
from xinfang.petitions.models import (
    Event,
    Matter,
    Ownership,
    Petitioner,
    Transition,
)
from xinfang.petitions.search import matter_text_save

# Actions recorded on a matter that change nothing: they do not block undoing an import.
READ_ONLY_ACTIONS = frozenset({"pii.reveal"})


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
    for start in range(0, len(created_ids), CHUNK):
        Matter.objects.filter(pk__in=created_ids[start : start + CHUNK]).delete()
    for item in items:
        if not item.created:
            _restore(item)
    locked.items.all().delete()
    locked.state, locked.undone_at, locked.undone_by = LedgerImport.State.UNDONE, timezone.now(), by
    locked.save(update_fields=["state", "undone_at", "undone_by"])
    restored = len(items) - len(created_ids)
    audit_record(
        action="ledger.undo", actor=by, object_type=AUDIT_TYPE, obj=locked, county=locked.county,
        changes={"file": locked.file_name, "deleted": len(created_ids), "restored": restored},
    )  # fmt: skip
    return locked


def _restore(item: LedgerImportItem) -> None:

    matter_id = item.matter_id
    for model in (Event, Petitioner, Transition, Ownership):
        model.objects.filter(matter_id=matter_id).delete()
    for stored in serializers.deserialize("json", item.before):
        stored.save()
    matter_text_save(Matter.objects.get(pk=matter_id))
