"""Ledger (台账) import: bureaus' Excel ledgers, one row per event, brought in as matters and events.

SPEC §4 gives the column table. The import checks every cell first (several problems per row may be
reported, each with its row, column and reason); any error and nothing is written. A real import is
checked and prepared with reads only, then written in short transactions (`Importer.write`), all or
nothing: a failure or a stopped writer takes back what was written (`ledger_rollback`). It writes
matters, events, petitioners, history, one audit record per matter it created or changed and one for the
import, and what each changed matter was before, so the bureau head can undo the import as a whole while
nothing it touched has been changed since.

Rows are grouped into matters by 登记编号 (the same number and date again is the same event, updated);
a row without a number is a matter of its own, known again on a re-import by a keyed digest of the row,
so importing the same file twice creates nothing and changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record
from xinfang.directory.models import County
from xinfang.ledger.checking import CheckedRow, LedgerResult, RowChecker
from xinfang.ledger.importer import Importer, LedgerError, MatterPlan, Progress, group_rows
from xinfang.ledger.models import AUDIT_TYPE, LedgerImport
from xinfang.ledger.undo import ledger_rollback
from xinfang.lib.ledger_file import LedgerTable, ReadLimits
from xinfang.lib.ledger_problems import LedgerProblem


def ledger_limits() -> ReadLimits:
    """What a ledger file may hold, from the settings (docs/ledger-import.md, "Limits")."""
    return ReadLimits.from_settings(settings)


def ledger_check(*, county: County, table: LedgerTable, progress: Progress | None = None) -> LedgerResult:
    """Check a ledger without writing: every problem cell, and how many matters it would create or
    change."""
    result, _ = _prepare(county, table, dry_run=True, progress=progress)
    return result


def _prepare(
    county: County, table: LedgerTable, *, dry_run: bool, progress: Progress | None
) -> tuple[LedgerResult, tuple[Importer, list[MatterPlan]] | None]:
    result = LedgerResult(dry_run=dry_run, rows=len(table.rows))
    for column in table.missing_columns:
        result.add_error(LedgerProblem(1, 0, column, f"缺少必需的列：{column}"))
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
    importer = Importer(county, progress)
    plans = group_rows(rows)
    importer.file_numbers = {row.number for row in rows if row.number}
    importer.plan_batches(plans)
    importer.attach_existing(plans)
    for plan in plans:
        importer.decide(plan)
    result.created = sum(1 for plan in plans if plan.created)
    result.updated = sum(1 for plan in plans if plan.changed and not plan.created)
    result.batches = len(importer.batch_dates)
    result.batch_matters = sum(1 for plan in plans if plan.batches)
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
    # Checked and prepared with reads only, outside any transaction: other writers go on meanwhile.
    result, prepared = _prepare(county, table, dry_run=False, progress=progress)
    if prepared is None:
        return result
    importer, plans = prepared
    importer.by = by
    record = _begin(county, record, importer, file_name=file_name, sha256=sha256, size=size)
    actor_name = "" if by else "system"
    try:
        importer.write(plans, record, message=f"台账导入 {file_name}")
        with transaction.atomic():
            audited = audit_record(
                action="ledger.import",
                actor=by,
                obj=record,
                object_type=AUDIT_TYPE,
                county=county,
                changes={
                    "file": file_name,
                    "sha256": sha256,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "batches": result.batches,
                    "warnings": result.warning_count,
                },
                message=f"导入台账 {file_name}",
                actor_name=actor_name,
            )
            result.imported = result.rows
            _finish(record, result, by=by, audit_id=audited.pk)
    except LedgerError as refused:
        ledger_rollback(ledger_import=record, reason=str(refused))
        raise
    except BaseException as error:  # a database error, an interrupt: nothing of it may stay
        ledger_rollback(
            ledger_import=record, reason=f"导入失败，已撤回已写入的部分（{type(error).__name__}）"
        )
        raise
    result.ledger_import_id = record.pk
    return result


@transaction.atomic
def _begin(
    county: County, record: LedgerImport | None, importer: Importer, *, file_name: str, sha256: str, size: int
) -> LedgerImport:
    """Mark the import as writing: one at a time per county, an upload only while still queued, and not
    after another import of the county finished or was undone since this one read the registry."""
    County.objects.select_for_update().get(pk=county.pk)
    if AuditRecord.objects.filter(
        county=county, action__in=("ledger.import", "ledger.undo"), pk__gt=importer.audit_floor
    ).exists():
        raise LedgerError("检查期间本县另有台账导入或撤销，登记簿已变化，请重新导入")
    writing = LedgerImport.objects.filter(county=county, state=LedgerImport.State.WRITING)
    if record is not None:
        writing = writing.exclude(pk=record.pk)
    if writing.exists():
        raise LedgerError("本县另一份台账正在写入，请稍后再导入")
    if (
        record is not None
        and not LedgerImport.objects.select_for_update()
        .filter(pk=record.pk, state=LedgerImport.State.QUEUED)
        .exists()
    ):
        raise LedgerError("该文件已被放弃，未导入")
    record = record or LedgerImport(
        county=county, file_name=file_name[:200], sha256=sha256, size=size, created_at=importer.now,
        created_by=importer.by,
    )  # fmt: skip
    record.state, record.claimed_at = LedgerImport.State.WRITING, timezone.now()
    record.audit_floor = importer.audit_floor
    record.save()
    return record


def _finish(ledger_import: LedgerImport, result: LedgerResult, *, by: User | None, audit_id: int) -> None:
    ledger_import.state = LedgerImport.State.IMPORTED
    ledger_import.imported_at, ledger_import.imported_by = timezone.now(), by
    ledger_import.audit_id = audit_id
    ledger_import.content_enc = ""
    ledger_import.claimed_at = None
    store_counts(ledger_import, result)
    ledger_import.save()


def store_counts(ledger_import: LedgerImport, result: LedgerResult) -> None:
    ledger_import.rows, ledger_import.created, ledger_import.updated = (
        result.rows,
        result.created,
        result.updated,
    )
    ledger_import.batches, ledger_import.batch_matters = result.batches, result.batch_matters
    ledger_import.error_count, ledger_import.warning_count = result.error_count, result.warning_count
    ledger_import.errors = [problem.stored() for problem in result.errors]
    ledger_import.warnings = [problem.stored() for problem in result.warnings]
