"""The one way to write an audit record. Call it inside the transaction of the action it records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from xinfang.audit.labels import unlabelled
from xinfang.audit.models import CHAINED_FIELDS, AuditChainHead, AuditRecord, chain_payload
from xinfang.core.bulk import bulk_insert
from xinfang.core.middleware import current_request_context
from xinfang.lib.masking import mask_id_number, mask_phone, scrub_text

logger = logging.getLogger(__name__)
GENESIS_HASH = "0" * 64
# Field names whose values are personal data: summaries keep only a masked form.
_ID_FIELDS = frozenset({"id_number", "身份证号"})
_PHONE_FIELDS = frozenset({"phone", "mobile", "联系电话", "手机", "电话"})
_HIDDEN_FIELDS = frozenset({"password", "address", "住址", "初始密码"})
# Technical values (digests) that may contain digit runs looking like phones: kept verbatim.
_VERBATIM_FIELDS = frozenset({"sha256", "hash"})


def _safe_value(field: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if field in _HIDDEN_FIELDS:
        return "******" if value else ""
    if field in _VERBATIM_FIELDS:
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return [_safe_value(field, item) for item in value]
    text = str(value)
    if field in _ID_FIELDS:
        return mask_id_number(text)
    if field in _PHONE_FIELDS:
        return mask_phone(text)
    return scrub_text(text)


def audit_summarize(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return a JSON-safe copy of a change summary with personal data masked: rows and querysets
    become their text, dates their ISO text, so callers pass values as they have them."""
    safe: dict[str, Any] = {}
    for field, value in changes.items():
        if isinstance(value, Mapping):
            safe[field] = audit_summarize(value)
        else:
            safe[field] = _safe_value(field, value)
    return safe


def record_hash(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    county: Any = None,
    outcome: str = AuditRecord.Outcome.SUCCESS,
    changes: Mapping[str, Any] | None = None,
    message: str = "",
    actor_name: str = "",
) -> AuditRecord:
    """Append one audit record, linked into the hash chain.

    `actor` is a user or None (system, or an anonymous request); `obj` fills the object fields and,
    when it has a county, the county. Source IP and request id come from the current request.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if county is None:
            county = getattr(obj, "county", None)
    actor = _authenticated(actor)
    if county is None and actor is not None:
        county = getattr(actor, "county", None)
    _labels_check(action, object_type, changes or {})
    record = _unchained(
        action=action, actor=actor, actor_name=actor_name, county=county, object_type=object_type,
        object_id=str(object_id), object_repr=object_repr, outcome=outcome, changes=changes,
        message=message,
    )  # fmt: skip
    head = _chain_head()
    record.prev_hash = head.last_hash
    record.hash = head.last_hash = record_hash(record.chain_payload())
    record.save(force_insert=True)
    head.save(update_fields=["last_hash"])
    return record


@transaction.atomic
def audit_record_many(
    *,
    action: str,
    actor: Any,
    county: Any,
    object_type: str,
    objects: Sequence[tuple[object, str, Mapping[str, Any]]],
    actor_name: str = "",
    message: str = "",
) -> None:
    """Append one record per (object id, object text, changes), all of `object_type` and the same
    action, in one chained bulk insert: an import audits each of its thousands of matters without a
    round trip (or a model instance) per record."""
    if not objects:
        return
    _labels_check(action, object_type, {key: None for _, _, changes in objects for key in changes})
    actor = _authenticated(actor)
    shared = _unchained(
        action=action, actor=actor, actor_name=actor_name, county=county, object_type="", object_id="",
        object_repr="", outcome=AuditRecord.Outcome.SUCCESS, changes=None, message=message,
    )  # fmt: skip
    base = {name: getattr(shared, name) for name in ("at", *CHAINED_FIELDS)}
    rows = [
        {**base, "object_type": object_type, "object_id": str(object_id),
         "object_repr": scrub_text(object_repr)[:200], "changes": audit_summarize(changes)}
        for object_id, object_repr, changes in objects
    ]  # fmt: skip
    head = _chain_head()
    for row in rows:
        row["prev_hash"] = head.last_hash
        row["hash"] = head.last_hash = record_hash(chain_payload(row))
    bulk_insert(AuditRecord, rows)
    head.save(update_fields=["last_hash"])


def _labels_check(action: str, object_type: str, changes: Mapping[str, Any]) -> None:
    """Every action and summary key has a Chinese name on the auditor's page (audit/labels.py). A missing
    one is logged, never a reason to lose the record; XINFANG_AUDIT_STRICT_LABELS (the tests) refuses it."""
    missing = unlabelled(action, object_type, changes)
    if not missing:
        return
    if settings.XINFANG_AUDIT_STRICT_LABELS:
        raise ImproperlyConfigured(f"audit/labels.py has no Chinese name for {', '.join(missing)}")
    logger.warning("audit record without a Chinese name for %s", ", ".join(missing))


def _authenticated(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _unchained(
    *,
    action: str,
    actor: Any,
    actor_name: str,
    county: Any,
    object_type: str,
    object_id: str,
    object_repr: str,
    outcome: str,
    changes: Mapping[str, Any] | None,
    message: str,
) -> AuditRecord:
    context = current_request_context()
    return AuditRecord(
        at=timezone.now().astimezone(UTC),
        county_id=county.pk if county is not None else None,
        actor_id=actor.pk if actor is not None else None,
        # A mistyped login name may be someone's ID number or phone.
        actor_name=scrub_text(actor_name or (actor.get_username() if actor is not None else ""))[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=scrub_text(object_repr)[:200],
        outcome=outcome,
        source_ip=context.source_ip if context else None,
        request_id=context.request_id if context else "",
        changes=audit_summarize(changes or {}),
        message=scrub_text(message)[:500],
    )


def _chain_head() -> AuditChainHead:
    """The chain head, locked until the caller's transaction ends: appends never fork the chain."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )
    return head


def model_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """{field: [before, after]} for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


PURGE_ACTION = "audit.purge"


def audit_purge(*, now: dt.datetime | None = None) -> int:
    """The retention purge: delete the oldest records, those before the retention period
    (XINFANG_AUDIT_RETENTION_DAYS, never under 180 days), as a prefix of the chain, and record the purge
    with the hash of the last deleted record: the anchor `audit_chain_breaks` verifies from. Returns how
    many were deleted."""
    from xinfang.audit.guard import MIN_RETENTION_DAYS

    days = max(settings.XINFANG_AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        _chain_head()  # one purge or append at a time
        records = AuditRecord.objects.order_by("pk").values_list("pk", flat=True)
        # The prefix of the chain before the first record young enough to keep (all: none is).
        limit = records.filter(at__gte=cutoff).first() or (records.last() or 0) + 1
        anchor = (
            AuditRecord.objects.filter(pk__lt=limit).order_by("-pk").values_list("hash", flat=True).first()
        )
        if anchor is None:
            return 0
        deleted = AuditRecord.objects.purge_before(limit)
        audit_record(
            action=PURGE_ACTION,
            changes={"deleted": deleted, "cutoff": cutoff.isoformat(), "days": days, "hash": anchor},
            message=f"按保存期限（{days}天）删除 {deleted} 条审计记录",
            actor_name="system",
        )
    return deleted


def audit_purge_due() -> int:
    """The worker's step: purge when some record has outlived the retention period (an index lookup
    on `at` otherwise). Returns how many were deleted."""
    from xinfang.audit.guard import MIN_RETENTION_DAYS

    days = max(settings.XINFANG_AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)
    if not AuditRecord.objects.filter(at__lt=timezone.now() - dt.timedelta(days=days)).exists():
        return 0
    return audit_purge()
