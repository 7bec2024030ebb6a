"""One way to build a matter's rows: registration numbers, query codes, protected petitioner rows, clock
fields and ownership rows. The registration services, the ledger import and the demo generator all build
through here; the import and the generator then write what they built in bulk.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from xinfang.core.cipher import field_cipher
from xinfang.directory.models import County, Unit, Village
from xinfang.lib.deadlines import Clock, RuleProfile, due_date, profile_on
from xinfang.lib.masking import mask_id_number, mask_phone
from xinfang.lib.workdays import WorkCalendar
from xinfang.petitions.models import (
    Matter,
    NumberSequence,
    OnlineSubmission,
    Ownership,
    RuleProfileAssignment,
)

# -- registration numbers and query codes ---------------------------------------------------------------

QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
QUERY_CODE_LENGTH = 12  # 60 bits
_CHUNK = 2000


def registration_number(county_code: str, year: int, serial: int) -> str:
    """登记编号: the county's code, the year of the first visit and a serial, 410421-2026-000123."""
    return f"{county_code}-{year}-{serial:06d}"


def numbers_issue(*, county: County, year: int, count: int, avoid: Collection[str] = ()) -> list[str]:
    """`count` fresh registration numbers from the county's sequence for the year, under its row lock;
    a number already taken (a ledger may use numbers of the same form) or in `avoid` is skipped."""
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(county=county, year=year)
    prefix = registration_number(county.code, year, 0)[:-6]
    taken = set(
        # Numbers of this form sort between the sequence's last and the prefix followed by ":".
        Matter.objects.filter(
            county=county,
            number__gt=registration_number(county.code, year, sequence.last),
            number__lt=f"{prefix}:",
        ).values_list("number", flat=True)
    )
    issued: list[str] = []
    while len(issued) < count:
        sequence.last += 1
        number = registration_number(county.code, year, sequence.last)
        if number not in taken and number not in avoid:
            issued.append(number)
    sequence.save(update_fields=["last"])
    return issued


