"""Case ownership (包案): a county leader owns a matter."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.matter_hooks import matters_changed
from xinfang.directory.models import Leader
from xinfang.petitions.models import (
    Matter,
    Ownership,
)
from xinfang.petitions.rows import (
    ownership_rows,
)
from xinfang.petitions.services.common import RegistryError, ensure_visible, local_today
from xinfang.petitions.services.rules import owner_refusal, refuse


@transaction.atomic
def ownership_assign(
    *, by: User, matter: Matter, leader: Leader, since: dt.date | None = None, note: str = ""
) -> Ownership:
    """A county leader takes ownership (包案) of a matter from `since` (today unless a batch or a ledger
    says); the previous owner, if any, is released (改派). `note` says why, in the audit record."""
    refuse(owner_refusal(by))
    ensure_visible(by, matter)
    if leader.county_id != matter.county_id or not leader.is_active:
        raise RegistryError("包案领导不在本县或已离任", "leader")
    if matter.reported_accounts.filter(leader=leader).exists():
        raise RegistryError("被反映的领导不能包案该事项（《信访工作条例》第四十六条）", "leader")
    since = since or local_today()
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    current = Ownership.objects.select_for_update().filter(matter=matter, is_current=True).first()
    ended, started = ownership_rows(
        current=current,
        matter_id=matter.pk,
        leader_id=leader.pk,
        since=since,
        ended_on=since,
        by_id=by.pk,
    )
    if started is None:
        raise RegistryError(f"{leader.name}已是该事项的包案领导")
    if ended is not None:
        ended.end_reason = Ownership.EndReason.REPLACED
        ended.save(update_fields=["is_current", "ended_on", "end_reason"])
    ownership = Ownership.objects.create(**started)
    changes: dict[str, object] = {"leader": [current.leader.name if current else None, leader.name]}
    if note:
        changes["note"] = note
    audit_record(action="matter.owner", actor=by, obj=matter, changes=changes)
    matters_changed([matter.pk])
    return ownership


@transaction.atomic
def ownership_end(*, by: User, ownership: Ownership, reason: str, note: str = "") -> None:
    """The ownership ends (销号 confirmed by the bureau): the matter has no owner until another is named."""
    refuse(owner_refusal(by))
    ownership = Ownership.objects.select_for_update().select_related("matter", "leader").get(pk=ownership.pk)
    if not ownership.is_current:
        raise RegistryError("该包案已结束")
    ownership.is_current, ownership.ended_on, ownership.end_reason = False, local_today(), reason
    ownership.save(update_fields=["is_current", "ended_on", "end_reason"])
    audit_record(
        action="matter.owner_end", actor=by, obj=ownership.matter,
        changes={"leader": ownership.leader.name, "reason": reason, **({"note": note} if note else {})},
    )  # fmt: skip
    matters_changed([ownership.matter_id])
