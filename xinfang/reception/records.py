"""Recording receptions (接访记录, docs/reception.md "Records"): who received, where, and each matter
received with its outcome. A matter received is written by the petitions services — the one way to write a
matter — as a 来访 event on the reception's day: a new matter (registered) or a new event of a known one.

Each action is one transaction with its audit record. Errors are ValidationError with Chinese messages
(keyed by field where there is one) or PermissionDenied (only the county's bureau records receptions).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.roles import bureau_only
from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.lib.masking import scrub_text
from xinfang.petitions.models import Channel, Level, Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput, RegistryError
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.reception.models import Attendance, DownVisit, ReceivedMatter, Reception, Slot

Kind = Reception.Kind
Outcome = ReceivedMatter.Outcome

NOTE_MAX = 300
REASON_MAX = 200
MAX_ATTENDEES = 20
MAX_MATTERS = 500  # one reception's matters in one call (an imported day of the centre stays far below)


@dataclass(frozen=True)
class AttendeeInput:
    """A leader at the reception: a county leader, a township official, or (history) only a name."""

    leader: Leader | None = None
    official: UnitOfficial | None = None
    name: str = ""
    present: bool = True
    absence_reason: str = ""


@dataclass(frozen=True)
class ReceptionInput:
    county: County
    date: dt.date
    kind: str
    attendees: Sequence[AttendeeInput]
    township: Unit | None = None
    place: str = ""
    note: str = ""


@dataclass(frozen=True)
class ReceivedInput:
    """A matter received: `matter` (a known one: a new event) or `registration` (a new matter; its event
    is replaced by the reception's 来访 on its day). `attendee` indexes the leader who received it."""

    outcome: str
    persons: int = 1
    matter: Matter | None = None
    registration: RegistrationInput | None = None
    petitioners: Sequence[PetitionerInput] = ()
    attendee: int = 0


def default_place(kind: str, township: Unit | None) -> str:
    if kind in (Kind.CENTRE, Kind.WEDNESDAY):
        return str(settings.XINFANG_RECEPTION_PLACE)
    return township.name if township else ""


def _check_reception(data: ReceptionInput) -> None:
    if data.kind not in Kind.values:
        raise ValidationError({"kind": "请选择接访类型"})
    if data.date > timezone.localdate():
        raise ValidationError({"date": "接访日期不能晚于今天"})
    if data.date.year < 1990:
        raise ValidationError({"date": "接访日期不正确"})
    if data.kind in (Kind.TOWNSHIP, Kind.DOWN) and data.township is None:
        raise ValidationError({"township": "乡镇接访和下沉接访请选择乡镇"})
    if data.township is not None and (
        data.township.county_id != data.county.pk or data.township.kind != Unit.Kind.TOWNSHIP
    ):
        raise ValidationError({"township": "乡镇不在本县"})
    if not data.attendees:
        raise ValidationError({"leader": "请填写接访领导"})
    if len(data.attendees) > MAX_ATTENDEES:
        raise ValidationError({"leader": f"一次接访最多{MAX_ATTENDEES}位领导"})
    if len(data.note) > NOTE_MAX or len(data.place) > 100:
        raise ValidationError({"note": f"说明不能超过{NOTE_MAX}字，地点不能超过100字"})
    for person in data.attendees:
        _check_attendee(data, person)


def _check_attendee(data: ReceptionInput, person: AttendeeInput) -> None:
    if person.leader is not None and person.leader.county_id != data.county.pk:
        raise ValidationError({"leader": "接访领导不在本县"})
    if person.official is not None and (
        person.official.unit.county_id != data.county.pk
        or (data.kind == Kind.TOWNSHIP and person.official.unit_id != data.township.pk)  # type: ignore[union-attr]
    ):
        raise ValidationError({"leader": "乡镇接访的领导须是本乡镇的领导"})
    if person.leader is None and person.official is None and not scrub_text(person.name).strip():
        raise ValidationError({"leader": "请填写接访领导"})
    if person.leader is not None and person.official is not None:
        raise ValidationError({"leader": "一条接访领导记录只能是一个人"})
    if len(person.absence_reason) > REASON_MAX:
        raise ValidationError({"absence_reason": f"未到原因不能超过{REASON_MAX}字"})
    if not person.present and not person.absence_reason.strip():
        raise ValidationError({"absence_reason": "领导未到场，请写明原因"})


def _attendance(reception: Reception, person: AttendeeInput) -> Attendance:
    if person.leader is not None:
        name, post = person.leader.name, person.leader.post
    elif person.official is not None:
        name, post = person.official.name, person.official.title or person.official.get_position_display()
    else:
        name, post = scrub_text(person.name).strip(), ""
    reason = "" if person.present else scrub_text(person.absence_reason).strip()
    return Attendance(
        reception=reception, leader=person.leader, official=person.official, name=name[:30], post=post[:80],
        present=person.present, absence_reason=reason,
    )  # fmt: skip


def _fulfils(reception: Reception, first: Attendance) -> None:
    """Link the record to the schedule's slot or the down visit it fulfils (same day and person)."""
    if reception.kind == Kind.DOWN and first.leader_id:
        reception.down_visit = DownVisit.objects.filter(
            county=reception.county, date=reception.date, leader_id=first.leader_id
        ).first()
        return
    slots = Slot.objects.filter(schedule__county=reception.county, date=reception.date)
    if first.leader_id and reception.kind in (Kind.CENTRE, Kind.WEDNESDAY):
        reception.slot = slots.filter(level=Slot.Level.COUNTY, leader_id=first.leader_id).first()
    elif first.official_id and reception.kind == Kind.TOWNSHIP:
        reception.slot = slots.filter(unit=reception.township, official_id=first.official_id).first()


def _refused(error: RegistryError) -> ValidationError:
    return ValidationError({error.field: str(error)} if error.field else str(error))


def _receive(
    *, by: User | None, reception: Reception, attendances: Sequence[Attendance], item: ReceivedInput
) -> ReceivedMatter:
    """Write one matter received through the petitions services and link it to the reception."""
    if item.outcome not in Outcome.values:
        raise ValidationError({"outcome": "请选择处理结果（当场化解、交办或解释答复）"})
    if (item.matter is None) == (item.registration is None):
        raise ValidationError({"number": "请填写登记编号或新登记事项"})
    if not 0 <= item.attendee < len(attendances) or not attendances[item.attendee].present:
        raise ValidationError({"leader": "接访事项须由到场的领导接待"})
    received_by = attendances[item.attendee]
    event = EventInput(
        date=reception.date, channel=Channel.VISIT, level=Level.COUNTY, persons=item.persons,
        note=f"{received_by.name}{reception.get_kind_display()}"[:200],
    )  # fmt: skip
    try:
        if item.matter is not None:
            if item.matter.county_id != reception.county_id:
                raise ValidationError({"number": "该事项不在本县"})
            created = event_add(by=by, matter=item.matter, event=event, petitioners=item.petitioners)
            matter = item.matter
        else:
            assert item.registration is not None
            registration = dataclasses.replace(item.registration, county=reception.county, event=event)
            matter = matter_register(by=by, data=registration)
            created = matter.events.get()
    except RegistryError as error:
        raise _refused(error) from error
    return ReceivedMatter.objects.create(
        reception=reception, attendance=received_by, matter=matter, event=created, persons=item.persons,
        outcome=item.outcome,
    )  # fmt: skip


def _audit(by: User | None, reception: Reception, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        action=action, actor=by, actor_name="" if by else "system", object_type="reception.reception",
        object_id=str(reception.pk), object_repr=str(reception)[:200], county=reception.county,
        changes=changes,
    )  # fmt: skip


@transaction.atomic
def reception_record(
    *,
    by: User | None,
    data: ReceptionInput,
    received: Sequence[ReceivedInput] = (),
    imported: bool = False,
    now: dt.datetime | None = None,
) -> Reception:
    """Record a reception held (or a leader who did not come) with the matters received there."""
    bureau_only(by, data.county.pk, "登记接访记录")
    _check_reception(data)
    if len(received) > MAX_MATTERS:
        raise ValidationError({"number": f"一次接访记录最多登记{MAX_MATTERS}件事项"})
    reception = Reception(
        county=data.county, date=data.date, kind=data.kind, township=data.township,
        place=(scrub_text(data.place).strip() or default_place(data.kind, data.township))[:100],
        note=scrub_text(data.note).strip(), imported=imported, recorded_at=now or timezone.now(),
        recorded_by=by,
    )  # fmt: skip
    attendances = [_attendance(reception, person) for person in data.attendees]
    _fulfils(reception, attendances[0])
    reception.save()
    for attendance in attendances:
        attendance.reception = reception
        attendance.save()
    matters = [_receive(by=by, reception=reception, attendances=attendances, item=item) for item in received]
    _audit(by, reception, "reception.record", {
        "date": data.date.isoformat(), "kind": data.kind, "place": reception.place,
        "leaders": [a.name if a.present else f"{a.name}（未到）" for a in attendances],
        "matters": [m.matter.number for m in matters], "imported": imported,
    })  # fmt: skip
    return reception


@transaction.atomic
def reception_matter_add(*, by: User, reception: Reception, item: ReceivedInput) -> ReceivedMatter:
    """Add a matter received to a recorded reception."""
    bureau_only(by, reception.county_id, "登记接访记录")
    reception = Reception.objects.select_for_update().select_related("county").get(pk=reception.pk)
    attendances = list(reception.attendances.all())
    if not any(attendance.present for attendance in attendances):
        raise ValidationError({"leader": "接访领导均未到场，不能登记接访事项"})
    if item.attendee == 0 and not attendances[0].present:
        item = dataclasses.replace(item, attendee=next(i for i, a in enumerate(attendances) if a.present))
    entry = _receive(by=by, reception=reception, attendances=attendances, item=item)
    _audit(by, reception, "reception.matter_add", {
        "number": entry.matter.number, "outcome": entry.outcome, "persons": entry.persons,
        "leader": entry.attendance.name if entry.attendance else "",
    })  # fmt: skip
    return entry
