"""A deterministic generator of realistic petition data, for benchmarks and the demo history.

The same seed and size give the same rows; a day's matters (`generate_day`) are seeded by the day. Rows
are written in bulk (not through the services, which would take hours at a million matters) but hold
everything the services would write: encrypted and indexed personal data, bigram documents, registration
numbers and the denormalised event summary.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.core.matter_hooks import matters_changed
from xinfang.core.roles import Role
from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.lib.deadlines import Clock, profile_on
from xinfang.lib.idcard import id_check_code
from xinfang.petitions.facts import OPEN_STATUS_CLOCKS, event_facts, matter_summary
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    Assignment,
    Channel,
    Event,
    Level,
    Matter,
    MatterText,
    NumberSequence,
    Ownership,
    Petitioner,
    Rating,
    Transition,
)
from xinfang.petitions.rows import (
    clock_fields,
    ownership_rows,
    petitioner_row,
    query_code,
    registration_number,
    rule_profiles,
)
from xinfang.petitions.search import matter_grams

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰建国建华志强秀兰玉兰红梅海燕春花德胜保国"
SUBJECTS = (
    "某建筑公司",
    "村委会",
    "某开发商",
    "镇政府",
    "某物业公司",
    "某学校",
    "某医院",
    "某企业",
    "邻居",
    "某合作社",
    "某劳务公司",
    "某养殖场",
)
# (what is wrong, the second-level category it belongs to, weight): wage arrears lead, as in the article.
ISSUES = (
    ("拖欠农民工工资", "工资福利", 14),
    ("拖欠工程款", "建筑市场", 6),
    ("征地补偿款未到位", "土地征收", 8),
    ("宅基地纠纷", "村镇建设", 6),
    ("低保资格被取消", "社会救助", 5),
    ("养老保险待遇未落实", "退休政策及待遇", 5),
    ("房屋漏水质量问题", "工程质量", 4),
    ("噪音扰民", "环境污染", 3),
    ("工厂排污污染环境", "环境污染", 4),
    ("道路损坏长期未修", "城市建设和市政管理", 3),
    ("子女入学困难", "教育管理", 3),
    ("医疗费用纠纷", "医患纠纷", 3),
    ("土地承包经营纠纷", "土地承包经营", 7),
    ("退役军人安置待遇", "复退安置", 3),
    ("拆迁安置房未交付", "住房保障与房地产", 4),
    ("村务财务不公开", "村务管理", 5),
    ("惠农补贴未发放", "惠农补贴", 4),
    ("违章建筑影响通行", "城乡规划", 3),
    ("社保缴费年限认定", "城镇职工社会保险", 3),
    ("反映干部作风问题", "干部作风", 2),
)
DETAILS = (
    "已有三个月",
    "多次反映未解决",
    "涉及二十余户",
    "要求尽快处理",
    "金额约五万元",
    "已持续两年",
    "影响正常生活",
    "请求依法处理",
    "群众意见较大",
    "曾到镇里反映",
    "双方协商未果",
    "希望领导重视",
)
LEVELS = ((Level.COUNTY, 85), (Level.CITY, 9), (Level.PROVINCE, 4), (Level.BEIJING, 2))
CHANNELS = (
    (Channel.VISIT, 55),
    (Channel.LETTER, 12),
    (Channel.CALL, 13),
    (Channel.ONLINE, 17),
    (Channel.SMS, 3),
)
_MS = Matter.Status
# A matter's status by its age in days: young ones are being handled, old ones mostly settled.
STATUSES_BY_AGE: tuple[tuple[int, tuple[tuple[str, int], ...]], ...] = (
    (10, ((_MS.REGISTERED, 40), (_MS.TRANSFERRED, 35), (_MS.ACCEPTED, 25))),
    (60, ((_MS.ACCEPTED, 20), (_MS.IN_PROGRESS, 35), (_MS.ANSWERED, 25), (_MS.RESOLVED, 20))),
    (120, ((_MS.ANSWERED, 10), (_MS.RESOLVED, 68), (_MS.CLOSED, 10), (_MS.IN_PROGRESS, 4),
           (_MS.REJECTED, 8))),
    (10**6, ((_MS.RESOLVED, 78), (_MS.CLOSED, 12), (_MS.REJECTED, 5), (_MS.ANSWERED, 2),
             (_MS.IN_PROGRESS, 3))),
)  # fmt: skip

_S = Matter.Status
_HANDLED: list[str] = [_S.REGISTERED, _S.TRANSFERRED, _S.ACCEPTED, _S.IN_PROGRESS]
# The steps a matter went through to reach its status (a plausible history, SPEC §4's flow).
HISTORY_PATHS: dict[str, list[str]] = {
    _S.REGISTERED: [_S.REGISTERED],
    _S.REJECTED: [_S.REGISTERED, _S.REJECTED],
    _S.TRANSFERRED: [_S.REGISTERED, _S.TRANSFERRED],
    _S.ACCEPTED: [_S.REGISTERED, _S.TRANSFERRED, _S.ACCEPTED],
    _S.IN_PROGRESS: _HANDLED,
    _S.ANSWERED: [*_HANDLED, _S.ANSWERED],
    _S.RESOLVED: [*_HANDLED, _S.ANSWERED, _S.RESOLVED],
    _S.CLOSED: [*_HANDLED, _S.ANSWERED, _S.CLOSED],
}
STEP_REASONS: dict[str, str] = {
    _S.REGISTERED: "登记",
    _S.REJECTED: "不属于信访受理范围",
    _S.TRANSFERRED: "转送责任单位办理",
    _S.RESOLVED: "信访人表示息访",
    _S.CLOSED: "信访人未在期限内请求复查",
}


T = TypeVar("T")


def _weighted(rng: random.Random, pairs: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


@dataclass(frozen=True)
class GeneratedCounts:
    matters: int
    events: int
    petitioners: int


class PlannedEvent(NamedTuple):
    date: dt.date
    channel: str
    level: str
    persons: int


@dataclass(frozen=True)
class MatterPlan:
    """A matter written as planned rather than drawn (its village, content and petitioners are still
    drawn): the demo's matters whose deadlines fall near the day it is loaded."""

    township: Unit
    steps: tuple[tuple[str, dt.date], ...]  # the statuses it went through and their days, 登记 first
    unit: Unit | None = None  # the responsible unit
    visits: tuple[PlannedEvent, ...] = ()  # default: one person's county visit on the day of 登记
    owner: Leader | None = None  # the county leader who owns it (包案) since its first visit
    issue: str = ""  # one of ISSUES' problems; drawn when blank
    is_backlog: bool = False


