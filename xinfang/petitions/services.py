"""Business actions on matters. Each is one transaction with its audit record; bad input raises
`RegistryError` (a Chinese message for the user) and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.cipher import field_cipher
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.lib.crypto import DecryptionError
from xinfang.lib.deadlines import Clock, due_date
from xinfang.lib.idcard import InvalidValue, normalize_id_number, normalize_phone
from xinfang.lib.masking import mask_name, scrub_text
from xinfang.lib.workdays import UnknownYear
from xinfang.petitions.facts import event_facts, matter_summary
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    Assignment,
    Channel,
    Event,
    Extension,
    Level,
    Matter,
    Ownership,
    Petitioner,
    Rating,
    Stage,
    Transition,
)
from xinfang.petitions.rows import (
    ADDRESS_CONTEXT,
    ID_CONTEXT,
    PHONE_CONTEXT,
    address_brief,
    clock_fields,
    id_number_index,
    numbers_issue,
    ownership_rows,
    petitioner_row,
    phone_index,
    query_codes_issue,
    rule_profile,
)
from xinfang.petitions.search import matter_text_save

Status = Matter.Status


class RegistryError(ValueError):
    """A business rule refused the action; the message is Chinese and safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PetitionerInput:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class EventInput:
    date: dt.date
    channel: str
    level: str
    persons: int = 1
    note: str = ""


@dataclass(frozen=True)
class RegistrationInput:
    county: County
    event: EventInput
    origin_township: Unit
    category: Category
    content: str
    appeal: str = ""
    origin_village: Village | None = None
    origin_village_text: str = ""
    responsible_unit: Unit | None = None
    source: str = Matter.Source.LOCAL
    source_number: str = ""
    purpose: str = Matter.Purpose.DEMAND
    reported_units: Sequence[Unit] = ()
    reported_persons: str = ""
    reported_accounts: Sequence[User] = ()
    is_threat: bool = False
    is_urgent: bool = False
    is_litigation: bool = False
    is_backlog: bool = False
    petitioners: Sequence[PetitionerInput] = field(default_factory=tuple)


# -- helpers ---------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _start_clock(matter: Matter, clock: Clock | None, start: dt.date | None = None) -> None:
    """Set the running clock and its due date; no clock once the matter has left every time limit."""
    start = start or _today()
    try:
        fields = clock_fields(
            clock=clock,
            start=start,
            profile=rule_profile(matter.county, start),
            calendar=work_calendar(),
            extension_days=matter.extension_days,
        )
    except UnknownYear as error:
        raise RegistryError(str(error)) from error
    for name, value in fields.items():
        setattr(matter, name, value)


def _check_event(event: EventInput) -> None:
    if event.date > _today():
        raise RegistryError("信访日期不能晚于今天", "date")
    if event.date.year < 1990:
        raise RegistryError("信访日期不正确", "date")
    if event.channel not in Channel.values:
        raise RegistryError("请选择信访形式", "channel")
    if event.level not in Level.values:
        raise RegistryError("请选择访别", "level")
    if not 1 <= event.persons <= 100000:
        raise RegistryError("人数应为不小于1的整数", "persons")


def _refresh_event_summary(matter: Matter) -> None:
    """Recompute the denormalised event fields of a matter from its events, and which are repeats."""
    for name, value in matter_summary(event_facts_refresh(matter)).items():
        setattr(matter, name, value)


def event_facts_refresh(matter: Matter) -> list[Event]:
    """Recompute what each event of the matter records for statistics (docs/statistics.md): whether it
    is a repeat, the previous event's date overall, at its level and by its channel, and the matter's
    origin and first-level category. Called whenever a matter's events, origin or category change.
    Returns the matter's events in order."""
    category = Category.objects.only("parent_id").get(pk=matter.category_id)
    place = {"township_id": matter.origin_township_id, "category_top_id": category.parent_id or category.pk}
    events = list(matter.events.order_by("date", "id"))
    changed = []
    for event, facts in zip(events, event_facts(events), strict=True):
        values = {**facts.as_dict(), **place}
        if any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            changed.append(event)
    if changed:
        Event.objects.bulk_update(changed, [*EVENT_FACTS])
    return events


