"""The daily report as the method reads it (issue 13, items 7, 8, 10, 11): 补报 by when an event was
recorded, holidays reported day by day on the first working day after them, visits apart from letters,
calls and online petitions, and one line a matter a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.reports.test_daily_report import at, register, run_worker_at
from xinfang.jobs.models import JobRun
from xinfang.ledger.services import ledger_import
from xinfang.lib.ledger_file import ledger_read
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.registration import event_add
from xinfang.reports.models import DailyReport
from xinfang.reports.services import (
    daily_report_days,
    daily_report_preview,
    daily_report_send,
    report_first_day,
)

pytestmark = pytest.mark.django_db
THURSDAY, FRIDAY = dt.date(2026, 11, 26), dt.date(2026, 11, 27)


def main_leader_text(draft) -> str:
    return next(message.text for message in draft.messages if "main_leader" in message.recipient.roles)


def test_a_visit_in_the_spring_festival_is_reported_on_the_first_working_day_after_it(county, persona, sms):
    """The issue's case: a 进京 visit registered on 2026-02-15, the holiday's first day, reached no report.
    The holiday runs 15–23 February; 14 February is a working Saturday, 24 February the next working day."""
    run_worker_at(at(dt.date(2026, 2, 14), 17, 30))
    with time_machine.travel(at(dt.date(2026, 2, 15), 11), tick=False):
        register(persona, county, dt.date(2026, 2, 15), level="beijing", persons=2)
    with time_machine.travel(at(dt.date(2026, 2, 20), 9), tick=False):
        register(persona, county, dt.date(2026, 2, 20), township="闹店镇")
    for day in range(15, 24):
        run_worker_at(at(dt.date(2026, 2, day), 17, 45))  # rest days: no report
    assert list(JobRun.objects.filter(job="daily_report").values_list("period", flat=True)) == [
        dt.date(2026, 2, 14)
    ]
    run_worker_at(at(dt.date(2026, 2, 24), 17, 30))
    report = DailyReport.objects.get(county=county, date=dt.date(2026, 2, 24))
    assert report.first_day == dt.date(2026, 2, 15)
    assert report.counts["进京"] == {"matters": 1, "persons": 2} and report.counts["到县"]["matters"] == 1
    draft = daily_report_preview(county=county, day=dt.date(2026, 2, 24))
    text = main_leader_text(draft)
    assert "2月15日至2月24日访情" in text
    assert "2月15日：进京1起2人。" in text and "2月20日：到县1起1人。" in text and "2月16日：无新增。" in text
    assert "2月15日 " in text  # the 进京 line says its day
    covers = draft.as_dict()["covers"]
    assert isinstance(covers, list) and covers[0] == "2026-02-15" and len(covers) == 10
    sent = [message.body for message in sms.sent if "2月24日" in message.body]
    assert sent and all("补报" not in body for body in sent)


def test_late_reports_go_by_when_an_event_was_recorded_however_old(county, persona):
    with time_machine.travel(at(THURSDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=THURSDAY)
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        old = register(persona, county, dt.date(2026, 9, 1), level="province")  # found in a drawer
        draft = daily_report_preview(county=county, day=FRIDAY)
    assert [event.matter_id for event in draft.late_events] == [old.pk]
    assert draft.as_dict()["late_items"] == [{"matter": old.number, "date": "2026-09-01"}]
    assert "补报9月1日" in main_leader_text(draft) or "补报：9月1日" in main_leader_text(draft)


def test_ledger_rows_are_history_never_news_but_count_on_their_own_date(county, persona):
    from tests.ledger.test_ledger_import import csv_bytes, row

    with time_machine.travel(at(THURSDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=THURSDAY)
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        content = csv_bytes([row(**{"信访日期": "2026-10-08", "访别": "进京", "登记编号": "T-1"})])
        ledger_import(county=county, table=ledger_read(content, "a.csv"), by=None, file_name="a.csv",
                      sha256="0" * 64)  # fmt: skip
        friday = daily_report_preview(county=county, day=FRIDAY)
        imported_day = daily_report_preview(county=county, day=dt.date(2026, 10, 8))
    assert friday.late_events == [] and "补报" not in main_leader_text(friday)
    assert imported_day.counts()["进京"] == {"matters": 1, "persons": 1}


def test_levels_count_visits_and_the_other_channels_are_one_line(county, persona):
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="city")
        letter = register(persona, county, FRIDAY, level="county", persons=3)
        letter.events.update(channel="letter")
        draft = daily_report_preview(county=county, day=FRIDAY)
    counts = draft.counts()
    assert draft.as_dict()["counts"] == counts
    assert counts["到市"] == {"matters": 1, "persons": 1} and counts["到县"] == {"matters": 0, "persons": 0}
    assert counts["来信来电网上"] == {"matters": 1, "persons": 3}
    assert "来信来电网上1起3人" in main_leader_text(draft)


def test_a_matter_with_two_visits_in_a_day_is_one_line_with_both_visits_persons(county, persona, settings):
    bureau = persona("bureau")
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        matter = register(persona, county, FRIDAY, level="city", persons=1, owner=True)
        event_add(by=bureau, matter=matter, event=EventInput(FRIDAY, "visit", "province", 2))
        draft = daily_report_preview(county=county, day=FRIDAY)
    [line] = [event for event in draft.events if event.matter_id == matter.pk]
    assert (line.persons, line.level) == (3, "province")
    owner = next(m for m in draft.messages if m.recipient.key == f"leader:{persona('leader').leader_id}")
    assert owner.text.count(matter.number.removeprefix(f"{county.code}-")) == 1
    assert "张*军等3人 赴省3人" in owner.text


def test_reports_on_every_day_cover_their_own_day(county, settings):
    assert report_first_day(county, dt.date(2026, 2, 24)) == dt.date(2026, 2, 15)
    settings.XINFANG_DAILY_REPORT_DAYS = "every"
    assert report_first_day(county, dt.date(2026, 2, 24)) == dt.date(2026, 2, 24)
    assert daily_report_days().describe() == "每天"


def test_the_line_names_who_came_that_day(county, persona):
    """Two visits of one matter in a day: the second brings 李秀英 alone with a companion; the line names
    both people who came (masked), with the day's persons."""
    from xinfang.petitions.services.common import PetitionerInput

    bureau = persona("bureau")
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        matter = register(persona, county, dt.date(2026, 11, 2), owner=True)  # 张建军 came then
        event_add(
            by=bureau, matter=matter, event=EventInput(FRIDAY, "visit", "city", 2),
            petitioners=[PetitionerInput("李秀英", "", "13837500001")],
        )  # fmt: skip
        draft = daily_report_preview(county=county, day=FRIDAY)
    [line] = [event for event in draft.events if event.matter_id == matter.pk]
    assert line.petitioner == "李*英等2人"  # not the matter's first petitioner, 张建军
    assert {person.name for person in matter.events.get(date=FRIDAY).visitors.all()} == {"李秀英"}
    assert {p.name for p in matter.events.get(date=dt.date(2026, 11, 2)).visitors.all()} == {"张建军"}