def draw_person(rng: random.Random, county_code: str) -> tuple[str, str, str]:
    """A petitioner's name, ID number (born in the county 1940–2001) and mobile, drawn from `rng`."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 62))
    first17 = f"{county_code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return name, first17 + id_check_code(first17), phone


# Answered matters rated by their petitioners, and the scores they give (weights).
RATED_SHARE = 0.85
BUREAU_SCORES = (
    (Rating.Score.SATISFIED, 72), (Rating.Score.BASICALLY, 20), (Rating.Score.DISSATISFIED, 8),
)  # fmt: skip
UNIT_SCORES = (
    (Rating.Score.SATISFIED, 64), (Rating.Score.BASICALLY, 24), (Rating.Score.DISSATISFIED, 12),
)  # fmt: skip


class _Generator:
    def __init__(self, county: County, seed: int, start: dt.date, end: dt.date) -> None:
        # Not for secrets: a seeded generator so the same seed gives the same data.
        self.county, self.rng = county, random.Random(seed)  # noqa: S311
        self.start, self.days = start, (end - start).days
        self.townships = list(Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP).order_by("pk"))
        self.villages: dict[int, list[Village]] = {}
        for village in Village.objects.filter(township__county=county).order_by("pk"):
            self.villages.setdefault(village.township_id, []).append(village)
        self.departments = list(Unit.objects.filter(county=county, kind=Unit.Kind.DEPARTMENT).order_by("pk"))
        categories = {c.name: c for c in Category.objects.filter(county=county, parent__isnull=False)}
        fallback = Category.objects.filter(county=county).order_by("code").first()
        self.issues = tuple(((text, categories.get(name, fallback)), weight) for text, name, weight in ISSUES)
        self.sequences: dict[int, int] = dict(
            NumberSequence.objects.filter(county=county).values_list("year", "last")
        )
        self.codes: set[str] = set()
        self.calendar = work_calendar()
        self.profiles = rule_profiles(county)  # the county's rule profiles: each clock by its start day
        # The registrar of the generated history: the county's first bureau account, if any.
        self.clerk = User.objects.filter(county=county, role=Role.BUREAU_STAFF).order_by("pk").first()
        self.liaisons: dict[int, list[Leader]] = {}
        for leader in Leader.objects.filter(county=county, is_active=True).prefetch_related(
            "liaison_townships"
        ):
            for township in leader.liaison_townships.all():
                self.liaisons.setdefault(township.pk, []).append(leader)

    def _date(self) -> dt.date:
        # Wage arrears peak before the Spring Festival: more visits in December and January.
        while True:
            day = self.start + dt.timedelta(days=self.rng.randrange(self.days + 1))
            if day.month in (12, 1) or self.rng.random() < 0.8:
                return day

    def _code(self) -> str:
        while True:
            code = query_code(self.rng.choice)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _fresh_codes(self, matters: list[Matter]) -> None:
        """Redraw any query code an earlier run already issued (the same seed gives the same codes)."""
        while True:
            taken = set(
                Matter.objects.filter(query_code__in=[m.query_code for m in matters]).values_list(
                    "query_code", flat=True
                )
            )
            if not taken:
                return
            for matter in matters:
                if matter.query_code in taken:
                    matter.query_code = self._code()

    def _issue(self, problem: str) -> tuple[str, Category | None]:
        return next(issue for issue, _ in self.issues if issue[0] == problem)

    def _plan_matter(
        self, now: dt.datetime, plan: MatterPlan | None = None
    ) -> tuple[Matter, list[PlannedEvent], list[tuple[str, dt.date]]]:
        """One matter, its events and the steps of its history, drawn or as planned (the order of draws
        is the data's seed)."""
        rng = self.rng
        township = plan.township if plan else rng.choice(self.townships)
        village = rng.choice(self.villages[township.pk])
        issue, category = self._issue(plan.issue) if plan and plan.issue else _weighted(rng, self.issues)
        if plan is None:
            events, steps = self._draw_events_and_steps()
        else:
            steps = list(plan.steps)
            events = list(plan.visits) or [PlannedEvent(steps[0][1], Channel.VISIT, Level.COUNTY, 1)]
        first, status = events[0].date, steps[-1][0]
        handling = self._handling(steps)
        year = first.year
        self.sequences[year] = self.sequences.get(year, 0) + 1
        content = (
            f"{township.name}{village.name}群众反映{rng.choice(SUBJECTS)}{issue}，"
            f"{rng.choice(DETAILS)}，{rng.choice(DETAILS)}。"
        )
        matter = Matter(
            county=self.county,
            number=registration_number(self.county.code, year, self.sequences[year]),
            query_code=self._code(),
            registered_at=min(now, _on_the_day(first)),
            origin_township=township,
            origin_village=village,
            category=category,
            responsible_unit=plan.unit if plan else rng.choice([*self.departments, township]),
            content=content,
            appeal=rng.choice(("要求尽快解决", "请求依法处理", "要求给予补偿", "希望落实政策")),
            status=status,
            **matter_summary(events),
            is_threat=rng.random() < 0.01,
            is_urgent=rng.random() < 0.02,
            is_backlog=plan.is_backlog if plan else rng.random() < 0.03,
            **handling,
        )
        return matter, events, steps

    def _draw_events_and_steps(self) -> tuple[list[PlannedEvent], list[tuple[str, dt.date]]]:
        rng = self.rng
        first = self._date()
        events = [PlannedEvent(first, _weighted(rng, CHANNELS), _weighted(rng, LEVELS), self._persons())]
        while rng.random() < 0.6 and len(events) < 12:
            later = events[-1].date + dt.timedelta(days=rng.randrange(1, 90))
            if later > self.start + dt.timedelta(days=self.days):
                break
            events.append(
                PlannedEvent(later, _weighted(rng, CHANNELS), _weighted(rng, LEVELS), self._persons())
            )
        # Young matters are still being handled, old ones mostly settled; a few stay open as the
        # backlog (积案) that goes overdue.
        age = (self.start + dt.timedelta(days=self.days) - first).days
        status = _weighted(rng, next(statuses for limit, statuses in STATUSES_BY_AGE if age <= limit))
        return events, self._steps(status, first)

    def batch(self, size: int) -> tuple[int, int, int]:
        now = timezone.now()
        matters, events, people = self._write([self._plan_matter(now) for _ in range(size)], now)
        return len(matters), events, people

    def planned(self, plans: list[MatterPlan]) -> list[Matter]:
        now = timezone.now()
        matters, _, _ = self._write(
            [self._plan_matter(now, plan) for plan in plans], now, owners=[plan.owner for plan in plans]
        )
        return matters

    def _write(
        self,
        planned: list[tuple[Matter, list[PlannedEvent], list[tuple[str, dt.date]]]],
        now: dt.datetime,
        owners: list[Leader | None] | None = None,
    ) -> tuple[list[Matter], int, int]:
        """Write the planned matters with their events, petitioners, search documents, history and owners
        (drawn unless given). Returns the matters and how many events and petitioners were written."""
        rng = self.rng
        matters = [matter for matter, _, _ in planned]
        plans = [events for _, events, _ in planned]
        histories = [steps for _, _, steps in planned]
        self._fresh_codes(matters)
        Matter.objects.bulk_create(matters)
        self._save_histories(matters, histories, owners)
        event_rows: list[Event] = []
        people: list[Petitioner] = []
        texts: list[MatterText] = []
        for matter, events in zip(matters, plans, strict=True):
            # The plan is in date order and ids follow it, as event_facts_refresh would order them.
            category_top_id = matter.category.parent_id or matter.category_id
            for event, facts in zip(events, event_facts(events), strict=True):
                event_rows.append(
                    Event(
                        matter=matter,
                        county=self.county,
                        date=event.date,
                        channel=event.channel,
                        level=event.level,
                        persons=event.persons,
                        is_collective=event.persons >= COLLECTIVE_PERSONS,
                        **facts.as_dict(),
                        township_id=matter.origin_township_id,
                        category_top_id=category_top_id,
                        # Registered on its day, as a bureau does: history, never a late report (补报).
                        registered_at=min(now, _on_the_day(event.date)),
                    )
                )
            for order in range(1 if rng.random() < 0.9 else rng.randrange(2, 4)):
                name, id_number, phone = draw_person(rng, self.county.code)
                people.append(
                    Petitioner(
                        matter=matter,
                        **petitioner_row(
                            name=name,
                            id_number=id_number,
                            phone=phone,
                            address=f"{matter.content[:8]}{order + 1}组",
                            brief=matter.origin_township.name,
                            order=order,
                        ),
                    )
                )
            texts.append(MatterText(matter=matter, grams=matter_grams(matter.content, matter.appeal)))
        Event.objects.bulk_create(event_rows, batch_size=5000)
        Petitioner.objects.bulk_create(people, batch_size=5000)
        MatterText.objects.bulk_create(texts, batch_size=5000)
        return matters, len(event_rows), len(people)

    def _steps(self, status: str, first: dt.date) -> list[tuple[str, dt.date]]:
        """The steps that led to `status`, with their dates: a few days apart, none after the end."""
        end = min(self.start + dt.timedelta(days=self.days), timezone.localdate())
        steps, day = [], first
        for step in HISTORY_PATHS[status]:
            steps.append((step, day))
            day = min(day + dt.timedelta(days=self.rng.randrange(1, 7)), end)
        return steps

    def _handling(self, steps: list[tuple[str, dt.date]]) -> dict[str, object]:
        """The matter's dates and running clock after its steps."""
        dates = dict(steps)
        status = steps[-1][0]
        fields: dict[str, object] = {
            "accepted_on": dates.get(Matter.Status.ACCEPTED),
            "answered_on": dates.get(Matter.Status.ANSWERED),
            "resolved_on": dates.get(Matter.Status.RESOLVED),
            "answer": "经调查核实，已督促责任单位依法依规处理，并向信访人当面答复。"
            if Matter.Status.ANSWERED in dates
            else "",
        }
        clock = OPEN_STATUS_CLOCKS.get(status)
        # The handling time runs from acceptance, through 办理中, as the workflow runs it.
        accepted = dates.get(Matter.Status.ACCEPTED)
        start = accepted if clock == Clock.HANDLE and accepted else steps[-1][1]
        fields.update(
            clock_fields(
                clock=clock, start=start, profile=profile_on(start, self.profiles), calendar=self.calendar
            )
        )
        return fields

    def _save_histories(
        self,
        matters: list[Matter],
        histories: list[list[tuple[str, dt.date]]],
        owners: list[Leader | None] | None,
    ) -> None:
        transitions, assignments = [], []
        for matter, steps in zip(matters, histories, strict=True):
            previous = ""
            for step, when in steps:
                at = timezone.make_aware(dt.datetime.combine(when, dt.time(9, 30)))
                transitions.append(
                    Transition(
                        matter=matter,
                        from_status=previous,
                        to_status=step,
                        at=at,
                        by=self.clerk,
                        reason=STEP_REASONS.get(step, ""),
                    )
                )
                previous = step
            transferred = next((when for step, when in steps if step == Matter.Status.TRANSFERRED), None)
            if transferred and self.clerk is not None and matter.responsible_unit is not None:
                sent = timezone.make_aware(dt.datetime.combine(transferred, dt.time(9, 30)))
                received = matter.status != Matter.Status.TRANSFERRED
                assignments.append(
                    Assignment(
                        matter=matter,
                        unit=matter.responsible_unit,
                        kind=Assignment.Kind.TRANSFER,
                        sent_at=sent,
                        sent_by=self.clerk,
                        state=Assignment.State.RECEIVED if received else Assignment.State.SENT,
                        received_at=sent + dt.timedelta(days=1) if received else None,
                    )
                )
        Transition.objects.bulk_create(transitions, batch_size=5000)
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Rating.objects.bulk_create(self._ratings(matters, histories), batch_size=5000)
        chosen = self._owners(matters) if owners is None else self._given_owners(matters, owners)
        Ownership.objects.bulk_create(chosen, batch_size=5000)
        matters_changed([matter.pk for matter in matters])  # the KPI roll-up, in this transaction

    def _ratings(self, matters: list[Matter], histories: list[list[tuple[str, dt.date]]]) -> list[Rating]:
        """Most petitioners rate the answer within days (the rest let the window pass): mostly 满意, some
        基本满意, a few 不满意, a little less kind to the responsible unit than to the bureau. Drawn from each
        matter's own seeded generator, so the rest of the history is the same with or without them."""
        end = min(self.start + dt.timedelta(days=self.days), timezone.localdate())
        ratings = []
        for matter, steps in zip(matters, histories, strict=True):
            answered = dict(steps).get(Matter.Status.ANSWERED)
            rng = random.Random(f"rating-{matter.number}")  # noqa: S311 - demo data, not a secret
            if answered is None or rng.random() >= RATED_SHARE:
                continue
            rated = answered + dt.timedelta(days=rng.randrange(1, 21))
            if rated > end:
                continue
            ratings.append(
                Rating(
                    matter=matter,
                    bureau_score=_weighted(rng, BUREAU_SCORES),
                    unit_score=_weighted(rng, UNIT_SCORES),
                    rated_at=timezone.make_aware(dt.datetime.combine(rated, dt.time(10, 0))),
                )
            )
        return ratings

    def _owners(self, matters: list[Matter]) -> list[Ownership]:
        """County leaders own (包案) the heavy matters: over-level, collective or backlog ones, usually
        the liaison leader of the township they come from."""
        owners = []
        for matter in matters:
            heavy = matter.top_level != Level.COUNTY or matter.is_collective or matter.is_backlog
            liaison = self.liaisons.get(matter.origin_township_id)
            if heavy and liaison and self.rng.random() < 0.6:
                owners.append(self._ownership(matter, self.rng.choice(liaison)))
        return owners

    def _given_owners(self, matters: list[Matter], owners: list[Leader | None]) -> list[Ownership]:
        return [
            self._ownership(matter, leader)
            for matter, leader in zip(matters, owners, strict=True)
            if leader is not None
        ]

    def _ownership(self, matter: Matter, leader: Leader) -> Ownership:
        _, row = ownership_rows(
            current=None, matter_id=matter.pk, leader_id=leader.pk, since=matter.first_event_date,
            ended_on=matter.first_event_date, by_id=self.clerk.pk if self.clerk else None,
        )  # fmt: skip
        assert row is not None  # nobody owns a new matter yet
        return Ownership(**row)

    def _persons(self) -> int:
        roll = self.rng.random()
        return 1 if roll < 0.7 else self.rng.randrange(2, 5) if roll < 0.96 else self.rng.randrange(5, 60)

    def save_sequences(self) -> None:
        for year, last in self.sequences.items():
            NumberSequence.objects.update_or_create(county=self.county, year=year, defaults={"last": last})


def generate_matters(
    *,
    county: County,
    matters: int,
    seed: int = 20261127,
    start: dt.date = dt.date(2024, 12, 1),
    end: dt.date = dt.date(2026, 11, 26),
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedCounts:
    """Add `matters` generated matters (with events and petitioners) to the county, in batches."""
    generator = _Generator(county, seed, start, end)
    done = events = people = 0
    while done < matters:
        with transaction.atomic():
            made, made_events, made_people = generator.batch(min(batch_size, matters - done))
            generator.save_sequences()
        done, events, people = done + made, events + made_events, people + made_people
        if progress:
            progress(done, matters)
    return GeneratedCounts(done, events, people)


# New matters a day: about as many as the two years of the demo history hold (3,000 over 730 days), fewer on
# Saturdays and Sundays.
DAY_MATTERS = (3, 7)
REST_DAY_MATTERS = (1, 3)


def day_seed(day: dt.date) -> int:
    return int(f"{day:%Y%m%d}")


def generate_day(*, county: County, day: dt.date) -> GeneratedCounts:
    """The matters first petitioned on `day`, with what was done on them that day, seeded by the day: the
    same day always gives the same matters."""
    generator = _Generator(county, day_seed(day), day, day)
    low, high = REST_DAY_MATTERS if day.weekday() >= 5 else DAY_MATTERS
    with transaction.atomic():
        made, events, people = generator.batch(generator.rng.randint(low, high))
        generator.save_sequences()
    return GeneratedCounts(made, events, people)


def generate_planned(*, county: County, plans: list[MatterPlan], seed: int) -> list[Matter]:
    """The planned matters, with their history, events, petitioners and owners, in `plans`' order."""
    today = timezone.localdate()
    generator = _Generator(county, seed, today, today)
    with transaction.atomic():
        matters = generator.planned(plans)
        generator.save_sequences()
    return matters


def _on_the_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def progress_bar(done: int, total: int) -> None:
    width = 40
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
