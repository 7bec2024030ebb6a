"""One function per action on the reception schedules, each in one transaction with its audit record.

Errors are ValidationError (what was asked cannot be done, said in Chinese) or PermissionDenied (the role
may not). A working-day question about a year the calendar does not know raises `UnknownYear`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.bulk import bulk_insert
from xinfang.core.roles import Role, bureau_only
from xinfang.directory.models import County, Leader, UnitOfficial
from xinfang.lib.schedule import Rule, monthly_on
from xinfang.reception.models import Adjustment, Schedule, Slot
from xinfang.reception.planning import next_month
from xinfang.reception.selectors import month_plan, wednesday_mode

REASON_MAX = 300
DEFAULT_GENERATE_DAY = 20


def _about(by: User | None, schedule: Schedule) -> dict[str, Any]:
    """The audit record's actor and object, the schedule's."""
    return {
        "actor": by,
        "object_type": "reception.schedule",
        "object_id": str(schedule.pk),
        "object_repr": f"{schedule.county.name}{schedule.label}",
        "actor_name": "" if by else "system",
    }


def _fill(schedule: Schedule) -> int:
    """Write the month's planned slots into the (empty) schedule; the number written."""
    planned = month_plan(schedule.county, schedule.month)
    # A county's month is some 300–1,000 rows: the plain multi-row INSERT is several times bulk_create.
    bulk_insert(Slot, [
        {"schedule_id": schedule.pk, "date": slot.date, "level": slot.level, "unit_id": slot.unit_id,
         "leader_id": slot.person_id if slot.level == Slot.Level.COUNTY else None,
         "official_id": slot.person_id if slot.level == Slot.Level.TOWNSHIP else None,
         "name": slot.person[:30], "post": slot.post[:80], "kind": str(slot.kind), "note": slot.note[:300],
         "adjusted": False}
        for slot in planned
    ])  # fmt: skip
    return len(planned)


def schedule_generate(
    *, county: County, month: dt.date, by: User | None, now: dt.datetime, regenerate: bool = False
) -> tuple[Schedule, bool]:
    """The month's schedule from the directory and the calendar, as a draft. A month is generated once:
    asked again, the stored schedule is returned with False, unless `regenerate` recomputes a draft (its
    edits lost). A published schedule is never regenerated."""
    bureau_only(by, county.pk, "编排接访排班")
    month = month.replace(day=1)
    with transaction.atomic():
        existing = Schedule.objects.select_for_update().filter(county=county, month=month).first()
        if existing is not None and not regenerate:
            return existing, False
        if existing is not None and existing.is_published:
            raise ValidationError(f"{existing.label}已公布，不能重新生成；请逐条调整并写明原因")
        if existing is not None:
            existing.slots.all().delete()
            existing.generated_at, existing.generated_by = now, by
            existing.wednesday_mode = wednesday_mode()
            existing.save(update_fields=["generated_at", "generated_by", "wednesday_mode"])
            schedule = existing
        else:
            schedule = Schedule.objects.create(
                county=county, month=month, generated_at=now, generated_by=by, wednesday_mode=wednesday_mode()
            )
        slots = _fill(schedule)
        audit_record(action="reception.generate", changes={"month": f"{month:%Y-%m}", "slots": slots,
                     "regenerated": existing is not None}, **_about(by, schedule))  # fmt: skip
    return schedule, True


def _person_of(slot: Slot, person: str) -> tuple[Leader | None, UnitOfficial | None]:
    """`leader:ID` for a county slot, `official:ID` for a township slot (of that township, in office)."""
    kind, _, ident = person.partition(":")
    if slot.level == Slot.Level.COUNTY and kind == "leader" and ident.isdecimal():
        leader = Leader.objects.filter(
            pk=int(ident), county_id=slot.schedule.county_id, is_active=True
        ).first()
        if leader is not None:
            return leader, None
    if slot.level == Slot.Level.TOWNSHIP and kind == "official" and ident.isdecimal():
        official = UnitOfficial.objects.filter(
            pk=int(ident), unit_id=slot.unit_id or 0, is_active=True
        ).first()
        if official is not None:
            return None, official
    raise ValidationError({"person": "请选择本县在任的县级领导或本乡镇在职的领导"})


