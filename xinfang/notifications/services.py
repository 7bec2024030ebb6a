"""Queueing and sending SMS through the outbox.

`sms_queue` is called inside the business change's transaction: a rolled-back change queues nothing.
The worker's `sms_dispatch_due` claims one message at a time with a conditional UPDATE, calls the
gateway outside any transaction (a slow platform never holds a database lock), then records the
outcome with its audit record in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xinfang.audit.services import audit_record
from xinfang.core.cipher import field_cipher
from xinfang.core.claims import claim_one, retry_delay
from xinfang.directory.models import County
from xinfang.lib.masking import mask_phone
from xinfang.lib.sms_text import sms_parts
from xinfang.lib.text import clean_text
from xinfang.notifications.gateways import (
    Delivery,
    Gateway,
    Outgoing,
    PermanentSmsError,
    SmsError,
    TransientSmsError,
    UncertainSmsError,
    sms_gateway,
)
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.sms_templates import SMS_TEMPLATES

logger = logging.getLogger("xinfang.sms")
MOBILE_CONTEXT = "sms.mobile"
Status = SmsMessage.Status


@dataclass(frozen=True)
class SmsDraft:
    recipient_key: str
    recipient_name: str
    mobile: str
    template: str
    params: dict[str, str]
    dedupe_key: str
    topic: str


def sms_params(params: dict[str, str]) -> dict[str, str]:
    """Parameters as a phone may show them, whatever was stored: no control or bidirectional formatting
    character reaches a gateway (which sends the parameters) or the body; lines stay lines."""
    return {
        name: "\n".join(clean_text(line, multiline=False) for line in str(value).split("\n"))
        for name, value in params.items()
    }


def sms_render(template: str, params: dict[str, str]) -> str:
    """The text as the phone shows it: the signature, then the template filled in."""
    return settings.XINFANG_SMS_SIGNATURE + SMS_TEMPLATES[template].render(params)


def sms_queue(*, county: County, drafts: Sequence[SmsDraft]) -> int:
    """Write the messages to the outbox in the caller's transaction; a message whose dedupe key is
    already there is not queued again. Returns how many were new."""
    if not drafts:
        return 0
    known = set(
        SmsMessage.objects.filter(dedupe_key__in=[draft.dedupe_key for draft in drafts]).values_list(
            "dedupe_key", flat=True
        )
    )
    cipher, now = field_cipher(), timezone.now()
    rows = []
    for draft in drafts:
        if draft.dedupe_key in known:
            continue
        known.add(draft.dedupe_key)
        params = sms_params(draft.params)
        body = sms_render(draft.template, params)
        rows.append(
            SmsMessage(
                county=county,
                recipient_key=draft.recipient_key,
                recipient_name=draft.recipient_name,
                mobile_enc=cipher.encrypt(draft.mobile, context=MOBILE_CONTEXT),
                mobile_index=cipher.blind_index(draft.mobile, domain="sms"),
                mobile_masked=mask_phone(draft.mobile),
                template=draft.template,
                params=params,
                body=body,
                parts=sms_parts(body),
                dedupe_key=draft.dedupe_key,
                topic=draft.topic,
                created_at=now,
                next_attempt_at=now,
            )
        )
    # Two transactions queueing the same key at once: the unique key keeps one, the other is dropped.
    SmsMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _outgoing(message: SmsMessage) -> Outgoing:
    template = SMS_TEMPLATES[message.template]
    return Outgoing(
        out_id=message.out_id,
        mobile=field_cipher().decrypt(message.mobile_enc, context=MOBILE_CONTEXT),
        recipient_name=message.recipient_name,
        template=message.template,
        template_id=settings.XINFANG_SMS_TEMPLATE_IDS.get(message.template, ""),
        params=sms_params(message.params),
        param_order=template.params,
        body=message.body,
        signature=settings.XINFANG_SMS_SIGNATURE,
        created_at=message.created_at,
        provider_id=message.provider_id,
    )


def _claim(now: dt.datetime) -> SmsMessage | None:
    stale = now - dt.timedelta(minutes=settings.XINFANG_JOB_STALE_MINUTES)
    due = Q(next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)

    def changes(row: dict[str, Any]) -> dict[str, Any]:
        sending = row["status"] == Status.PENDING
        return {
            "status": Status.SENDING if sending else row["status"],
            # A sending message is either waiting for a check after a timeout, or was found stale
            # because its worker died mid-request: either way it may have gone out.
            "uncertain": True if row["status"] == Status.SENDING else F("uncertain"),
            "attempts": F("attempts") + 1 if sending else F("attempts"),
            "next_attempt_at": None,
            "claimed_at": now,
        }

    message_id = claim_one(
        SmsMessage.objects.filter(due).order_by("next_attempt_at", "id"),
        match=("status", "next_attempt_at", "claimed_at"),
        changes=changes,
    )
    return None if message_id is None else SmsMessage.objects.get(id=message_id)


def sms_dispatch_due(limit: int = 200) -> int:
    """One worker round over the outbox: sends, retries, checks after timeouts, delivery receipts."""
    gateway, handled = sms_gateway(), 0
    while handled < limit and (message := _claim(timezone.now())) is not None:
        try:
            _process(message, gateway)
        except Exception:
            # Recorded as a transient failure; never lose the message to a bug in a gateway.
            logger.exception("sms %s: unexpected error", message.pk)
            _retry_or_fail(message, "内部错误，稍后重试", timezone.now())
        handled += 1
    return handled


def _process(message: SmsMessage, gateway: Gateway) -> None:
    now = timezone.now()
    if message.status == Status.SENT:
        _poll_delivery(message, gateway, now)
    elif message.uncertain:
        _check_uncertain(message, gateway, now)
    else:
        _send(message, gateway, now)


def _sent_today(message: SmsMessage, now: dt.datetime) -> int:
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        SmsMessage.objects.filter(mobile_index=message.mobile_index, sent_at__gte=midnight)
        .exclude(pk=message.pk)
        .count()
    )


def _send(message: SmsMessage, gateway: Gateway, now: dt.datetime) -> None:
    if _sent_today(message, now) >= settings.XINFANG_SMS_DAILY_CAP:
        _fail(message, f"已达每日发送上限（每个号码每天 {settings.XINFANG_SMS_DAILY_CAP} 条）")
        return
    try:
        provider_id = gateway.send(_outgoing(message))
    except UncertainSmsError as error:
        _save(message, uncertain=True, checks=0, last_error=str(error),
              next_attempt_at=now + _check_delay(0))  # fmt: skip
        return
    except TransientSmsError as error:
        _retry_or_fail(message, str(error), now)
        return
    except PermanentSmsError as error:
        _fail(message, str(error))
        return
    _mark_sent(message, gateway, now, provider_id=provider_id)


def _check_delay(checks: int) -> dt.timedelta:
    return dt.timedelta(minutes=2 * (checks + 1))


def _check_uncertain(message: SmsMessage, gateway: Gateway, now: dt.datetime) -> None:
    """After a timeout: ask the provider before sending again, so a message is never sent twice."""
    if not gateway.can_query:
        _retry_or_fail(message, "发送结果不明，平台不支持查询，重新发送", now)
        return
    try:
        delivery = gateway.query(_outgoing(message))
    except SmsError as error:
        _save(message, last_error=f"查询失败：{error}", next_attempt_at=now + _check_delay(message.checks))
        return
    if delivery in (Delivery.ACCEPTED, Delivery.DELIVERED):
        _mark_sent(
            message, gateway, now, provider_id=message.provider_id, delivered=delivery == Delivery.DELIVERED
        )
    elif delivery == Delivery.FAILED:
        _fail(message, "平台回执：发送失败")
    elif message.checks + 1 < settings.XINFANG_SMS_UNCERTAIN_CHECKS:
        _save(message, checks=message.checks + 1, next_attempt_at=now + _check_delay(message.checks + 1))
    else:
        # Asked enough times over several minutes and the provider never had it: it was not accepted.
        _retry_or_fail(message, "平台查无此短信，重新发送", now)


def _poll_delivery(message: SmsMessage, gateway: Gateway, now: dt.datetime) -> None:
    try:
        delivery = gateway.query(_outgoing(message))
    except SmsError:
        delivery = Delivery.ACCEPTED
    if delivery == Delivery.DELIVERED:
        _save(message, status=Status.DELIVERED, delivered_at=now)
    elif delivery == Delivery.FAILED:
        _fail(message, "运营商回执：未送达")
    else:
        give_up = message.sent_at is None or now - message.sent_at > dt.timedelta(hours=24)
        _save(message, next_attempt_at=None if give_up else now + _poll_delay())


def _poll_delay() -> dt.timedelta:
    return dt.timedelta(minutes=settings.XINFANG_SMS_RECEIPT_POLL_MINUTES)


def _save(message: SmsMessage, **fields: object) -> None:
    """Write the outcome fields (and only them) of a claimed message, releasing the claim."""
    for name, value in fields.items():
        setattr(message, name, value)
    message.claimed_at = None
    message.save(update_fields=[*fields, "claimed_at"])


@transaction.atomic
def _mark_sent(
    message: SmsMessage, gateway: Gateway, now: dt.datetime, *, provider_id: str, delivered: bool = False
) -> None:
    _save(
        message,
        status=Status.DELIVERED if delivered else Status.SENT,
        sent_at=now,
        delivered_at=now if delivered else None,
        provider_id=provider_id[:100],
        uncertain=False,
        last_error="",
        next_attempt_at=now + _poll_delay() if gateway.can_query and not delivered else None,
    )
    audit_record(
        action="sms.send",
        obj=message,
        county=message.county,
        changes={"template": message.template, "parts": message.parts, "attempts": message.attempts},
    )


def _retry_or_fail(message: SmsMessage, error: str, now: dt.datetime) -> None:
    if message.attempts >= settings.XINFANG_SMS_MAX_ATTEMPTS:
        _fail(message, f"{error}（已尝试 {message.attempts} 次）")
        return
    _save(message, status=Status.PENDING, uncertain=False, last_error=error[:500],
          next_attempt_at=now + retry_delay(message.attempts))  # fmt: skip


@transaction.atomic
def _fail(message: SmsMessage, error: str) -> None:
    _save(message, status=Status.FAILED, uncertain=False, last_error=error[:500], next_attempt_at=None)
    audit_record(
        action="sms.fail", obj=message, county=message.county, outcome="failure",
        changes={"template": message.template, "error": error[:200]},
    )  # fmt: skip
