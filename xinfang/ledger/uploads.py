"""The upload flow of the /ledger/ page: a file waits (encrypted) to be checked by the worker, is
confirmed or discarded by the bureau, then imported by the worker."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.cipher import field_cipher
from xinfang.core.claims import claim_one
from xinfang.directory.models import County
from xinfang.ledger.checking import LedgerResult
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.models import AUDIT_TYPE, LedgerImport
from xinfang.ledger.progress import ProgressFile
from xinfang.ledger.services import ledger_check, ledger_import, ledger_limits, store_counts
from xinfang.ledger.undo import ledger_rollback
from xinfang.lib.ledger_file import LedgerFileError, ledger_read

UPLOAD_CONTEXT = "ledger.upload"
# A worker that took a step this long ago and has not finished it is gone: the step may be taken again.
CLAIM_TIMEOUT = dt.timedelta(minutes=30)
# An import writes a chunk every second or so, refreshing its claim: one silent this long has stopped.
WRITE_STALE = dt.timedelta(minutes=2)
STOPPED = "导入在写入过程中中断（进程退出或被终止），已撤回已写入的部分，未导入任何数据；请重新导入"
# A step that stopped a worker this many times (killed, out of memory) is failed, not taken again.
MAX_ATTEMPTS = 2
UNFINISHED = frozenset(
    {
        LedgerImport.State.CHECKING,
        LedgerImport.State.CHECKED,
        LedgerImport.State.QUEUED,
        LedgerImport.State.FAILED,
    }
)


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
        action="ledger.upload", actor=by, object_type=AUDIT_TYPE, obj=ledger_import, county=county,
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
    locked.attempts = 0  # the import is a step of its own
    locked.save(update_fields=["state", "imported_by", "claimed_at", "attempts"])
    return locked


@transaction.atomic
def ledger_discard(*, by: User, ledger_import: LedgerImport) -> LedgerImport:
    """Drop an upload that will not be imported (its file with it): any that is not finished, unless a
    worker is at it right now (then it can be dropped once its claim is stale, the worker gone)."""
    locked = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
    if locked.state not in UNFINISHED:
        raise LedgerError("该文件已导入或已放弃，不能放弃")
    if locked.claimed_at is not None and locked.claimed_at > timezone.now() - CLAIM_TIMEOUT:
        minutes = CLAIM_TIMEOUT.seconds // 60
        raise LedgerError(
            f"后台任务正在处理该文件，请稍候；如进度长时间不更新，可在开始处理 {minutes} 分钟后放弃"
        )
    locked.state, locked.content_enc, locked.claimed_at = LedgerImport.State.DISCARDED, "", None
    locked.save(update_fields=["state", "content_enc", "claimed_at"])
    audit_record(action="ledger.discard", actor=by, object_type=AUDIT_TYPE, obj=locked, county=locked.county)
    return locked


def ledger_work_next() -> int:
    """The worker's step: claim one pending check or import (a conditional UPDATE, so two workers never
    take the same one) and run it. Returns how many it handled (0 or 1)."""
    now = timezone.now()
    stopped = claim_one(
        LedgerImport.objects.filter(state=LedgerImport.State.WRITING, claimed_at__lt=now - WRITE_STALE),
        match=("state", "claimed_at"),
        changes=lambda row: {"claimed_at": now},
    )
    if stopped is not None:  # its writer stopped (killed, out of memory, power): all or nothing
        record = LedgerImport.objects.select_related("county").get(pk=stopped)
        ledger_rollback(ledger_import=record, reason=STOPPED)
        return 1
    record_id = claim_one(
        LedgerImport.objects.filter(state__in=[LedgerImport.State.CHECKING, LedgerImport.State.QUEUED])
        .exclude(claimed_at__gt=now - CLAIM_TIMEOUT)
        .order_by("created_at", "pk"),
        match=("state", "claimed_at"),
        changes=lambda row: {"claimed_at": now, "attempts": F("attempts") + 1},
    )
    if record_id is None:
        return 0
    record = LedgerImport.objects.select_related("county", "imported_by").get(pk=record_id)
    if record.attempts > MAX_ATTEMPTS:
        _fail(record, f"后台任务已 {MAX_ATTEMPTS} 次未能处理完该文件（文件可能过大或已损坏），"
                      "已停止自动重试；请检查文件后重新上传")  # fmt: skip
        return 1
    _run(record)
    return 1


def _run(record: LedgerImport) -> None:
    progress = ProgressFile(record.pk)
    try:
        table = ledger_read(_content(record), record.file_name, ledger_limits())
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
    except LedgerError as refused:  # refused before or while writing (then taken back): nothing imported
        _fail(record, str(refused))
    except Exception as problem:
        _fail(record, f"导入失败，未写入任何数据（{type(problem).__name__}）")
        raise
    finally:
        progress.clear()


def _checked(ledger_import: LedgerImport, result: LedgerResult, message: str = "") -> None:
    """The check's outcome, for the preview: counts and the first problems."""
    store_counts(ledger_import, result)
    ledger_import.state, ledger_import.claimed_at = LedgerImport.State.CHECKED, None
    ledger_import.message = message
    ledger_import.save()


def _fail(ledger_import: LedgerImport, message: str) -> None:
    LedgerImport.objects.filter(pk=ledger_import.pk).update(
        state=LedgerImport.State.FAILED, message=message[:500], claimed_at=None, content_enc=""
    )
