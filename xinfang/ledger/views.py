"""Ledger import pages: upload, the worker's check with its problem preview, confirm, undo."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.ledger.forms import LedgerUploadForm
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.progress import ledger_progress, ledger_progress_stale_minutes
from xinfang.ledger.selectors import ledger_import_get_for_user, ledger_imports_for_user
from xinfang.ledger.undo import ledger_undo as undo_import
from xinfang.ledger.uploads import UNFINISHED, ledger_upload
from xinfang.ledger.uploads import ledger_confirm as confirm_import
from xinfang.ledger.uploads import ledger_discard as discard_import
from xinfang.lib.ledger_file import COLUMNS, REQUIRED_COLUMNS, ledger_template

PENDING = (LedgerImport.State.CHECKING, LedgerImport.State.QUEUED, LedgerImport.State.WRITING)


@role_required(BUREAU_ROLES)
def ledger_list(request: AuthedRequest) -> HttpResponse:
    # Bound on every POST: a request carrying only an (empty) file has empty POST data.
    form = LedgerUploadForm(request.POST, request.FILES) if request.method == "POST" else LedgerUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        assert request.user.county is not None
        record = ledger_upload(
            by=request.user, county=request.user.county, file_name=upload.name, content=upload.read()
        )
        return redirect("ledger:detail", record.pk)
    context = {
        "form": form,
        "imports": ledger_imports_for_user(user=request.user)[:100],
        "columns": COLUMNS,
        "required": REQUIRED_COLUMNS,
        "nav_key": "ledger",
    }
    return render(request, "ledger/list.html", context, status=422 if form.errors else 200)


@role_required(BUREAU_ROLES)
@require_GET
def ledger_template_download(request: AuthedRequest) -> HttpResponse:
    buffer = io.BytesIO()
    ledger_template(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="信访台账模板.xlsx"
    )
    return response


def _detail_context(request: AuthedRequest, record: LedgerImport) -> dict[str, Any]:
    return {
        "nav_key": "ledger",
        "record": record,
        "pending": record.state in PENDING,
        "progress": ledger_progress(record.pk) if record.state in PENDING else None,
        "stale_minutes": ledger_progress_stale_minutes(record.pk) if record.state in PENDING else 0,
        "can_confirm": record.state == LedgerImport.State.CHECKED and not record.error_count,
        "can_discard": record.state in UNFINISHED,
        "can_undo": record.state == LedgerImport.State.IMPORTED and request.user.role == Role.BUREAU_HEAD,
    }


@role_required(BUREAU_ROLES)
@require_GET
def ledger_detail(request: AuthedRequest, ledger_import_id: int) -> HttpResponse:
    record = ledger_import_get_for_user(user=request.user, ledger_import_id=ledger_import_id)
    return render(request, "ledger/detail.html", _detail_context(request, record))


@role_required(BUREAU_ROLES)
@require_GET
def ledger_status(request: AuthedRequest, ledger_import_id: int) -> HttpResponse:
    """Polled by the page while the worker runs; once it is done the whole page reloads."""
    record = ledger_import_get_for_user(user=request.user, ledger_import_id=ledger_import_id)
    response = render(request, "ledger/_status.html", _detail_context(request, record))
    if record.state not in PENDING:
        response["HX-Refresh"] = "true"
    return response


def _act(request: AuthedRequest, ledger_import_id: int, action: Any, done: str) -> HttpResponse:
    record = ledger_import_get_for_user(user=request.user, ledger_import_id=ledger_import_id)
    try:
        action(by=request.user, ledger_import=record)
    except LedgerError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, done)
    return redirect("ledger:detail", record.pk)


@role_required(BUREAU_ROLES)
@require_POST
def ledger_confirm(request: AuthedRequest, ledger_import_id: int) -> HttpResponse:
    return _act(request, ledger_import_id, confirm_import, "已开始导入，完成后本页自动刷新")


@role_required(BUREAU_ROLES)
@require_POST
def ledger_discard(request: AuthedRequest, ledger_import_id: int) -> HttpResponse:
    return _act(request, ledger_import_id, discard_import, "已放弃该文件，未导入任何数据")


@role_required({Role.BUREAU_HEAD})
@require_POST
def ledger_undo(request: AuthedRequest, ledger_import_id: int) -> HttpResponse:
    return _act(request, ledger_import_id, undo_import, "已撤销整个导入")
