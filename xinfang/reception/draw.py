"""The first-Tuesday draw of the six top leaders to the townships (下沉接访抽签), as plain functions: no
database, no Django, no clock (docs/reception.md, "The draw"). Everything here can be re-implemented from
the docs and checked against a published draw.

The random stream is HMAC-SHA256 keyed by the seed's bytes over an 8-byte big-endian counter from 0; the
first 8 bytes of each MAC, shifted right by 11, over 2**53, give a uniform u in [0, 1). Each leader in
turn takes u × (the remaining townships' total weight) and walks the remaining townships in their
recorded order, summing weights: the first whose running sum exceeds that target is drawn and removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from xinfang.lib.schedule import Rule
from xinfang.lib.workdays import UnknownYear, WorkCalendar
from xinfang.reception.planning import month_add

METHOD = "hmac-sha256-v1"
TUESDAY = 1
SEED_MAX = 128  # hex digits: the model's field
HISTORY_MONTHS = 6  # a township drawn in the six months before has its weight halved per draw


class DayRule(StrEnum):
    FIRST_TUESDAY = "first_tuesday"  # the first Tuesday of the month
    WEEK_OF_FIRST = "week_of_first"  # the Tuesday of the week (Monday to Sunday) holding the 1st


# ---------------------------------------------------------------------------------------------------------
# The day


def nominal_day(month: dt.date, rule: DayRule) -> dt.date:
    """The month's Tuesday before the working-day rule: the first Tuesday, or the Tuesday of the week
    holding the 1st (in the month before when the 1st is a Wednesday to a Sunday)."""
    first = month.replace(day=1)
    if rule == DayRule.WEEK_OF_FIRST:
        return first + dt.timedelta(days=TUESDAY - first.weekday())
    return first + dt.timedelta(days=(TUESDAY - first.weekday()) % 7)


def downvisit_day(month: dt.date, rule: DayRule, calendar: WorkCalendar) -> dt.date:
    """The month's down-to-township day: its Tuesday, or the next working day when that is not one.
    Raises UnknownYear when the calendar does not know the year."""
    day = nominal_day(month, rule)
    calendar.check_range(day, day)
    return calendar.next_workday(day)


def working_day_before(day: dt.date, calendar: WorkCalendar) -> dt.date:
    before = day - dt.timedelta(days=1)
    calendar.check_range(before, before)
    while not calendar.is_workday(before):
        before -= dt.timedelta(days=1)
    return before


@dataclass(frozen=True)
class DrawEve(Rule):
    """The scheduled job's days: the working day before each month's down-to-township day."""

    kind: str = "downvisit_eve"
    day_rule: DayRule = DayRule.FIRST_TUESDAY

    def days_between(self, start: dt.date, end: dt.date, calendar: WorkCalendar) -> Iterator[dt.date]:
        month, last = start.replace(day=1), month_add(end.replace(day=1), 1)
        while month <= last:
            try:
                eve = working_day_before(downvisit_day(month, self.day_rule, calendar), calendar)
            except UnknownYear:
                if month < last:
                    raise
                # The month after the range, in a year not entered yet: its eve cannot be known (and the
                # scheduler must not stop for it); the range's own days raise as any rule's do.
                return
            if start <= eve <= end:
                yield eve
            month = month_add(month, 1)

    def picks(self, day: dt.date) -> bool:  # needs the calendar: days_between is the rule's answer
        raise NotImplementedError

    def describe(self) -> str:
        which = "第一个星期二" if self.day_rule == DayRule.FIRST_TUESDAY else "1日所在周的星期二"
        return f"每月{which}（遇节假日顺延）的前一个工作日"


# ---------------------------------------------------------------------------------------------------------
# The stream and the sampling


def seed_bytes(seed: str) -> bytes:
    """The seed's bytes from its hex text (either case); ValueError in Chinese otherwise."""
    text = seed.strip()
    if not text or len(text) > SEED_MAX or len(text) % 2:
        raise ValueError(f"随机种子应为偶数位十六进制数字，最多{SEED_MAX}位：{seed}")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"随机种子应为偶数位十六进制数字，最多{SEED_MAX}位：{seed}") from None


def uniforms(seed: str) -> Iterator[float]:
    """The seed's stream of uniform numbers in [0, 1), 53 bits each."""
    key = seed_bytes(seed)
    counter = 0
    while True:
        mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
        yield (int.from_bytes(mac[:8], "big") >> 11) / 2**53
        counter += 1


def weight_of(recent_draws: int) -> float:
    """1.0, halved for each draw of the township in the six months before."""
    return 0.5**recent_draws


def sample(seed: str, weights: Sequence[float], draws: int) -> list[int]:
    """Weighted sampling without replacement: the indexes (into `weights`) drawn by `draws` leaders in
    turn. When the townships run out, the later leaders draw nothing (the list is shorter)."""
    remaining = list(range(len(weights)))
    stream = uniforms(seed)
    picked: list[int] = []
    for _ in range(draws):
        if not remaining:
            break
        total = 0.0
        for index in remaining:
            total += weights[index]
        target = next(stream) * total
        running, chosen = 0.0, remaining[-1]  # rounding can leave the target at the very end
        for index in remaining:
            running += weights[index]
            if running > target:
                chosen = index
                break
        picked.append(chosen)
        remaining.remove(chosen)
    return picked


# ---------------------------------------------------------------------------------------------------------
# Liaison leaders


@dataclass(frozen=True)
class LiaisonChoice:
    township: int
    last_visit: dt.date | None
    order: int


def least_recent(choices: Sequence[LiaisonChoice], drawn: frozenset[int]) -> int | None:
    """A liaison leader's township for the day: not one drawn by a top leader when he has another; then the
    one he visited least recently (never first); then the townships' order."""
    if not choices:
        return None
    free = [choice for choice in choices if choice.township not in drawn] or list(choices)
    best = min(free, key=lambda c: (c.last_visit is not None, c.last_visit or dt.date.min, c.order))
    return best.township


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"
