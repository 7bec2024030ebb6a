"""Supervision pages: the list, an item with its progress, the report and the bureau's decisions, the
files. Gate → validate → one service → respond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.audit.services import audit_record
from xinfang.core.attachments import attachment_response
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, COUNTY_WIDE_ROLES
from xinfang.petitions.selectors import matters_for_user
from xinfang.supervision.forms import AcceptForm, ItemFilterForm, ProgressForm, ReturnForm
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.selectors import (
    can_report,
    can_review,
    item_attachment_get,
    item_counts,
    item_get_for_user,
    items_filtered,
    progress_of,
)
from xinfang.supervision.services import SupervisionConflict, item_accept, item_return, progress_report

PAGE_SIZE = 50


@role_required(CONTENT_ROLES)
@require_GET
def item_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ItemFilterForm(request.GET or None, county_id=user.county_id)
    items = items_filtered(user=user, filters=form.item_filter())
    page = Paginator(items.select_related("leader").prefetch_related("units"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    for item in page:
        item.overdue_days = (today - item.deadline).days  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": item_counts(user=user),
        "nav_key": "supervision",
    }
    return render(request, "supervision/list.html", context)


def _detail(request: AuthedRequest, item: SupervisionItem, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    reportable = item.state != SupervisionItem.State.DONE and can_report(user=user, item=item)
    reviewable = can_review(user=user, item=item)
    units = item.units.all() if user.role in BUREAU_ROLES else None
    matter_visible = (
        item.matter_id is not None and matters_for_user(user=user).filter(pk=item.matter_id).exists()
    )
    today = timezone.localdate()
    context = {
        "item": item,
        "timeline": _timeline(item),
        "matter_visible": matter_visible,
        # The sources (the weekly issue's page) are the bureau's and the main leaders'; others see the title.
        "source_readable": user.role in COUNTY_WIDE_ROLES,
        "overdue_days": (today - item.deadline).days if item.display_state == "overdue" else 0,
        "progress_form": forms.get("progress_form") or (ProgressForm(units=units) if reportable else None),
        "accept_form": forms.get("accept_form") or (AcceptForm() if reviewable else None),
        "return_form": forms.get("return_form")
        or (ReturnForm() if reviewable and item.awaiting_review else None),
        "nav_key": "supervision",
    }
    return render(request, "supervision/detail.html", context, status=status)


def _timeline(item: SupervisionItem) -> list[tuple[str, Any]]:
    """The reports and the bureau's decisions in the order they happened."""
    entries: list[tuple[dt.datetime, str, Any]] = [
        (report.created_at, "progress", report) for report in progress_of(item)
    ]
    entries += [(review.decided_at, "review", review) for review in item.reviews.select_related("decided_by")]
    return [(kind, entry) for _, kind, entry in sorted(entries, key=lambda row: (row[0], row[1] == "review"))]


@role_required(CONTENT_ROLES)
@require_GET
def item_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    return _detail(request, item_get_for_user(user=request.user, item_id=item_id))


@role_required(CONTENT_ROLES)
@require_POST
def progress(request: AuthedRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = item_get_for_user(user=user, item_id=item_id)
    units = item.units.all() if user.role in BUREAU_ROLES else None
    form = ProgressForm(request.POST, request.FILES, units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            progress_report(
                item=item, user=user, date=data["date"], text=data["text"], files=data["attachments"],
                unit=data.get("unit"),
            )  # fmt: skip
        except SupervisionConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect(item)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "已报送办理情况")
            return redirect(item)
    return _detail(request, item, 422, progress_form=form)


def _decide(
    request: AuthedRequest,
    item: SupervisionItem,
    form: forms.Form,
    form_key: str,
    decide: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """The bureau's decision on an item: the form, then the service; a second click is a message, a
    refusal shows beside the form."""
    if form.is_valid():
        try:
            decide(form.cleaned_data)
        except SupervisionConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect(item)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, done)
            return redirect(item)
    return _detail(request, item, 422, **{form_key: form})


@role_required(BUREAU_ROLES)
@require_POST
def accept(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = item_get_for_user(user=request.user, item_id=item_id)
    return _decide(
        request, item, AcceptForm(request.POST), "accept_form",
        lambda data: item_accept(item=item, user=request.user, note=data["note"]), "已验收办结",
    )  # fmt: skip


@role_required(BUREAU_ROLES)
@require_POST
def send_back(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = item_get_for_user(user=request.user, item_id=item_id)
    return _decide(
        request, item, ReturnForm(request.POST), "return_form",
        lambda data: item_return(item=item, user=request.user, reason=data["reason"]),
        "已退回，并短信通知责任单位",
    )  # fmt: skip


@role_required(CONTENT_ROLES)
@require_GET
def attachment(request: AuthedRequest, item_id: int, attachment_id: int) -> HttpResponse:
    """A file of an item the user may see, with the audit record of who downloaded it."""
    item = item_get_for_user(user=request.user, item_id=item_id)
    found = item_attachment_get(item=item, attachment_id=attachment_id)
    with transaction.atomic():
        audit_record(
            action="supervision.file", actor=request.user, obj=item,
            changes={"file": found.name, "sha256": found.sha256},
        )  # fmt: skip
    return attachment_response(found)
