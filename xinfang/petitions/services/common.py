"""What every action on matters shares: the inputs, the error a rule raises, the running clock, the facts
statistics count by, the gate services defend, free text as stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import Category, County, Unit, Village
from xinfang.lib.deadlines import Clock
from xinfang.lib.idcard import InvalidValue, normalize_id_number, normalize_phone
from xinfang.lib.masking import scrub_text
from xinfang.lib.workdays import UnknownYear
from xinfang.petitions.facts import event_facts, matter_summary
from xinfang.petitions.models import (
    Channel,
    Event,
    Level,
    Matter,
    Transition,
)
from xinfang.petitions.rows import (
    clock_fields,
    rule_profile,
)

Status = Matter.Status


class RegistryError(ValueError):
    """A business rule refused the action; the message is Chinese and safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RegistryConflict(RegistryError):
    """The matter's current state does not allow the action (the API answers 409)."""


class RegistryRefused(RegistryError):
    """This user may not take the action on this matter (the API answers 403)."""


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
    query_code: str = ""  # issued with the registration unless given (an online submission's own)
    # A new visit about a matter already 终结: registered as 不予受理 (Art. 36: the same facts and reasons
    # are not accepted again) unless the registrar states new facts and reasons.
    terminated: Matter | None = None
    new_facts: str = ""


def local_today() -> dt.date:
    return timezone.localdate()


def start_clock(
    matter: Matter, clock: Clock | None, start: dt.date | None = None, *, hearing_days: int = 0
) -> None:
    """Set the running clock and its due date; no clock once the matter has left every time limit."""
    start = start or local_today()
    try:
        fields = clock_fields(
            clock=clock,
            start=start,
            profile=rule_profile(matter.county, start),
            calendar=work_calendar(),
            extension_days=matter.extension_days,
            hearing_days=hearing_days,
        )
    except UnknownYear as error:
        raise RegistryError(str(error)) from error
    for name, value in fields.items():
        setattr(matter, name, value)


def check_event(event: EventInput) -> None:
    if event.date > local_today():
        raise RegistryError("信访日期不能晚于今天", "date")
    if event.date.year < 1990:
        raise RegistryError("信访日期不正确", "date")
    if event.channel not in Channel.values:
        raise RegistryError("请选择信访形式", "channel")
    if event.level not in Level.values:
        raise RegistryError("请选择访别", "level")
    if not 1 <= event.persons <= 100000:
        raise RegistryError("人数应为不小于1的整数", "persons")


def refresh_event_summary(matter: Matter) -> None:
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


def clean_petitioners(petitioners: Sequence[PetitionerInput]) -> list[tuple[PetitionerInput, str, str]]:
    cleaned = []
    for number, person in enumerate(petitioners, start=1):
        try:
            id_number = (
                normalize_id_number(person.id_number, today=local_today()) if person.id_number.strip() else ""
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


def ensure_visible(by: User, matter: Matter) -> None:
    """Services defend the gate too: a user acts only on matters they may see (any county, Art. 46)."""
    from xinfang.petitions.selectors import matters_for_user

    if not matters_for_user(user=by).filter(pk=matter.pk).exists():
        raise RegistryError("信访事项不存在或不在您的管辖范围内")


def free_text(text: str) -> str:
    """Free text as stored: ID and mobile numbers typed into it are masked, since they belong in the
    petitioner fields, which are encrypted; free text is shown, searched and exported as it is."""
    return scrub_text(text.strip())


def record_transition(matter: Matter, old: str, new: str, by: User | None, reason: str) -> None:
    reason = free_text(reason)
    Transition.objects.create(
        matter=matter, from_status=old, to_status=new, at=timezone.now(), by=by, reason=reason
    )