def query_code(pick: Callable[[str], str] | None = None) -> str:
    """A query code (查询码): twelve characters of the query alphabet, five random bits each, from
    `secrets`. The generator passes its seeded `random.choice` as `pick` for repeatable data."""
    if pick is not None:
        return "".join(pick(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    # One draw of 60 bits: a system call per character would cost seconds on an import's 60,000 codes.
    bits = secrets.randbits(5 * QUERY_CODE_LENGTH)
    return "".join(QUERY_ALPHABET[(bits >> shift) & 31] for shift in range(0, 5 * QUERY_CODE_LENGTH, 5))


def query_codes_issue(count: int) -> list[str]:
    """`count` fresh query codes no matter and no online submission has; a code already issued
    (vanishingly unlikely) is drawn again."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = list({query_code() for _ in range(count - len(codes))} - codes)
        for start in range(0, len(batch), _CHUNK):
            chunk = batch[start : start + _CHUNK]
            taken = set(Matter.objects.filter(query_code__in=chunk).values_list("query_code", flat=True))
            taken.update(
                OnlineSubmission.objects.filter(query_code__in=chunk).values_list("query_code", flat=True)
            )
            codes.update(code for code in chunk if code not in taken)
    return list(codes)


# -- petitioners' personal data -------------------------------------------------------------------------

# Associated data binding each ciphertext to its column: a value copied elsewhere does not decrypt.
ID_CONTEXT, PHONE_CONTEXT, ADDRESS_CONTEXT = "petitioner.id_number", "petitioner.phone", "petitioner.address"


@dataclass(frozen=True)
class ProtectedValue:
    encrypted: str
    index: str
    masked: str


def _protect(value: str, *, context: str, domain: str, mask: Callable[[str], str]) -> ProtectedValue:
    if not value:
        return ProtectedValue("", "", "")
    cipher = field_cipher()
    # A malformed number kept from a ledger may be long: the masked form is cut to its column.
    return ProtectedValue(
        cipher.encrypt(value, context=context), cipher.blind_index(value, domain=domain), mask(value)[:20]
    )


def protect_id_number(value: str) -> ProtectedValue:
    return _protect(value, context=ID_CONTEXT, domain="id", mask=mask_id_number)


def protect_phone(value: str) -> ProtectedValue:
    return _protect(value, context=PHONE_CONTEXT, domain="phone", mask=mask_phone)


def id_number_index(value: str) -> str:
    return field_cipher().blind_index(value, domain="id")


def phone_index(value: str) -> str:
    return field_cipher().blind_index(value, domain="phone")


def address_brief(township: Unit, village: Village | None, village_text: str) -> str:
    """Where a petitioner lives, as far as lists show it: the matter's township and village."""
    return f"{township.name}{village.name if village else village_text}"[:100]


def petitioner_row(
    *, name: str, id_number: str, phone: str, address: str, brief: str, order: int
) -> dict[str, Any]:
    """The columns of a `Petitioner` (without its matter): the ID number and phone encrypted, blind-indexed
    and masked, the address encrypted; values already normalised by the caller."""
    protected_id, protected_phone = protect_id_number(id_number), protect_phone(phone)
    return {
        "name": name,
        "id_number_enc": protected_id.encrypted,
        "id_number_index": protected_id.index,
        "id_number_masked": protected_id.masked,
        "phone_enc": protected_phone.encrypted,
        "phone_index": protected_phone.index,
        "phone_masked": protected_phone.masked,
        "address_enc": field_cipher().encrypt(address, context=ADDRESS_CONTEXT),
        "address_brief": brief,
        "order": order,
    }


# -- clocks ---------------------------------------------------------------------------------------------


def rule_profiles(county: County) -> list[tuple[dt.date, str]]:
    """The county's rule-profile assignments (effective date, key), for `profile_on`."""
    return list(RuleProfileAssignment.objects.filter(county=county).values_list("effective_from", "profile"))


def rule_profile(county: County, day: dt.date) -> RuleProfile:
    return profile_on(day, rule_profiles(county))


def clock_fields(
    *,
    clock: Clock | None,
    start: dt.date,
    profile: RuleProfile,
    calendar: WorkCalendar,
    extension_days: int = 0,
    hearing_days: int = 0,
) -> dict[str, Any]:
    """A matter's running clock, when it started and its due date; no clock once the matter has left every
    time limit. An extension lengthens only the handling clock; hearing time (听证) only a review's or a
    re-review's decision clock, where it is not counted (Art. 36). Raises UnknownYear when a working-day
    clock reaches a year the calendar does not know."""
    if clock is None:
        return {"clock": "", "clock_started": None, "due_date": None}
    extra = (
        extension_days
        if clock == Clock.HANDLE
        else hearing_days
        if clock in (Clock.REVIEW_DECIDE, Clock.RE_REVIEW_DECIDE)
        else 0
    )
    return {
        "clock": clock.value,
        "clock_started": start,
        "due_date": due_date(clock, start, profile, calendar, extra_days=extra),
    }


# -- ownership ------------------------------------------------------------------------------------------


def ownership_rows(
    *,
    current: Ownership | None,
    matter_id: int,
    leader_id: int,
    since: dt.date,
    ended_on: dt.date,
    by_id: int | None,
) -> tuple[Ownership | None, dict[str, Any] | None]:
    """A leader takes ownership (包案) of a matter: the current row ended (to be saved by the caller, or
    None) and the new row's columns, or (None, None) when the leader already owns it."""
    if current is not None and current.leader_id == leader_id:
        return None, None
    if current is not None:
        current.is_current, current.ended_on = False, ended_on
    started = {
        "matter_id": matter_id,
        "leader_id": leader_id,
        "since": since,
        "assigned_by_id": by_id,
        "is_current": True,
    }
    return current, started
