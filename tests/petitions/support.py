"""Helpers shared by the petition service tests: frozen time, ID numbers, a registration as the bureau
types it, and the small probes (reload, audits, steps, snapshot) the tests compare before and after."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, County, Unit, Village
from xinfang.lib.idcard import id_check_code
from xinfang.petitions.models import (
    Assignment,
    Channel,
    Event,
    Level,
    Matter,
    NumberSequence,
    Petitioner,
    RuleProfileAssignment,
    Transition,
)
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput, RegistryError
from xinfang.petitions.services.registration import matter_register
from xinfang.petitions.services.transfer import assignment_receive, matter_assign
from xinfang.petitions.services.workflow import matter_transition

S = Matter.Status
TZ = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=TZ)


def day(year: int, month: int, d: int) -> dt.date:
    return dt.date(year, month, d)


def frozen(year: int = 2026, month: int = 11, d: int = 2):
    """Time stands still at 10:00 Beijing time on that day (2026-11-02, a Monday, by default)."""
    return time_machine.travel(at(year, month, d), tick=False)


def id_no(first17: str) -> str:
    return first17 + id_check_code(first17)


ID_ZHANG = id_no("41042119800101123")
ID_LI = id_no("41042119751231002")
PHONE_ZHANG = "13837512345"
PHONE_LI = "13937598765"
ADDRESS_ZHANG = "周庄镇大屯村三组17号"


def chinese(error: pytest.ExceptionInfo[RegistryError]) -> str:
    message = str(error.value)
    assert CJK.search(message), message
    return message


def unit(county: County, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def register(
    county: County,
    *,
    date: dt.date = dt.date(2026, 10, 20),
    level: str = Level.COUNTY,
    channel: str = Channel.VISIT,
    persons: int = 1,
    township: str | Unit = "周庄镇",
    village: Village | None = None,
    category: str | Category = "0702",
    responsible: str | Unit | None = None,
    content: str = "某建筑公司拖欠农民工工资两年未付",
    petitioners: tuple[PetitionerInput, ...] | None = None,
    reported: tuple[str, ...] = (),
    **fields,
) -> RegistrationInput:
    """A registration as the bureau types it, with sensible defaults; names are resolved in `county`."""
    if petitioners is None:
        petitioners = (
            PetitionerInput(name="张建设", id_number=ID_ZHANG, phone=PHONE_ZHANG, address=ADDRESS_ZHANG),
        )
    return RegistrationInput(
        county=county,
        event=EventInput(date=date, channel=channel, level=level, persons=persons),
        origin_township=unit(county, township) if isinstance(township, str) else township,
        origin_village=village,
        category=Category.objects.get(county=county, code=category)
        if isinstance(category, str)
        else category,
        responsible_unit=unit(county, responsible) if isinstance(responsible, str) else responsible,
        content=content,
        appeal="要求尽快支付拖欠工资",
        petitioners=petitioners,
        reported_units=tuple(unit(county, name) for name in reported),
        **fields,
    )


def new_matter(by, county: County, **overrides) -> Matter:
    return matter_register(by=by, data=register(county, **overrides))


def reload(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def audits(matter: Matter, action: str) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(
            action=action, object_type="petitions.matter", object_id=str(matter.pk)
        ).order_by("id")
    )


def steps(matter: Matter) -> list[tuple[str, str]]:
    return list(matter.transitions.order_by("at", "id").values_list("from_status", "to_status"))


def snapshot() -> tuple[object, ...]:
    """Everything a refused action must leave as it was."""
    return (
        Matter.objects.count(),
        Event.objects.count(),
        Petitioner.objects.count(),
        Transition.objects.count(),
        Assignment.objects.count(),
        AuditRecord.objects.count(),
        sorted(NumberSequence.objects.values_list("county_id", "year", "last")),
    )


def henan(county: County, since: dt.date = dt.date(2026, 1, 1)) -> None:
    RuleProfileAssignment.objects.create(county=county, profile="henan", effective_from=since)


def accepted_matter(county, bureau, renshe, *, on: dt.date) -> Matter:
    """A matter registered with 县人社局 responsible, accepted by the bureau on `on` (time must allow
    it); from then on 县人社局 handles it."""
    matter = new_matter(bureau, county, date=on, responsible="县人社局")
    return matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=on)


def transferred(county, bureau, renshe, traveller, *, received_on: dt.datetime) -> Matter:
    matter = new_matter(bureau, county, date=day(2026, 9, 28))
    matter_assign(by=bureau, matter=matter, unit=unit(county, "县人社局"), kind=Assignment.Kind.TRANSFER)
    traveller.move_to(received_on)
    assignment_receive(by=renshe, matter=matter)
    return matter


def captcha_solved(text: str = "ABCDE") -> dict[str, str]:
    """The CAPTCHA fields of a form, answered right (the challenge made with a known text)."""
    from xinfang.core.captcha import captcha_issue

    return {"captcha_token": captcha_issue(text).token, "captcha": text.lower()}


def online_form(county: County, **overrides: str) -> dict[str, object]:
    """The public online petition form as a petitioner fills it in, CAPTCHA solved."""
    return {
        "county": county.code, "name": "李四", "id_number": ID_LI, "phone": PHONE_LI,
        "township": unit(county, "周庄镇").pk, "village": "", "address": "周庄镇大屯村",
        "content": "小区门口道路坑洼多年无人修", "appeal": "尽快修路", **captcha_solved(), **overrides,
    }  # fmt: skip