def slot_adjust(*, slot: Slot, person: str, note: str, reason: str, by: User) -> Slot:
    """Give a slot to another leader. Before publishing a plain edit; after publishing a 调整 with its
    reason (required), kept in the slot's history and marked 已调整 on the public page."""
    bureau_only(by, slot.schedule.county_id, "编排接访排班")
    reason, note = reason.strip(), note.strip()
    with transaction.atomic():
        slot = Slot.objects.select_for_update().select_related("schedule__county").get(pk=slot.pk)
        published = slot.schedule.is_published
        if published and not reason:
            raise ValidationError({"reason": "已公布的排班调整须写明原因"})
        if len(reason) > REASON_MAX or len(note) > REASON_MAX:
            raise ValidationError({"reason": f"原因和说明不能超过{REASON_MAX}字"})
        if published and slot.date < timezone.localdate():
            raise ValidationError({"person": "已过去的接访安排不能调整"})
        leader, official = _person_of(slot, person)
        before = f"{slot.post}{slot.name}"
        chosen = leader or official
        assert chosen is not None
        slot.leader, slot.official = leader, official
        slot.name = chosen.name
        slot.post = leader.post if leader else (official.title or official.get_position_display())  # type: ignore[union-attr]
        slot.note = note
        fields = ["leader", "official", "name", "post", "note"]
        if published:
            slot.adjusted = True
            fields.append("adjusted")
            Adjustment.objects.create(slot=slot, before=before[:120], after=f"{slot.post}{slot.name}"[:120],
                                      reason=reason, by=by, at=timezone.now())  # fmt: skip
        slot.save(update_fields=fields)
        audit_record(action="reception.adjust", changes={
            "date": slot.date.isoformat(), "unit": slot.unit.name if slot.unit else "县级",
            "person": [before, f"{slot.post}{slot.name}"], "reason": reason, "published": published,
        }, **_about(by, slot.schedule))  # fmt: skip
    return slot


def schedule_publish(*, schedule: Schedule, by: User, now: dt.datetime) -> Schedule:
    """Publish the month's schedule on the public page: the bureau head only, while the month has not
    ended (the deadline is the end of the month before; the page warns from the warning day)."""
    if by.role != Role.BUREAU_HEAD or by.county_id != schedule.county_id:
        raise PermissionDenied("只有本县信访局长可以公布接访排班")
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().select_related("county").get(pk=schedule.pk)
        if schedule.is_published:
            raise ValidationError(f"{schedule.label}已公布")
        if timezone.localdate(now) >= next_month(schedule.month):
            raise ValidationError(f"{schedule.label}的月份已过，不能再公布")
        if not schedule.slots.exists():
            raise ValidationError(f"{schedule.label}没有任何接访安排，请先生成")
        schedule.state, schedule.published_at, schedule.published_by = Schedule.State.PUBLISHED, now, by
        schedule.save(update_fields=["state", "published_at", "published_by"])
        audit_record(
            action="reception.publish", changes={"month": f"{schedule.month:%Y-%m}"}, **_about(by, schedule)
        )
    return schedule


# ---------------------------------------------------------------------------------------------------------
# The monthly job


def generate_day() -> int:
    day = settings.XINFANG_RECEPTION_GENERATE_DAY
    return day if 1 <= day <= 28 else DEFAULT_GENERATE_DAY  # a bad value is the system check xinfang.E013


def reception_generate_days() -> Rule:
    return monthly_on(generate_day())


def reception_schedules_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """Generate next month's schedule as a draft (once; an existing one is left as it is)."""
    month = next_month(day)
    schedule, created = schedule_generate(county=county, month=month, by=None, now=now)
    if not created:
        return f"{schedule.label}已存在（{schedule.get_state_display()}），未重新生成"
    return f"已生成{schedule.label}草稿：{schedule.slots.count()}条接访安排，待信访局核对、局长公布"
