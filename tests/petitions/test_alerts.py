"""Immediate alerts (紧急访情, issue 13 item 9): a 进京 or 赴省 visit, or a collective visit of 50 persons or
more, texts the main leaders and the owning leader at registration, any day and hour, once per event, in
the registration's transaction, capped per recipient; the daily report still lists it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from tests.petitions.support import ID_ZHANG, PHONE_ZHANG, at, frozen, new_matter
from xinfang.directory.models import Leader
from xinfang.notifications.models import SmsMessage
from xinfang.petitions.alerts import visit_alert_queue
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.registration import event_add

pytestmark = pytest.mark.django_db


def alerts() -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(template="visit_alert").order_by("id"))


def main_leaders(county) -> set[str]:
    return {leader.name for leader in Leader.objects.filter(county=county, post_kind__in=Leader.MAIN_POSTS)}


def test_a_beijing_visit_on_a_holiday_night_alerts_the_main_leaders_at_once(county, bureau):
    with time_machine.travel(at(2026, 2, 15, 21), tick=False):  # the Spring Festival, a Sunday night
        matter = new_matter(bureau, county, date=dt.date(2026, 2, 15), level="beijing", persons=2)
    sent = alerts()
    assert {message.recipient_name for message in sent} == main_leaders(county)
    body = sent[0].body
    assert "紧急访情：2月15日" in body and "进京2人" in body and matter.number in body
    assert "张*设等2人" in body and ID_ZHANG not in body and PHONE_ZHANG not in body
    assert visit_alert_queue(matter=matter, event=matter.events.get()) == 0  # once per event


@pytest.mark.parametrize(
    ("level", "persons", "channel", "alerted"),
    [
        ("province", 1, "visit", True),
        ("city", 10, "visit", False),
        ("county", 49, "visit", False),
        ("county", 50, "visit", True),
        ("beijing", 1, "letter", False),
    ],
)
def test_which_visits_alert(county, bureau, level, persons, channel, alerted):
    with frozen():
        new_matter(bureau, county, date=dt.date(2026, 11, 2), level=level, persons=persons, channel=channel)
    assert bool(alerts()) == alerted


def test_a_repeat_visit_alerts_the_owning_leader_too(county, bureau, head, persona):
    leader = persona("leader").leader
    with frozen():
        matter = new_matter(bureau, county, date=dt.date(2026, 10, 20))
        ownership_assign(by=head, matter=matter, leader=leader)
        event_add(by=bureau, matter=matter, event=EventInput(dt.date(2026, 11, 2), "visit", "province", 1))
    assert {message.recipient_name for message in alerts()} == main_leaders(county) | {leader.name}


def test_a_registration_that_fails_alerts_nobody(county, bureau):
    queued: list[int] = []

    def register_then_fail() -> None:
        with transaction.atomic():
            new_matter(bureau, county, date=dt.date(2026, 11, 2), level="beijing")
            queued.append(len(alerts()))
            raise RuntimeError("the registration fails after the alert was queued")

    with frozen(), pytest.raises(RuntimeError):
        register_then_fail()
    assert queued[0] > 0 and alerts() == []


def test_each_recipient_gets_at_most_the_hours_cap(county, bureau, settings):
    settings.XINFANG_ALERT_HOURLY_CAP = 2
    with frozen():
        for _ in range(3):
            new_matter(bureau, county, date=dt.date(2026, 11, 2), level="beijing")
    per_leader = len(main_leaders(county))
    assert len(alerts()) == 2 * per_leader
    with time_machine.travel(at(2026, 11, 2, 12), tick=False):
        new_matter(bureau, county, date=dt.date(2026, 11, 2), level="beijing")
    assert len(alerts()) == 3 * per_leader


def test_a_leader_the_matter_reports_is_not_told(county, bureau, persona):
    secretary = persona("secretary")
    with frozen():
        new_matter(bureau, county, date=dt.date(2026, 11, 2), level="beijing", reported_accounts=[secretary])
    assert secretary.leader.name not in {message.recipient_name for message in alerts()}
    assert alerts()


def test_ledger_rows_alert_nobody(county):
    from tests.ledger.test_ledger_import import csv_bytes, row
    from xinfang.ledger.services import ledger_import
    from xinfang.lib.ledger_file import ledger_read

    content = csv_bytes([row(**{"访别": "进京", "人数": "60"})])
    with frozen():
        ledger_import(county=county, table=ledger_read(content, "a.csv"), by=None, file_name="a.csv",
                      sha256="0" * 64)  # fmt: skip
    assert alerts() == []
