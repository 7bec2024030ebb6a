"""The counting rules of docs/statistics.md, on its worked example."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.directory.models import Category, Unit
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.stats.selectors import event_statistics

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def worked_example(persona, county):
    """Matter A (周庄镇, wages): 25 Feb 到县 来访 3 人; 3 Mar 到县 来访 6 人; 10 Mar 到市 来电 1 人.
    Matter B (闹店镇, land): 5 Mar 到县 来信 1 人, then the same day 进京 来访 2 人 (registered later).
    Matter C (周庄镇, public security): 1 Apr 到县 来访 1 人 — outside March."""
    bureau = persona("bureau")

    def register(township: str, code: str, first: EventInput):
        return matter_register(by=bureau, data=RegistrationInput(
            county=county, event=first, origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code=code), content="统计示例",
        ))  # fmt: skip

    with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        a = register("周庄镇", "0702", EventInput(D(2026, 2, 25), "visit", "county", 3))
        event_add(by=bureau, matter=a, event=EventInput(D(2026, 3, 3), "visit", "county", 6))
        event_add(by=bureau, matter=a, event=EventInput(D(2026, 3, 10), "call", "city", 1))
        b = register("闹店镇", "0502", EventInput(D(2026, 3, 5), "letter", "county", 1))
        event_add(by=bureau, matter=b, event=EventInput(D(2026, 3, 5), "visit", "beijing", 2))
        register("周庄镇", "0101", EventInput(D(2026, 4, 1), "visit", "county", 1))
    return county


def f(matters: int, events: int, persons: int) -> dict[str, int]:
    return {"matters": matters, "events": events, "persons": persons}


EXPECTED_MARCH = {
    "from": "2026-03-01",
    "to": "2026-03-31",
    "county": "410421",
    "matters": 2,
    "events": 4,
    "persons": 10,
    "by_level": {"到县": f(2, 2, 7), "到市": f(1, 1, 1), "进京": f(1, 1, 2)},
    "by_channel": {"来访": f(2, 2, 8), "来信": f(1, 1, 1), "来电": f(1, 1, 1)},
    "by_category": {"国土资源": f(1, 2, 3), "劳动和社会保障": f(1, 2, 7)},
    "by_township": {"周庄镇": f(1, 2, 7), "闹店镇": f(1, 2, 3)},
    "collective_events": 1,
    "repeat_events": 3,
}


def test_it_counts_the_worked_example_exactly(worked_example):
    figures = event_statistics(county=worked_example, date_from=D(2026, 3, 1), date_to=D(2026, 3, 31))
    assert figures == EXPECTED_MARCH
    assert list(figures["by_level"]) == ["到县", "到市", "进京"]  # in the levels' order
    assert list(figures) == list(EXPECTED_MARCH)  # every key, always, in this order


def test_it_counts_inclusive_dates_and_leaves_empty_entries_out(worked_example):
    day = event_statistics(county=worked_example, date_from=D(2026, 3, 10), date_to=D(2026, 3, 10))
    assert (day["matters"], day["events"], day["persons"]) == (1, 1, 1)
    assert day["by_level"] == {"到市": f(1, 1, 1)}
    empty = event_statistics(county=worked_example, date_from=D(2025, 1, 1), date_to=D(2025, 1, 31))
    assert empty["matters"] == empty["events"] == empty["persons"] == 0
    assert empty["by_level"] == empty["by_category"] == {}


def test_the_command_prints_the_same_figures_as_json(worked_example, capsys):
    call_command("stats", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")
    assert json.loads(capsys.readouterr().out) == EXPECTED_MARCH
    call_command("stats", "--from", "2026-03-01", "--to", "2026-03-31")
    assert "2 起 4 批次 10 人次" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-03-31", "--to", "2026-03-01"], "起始日期不能晚于截止日期"),
        (["--from", "2026-02-30", "--to", "2026-03-01"], "日期应写作"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--county", "999999"], "县不存在"),
    ],
)
def test_the_command_refuses_bad_arguments_with_exit_code_2(worked_example, args, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("stats", *args)
    assert error.value.returncode == 2


def test_a_new_earlier_visit_turns_the_first_one_into_a_repeat(worked_example, persona):
    from xinfang.petitions.models import Event, Matter

    matter = Matter.objects.get(origin_township__name="闹店镇")
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        event_add(by=persona("bureau"), matter=matter, event=EventInput(D(2026, 3, 1), "call", "county", 1))
    flags = list(
        Event.objects.filter(matter=matter).order_by("date", "id").values_list("is_repeat", flat=True)
    )
    assert flags == [False, True, True]


def recount(county, date_from: dt.date, date_to: dt.date) -> dict[str, object]:
    """The rules of docs/statistics.md applied literally to the base rows, in Python."""
    from xinfang.petitions.models import Channel, Event, Level

    rows = list(Event.objects.filter(county=county).select_related("matter__category__parent",
                                                                    "matter__origin_township"))  # fmt: skip
    earliest: dict[int, tuple[dt.date, int]] = {}
    for e in rows:
        earliest[e.matter_id] = min(earliest.get(e.matter_id, (e.date, e.pk)), (e.date, e.pk))
    counted = [e for e in rows if date_from <= e.date <= date_to]

    def breakdown(key, names):
        groups: dict[object, list[Any]] = {}
        for e in counted:
            g = groups.setdefault(key(e), [set(), 0, 0])
            g[0].add(e.matter_id)
            g[1] += 1
            g[2] += e.persons
        return {names[k]: f(len(v[0]), v[1], v[2]) for k, v in groups.items()}

    def category(e) -> str:
        return (e.matter.category.parent or e.matter.category).name

    def township(e) -> str:
        return e.matter.origin_township.name

    result = {
        "matters": len({e.matter_id for e in counted}),
        "events": len(counted),
        "persons": sum(e.persons for e in counted),
        "by_level": breakdown(lambda e: e.level, dict(Level.choices)),
        "by_channel": breakdown(lambda e: e.channel, dict(Channel.choices)),
        "by_category": breakdown(category, {e_name: e_name for e_name in map(category, counted)}),
        "by_township": breakdown(township, {name: name for name in map(township, counted)}),
        "collective_events": sum(1 for e in counted if e.persons >= 5),
        "repeat_events": sum(1 for e in counted if earliest[e.matter_id] != (e.date, e.pk)),
    }  # fmt: skip
    return result


def comparable(figures: dict[str, object]) -> dict[str, object]:
    return {key: (dict(value) if isinstance(value, dict) else value) for key, value in figures.items()
            if key not in ("from", "to", "county")}  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_statistics_always_equal_a_recount_from_the_base_rows(persona, county, data):
    """Visits added in any order (earlier ones late, same-day ties) and corrections of a matter's
    origin and category keep every figure equal to a literal recount."""
    from xinfang.petitions.models import Event, Matter
    from xinfang.petitions.services.registration import matter_update

    bureau = persona("bureau")
    Event.objects.all().delete()
    Matter.objects.all().delete()
    day_ = st.dates(min_value=D(2026, 2, 20), max_value=D(2026, 4, 10))
    channels, levels = (
        st.sampled_from(["visit", "letter", "call"]),
        st.sampled_from(["county", "city", "beijing"]),
    )
    event = st.tuples(day_, channels, levels, st.integers(1, 7))
    townships = ["周庄镇", "闹店镇", "城关镇"]
    codes = ["0702", "0502", "0101"]
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        for _ in range(data.draw(st.integers(1, 4))):
            first, *later = data.draw(st.lists(event, min_size=1, max_size=4))
            matter = matter_register(by=bureau, data=RegistrationInput(
                county=county, event=EventInput(*first), content="随机",
                origin_township=Unit.objects.get(county=county, name=data.draw(st.sampled_from(townships))),
                category=Category.objects.get(county=county, code=data.draw(st.sampled_from(codes))),
            ))  # fmt: skip
            for visit in later:
                event_add(by=bureau, matter=matter, event=EventInput(*visit))
            if data.draw(st.booleans()):
                moved = Unit.objects.get(county=county, name=data.draw(st.sampled_from(townships)))
                recategorised = Category.objects.get(county=county, code=data.draw(st.sampled_from(codes)))
                changes = {"origin_township": moved, "category": recategorised}
                matter_update(by=bureau, matter=matter, reported_units=None, changes=changes)
    start = data.draw(day_)
    end = data.draw(st.dates(min_value=start, max_value=D(2026, 4, 10)))
    ours = comparable(event_statistics(county=county, date_from=start, date_to=end))
    assert ours == recount(county, start, end)


def test_the_event_list_shows_the_events_behind_a_figure(worked_example, client_for):
    def listed(client, **params) -> str:
        page = client.get("/stats/events/", {"date_from": "2026-03-01", "date_to": "2026-03-31", **params})
        assert page.status_code == 200
        return page.content.decode().split('data-testid="event-count"')[1].split("</p>")[0]

    bureau = client_for("bureau")
    assert "共 4 批次" in listed(bureau)
    assert "共 1 批次" in listed(bureau, level="beijing")
    assert "共 3 批次" in listed(bureau, repeat="on")
    assert "共 1 批次" in listed(bureau, collective="on")
    zhouzhuang = Unit.objects.get(county=worked_example, name="周庄镇")
    assert "共 2 批次" in listed(bureau, township=str(zhouzhuang.pk))
    assert "共 2 批次" in listed(client_for("zhouzhuang"))  # 周庄镇 sees its own matter only
    reversed_range = bureau.get("/stats/events/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert reversed_range.status_code == 422
    assert "起始日期不能晚于截止日期" in reversed_range.content.decode()
    assert client_for("auditor").get("/stats/events/").status_code == 403


def test_the_statistics_page_shows_the_figures_and_links_each_to_its_events(
    worked_example, client_for, django_assert_max_num_queries
):
    client = client_for("bureau")
    with django_assert_max_num_queries(15):
        page = client.get("/stats/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    body = page.content.decode()
    totals = body.split('data-testid="stats-totals"')[1].split("</div>\n<div")[0]
    assert [chunk.split("<")[0] for chunk in totals.split('class="value">')[1:]] == ["2", "4", "10", "1", "3"]
    assert "date_from=2026-03-01&amp;date_to=2026-03-31&amp;level=beijing" in body
    linked = client.get(
        "/stats/events/", {"date_from": "2026-03-01", "date_to": "2026-03-31", "level": "beijing"}
    )
    assert "共 1 批次" in linked.content.decode()
    bad = client.get("/stats/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert bad.status_code == 422
