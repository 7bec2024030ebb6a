"""Reads of ledger imports, and their permission gate."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES
from xinfang.ledger.models import LedgerImport


def ledger_imports_for_user(*, user: User) -> QuerySet[LedgerImport]:
    """The ledger imports of the user's county; only the bureau works with them."""
    if user.role not in BUREAU_ROLES or user.county_id is None:
        return LedgerImport.objects.none()
    return LedgerImport.objects.filter(county_id=user.county_id).select_related(
        "created_by", "imported_by", "undone_by"
    )


def ledger_import_get_for_user(*, user: User, ledger_import_id: int) -> LedgerImport:
    ledger_import = ledger_imports_for_user(user=user).filter(pk=ledger_import_id).first()
    if ledger_import is None:
        raise Http404("台账导入记录不存在")
    return ledger_import
