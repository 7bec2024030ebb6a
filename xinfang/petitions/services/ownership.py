"""Case ownership (包案): a county leader owns a matter."""

from __future__ import annotations

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
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
def ownership_assign(*, by: User, matter: Matter, leader: Leader) -> Ownership:
    """A county leader takes ownership (包案) of a matter; the previous owner, if any, is released."""
    refuse(owner_refusal(by))
    ensure_visible(by, matter)
    if leader.county_id != matter.county_id or not leader.is_active:
        raise RegistryError("包案领导不在本县", "leader")
    if matter.reported_accounts.filter(leader=leader).exists():
        raise RegistryError("被反映的领导不能包案该事项（《信访工作条例》第四十六条）", "leader")
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    current = Ownership.objects.select_for_update().filter(matter=matter, is_current=True).first()
    ended, started = ownership_rows(
        current=current,
        matter_id=matter.pk,
        leader_id=leader.pk,
        since=local_today(),
        ended_on=local_today(),
        by_id=by.pk,
    )
    if started is None:
        raise RegistryError(f"{leader.name}已是该事项的包案领导")
    if ended is not None:
        ended.save(update_fields=["is_current", "ended_on"])
    ownership = Ownership.objects.create(**started)
    audit_record(
        action="matter.owner",
        actor=by,
        obj=matter,
        changes={"leader": [current.leader.name if current else None, leader.name]},
    )
    return ownership
