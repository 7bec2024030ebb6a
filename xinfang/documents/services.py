"""Issuing official documents: the number, the archive, the deliveries and their receipts.

`document_issue` does it all in the caller's transaction, with one audit record: it takes the next
number of the county's sequence for the kind and year (the sequence row is locked until the transaction
ends, so two approvals at once get consecutive numbers and a failed one gives its number back), renders
each distinct copy (the full one and one per set of matters left out for recipients they report) as
page, Word and PDF through the one document builder (`core.documents`), stores the files with their
SHA-256, records a delivery per recipient and queues their SMS notice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.documents import Document, document_docx, document_html, document_pdf
from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery, DocumentCopy, DocumentKind, DocumentSequence, IssuedDocument
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Matter

# render(number, omitted matter numbers) -> the document as the builder takes it
Render = Callable[[int, frozenset[str]], Document]


@dataclass(frozen=True)
class Recipient:
    leader: Leader
    purpose: str  # Delivery.Purpose
    omit: frozenset[str] = frozenset()  # numbers of the listed matters that report this leader (Art. 46)


def recipients_for(
    *, county: County, leaders: Sequence[Leader], purpose: Callable[[Leader], str], numbers: Sequence[str]
) -> list[Recipient]:
    """A recipient per leader, each with the numbers (of `numbers`, the matters a document lists) of the
    matters that report the leader's own account (Art. 46): their copy leaves those out."""
    reporting: dict[int, set[str]] = {}
    pairs = Matter.reported_accounts.through.objects.filter(
        matter__county=county, matter__number__in=list(numbers), user__leader__isnull=False
    ).values_list("user__leader_id", "matter__number")
    for leader_id, number in pairs:
        reporting.setdefault(leader_id, set()).add(number)
    return [
        Recipient(leader=leader, purpose=purpose(leader), omit=frozenset(reporting.get(leader.pk, ())))
        for leader in leaders
    ]


