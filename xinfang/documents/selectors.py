"""Who may read which issued document, and which copy: the bureau and the main leaders the full one of
any of their county's documents; another county leader only a document delivered to them, in the copy
delivered (which leaves out the matters reporting them). Anyone else: a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.roles import COUNTY_WIDE_ROLES
from xinfang.documents.models import Delivery, DocumentCopy, IssuedDocument


@dataclass(frozen=True)
class Reading:
    document: IssuedDocument
    copy: DocumentCopy
    delivery: Delivery | None  # the user's own delivery of it, if any


def documents_for_user(*, user: User, kind: str = "") -> QuerySet[IssuedDocument]:
    if user.county_id is not None and user.role in COUNTY_WIDE_ROLES:
        documents = IssuedDocument.objects.filter(county_id=user.county_id)
    elif user.leader_id is not None:
        documents = IssuedDocument.objects.filter(deliveries__leader_id=user.leader_id)
    else:
        return IssuedDocument.objects.none()
    return documents.filter(kind=kind) if kind else documents


def document_get_for_user(*, user: User, document_id: int) -> Reading:
    document = documents_for_user(user=user).select_related("approved_by").filter(pk=document_id).first()
    if document is None:
        raise Http404
    delivery = None
    if user.leader_id is not None:
        delivery = Delivery.objects.filter(document=document, leader_id=user.leader_id).first()
    copy = delivery.copy if delivery else DocumentCopy.objects.get(document=document, key="full")
    return Reading(document, copy, delivery)


def inbox_for_user(*, user: User) -> QuerySet[Delivery]:
    """The documents sent to the user's leader, newest first."""
    if user.leader_id is None:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(leader_id=user.leader_id)
        .select_related("document")
        .order_by("-sent_at", "-id")
    )


def inbox_unread(*, user: User) -> int:
    return inbox_for_user(user=user).filter(read_at__isnull=True).count()


def deliveries_of(document: IssuedDocument) -> QuerySet[Delivery]:
    return document.deliveries.select_related("leader", "copy").order_by("purpose", "leader__protocol_order")
