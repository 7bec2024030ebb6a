"""Registering matters (登记) and repeat visits, and correcting what was registered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.matter_hooks import matters_changed
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import Unit
from xinfang.lib.deadlines import Clock
from xinfang.lib.masking import mask_name
from xinfang.petitions.alerts import visit_alert_queue
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    Event,
    Matter,
    Petitioner,
)
from xinfang.petitions.rows import (
    address_brief,
    id_number_index,
    numbers_issue,
    petitioner_row,
    phone_index,
    query_codes_issue,
)
from xinfang.petitions.search import matter_text_save
from xinfang.petitions.services.common import (
    EventInput,
    PetitionerInput,
    RegistrationInput,
    RegistryError,
    Status,
    check_event,
    clean_petitioners,
    ensure_visible,
    event_facts_refresh,
    free_text,
    record_transition,
    refresh_event_summary,
    start_clock,
)
from xinfang.petitions.services.rules import TERMINATED, event_refusal, refuse, refuse_user


def _check_registration(data: RegistrationInput) -> None:
    check_event(data.event)
    if data.terminated is not None and data.terminated.status != Status.CLOSED:
        raise RegistryError("所选事项尚未终结")
    if data.terminated is not None and data.terminated.county_id != data.county.pk:
        raise RegistryError("所选事项不在本县")
    if not data.content.strip():
        raise RegistryError("请填写反映的问题", "content")
    if data.origin_township.county_id != data.county.pk or not data.origin_township.is_township:
        raise RegistryError("乡镇不在本县", "origin_township")
    if data.origin_village and data.origin_village.township_id != data.origin_township.pk:
        raise RegistryError("村(社区)不属于所选乡镇", "origin_village")
    if data.category.county_id != data.county.pk:
        raise RegistryError("问题类别不在本县", "category")
    if data.responsible_unit and data.responsible_unit.county_id != data.county.pk:
        raise RegistryError("责任单位不在本县", "responsible_unit")
    if data.responsible_unit and data.responsible_unit in data.reported_units:
        raise RegistryError("被反映的单位不能作为责任单位（《信访工作条例》第四十六条）", "responsible_unit")
    if data.source != Matter.Source.LOCAL and data.source != Matter.Source.ONLINE and not data.source_number:
        raise RegistryError("上级转交办的事项请填写上级编号", "source_number")


@transaction.atomic
def matter_register(*, by: User | None, data: RegistrationInput) -> Matter:
    """Register a matter with its first event and petitioners; issues the number and query code."""
    _check_registration(data)
    petitioners = clean_petitioners(data.petitioners)
    now = timezone.now()
    matter = Matter(
        county=data.county,
        number=numbers_issue(county=data.county, year=data.event.date.year, count=1)[0],
        query_code=data.query_code or query_codes_issue(1)[0],
        registered_at=now,
        registered_by=by,
        origin_township=data.origin_township,
        origin_village=data.origin_village,
        origin_village_text="" if data.origin_village else data.origin_village_text[:50],
        category=data.category,
        responsible_unit=data.responsible_unit,
        content=free_text(
            f"{data.content}\n新的事实和理由：{data.new_facts}"
            if data.terminated and data.new_facts.strip()
            else data.content
        ),
        appeal=free_text(data.appeal),
        source=data.source,
        source_number=data.source_number,
        purpose=data.purpose,
        reported_persons=data.reported_persons[:200],
        is_threat=data.is_threat,
        is_urgent=data.is_urgent,
        is_litigation=data.is_litigation,
        is_backlog=data.is_backlog,
        first_event_date=data.event.date,
        last_event_date=data.event.date,
        channel=data.event.channel,
        top_level=data.event.level,
        person_count=data.event.persons,
        is_collective=data.event.persons >= COLLECTIVE_PERSONS,
    )
    start_clock(matter, Clock.DISPOSE, data.event.date)
    matter.save()
    if data.reported_units:
        matter.reported_units.set(data.reported_units)
    if data.reported_accounts:
        if any(account.county_id != data.county.pk for account in data.reported_accounts):
            raise RegistryError("被反映人账号不在本县", "reported_accounts")
        matter.reported_accounts.set(data.reported_accounts)
    first = Event.objects.create(
        matter=matter,
        county=data.county,
        date=data.event.date,
        channel=data.event.channel,
        level=data.event.level,
        persons=data.event.persons,
        is_collective=data.event.persons >= COLLECTIVE_PERSONS,
        note=free_text(data.event.note)[:200],
        registered_at=now,
        registered_by=by,
    )
    event_facts_refresh(matter)
    first.visitors.set(
        [_save_petitioner(matter, person, id_number, phone, order)
         for order, (person, id_number, phone) in enumerate(petitioners)]
    )  # fmt: skip
    visit_alert_queue(matter=matter, event=first)
    matter_text_save(matter)
    record_transition(matter, "", Status.REGISTERED, by, "登记")
    if data.terminated is not None and not data.new_facts.strip():
        # Art. 36: registered, counted as a visit, and not accepted; the petitioner is told why.
        matter.status = Status.REJECTED
        start_clock(matter, None)
        matter.save(update_fields=["status", "clock", "clock_started", "due_date"])
        record_transition(
            matter, Status.REGISTERED, Status.REJECTED, by,
            f"{TERMINATED}（原事项 {data.terminated.number}，《信访工作条例》第三十六条）",
        )  # fmt: skip
    audit_record(
        action="matter.register",
        actor=by,
        obj=matter,
        changes={
            "terminated": data.terminated.number if data.terminated else "",
            "number": matter.number,
            "level": data.event.level,
            "channel": data.event.channel,
            "persons": data.event.persons,
            "petitioners": [mask_name(p.name) for p, _, _ in petitioners],
        },
    )
    matters_changed([matter.pk])
    return matter


def _add_new_petitioners(matter: Matter, petitioners: Sequence[PetitionerInput]) -> list[Petitioner]:
    """Petitioners who come with a repeat visit join the matter, unless already on it (same ID or phone).
    Returns who came: the ones already on it and the new ones."""
    known = matter.petitioners.all()
    order = known.count()
    came: list[Petitioner] = []
    for person, id_number, phone in clean_petitioners(petitioners):
        same = (id_number and known.filter(id_number_index=id_number_index(id_number)).first()) or (
            phone and known.filter(phone_index=phone_index(phone)).first()
        )
        name = person.name.strip()
        if same and id_number and same.id_number_index and same.name and name and same.name != name:
            raise RegistryError(
                f"身份证号与该事项已登记的信访人相同，但姓名不同（原登记为{mask_name(same.name)}），"
                "请核实后再登记", "id_number",
            )  # fmt: skip
        if same:
            came.append(same)
        elif person.name.strip() or id_number or phone:
            came.append(_save_petitioner(matter, person, id_number, phone, order))
            order += 1
    return came


def _save_petitioner(
    matter: Matter, person: PetitionerInput, id_number: str, phone: str, order: int
) -> Petitioner:
    brief = address_brief(matter.origin_township, matter.origin_village, matter.origin_village_text)
    return Petitioner.objects.create(
        matter=matter,
        **petitioner_row(
            name=person.name.strip(),
            id_number=id_number,
            phone=phone,
            address=person.address.strip(),
            brief=brief,
            order=order,
        ),
    )


@transaction.atomic
def event_add(
    *, by: User | None, matter: Matter, event: EventInput, petitioners: Sequence[PetitionerInput] = ()
) -> Event:
    """Attach a new event (重复访) to an existing matter (bureau staff; the import has no user)."""
    refuse_user(event_refusal(by, matter))
    if by is not None:
        ensure_visible(by, matter)
    check_event(event)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    refuse(event_refusal(by, matter))
    created = Event.objects.create(
        matter=matter,
        county=matter.county,
        date=event.date,
        channel=event.channel,
        level=event.level,
        persons=event.persons,
        is_collective=event.persons >= COLLECTIVE_PERSONS,
        note=free_text(event.note)[:200],
        registered_at=timezone.now(),
        registered_by=by,
    )
    created.visitors.set(_add_new_petitioners(matter, petitioners))
    visit_alert_queue(matter=matter, event=created)
    refresh_event_summary(matter)
    matter.save(
        update_fields=[
            "first_event_date", "last_event_date", "event_count", "person_count", "channel", "top_level",
            "is_collective",
        ]
    )  # fmt: skip
    audit_record(
        action="matter.event_add",
        actor=by,
        obj=matter,
        changes={"date": event.date.isoformat(), "level": event.level, "channel": event.channel,
                 "persons": event.persons},
    )  # fmt: skip
    matters_changed([matter.pk])
    return created


EDITABLE_FIELDS = (
    "origin_township", "origin_village", "origin_village_text", "category", "responsible_unit", "content",
    "appeal", "source", "source_number", "purpose", "reported_persons", "is_threat", "is_urgent",
    "is_litigation", "is_backlog",
)  # fmt: skip


def _summary(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


@transaction.atomic
def matter_update(
    *,
    by: User,
    matter: Matter,
    changes: dict[str, Any],
    reported_units: list[Unit] | None,
    reported_accounts: list[User] | None = None,
) -> Matter:
    """Correct a matter's registration (bureau only), audited field by field with before and after."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以修改登记信息")
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RegistryError(f"不能修改：{'、'.join(sorted(unknown))}")
    moved = "responsible_unit" in changes and changes["responsible_unit"] != matter.responsible_unit
    if moved and matter.status not in (Status.REGISTERED, Status.ACCEPTED):
        raise RegistryError("已转送交办或正在办理的事项，请通过转送交办更换承办单位", "responsible_unit")
    township = changes.get("origin_township", matter.origin_township)
    village = changes.get("origin_village", matter.origin_village)
    if township.county_id != matter.county_id or not township.is_township:
        raise RegistryError("乡镇不在本县", "origin_township")
    if village is not None and village.township_id != township.pk:
        raise RegistryError("村(社区)不属于所选乡镇", "origin_village")
    if "category" in changes and changes["category"].county_id != matter.county_id:
        raise RegistryError("问题类别不在本县", "category")
    responsible = changes.get("responsible_unit", matter.responsible_unit)
    units = reported_units if reported_units is not None else list(matter.reported_units.all())
    if responsible is not None and (responsible.county_id != matter.county_id or responsible in units):
        raise RegistryError("责任单位不在本县，或是被反映的单位", "responsible_unit")
    if "content" in changes and not str(changes["content"]).strip():
        raise RegistryError("请填写反映的问题", "content")
    source = changes.get("source", matter.source)
    number = changes.get("source_number", matter.source_number)
    if source not in (Matter.Source.LOCAL, Matter.Source.ONLINE) and not number:
        raise RegistryError("上级转交办的事项请填写上级编号", "source_number")
    for name in ("content", "appeal"):
        if name in changes:
            changes = {**changes, name: free_text(changes[name])}
    diff: dict[str, Any] = {}
    for name, value in changes.items():
        before = getattr(matter, name)
        if before != value:
            diff[name] = [_summary(before), _summary(value)]
            setattr(matter, name, value)
    if reported_units is not None:
        before_units = sorted(unit.name for unit in matter.reported_units.all())
        after_units = sorted(unit.name for unit in reported_units)
        if before_units != after_units:
            diff["reported_units"] = [before_units, after_units]
            matter.reported_units.set(reported_units)
    if reported_accounts is not None:
        before_accounts = sorted(user.username for user in matter.reported_accounts.all())
        after_accounts = sorted(user.username for user in reported_accounts)
        if any(user.county_id != matter.county_id for user in reported_accounts):
            raise RegistryError("被反映人账号不在本县", "reported_accounts")
        if before_accounts != after_accounts:
            diff["reported_accounts"] = [before_accounts, after_accounts]
            matter.reported_accounts.set(reported_accounts)
    if not diff:
        return matter
    saved = [name for name in diff if name not in ("reported_units", "reported_accounts")]
    if saved:
        matter.save(update_fields=saved)
    if {"content", "appeal"} & set(diff):
        matter_text_save(matter)
    if {"origin_township", "category"} & set(diff):
        event_facts_refresh(matter)
    audit_record(action="matter.update", actor=by, obj=matter, changes=diff)
    matters_changed([matter.pk])
    return matter
