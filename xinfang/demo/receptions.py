"""The demo county's reception records (docs/reception.md, "Records"): the receptions held over the last
weeks, through the services a bureau clerk uses — the centre's leader of each working day (the schedule's
when there is one), each down visit of a past day — with the matters received and what came of them.

Seeded by the county and the first day loaded, so a load gives the same records; each day is loaded once
(from the day after the latest record), so the demo's daily top-up adds the days since.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Max

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.demo.generator import DETAILS, ISSUES, SUBJECTS, draw_person
from xinfang.directory.models import Category, County, Leader, Unit
from xinfang.petitions.models import Assignment, Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.transfer import matter_assign
from xinfang.petitions.services.workflow import matter_transition
from xinfang.reception.models import DownVisit, ReceivedMatter, Reception, Slot
from xinfang.reception.records import AttendeeInput, ReceivedInput, ReceptionInput, reception_record

Outcome = ReceivedMatter.Outcome
Status = Matter.Status

RECEPTION_DAYS = 30  # how far back the first load records
# The article's open reception resolved 246 of 273 matters on the spot or soon after.
OUTCOMES = ((Outcome.RESOLVED, 14), (Outcome.ASSIGNED, 4), (Outcome.EXPLAINED, 3))
CENTRE_MATTERS = (0, 3)  # matters received at the centre on a day
DOWN_MATTERS = (0, 2)
ABSENT_ONE_IN = 25  # now and then the leader on duty cannot come


def receptions_load(county: County, today: dt.date, bureau: User) -> int:
    """Record the receptions of the days not recorded yet, up to yesterday; the number recorded."""
    latest = Reception.objects.filter(county=county).aggregate(last=Max("date"))["last"]
    first = today - dt.timedelta(days=RECEPTION_DAYS)
    if latest is not None:
        first = max(first, latest + dt.timedelta(days=1))
    loader = _Loader(county, bureau, first, today)
    recorded = 0
    with transaction.atomic():
        day = first
        while day < today:
            recorded += loader.day(day)
            day += dt.timedelta(days=1)
    return recorded


class _Loader:
    def __init__(self, county: County, bureau: User, first: dt.date, today: dt.date) -> None:
        self.county, self.bureau, self.today = county, bureau, today
        # Not for secrets: a seeded generator so the same load gives the same records.
        self.rng = random.Random(f"{county.code}-receptions-{first:%Y%m%d}")  # noqa: S311
        self.calendar = work_calendar()
        self.leaders = list(
            Leader.objects.filter(county=county, is_active=True).order_by("protocol_order", "pk")
        )
        self.townships = list(
            Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).order_by(
                "order", "pk"
            )
        )
        self.categories = {
            category.name: category
            for category in Category.objects.filter(county=county, parent__isnull=False).order_by("code")
        }

    def day(self, day: dt.date) -> int:
        recorded = 0
        if self.calendar.is_workday(day) and self.leaders:
            slot = (
                Slot.objects.filter(schedule__county=self.county, date=day, kind=Slot.Kind.DAILY)
                .select_related("leader").first()
            )  # fmt: skip
            leader = (
                slot.leader if slot and slot.leader else self.leaders[day.toordinal() % len(self.leaders)]
            )
            self.record(day, Reception.Kind.CENTRE, None, leader, CENTRE_MATTERS)
            recorded += 1
        for visit in DownVisit.objects.filter(county=self.county, date=day).select_related(
            "leader", "township"
        ):
            self.record(day, Reception.Kind.DOWN, visit.township, visit.leader, DOWN_MATTERS)
            recorded += 1
        return recorded

    def record(
        self, day: dt.date, kind: str, township: Unit | None, leader: Leader, count: tuple[int, int]
    ) -> None:
        if self.rng.randrange(ABSENT_ONE_IN) == 0:
            attendee = AttendeeInput(leader, present=False, absence_reason="参加上级会议")
            reception_record(
                by=self.bureau, data=ReceptionInput(self.county, day, kind, (attendee,), township)
            )
            return
        received = [self.matter(township) for _ in range(self.rng.randint(*count))]
        reception = reception_record(
            by=self.bureau,
            data=ReceptionInput(self.county, day, kind, (AttendeeInput(leader),), township),
            received=received,
        )
        for entry in reception.matters.select_related("matter").order_by("id"):
            self.handle(entry, day)

    def matter(self, township: Unit | None) -> ReceivedInput:
        rng = self.rng
        issue, category_name, _ = rng.choices(ISSUES, weights=[weight for *_, weight in ISSUES])[0]
        origin = township or rng.choice(self.townships)
        name, id_number, phone = draw_person(rng, self.county.code)
        registration = RegistrationInput(
            county=self.county,
            event=EventInput(date=dt.date.min, channel="", level=""),  # the reception's
            origin_township=origin,
            category=self.categories.get(category_name) or next(iter(self.categories.values())),
            responsible_unit=origin,
            content=f"{rng.choice(SUBJECTS)}{issue}，{rng.choice(DETAILS)}",
            petitioners=(PetitionerInput(name=name, id_number=id_number, phone=phone),),
        )
        persons = rng.choice((1, 1, 1, 2, 2, 3, 6))
        outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
        return ReceivedInput(outcome=outcome, persons=persons, registration=registration)

    def handle(self, entry: ReceivedMatter, day: dt.date) -> None:
        """What came of the matter, through the workflow: resolved or explained on the day (受理, 答复,
        化解), or handed to its township (交办)."""
        # Registered today, the matter's steps are taken today (a step is never dated before its
        # registration); the reception's own day and outcome are on the record.
        matter, day = entry.matter, self.today
        if entry.outcome == Outcome.ASSIGNED:
            unit = matter.responsible_unit or matter.origin_township
            matter_assign(
                by=self.bureau, matter=matter, unit=unit, kind=Assignment.Kind.ASSIGN, note="领导接访当场交办"
            )
            return
        matter_transition(by=self.bureau, matter=matter, to=Status.ACCEPTED, on=day)
        resolved = entry.outcome == Outcome.RESOLVED
        answer = "接访领导当场协调解决" if resolved else "接访领导当场解释政策、答复诉求"
        matter = matter_transition(by=self.bureau, matter=matter, to=Status.ANSWERED, on=day, answer=answer)
        if resolved:
            matter_transition(by=self.bureau, matter=matter, to=Status.RESOLVED, on=day)
