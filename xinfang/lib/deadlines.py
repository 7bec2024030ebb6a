"""Statutory deadlines of petition handling (《信访工作条例》 2022 and Henan's stricter rules). No ORM.

A rule profile holds every time limit; a county switches profiles from an effective date, and a clock
uses the profile in force on the day it starts. Plain 日 are calendar days counted from the day after
the start (the start day itself is not counted); 工作日 are official working days from `WorkCalendar`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from xinfang.lib.workdays import UnknownYear, WorkCalendar


class Clock(StrEnum):
    DISPOSE = "dispose"  # 登记后转送、交办或受理 (Art. 22)
    ACCEPT_NOTICE = "accept_notice"  # 有权处理机关告知受理 (Art. 23)
    OBJECTION = "objection"  # 对管辖有异议 (Art. 23), working days
    HANDLE = "handle"  # 受理后办结 (Art. 34)
    REVIEW_REQUEST = "review_request"  # 答复后请求复查 (Art. 35)
    REVIEW_DECIDE = "review_decide"  # 复查决定 (Art. 35)
    RE_REVIEW_REQUEST = "re_review_request"  # 复查后请求复核 (Art. 36)
    RE_REVIEW_DECIDE = "re_review_decide"  # 复核决定 (Art. 36)
    RATING = "rating"  # 答复后满意度评价


# Windows in which the petitioner may act (ask for a review, rate): when one lapses nobody is late.
PETITIONER_CLOCKS = frozenset({Clock.REVIEW_REQUEST, Clock.RE_REVIEW_REQUEST, Clock.RATING})

CLOCK_LABELS: dict[Clock, str] = {
    Clock.DISPOSE: "登记后转送/交办/受理",
    Clock.ACCEPT_NOTICE: "告知受理",
    Clock.OBJECTION: "管辖异议",
    Clock.HANDLE: "办结",
    Clock.REVIEW_REQUEST: "请求复查",
    Clock.REVIEW_DECIDE: "复查决定",
    Clock.RE_REVIEW_REQUEST: "请求复核",
    Clock.RE_REVIEW_DECIDE: "复核决定",
    Clock.RATING: "满意度评价",
}


@dataclass(frozen=True)
class RuleProfile:
    key: str
    name: str
    dispose_days: int
    accept_notice_days: int
    objection_workdays: int
    handle_days: int
    # The handling time may be extended once by at most this many days (Henan: to 90 days in all).
    extension_max_days: int
    review_request_days: int
    review_decide_days: int
    # Henan's regulation ends the procedure at 复查: no 复核.
    re_review_allowed: bool
    re_review_request_days: int
    re_review_decide_days: int
    rating_window_days: int = 15
    warning_days: int = 3
    # A calendar-day deadline whose last day is a rest day or holiday ends on the next working day
    # (期间届满的最后一日是法定休假日的，以休假日后的第一日为期间届满的日期).
    rest_day_rollover: bool = True
    # The rule behind each clock, as the matter's page names it; a clock not listed follows the national
    # regulation's article (NATIONAL_BASIS).
    basis: tuple[tuple[Clock, str], ...] = ()

    def basis_of(self, clock: Clock) -> str:
        return dict(self.basis).get(clock) or NATIONAL_BASIS.get(clock, "")

    def days(self, clock: Clock) -> int:
        return {
            Clock.DISPOSE: self.dispose_days,
            Clock.ACCEPT_NOTICE: self.accept_notice_days,
            Clock.OBJECTION: self.objection_workdays,
            Clock.HANDLE: self.handle_days,
            Clock.REVIEW_REQUEST: self.review_request_days,
            Clock.REVIEW_DECIDE: self.review_decide_days,
            Clock.RE_REVIEW_REQUEST: self.re_review_request_days,
            Clock.RE_REVIEW_DECIDE: self.re_review_decide_days,
            Clock.RATING: self.rating_window_days,
        }[clock]


NATIONAL_BASIS: dict[Clock, str] = {
    Clock.DISPOSE: "《信访工作条例》第二十二条",
    Clock.ACCEPT_NOTICE: "《信访工作条例》第二十三条",
    Clock.OBJECTION: "《信访工作条例》第二十三条",
    Clock.HANDLE: "《信访工作条例》第三十四条",
    Clock.REVIEW_REQUEST: "《信访工作条例》第三十五条",
    Clock.REVIEW_DECIDE: "《信访工作条例》第三十五条",
    Clock.RE_REVIEW_REQUEST: "《信访工作条例》第三十六条",
    Clock.RE_REVIEW_DECIDE: "《信访工作条例》第三十六条",
    Clock.RATING: "本县满意度评价规则",
}

NATIONAL_2022 = RuleProfile(
    key="national-2022",
    name="《信访工作条例》（2022年）",
    dispose_days=15,
    accept_notice_days=15,
    objection_workdays=5,
    handle_days=60,
    extension_max_days=30,
    review_request_days=30,
    review_decide_days=30,
    re_review_allowed=True,
    re_review_request_days=30,
    re_review_decide_days=30,
)

HENAN = RuleProfile(
    key="henan",
    name="《河南省信访条例》",
    dispose_days=5,
    accept_notice_days=15,
    objection_workdays=5,
    handle_days=30,
    extension_max_days=60,
    review_request_days=30,
    review_decide_days=30,
    re_review_allowed=False,
    re_review_request_days=0,
    re_review_decide_days=0,
    # Where Henan's regulation is stricter than the national one; the rest follows the national articles.
    basis=(
        (Clock.DISPOSE, "《河南省信访条例》（转送交办5日）"),
        (Clock.HANDLE, "《河南省信访条例》（办结30日，延长后合计不超过90日）"),
        (Clock.REVIEW_DECIDE, "《河南省信访条例》（复查意见即为终结）"),
    ),
)

PROFILES: dict[str, RuleProfile] = {profile.key: profile for profile in (NATIONAL_2022, HENAN)}
DEFAULT_PROFILE = NATIONAL_2022


def profile_on(day: dt.date, assignments: Sequence[tuple[dt.date, str]]) -> RuleProfile:
    """The profile in force on `day`: the latest assignment (effective date, key) not after it."""
    current = DEFAULT_PROFILE
    for effective, key in sorted(assignments):
        if effective <= day:
            current = PROFILES[key]
    return current


def due_date(
    clock: Clock, start: dt.date, profile: RuleProfile, calendar: WorkCalendar, extra_days: int = 0
) -> dt.date:
    """The last day of a clock that starts on `start` (that day not counted). A calendar-day deadline
    that falls on a rest day or holiday moves to the next working day when the profile says so; while
    that year's holidays are not known yet (the State Council publishes them late in the year) it stays
    on its calendar day, the stricter date, never a guess."""
    if clock == Clock.OBJECTION:
        return calendar.add_workdays(start, profile.objection_workdays)
    due = start + dt.timedelta(days=profile.days(clock) + extra_days)
    if not profile.rest_day_rollover:
        return due
    try:
        return calendar.next_workday(due)
    except UnknownYear:
        return due


@dataclass(frozen=True)
class DeadlineState:
    due: dt.date
    days_left: int  # negative once overdue
    state: str  # "ok", "warning" (within the warning period), "overdue", or "lapsed" (a petitioner's window)

    @property
    def label(self) -> str:
        if self.state == "lapsed":
            return "期限已过"
        if self.state == "overdue":
            return f"已超期{-self.days_left}天"
        if self.days_left == 0:
            return "今日到期"
        return f"剩余{self.days_left}天"


def deadline_state(
    due: dt.date, today: dt.date, warning_days: int, *, petitioners: bool = False
) -> DeadlineState:
    """The state of a due date today; a petitioner's window (`petitioners`) lapses, never overdue."""
    days_left = (due - today).days
    if days_left < 0:
        state = "lapsed" if petitioners else "overdue"
    elif petitioners:
        state = "ok"
    elif days_left <= warning_days:
        state = "warning"
    else:
        state = "ok"
    return DeadlineState(due=due, days_left=days_left, state=state)
