"""stats.series.monthly_events: the registry's monthly counts (both month definitions), the imported history
for the months before the records, None before the county's first event, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.directory.models import Category, County, Unit
from xinfang.lib.periods import Month, months_between
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.stats.models import MonthlyHistory
from xinfang.stats.selectors import event_statistics
from xinfang.stats.series import monthly_events

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
FIRST, LAST = Month(2025, 8), Month(2026, 5)
WAGES = ("劳动和社会保障", "工资福利")
LAND = ("国土资源", "土地征收")


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def top(county: County, name: str) -> Category:
    return Category.objects.get(county=county, name=name, parent__isnull=True)


def event_on(county: County, day: dt.date, level: str = "county", category: tuple[str, str] = WAGES) -> None:
    matter_register(
        by=None,
        data=RegistrationInput(
            county=county,
            event=EventInput(date=day, channel="visit", level=level),
            origin_township=Unit.objects.get(county=county, name="闹店镇"),
            category=Category.objects.get(county=county, parent__name=category[0], name=category[1]),
            content="反映问题",
        ),
    )


def history(county: County, month: str, level: str, events: int, category: Category | None = None) -> None:
    MonthlyHistory.objects.create(county=county, month=month, level=level, category=category, events=events)


@pytest.fixture
def records(county: County) -> County:
    event_on(county, dt.date(2025, 12, 5))  # the county's first event
    event_on(county, dt.date(2026, 1, 25))
    event_on(county, dt.date(2026, 2, 20), level="city", category=LAND)
    event_on(county, dt.date(2026, 2, 21))
    event_on(county, dt.date(2026, 4, 3))
    history(county, "2025-10", "county", 10, top(county, WAGES[0]))
    history(county, "2025-10", "city", 2)
    history(county, "2025-12", "county", 99)  # a registry month: the registry wins
    history(county, "2026-03", "county", 5)  # a month without registry events with calendar months
    return county


def test_calendar_months_take_the_registry_then_the_history(records, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        counts = monthly_events(county=records, first=FIRST, last=LAST, start_day=1)
    #                 8     9     10  11    12 1  2  3  4  5
    assert counts == [None, None, 12, None, 1, 1, 2, 5, 1, 0]


def test_business_months_from_the_21st(records):
    counts = monthly_events(county=records, first=FIRST, last=LAST, start_day=21)
    # 2026-01 runs 21 Dec – 20 Jan: no event, after the first one; 2026-03 (21 Feb – 20 Mar) has one, so
    # its history of 5 is not used.
    assert counts == [None, None, 12, None, 1, 0, 2, 1, 1, 0]


@pytest.mark.parametrize("start_day", [1, 21])
def test_registry_months_equal_the_statistics(records, start_day):
    counts = monthly_events(county=records, first=Month(2025, 12), last=LAST, start_day=start_day)
    for month, count in zip(months_between(Month(2025, 12), LAST), counts, strict=True):
        date_from, date_to = month.range(start_day)
        figures = event_statistics(county=records, date_from=date_from, date_to=date_to)
        if figures["events"]:
            assert count == figures["events"]


def test_a_level_or_category_keeps_the_precedence_of_the_whole_month(records):
    city = monthly_events(county=records, first=FIRST, last=LAST, start_day=1, level="city")
    assert city == [None, None, 2, None, 0, 0, 1, 0, 0, 0]
    wages = monthly_events(
        county=records, first=FIRST, last=LAST, start_day=1, category_id=top(records, WAGES[0]).pk
    )
    assert wages == [None, None, 10, None, 1, 1, 1, 0, 1, 0]
    land = top(records, LAND[0]).pk
    both = monthly_events(county=records, first=FIRST, last=LAST, start_day=1, level="city", category_id=land)
    assert both == [None, None, 0, None, 0, 0, 1, 0, 0, 0]


def test_a_county_without_events_has_only_its_history(county, django_assert_max_num_queries):
    history(county, "2025-09", "county", 4)
    with django_assert_max_num_queries(3):
        counts = monthly_events(county=county, first=FIRST, last=Month(2025, 10), start_day=1)
    assert counts == [None, 4, None]
    assert monthly_events(county=county, first=LAST, last=FIRST, start_day=1) == []
