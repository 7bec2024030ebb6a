"""Onboarding a county: its directory workbook imported all or nothing, with its unit accounts."""

from __future__ import annotations

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.directory.models import County
from xinfang.onboarding.importer import DirectoryImporter, Rollback
from xinfang.onboarding.results import DirectoryImportResult
from xinfang.onboarding.workbook import Sheet


def directory_import(
    *,
    sheets: dict[str, Sheet],
    dry_run: bool,
    by: User | None = None,
    source: str = "",
    sha256: str = "",
    share_password_hashes: bool = False,
) -> DirectoryImportResult:
    """Import a county directory, all or nothing.

    Every problem is reported with its sheet, row and column; a dry run, or any problem, writes
    nothing. A real import is one transaction with one audit record (source file, hash, counts).
    """
    result = DirectoryImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            DirectoryImporter(sheets, result, share_password_hashes).run()
            if dry_run or result.problems:
                raise Rollback
            audit_record(
                action="directory.import",
                actor=by,
                object_type="directory.county",
                object_id=result.county_code,
                object_repr=source or "名录导入",
                county=County.objects.get(code=result.county_code),
                changes={
                    "created": result.created,
                    "updated": result.updated,
                    **({"sha256": sha256} if sha256 else {}),
                },
                message=f"导入名录 {source}".strip(),
                actor_name="" if by else "system",
            )
    except Rollback:
        pass
    if result.problems or dry_run:
        result.generated_passwords.clear()
    return result