EVENT_FACTS = (
    "is_repeat",
    "prev_date",
    "prev_level_date",
    "prev_channel_date",
    "township_id",
    "category_top_id",
)


def _clean_petitioners(petitioners: Sequence[PetitionerInput]) -> list[tuple[PetitionerInput, str, str]]:
    cleaned = []
    for number, person in enumerate(petitioners, start=1):
        try:
            id_number = (
                normalize_id_number(person.id_number, today=_today()) if person.id_number.strip() else ""
            )
        except InvalidValue as error:
            raise RegistryError(f"第{number}位信访人：{error}", "id_number") from error
        try:
            phone = normalize_phone(person.phone) if person.phone.strip() else ""
        except InvalidValue as error:
            raise RegistryError(f"第{number}位信访人：{error}", "phone") from error
        if len(person.name) > 30:
            raise RegistryError(f"第{number}位信访人：姓名过长", "name")
        cleaned.append((person, id_number, phone))
    return cleaned


def _ensure_visible(by: User, matter: Matter) -> None:
    """Services defend the gate too: a user acts only on matters they may see (any county, Art. 46)."""
    from xinfang.petitions.selectors import matters_for_user

    if not matters_for_user(user=by).filter(pk=matter.pk).exists():
        raise RegistryError("信访事项不存在或不在您的管辖范围内")


def _free_text(text: str) -> str:
    """Free text as stored: ID and mobile numbers typed into it are masked, since they belong in the
    petitioner fields, which are encrypted; free text is shown, searched and exported as it is."""
    return scrub_text(text.strip())


def _record_transition(matter: Matter, old: str, new: str, by: User | None, reason: str) -> None:
    reason = _free_text(reason)
    Transition.objects.create(
        matter=matter, from_status=old, to_status=new, at=timezone.now(), by=by, reason=reason
    )


# -- registration ----------------------------------------------------------------------------------


