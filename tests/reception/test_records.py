"""Reception records: a reception with its leaders (present or not) and the matters received, each
written by the petitions services as a 来访 event on the reception's day; the figures of a period
(人次, 起, 人, 化解)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests.petitions.support import new_matter, register, snapshot, unit
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, UnitOfficial
from xinfang.petitions.models import Channel, Event, Matter
from xinfang.reception.models import Attendance, ReceivedMatter, Reception, Schedule, Slot
from xinfang.reception.records import (
    AttendeeInput,
    ReceivedInput,
    ReceptionInput,
    reception_matter_add,
    reception_record,
)
from xinfang.reception.stats import breakdown, reception_stats

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = dt.date(2026, 11, 18)  # a Wednesday
Kind = Reception.Kind
Outcome = ReceivedMatter.Outcome


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def leader(county, post_kind: str = "secretary") -> Leader:
    found = Leader.objects.filter(county=county, post_kind=post_kind).first()
    assert found is not None
    return found


def centre(
    county, *attendees: AttendeeInput, date: dt.date = DAY, kind: str = Kind.WEDNESDAY
) -> ReceptionInput:
    return ReceptionInput(
        county=county, date=date, kind=kind, attendees=attendees or (AttendeeInput(leader(county)),)
    )


def new(
    county, outcome: str = Outcome.ASSIGNED, persons: int = 1, attendee: int = 0, **overrides
) -> ReceivedInput:
    return ReceivedInput(
        outcome=outcome, persons=persons, attendee=attendee, registration=register(county, **overrides)
    )


def test_a_reception_registers_each_matter_as_a_visit_on_its_day(county, bureau):
    reception = reception_record(
        by=bureau,
        data=centre(county),
        received=[
            new(county, Outcome.RESOLVED, persons=3),
            new(county, Outcome.EXPLAINED, content="宅基地纠纷"),
        ],
    )
    assert reception.place == "县人民群众来访接待中心" and reception.recorded_by == bureau
    entries = list(reception.matters.select_related("event", "matter", "attendance"))
    assert [entry.outcome for entry in entries] == [Outcome.RESOLVED, Outcome.EXPLAINED]
    for entry in entries:
        assert (entry.event.date, entry.event.channel, entry.event.matter_id) == (
            DAY,
            Channel.VISIT,
            entry.matter_id,
        )
        assert entry.attendance.name == leader(county).name
        assert entry.matter.registered_by == bureau and entry.matter.status == Matter.Status.REGISTERED
    assert entries[0].event.persons == 3 and entries[0].matter.person_count == 3
    record = AuditRecord.objects.get(action="reception.record")
    assert record.changes["matters"] == [entry.matter.number for entry in entries]


def test_a_known_matter_gets_a_new_event(county, bureau):
    matter = new_matter(bureau, county, date=dt.date(2026, 10, 20))
    reception = reception_record(
        by=bureau,
        data=centre(county),
        received=[ReceivedInput(outcome=Outcome.EXPLAINED, matter=matter, persons=2)],
    )
    matter.refresh_from_db()
    assert matter.event_count == 2 and matter.last_event_date == DAY
    assert reception.matters.get().event == Event.objects.filter(matter=matter).order_by("-date").first()


def test_the_record_is_linked_to_the_slot_it_fulfils(county, bureau):
    schedule = Schedule.objects.create(county=county, month=dt.date(2026, 11, 1), generated_at=NOW)
    secretary = leader(county)
    slot = Slot.objects.create(
        schedule=schedule, date=DAY, level="county", leader=secretary, name=secretary.name, kind="wednesday"
    )
    assert reception_record(by=bureau, data=centre(county)).slot == slot
    other = centre(county, AttendeeInput(leader(county, "county_head")))
    assert reception_record(by=bureau, data=other).slot is None


def test_a_leader_who_did_not_come_is_recorded_with_the_reason(county, bureau):
    away = AttendeeInput(leader(county), present=False)
    with pytest.raises(ValidationError, match="写明原因"):
        reception_record(by=bureau, data=centre(county, away))
    reception = reception_record(
        by=bureau,
        data=centre(county, AttendeeInput(leader(county), present=False, absence_reason="赴省开会")),
    )
    attendance = reception.attendances.get()
    assert not attendance.present and attendance.absence_reason == "赴省开会"
    with pytest.raises(ValidationError, match="均未到场"):
        reception_matter_add(by=bureau, reception=reception, item=new(county))
    assert reception_stats(county, DAY, DAY)["open"]["receptions"] == 0


def test_refusals_leave_nothing_behind(county, bureau, renshe):
    before = (snapshot(), Reception.objects.count(), Attendance.objects.count())
    down_without_township = ReceptionInput(
        county=county, date=DAY, kind=Kind.DOWN, attendees=(AttendeeInput(leader(county)),)
    )
    bad = [
        (centre(county, date=dt.date(2026, 11, 21)), [], "晚于今天"),
        (down_without_township, [], "选择乡镇"),
        # The second matter is refused: the first, already registered, is taken back too.
        (centre(county), [new(county), new(county, content="   ")], "反映"),
        (
            centre(county),
            [new(county), ReceivedInput(outcome="bogus", registration=register(county))],
            "处理结果",
        ),
        (centre(county), [ReceivedInput(outcome=Outcome.RESOLVED)], "登记编号"),
    ]
    for data, received, message in bad:
        with pytest.raises(ValidationError) as error:
            reception_record(by=bureau, data=data, received=received)
        assert message in str(error.value)
    with pytest.raises(PermissionDenied):
        reception_record(by=renshe, data=centre(county))
    assert (snapshot(), Reception.objects.count(), Attendance.objects.count()) == before


def test_a_township_reception_needs_that_townships_official(county, bureau):
    zhouzhuang, other = unit(county, "周庄镇"), unit(county, "闹店镇")
    stranger = UnitOfficial.objects.filter(unit=other).first()
    data = ReceptionInput(
        county=county,
        date=DAY,
        kind=Kind.TOWNSHIP,
        township=zhouzhuang,
        attendees=(AttendeeInput(official=stranger),),
    )
    with pytest.raises(ValidationError, match="本乡镇"):
        reception_record(by=bureau, data=data)
    own = UnitOfficial.objects.filter(unit=zhouzhuang).first()
    reception = reception_record(
        by=bureau,
        data=ReceptionInput(
            county=county,
            date=DAY,
            kind=Kind.TOWNSHIP,
            township=zhouzhuang,
            attendees=(AttendeeInput(official=own),),
        ),
    )
    assert reception.place == "周庄镇" and reception.attendances.get().name == own.name


def test_the_figures_count_attendances_matters_persons_and_resolutions(county, bureau):
    secretary, head = leader(county), leader(county, "county_head")
    reception_record(
        by=bureau,
        data=centre(county, AttendeeInput(secretary), AttendeeInput(head)),
        received=[
            new(county, Outcome.RESOLVED, persons=2),
            new(county, Outcome.ASSIGNED, persons=6, attendee=1),
        ],
    )
    later = reception_record(
        by=bureau,
        data=centre(
            county,
            AttendeeInput(secretary, present=False, absence_reason="出差"),
            AttendeeInput(head),
            date=dt.date(2026, 10, 14),
        ),
        received=[new(county, Outcome.EXPLAINED, attendee=1, date=dt.date(2026, 10, 14))],
    )
    down = ReceptionInput(
        county=county,
        date=dt.date(2026, 11, 3),
        kind=Kind.DOWN,
        township=unit(county, "周庄镇"),
        attendees=(AttendeeInput(secretary),),
    )
    reception_record(by=bureau, data=down, received=[new(county, Outcome.ASSIGNED, persons=4)])
    # Resolved later counts as resolved.
    Matter.objects.filter(pk=later.matters.get().matter_id).update(resolved_on=dt.date(2026, 11, 1))

    result = reception_stats(county, dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert result == {
        "open": {"receptions": 3, "matters": 3, "persons": 9, "resolved": 2, "resolved_rate": 0.6667},
        "down": {"receptions": 1, "matters": 1, "persons": 4, "resolved": 0, "resolved_rate": 0.0},
    }
    assert reception_stats(county, dt.date(2026, 11, 1), dt.date(2026, 11, 30))["open"]["receptions"] == 2
    by_leader = {
        row.key: row.figures for row in breakdown(county, dt.date(2026, 10, 1), DAY, "open", "leader")
    }
    assert (by_leader[head.name].receptions, by_leader[head.name].matters) == (2, 2)
    assert (by_leader[secretary.name].receptions, by_leader[secretary.name].persons) == (1, 2)
    townships = breakdown(county, dt.date(2026, 10, 1), DAY, "open", "township")
    assert [(row.key, row.figures.matters, row.figures.receptions) for row in townships] == [("周庄镇", 3, 0)]
    months = breakdown(county, dt.date(2026, 10, 1), DAY, "open", "month")
    assert [(row.key, row.figures.matters) for row in months] == [
        (dt.date(2026, 10, 1), 1),
        (dt.date(2026, 11, 1), 2),
    ]


def test_the_stats_command_prints_the_issue_shape(county, bureau):
    reception_record(by=bureau, data=centre(county), received=[new(county, Outcome.RESOLVED, persons=2)])
    out = StringIO()
    call_command(
        "reception", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue()) == {
        "open": {"receptions": 1, "matters": 1, "persons": 2, "resolved": 1, "resolved_rate": 1.0},
        "down": {"receptions": 0, "matters": 0, "persons": 0, "resolved": 0, "resolved_rate": 0.0},
    }
    text = StringIO()
    call_command("reception", "stats", "--from", "2026-11-01", "--to", "2026-11-30", stdout=text)
    assert "公开接访" in text.getvalue() and "100.0%" in text.getvalue()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-01", "日期格式"),
        ("2026-12-01", "2026-11-01", "不能晚于"),
        ("x", "y", "日期格式"),
    ],
)
def test_the_stats_command_refuses_bad_dates_with_exit_2(start, end, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message) as error:
        call_command("reception", "stats", "--from", start, "--to", end)
    assert error.value.returncode == 2
