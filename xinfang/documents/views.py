"""The documents pages: a leader's inbox of documents sent to them, one document (the copy the reader
may see) with its read receipt and sign-off, and the Word and PDF files (each download audited)."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES, LEADER_ROLES
from xinfang.documents.models import DocumentKind
from xinfang.documents.selectors import (
    deliveries_of,
    document_get_for_user,
    documents_for_user,
    inbox_for_user,
)
from xinfang.documents.services import delivery_read, delivery_sign, document_download

READERS = BUREAU_ROLES | LEADER_ROLES
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class SignForm(forms.Form):
    note = forms.CharField(
        label="签批意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@role_required(READERS)
def inbox(request: AuthedRequest) -> HttpResponse:
    """A leader's documents; the bureau sees the county's issued documents."""
    kind = request.GET.get("kind", "")
    if kind not in DocumentKind.values:
        kind = ""
    context = {
        "deliveries": list(inbox_for_user(user=request.user)[:200]),
        "documents": list(documents_for_user(user=request.user, kind=kind)[:200])
        if request.user.role in BUREAU_ROLES
        else [],
        "kinds": DocumentKind.choices,
        "kind": kind,
        "nav_key": "documents",
    }
    return render(request, "documents/inbox.html", context)


@role_required(READERS)
def document_page(request: AuthedRequest, document_id: int) -> HttpResponse:
    reading = document_get_for_user(user=request.user, document_id=document_id)
    if reading.delivery is not None:
        delivery_read(delivery=reading.delivery, user=request.user)
    context = {
        "reading": reading,
        "document": reading.document,
        "deliveries": deliveries_of(reading.document) if request.user.role in BUREAU_ROLES else [],
        "sign_form": SignForm(),
        "nav_key": "documents",
    }
    return render(request, "documents/document.html", context)


@role_required(READERS)
@require_POST
def document_sign(request: AuthedRequest, document_id: int) -> HttpResponse:
    reading = document_get_for_user(user=request.user, document_id=document_id)
    if reading.delivery is None:
        raise PermissionDenied
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "签批意见不超过2000字")
        return redirect("documents:document", document_id)
    try:
        delivery_sign(delivery=reading.delivery, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已签批。")
    return redirect("documents:document", document_id)


@role_required(READERS)
def document_file(request: AuthedRequest, document_id: int, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404
    reading = document_get_for_user(user=request.user, document_id=document_id)
    data = document_download(copy=reading.copy, user=request.user, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    name = f"{reading.document.label}.{file_format}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