@transaction.atomic
def matter_register(*, by: User | None, data: RegistrationInput) -> Matter:
    """Register a matter with its first event and petitioners; issues the number and query code."""
    _check_event(data.event)
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
    petitioners = _clean_petitioners(data.petitioners)
    now = timezone.now()
    matter = Matter(
        county=data.county,
        number=numbers_issue(county=data.county, year=data.event.date.year, count=1)[0],
        query_code=query_codes_issue(1)[0],
        registered_at=now,
        registered_by=by,
        origin_township=data.origin_township,
        origin_village=data.origin_village,
        origin_village_text="" if data.origin_village else data.origin_village_text[:50],
        category=data.category,
        responsible_unit=data.responsible_unit,
        content=_free_text(data.content),
        appeal=_free_text(data.appeal),
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
    _start_clock(matter, Clock.DISPOSE, data.event.date)
    matter.save()
    if data.reported_units:
        matter.reported_units.set(data.reported_units)
    if data.reported_accounts:
        if any(account.county_id != data.county.pk for account in data.reported_accounts):
            raise RegistryError("被反映人账号不在本县", "reported_accounts")
        matter.reported_accounts.set(data.reported_accounts)
    Event.objects.create(
        matter=matter,
        county=data.county,
        date=data.event.date,
        channel=data.event.channel,
        level=data.event.level,
        persons=data.event.persons,
        is_collective=data.event.persons >= COLLECTIVE_PERSONS,
        note=_free_text(data.event.note)[:200],
        registered_at=now,
        registered_by=by,
    )
    event_facts_refresh(matter)
    for order, (person, id_number, phone) in enumerate(petitioners):
        _save_petitioner(matter, person, id_number, phone, order)
    matter_text_save(matter)
    _record_transition(matter, "", Status.REGISTERED, by, "登记")
    audit_record(
        action="matter.register",
        actor=by,
        obj=matter,
        changes={
            "number": matter.number,
            "level": data.event.level,
            "channel": data.event.channel,
            "persons": data.event.persons,
            "petitioners": [mask_name(p.name) for p, _, _ in petitioners],
        },
    )
    return matter


def _add_new_petitioners(matter: Matter, petitioners: Sequence[PetitionerInput]) -> None:
    """Petitioners who come with a repeat visit join the matter, unless already on it (same ID or phone)."""
    known = matter.petitioners.all()
    order = known.count()
    for person, id_number, phone in _clean_petitioners(petitioners):
        same = (id_number and known.filter(id_number_index=id_number_index(id_number)).exists()) or (
            phone and known.filter(phone_index=phone_index(phone)).exists()
        )
        if not same and (person.name.strip() or id_number or phone):
            _save_petitioner(matter, person, id_number, phone, order)
            order += 1


def _save_petitioner(matter: Matter, person: PetitionerInput, id_number: str, phone: str, order: int) -> None:
    brief = address_brief(matter.origin_township, matter.origin_village, matter.origin_village_text)
    Petitioner.objects.create(
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
    if by is not None:
        if by.role not in BUREAU_ROLES:
            raise RegistryError("只有信访局可以登记信访批次")
        _ensure_visible(by, matter)
    _check_event(event)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    created = Event.objects.create(
        matter=matter,
        county=matter.county,
        date=event.date,
        channel=event.channel,
        level=event.level,
        persons=event.persons,
        is_collective=event.persons >= COLLECTIVE_PERSONS,
        note=_free_text(event.note)[:200],
        registered_at=timezone.now(),
        registered_by=by,
    )
    _add_new_petitioners(matter, petitioners)
    _refresh_event_summary(matter)
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
    return created


# -- workflow --------------------------------------------------------------------------------------

# Every transition a user may ask for, and what it requires (SPEC §4 status flow).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REGISTERED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.TRANSFERRED}),
    Status.TRANSFERRED: frozenset({Status.ACCEPTED, Status.REGISTERED}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.ANSWERED}),
    Status.IN_PROGRESS: frozenset({Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.RESOLVED, Status.REVIEW, Status.RE_REVIEW, Status.CLOSED}),
    # A review and a re-review end with their decision (an answer); then the matter can close.
    Status.REVIEW: frozenset({Status.ANSWERED}),
    Status.RE_REVIEW: frozenset({Status.ANSWERED}),
    Status.REJECTED: frozenset(),
    Status.RESOLVED: frozenset(),
    Status.CLOSED: frozenset(),
}


def allowed_transitions(matter: Matter) -> frozenset[str]:
    return TRANSITIONS.get(matter.status, frozenset())


def _require(matter: Matter, new: str) -> None:
    if new not in allowed_transitions(matter):
        raise RegistryError(f"当前状态为“{matter.get_status_display()}”，不能改为“{Status(new).label}”")


def can_handle(user: User, matter: Matter) -> bool:
    """Bureau staff handle every matter. A unit user handles a matter once it is theirs: transferred
    to their unit and signed for (签收), or accepted with their unit responsible; never while it is
    only registered, which is the bureau's to dispose of."""
    if user.role in BUREAU_ROLES:
        return True
    if user.role != Role.UNIT_USER or user.unit_id is None or user.unit_id != matter.responsible_unit_id:
        return False
    if matter.status == Status.REGISTERED:
        return False
    if matter.status == Status.TRANSFERRED:
        return Assignment.objects.filter(
            matter=matter, unit_id=user.unit_id, is_current=True,
            state__in=(Assignment.State.RECEIVED, Assignment.State.OBJECTION_REJECTED),
        ).exists()  # fmt: skip
    return True


