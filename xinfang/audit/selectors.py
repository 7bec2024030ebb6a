from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from xinfang.audit.models import AuditRecord
from xinfang.audit.services import GENESIS_HASH, PURGE_ACTION, record_hash


@dataclass(frozen=True)
class AuditFilter:
    q: str = ""
    action: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_records_search(*, county_id: int | None, filters: AuditFilter) -> QuerySet[AuditRecord]:
    """Audit records of one county (and the county-less system records), newest first."""
    records = AuditRecord.objects.all()
    if county_id is not None:
        records = records.filter(Q(county_id=county_id) | Q(county__isnull=True))
    if filters.q:
        matches = (
            Q(actor_name__icontains=filters.q)
            | Q(object_repr__icontains=filters.q)
            | Q(message__icontains=filters.q)
            | Q(object_id=filters.q)
            | Q(request_id=filters.q)
        )
        if _looks_like_ip(filters.q):
            matches |= Q(source_ip=filters.q)
        records = records.filter(matches)
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.outcome:
        records = records.filter(outcome=filters.outcome)
    if filters.date_from:
        records = records.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        records = records.filter(at__date__lte=filters.date_to)
    return records.order_by("-id")


def _looks_like_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def audit_actions() -> list[str]:
    return list(AuditRecord.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_chain_breaks() -> Iterator[AuditRecord]:
    """Yield each record whose hash or link to its predecessor does not verify, oldest first. The
    oldest record links to the start of the chain, or to the last record a retention purge removed
    (whose hash the purge recorded)."""
    anchors = {GENESIS_HASH} | {
        str(changes.get("hash", ""))
        for changes in AuditRecord.objects.filter(action=PURGE_ACTION).values_list("changes", flat=True)
    }
    previous = None
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        linked = record.prev_hash in anchors if previous is None else record.prev_hash == previous
        if not linked or record_hash(record.chain_payload()) != record.hash:
            yield record
        previous = record.hash