def _next_number(county: County, kind: str, year: int) -> int:
    DocumentSequence.objects.get_or_create(county=county, kind=kind, year=year)
    sequence = DocumentSequence.objects.select_for_update().get(county=county, kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def document_sequence_reserve(*, county: County, kind: str, year: int, number: int) -> None:
    """The county's numbers of `kind` and `year` up to `number` are taken (a numbered series that began on
    paper or in an imported ledger): the next document_issue continues after them."""
    DocumentSequence.objects.get_or_create(county=county, kind=kind, year=year)
    sequence = DocumentSequence.objects.select_for_update().get(county=county, kind=kind, year=year)
    if sequence.last < number:
        sequence.last = number
        sequence.save(update_fields=["last"])


def _copy_key(omitted: frozenset[str]) -> str:
    if not omitted:
        return "full"
    return hashlib.sha256(json.dumps(sorted(omitted)).encode()).hexdigest()


def document_copy_archive(
    document: IssuedDocument, content: Document, omitted: frozenset[str]
) -> DocumentCopy:
    """An issued document's copy without the matters `omitted` (Art. 46), archived as page, Word and PDF with
    their SHA-256: made for the leaders' sets at issue, and by an app that sends its own readers a copy (the
    joint meeting's unit heads), in the issuing transaction."""
    docx, pdf = document_docx(content), document_pdf(content)
    return DocumentCopy.objects.create(
        document=document,
        omitted=sorted(omitted),
        key=_copy_key(omitted),
        html=str(document_html(content)),
        docx=docx,
        pdf=pdf,
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )


def document_issue(
    *,
    county: County,
    kind: DocumentKind,
    title: str,
    period: tuple[dt.date, dt.date],
    snapshot: dict[str, Any],
    render: Render,
    recipients: Sequence[Recipient],
    approved_by: User | None,
    page_url: Callable[[IssuedDocument], str] = lambda document: "",
    now: dt.datetime | None = None,
) -> IssuedDocument:
    """Number, archive and send a document (see the module docstring). `approved_by` None is the worker
    issuing on its own (a scheduled summary); the audit names the system then."""
    now = now or timezone.now()
    with transaction.atomic():
        year = timezone.localtime(now).year
        number = _next_number(county, kind, year)
        document = IssuedDocument.objects.create(
            county=county, kind=kind, year=year, number=number, title=title[:200], period_from=period[0],
            period_to=period[1], snapshot=snapshot, approved_by=approved_by, approved_at=now,
        )  # fmt: skip
        document.page_url = page_url(document)[:200]
        document.save(update_fields=["page_url"])
        copies: dict[frozenset[str], DocumentCopy] = {}
        for omitted in [frozenset(), *sorted({r.omit for r in recipients if r.omit}, key=sorted)]:
            copies[omitted] = document_copy_archive(document, render(number, omitted), omitted)
        Delivery.objects.bulk_create(
            Delivery(document=document, copy=copies[r.omit], leader=r.leader, purpose=r.purpose, sent_at=now)
            for r in recipients
        )
        sms_queue(county=county, drafts=_notices(document, recipients))
        audit_record(
            action="document.issue", actor=approved_by, obj=document, county=county,
            object_repr=document.label,
            changes={
                "number": number, "copies": len(copies), "recipients": len(recipients),
                "docx_sha256": copies[frozenset()].docx_sha256, "pdf_sha256": copies[frozenset()].pdf_sha256,
            },
        )  # fmt: skip
    return document


def _notices(document: IssuedDocument, recipients: Sequence[Recipient]) -> list[SmsDraft]:
    ask = {Delivery.Purpose.SIGN: "请登录信访工作平台阅示", Delivery.Purpose.READ: "请登录信访工作平台查看"}
    return [
        SmsDraft(
            recipient_key=f"leader:{recipient.leader.pk}",
            recipient_name=recipient.leader.name,
            mobile=recipient.leader.mobile,
            template="document_notice",
            params={"content": f"{document.label}已报送，{ask[Delivery.Purpose(recipient.purpose)]}。"},
            dedupe_key=f"document:{document.pk}:leader:{recipient.leader.pk}",
            topic=f"document:{document.pk}",
        )
        for recipient in recipients
        if recipient.leader.mobile
    ]


def delivery_read(*, delivery: Delivery, user: User) -> bool:
    """The recipient opened the document: the read receipt, once (returns whether it was new). Only the
    recipient's own account gives it; the bureau looking at the document does not."""
    if user.leader_id != delivery.leader_id or delivery.read_at is not None:
        return False
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=timezone.now())
        if updated:
            audit_record(
                action="document.read", actor=user, obj=delivery.document, county=delivery.document.county,
                object_repr=delivery.document.label,
            )  # fmt: skip
    delivery.refresh_from_db(fields=["read_at"])
    return bool(updated)


def delivery_sign(*, delivery: Delivery, user: User, note: str = "") -> Delivery:
    """签批: the main leader signs the document off, with an optional comment; once."""
    if delivery.purpose != Delivery.Purpose.SIGN:
        raise ValidationError("该文件报送您阅知，无需签批")
    if user.leader_id != delivery.leader_id:
        raise PermissionDenied("只有收件领导本人可以签批")
    note = note.strip()
    if len(note) > 2000:
        raise ValidationError("签批意见不超过2000字")
    with transaction.atomic():
        now = timezone.now()
        updated = Delivery.objects.filter(pk=delivery.pk, signed_at__isnull=True).update(
            signed_at=now, sign_note=note, signed_by=user, read_at=delivery.read_at or now
        )
        if not updated:
            raise ValidationError("该文件已签批")
        audit_record(
            action="document.sign", actor=user, obj=delivery.document, county=delivery.document.county,
            object_repr=delivery.document.label, changes={"note": note[:200]},
        )  # fmt: skip
    delivery.refresh_from_db()
    return delivery


def document_download(*, copy: DocumentCopy, user: User, file_format: str) -> bytes:
    """The copy's Word or PDF file, the download audited."""
    data = bytes(copy.docx if file_format == "docx" else copy.pdf)
    audit_record(
        action="document.download", actor=user, obj=copy.document, county=copy.document.county,
        object_repr=copy.document.label, changes={"format": file_format, "full": copy.is_full},
    )  # fmt: skip
    return data