@transaction.atomic
def matter_transition(
    *, by: User, matter: Matter, to: str, reason: str = "", answer: str = "", on: dt.date | None = None
) -> Matter:
    """Move a matter along the status flow, validating the step and starting the next clock."""
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    _require(matter, to)
    if matter.status == Status.TRANSFERRED:
        assignment = Assignment.objects.filter(matter=matter, is_current=True).first()
        if assignment and assignment.state == Assignment.State.SENT:
            raise RegistryError("请先签收，再受理")
        if assignment and assignment.state == Assignment.State.OBJECTED:
            raise RegistryError("管辖异议尚待信访局处理，暂不能受理")
    if not can_handle(by, matter):
        raise RegistryError("只有信访局或承办单位可以办理该事项")
    on = on or _today()
    _check_step_date(matter, on)
    old = matter.status
    profile = rule_profile(matter.county, on)
    fields = {"status", "clock", "clock_started", "due_date"}
    if to == Status.REJECTED:
        if not reason.strip():
            raise RegistryError("不予受理须说明理由", "reason")
        _start_clock(matter, None)
    elif to == Status.TRANSFERRED:
        raise RegistryError("请使用“转送/交办”操作并选择承办单位")
    elif to == Status.REGISTERED:
        raise RegistryError("退回须通过管辖异议的处理")
    elif to == Status.ACCEPTED:
        if matter.responsible_unit_id is None:
            raise RegistryError("受理前请先确定责任单位", "responsible_unit")
        matter.accepted_on = on
        fields.add("accepted_on")
        _start_clock(matter, Clock.HANDLE, on)
    elif to == Status.IN_PROGRESS:
        pass  # the handling clock keeps running
    elif to == Status.ANSWERED:
        if not answer.strip():
            raise RegistryError("请填写答复意见", "answer")
        if matter.status == Status.REVIEW:
            matter.stage = Stage.REVIEW
            fields.add("stage")
        matter.answer, matter.answered_on = _free_text(answer), on
        fields |= {"answer", "answered_on"}
        if matter.stage == Stage.INITIAL:
            _start_clock(matter, Clock.REVIEW_REQUEST, on)
        elif matter.stage == Stage.REVIEW and profile.re_review_allowed:
            _start_clock(matter, Clock.RE_REVIEW_REQUEST, on)
        else:
            _start_clock(matter, None)  # a final decision (复核, or 复查 under Henan): nothing to wait for
    elif to == Status.RESOLVED:
        matter.resolved_on = on
        fields.add("resolved_on")
        _start_clock(matter, None)
    elif to == Status.REVIEW:
        if matter.stage != Stage.INITIAL:
            raise RegistryError("复查只能针对初次答复提出")
        _check_within(matter, on, "复查请求已超过期限")
        _start_clock(matter, Clock.REVIEW_DECIDE, on)
    elif to == Status.RE_REVIEW:
        if matter.stage != Stage.REVIEW:
            raise RegistryError("复核只能针对复查意见提出")
        if not profile.re_review_allowed:
            raise RegistryError(f"按{profile.name}，复查即为终结，不再复核")
        _check_within(matter, on, "复核请求已超过期限")
        matter.stage = Stage.RE_REVIEW
        fields.add("stage")
        _start_clock(matter, Clock.RE_REVIEW_DECIDE, on)
    elif to == Status.CLOSED:
        if matter.status == Status.ANSWERED and matter.stage == Stage.INITIAL and not reason.strip():
            raise RegistryError("请说明终结理由（如信访人未在期限内请求复查）", "reason")
        _start_clock(matter, None)
    matter.status = to
    matter.save(update_fields=sorted(fields))
    _record_transition(matter, old, to, by, reason.strip() or answer.strip())
    audit_record(
        action="matter.transition",
        actor=by,
        obj=matter,
        changes={"status": [old, to], "reason": reason, "on": on.isoformat()},
    )
    return matter


BACKDATE_DAYS = 7  # a step may be recorded late, but only this many days back


def _check_step_date(matter: Matter, on: dt.date) -> None:
    """A step's date: not in the future, not before the visit or the previous step, and recorded at
    most a week late — the timeliness rates are computed from these dates."""
    today = _today()
    if on > today:
        raise RegistryError("日期不能晚于今天", "on")
    if on < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RegistryError(f"补录的办理日期最多只能早于今天{BACKDATE_DAYS}天", "on")
    last = matter.transitions.order_by("-at").values_list("at", flat=True).first()
    earliest = max(
        matter.first_event_date, timezone.localtime(last).date() if last else matter.first_event_date
    )
    if on < earliest:
        raise RegistryError(f"办理日期不能早于{earliest:%Y年%m月%d日}（信访日期或上一步办理日期）", "on")


def _check_within(matter: Matter, on: dt.date, message: str) -> None:
    if matter.due_date is not None and on > matter.due_date:
        raise RegistryError(f"{message}（截止{matter.due_date:%Y年%m月%d日}）")


@transaction.atomic
def matter_assign(*, by: User, matter: Matter, unit: Unit, kind: str, note: str = "") -> Assignment:
    """转送/交办 a registered matter to a unit of the county; the unit then signs for it."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以转送、交办")
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    _require(matter, Status.TRANSFERRED)
    if unit.county_id != matter.county_id or not unit.is_active:
        raise RegistryError("承办单位不在本县", "unit")
    if kind not in Assignment.Kind.values:
        raise RegistryError("请选择转送或交办", "kind")
    if matter.reported_units.filter(pk=unit.pk).exists():
        raise RegistryError("不得转送给被反映的单位办理（《信访工作条例》第四十六条）", "unit")
    previous_unit = matter.responsible_unit.name if matter.responsible_unit else None
    Assignment.objects.filter(matter=matter, is_current=True).update(is_current=False)
    assignment = Assignment.objects.create(
        matter=matter, unit=unit, kind=kind, sent_at=timezone.now(), sent_by=by, decision_note=note[:500]
    )
    old = matter.status
    matter.status, matter.responsible_unit = Status.TRANSFERRED, unit
    _start_clock(matter, Clock.ACCEPT_NOTICE, _today())
    matter.save(update_fields=["status", "responsible_unit", "clock", "clock_started", "due_date"])
    _record_transition(matter, old, Status.TRANSFERRED, by, f"{assignment.get_kind_display()}至{unit.name}")
    audit_record(
        action="matter.assign",
        actor=by,
        obj=matter,
        changes={"unit": [previous_unit, unit.name], "kind": kind, "status": [old, Status.TRANSFERRED]},
    )
    return assignment


def _current_assignment(matter: Matter, by: User) -> Assignment:
    assignment = Assignment.objects.select_for_update().filter(matter=matter, is_current=True).first()
    if assignment is None:
        raise RegistryError("该事项没有待处理的转送交办")
    if by.role != Role.UNIT_USER or by.unit_id != assignment.unit_id:
        raise RegistryError("只有承办单位可以签收或提出异议")
    return assignment


OBJECTION_CALENDAR_BOUND = 15  # 5 working days never span more calendar days than this


def _objection_due(matter: Matter, received: dt.date) -> dt.date | None:
    """The last day to object, or None while the calendar of the coming year is not entered yet: the
    receipt is recorded anyway, and the deadline is computed once the bureau enters that year."""
    try:
        return due_date(Clock.OBJECTION, received, rule_profile(matter.county, received), work_calendar())
    except UnknownYear:
        return None


@transaction.atomic
def assignment_receive(*, by: User, matter: Matter) -> Assignment:
    """The unit signs for (签收) the matter; the jurisdiction-objection window starts."""
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _current_assignment(matter, by)
    if assignment.state != Assignment.State.SENT:
        raise RegistryError("该转送交办已签收")
    objection_due = _objection_due(matter, _today())
    assignment.state, assignment.received_at, assignment.objection_due = (
        Assignment.State.RECEIVED, timezone.now(), objection_due,
    )  # fmt: skip
    assignment.save(update_fields=["state", "received_at", "objection_due"])
    audit_record(action="matter.receive", actor=by, obj=matter, changes={"unit": assignment.unit.name})
    return assignment


@transaction.atomic
def assignment_object(*, by: User, matter: Matter, reason: str) -> Assignment:
    """The unit objects to jurisdiction within 5 working days of receipt, with a reason."""
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _current_assignment(matter, by)
    if assignment.state != Assignment.State.RECEIVED:
        raise RegistryError("请先签收，再提出管辖异议")
    if matter.status != Status.TRANSFERRED:
        raise RegistryError("事项已受理，不能再提出管辖异议")
    if not reason.strip():
        raise RegistryError("请说明异议理由", "reason")
    received = timezone.localtime(assignment.received_at).date() if assignment.received_at else _today()
    due = assignment.objection_due or _objection_due(matter, received)
    if due is None:
        # The coming year's holidays are not entered yet; no 5 working days exceed this bound.
        due = received + dt.timedelta(days=OBJECTION_CALENDAR_BOUND)
    if _today() > due:
        raise RegistryError(f"异议期限已过（截止{due:%Y年%m月%d日}）")
    assignment.state, assignment.objection_reason = Assignment.State.OBJECTED, reason.strip()
    assignment.save(update_fields=["state", "objection_reason"])
    audit_record(action="matter.object", actor=by, obj=matter, changes={"reason": reason})
    return assignment


@transaction.atomic
def objection_decide(*, by: User, matter: Matter, upheld: bool, note: str) -> Assignment:
    """The bureau decides an objection: upheld sends the matter back for a new disposal."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以处理管辖异议")
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = Assignment.objects.select_for_update().filter(matter=matter, is_current=True).first()
    if assignment is None or assignment.state != Assignment.State.OBJECTED:
        raise RegistryError("该事项没有待处理的管辖异议")
    if not note.strip():
        raise RegistryError("请填写处理意见", "note")
    assignment.decision_note = note.strip()
    if upheld:
        assignment.state, assignment.is_current = Assignment.State.OBJECTION_UPHELD, False
        old = matter.status
        matter.status, matter.responsible_unit = Status.REGISTERED, None
        _start_clock(matter, Clock.DISPOSE, _today())
        matter.save(update_fields=["status", "responsible_unit", "clock", "clock_started", "due_date"])
        _record_transition(matter, old, Status.REGISTERED, by, f"管辖异议成立：{note}")
    else:
        assignment.state = Assignment.State.OBJECTION_REJECTED
    assignment.save(update_fields=["state", "decision_note", "is_current"])
    audit_record(
        action="matter.objection_decide", actor=by, obj=matter, changes={"upheld": upheld, "note": note}
    )
    return assignment


@transaction.atomic
def matter_extend(
    *, by: User, matter: Matter, days: int, reason: str, petitioner_notified: bool
) -> Extension:
    """Extend the handling time once, approved by the bureau head, with a reason and a notice."""
    if by.role != Role.BUREAU_HEAD:
        raise RegistryError("延期须经信访局长批准")
    _ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.clock != Clock.HANDLE:
        raise RegistryError("只有办理期限内的事项可以延期")
    if Extension.objects.filter(matter=matter).exists():
        raise RegistryError("办理期限只能延长一次")
    profile = rule_profile(matter.county, matter.clock_started or _today())
    if not 1 <= days <= profile.extension_max_days:
        raise RegistryError(f"延长天数应为1至{profile.extension_max_days}天", "days")
    if not reason.strip():
        raise RegistryError("请填写延期理由", "reason")
    if not petitioner_notified:
        raise RegistryError("延期须告知信访人", "petitioner_notified")
    extension = Extension.objects.create(
        matter=matter, days=days, reason=reason.strip(), approved_by=by, approved_at=timezone.now(),
        petitioner_notified=True,
    )  # fmt: skip
    previous_due = matter.due_date
    matter.extension_days = days
    _start_clock(matter, Clock.HANDLE, matter.clock_started)
    matter.save(update_fields=["extension_days", "due_date"])
    audit_record(
        action="matter.extend",
        actor=by,
        obj=matter,
        changes={"days": days, "reason": reason, "due_date": [str(previous_due), str(matter.due_date)]},
    )
    return extension


@transaction.atomic
def matter_rate(*, matter: Matter, bureau_score: str, unit_score: str, comment: str = "") -> Rating:
    """The petitioner's rating after the answer, within the rating window (public, by query code)."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.answered_on is None:
        raise RegistryError("事项答复后才能评价")
    if Rating.objects.filter(matter=matter).exists():
        raise RegistryError("该事项已评价过")
    window = rule_profile(matter.county, matter.answered_on).rating_window_days
    if _today() > matter.answered_on + dt.timedelta(days=window):
        raise RegistryError("已超过评价期限")
    if bureau_score not in Rating.Score.values or unit_score not in Rating.Score.values:
        raise RegistryError("请选择满意、基本满意或不满意")
    rating = Rating.objects.create(
        matter=matter, bureau_score=bureau_score, unit_score=unit_score, comment=comment.strip()[:500],
        rated_at=timezone.now(),
    )  # fmt: skip
    audit_record(action="matter.rate", actor=None, obj=matter, actor_name="信访人",
                 changes={"bureau": bureau_score, "unit": unit_score})  # fmt: skip
    return rating


@transaction.atomic
def ownership_assign(*, by: User, matter: Matter, leader: Leader) -> Ownership:
    """A county leader takes ownership (包案) of a matter; the previous owner, if any, is released."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以确定包案领导")
    _ensure_visible(by, matter)
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
        since=_today(),
        ended_on=_today(),
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


@transaction.atomic
def pii_reveal(*, by: User, matter: Matter, petitioner: Petitioner, what: str, reason: str) -> str:
    """Decrypt one petitioner's ID number, phone or address for a user allowed to, with a typed reason."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("您没有查看完整个人信息的权限")
    _ensure_visible(by, matter)
    if petitioner.matter_id != matter.pk:
        raise RegistryError("信访人不属于该事项")
    if len(reason.strip()) < 4:
        raise RegistryError("请填写查看理由（至少4个字）", "reason")
    columns: dict[str, tuple[str, str, str]] = {
        "id_number": (petitioner.id_number_enc, ID_CONTEXT, "身份证号"),
        "phone": (petitioner.phone_enc, PHONE_CONTEXT, "联系电话"),
        "address": (petitioner.address_enc, ADDRESS_CONTEXT, "住址"),
    }
    if what not in columns:
        raise RegistryError("不支持查看该项信息")
    token, context, label = columns[what]
    try:
        value = field_cipher().decrypt(token, context=context)
    except DecryptionError as error:
        raise RegistryError("无法解密：密钥缺失或数据已被篡改，请联系系统管理员") from error
    audit_record(
        action="pii.reveal",
        actor=by,
        obj=matter,
        changes={"petitioner": mask_name(petitioner.name), "field": label},
        message=f"查看理由：{reason.strip()[:200]}",
    )
    return value


ONLINE_CATEGORY_CODE = "17"  # 其他: the bureau re-classifies an online submission when it screens it


@transaction.atomic
def matter_submit_online(
    *, county: County, township: Unit, village: str, petitioner: PetitionerInput, content: str, appeal: str
) -> Matter:
    """A petition submitted on the public page (网上信访): registered at once, to be screened by staff."""
    category = Category.objects.filter(county=county, code=ONLINE_CATEGORY_CODE).first()
    if category is None:
        raise RegistryError("本县尚未设置问题分类，暂不能网上提交")
    villages = Village.objects.filter(township=township, name=village.strip()) if village.strip() else None
    data = RegistrationInput(
        county=county,
        event=EventInput(date=_today(), channel=Channel.ONLINE, level=Level.COUNTY),
        origin_township=township,
        origin_village=villages.first() if villages is not None else None,
        origin_village_text=village.strip(),
        category=category,
        content=content,
        appeal=appeal,
        source=Matter.Source.ONLINE,
        petitioners=[petitioner],
    )
    return matter_register(by=None, data=data)


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
    _ensure_visible(by, matter)
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
            changes = {**changes, name: _free_text(changes[name])}
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
    return matter
