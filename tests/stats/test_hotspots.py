"""Hotspots (stats/hotspots.py): the rule on hand-built cells, and the daily SMS to the bureau."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.directory.models import Category, Unit
from xinfang.notifications.models import SmsMessage
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.stats.hotspots import hotspot_warnings_job, hotspots

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = D(2026, 6, 10)  # a Wednesday; the previous working day is 6-9


@pytest.fixture
def cells(county, bureau):
    """周庄镇 × 劳动和社会保障: 2 events in the year before, 4 in the 13 days before 6-10 and 2 on 6-10
    (a new hotspot that day). 闹店镇 × 国土资源: 4 in the 14 days (too few). 商酒务镇 × 劳动和社会保障:
    60 in the year before (about 2.3 a fortnight), 6 in the 14 days (p ≈ 0.03: not a hotspot)."""

    def matter(township: str, code: str, first: dt.date) -> Matter:
        return matter_register(by=bureau, data=RegistrationInput(
            county=county, event=EventInput(first, "visit", "county", 1),
            origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code=code), content="热点测试",
        ))  # fmt: skip

    def add(target: Matter, *days: dt.date) -> None:
        for day in days:
            event_add(by=bureau, matter=target, event=EventInput(day, "visit", "county", 1))

    with time_machine.travel(dt.datetime(2026, 6, 10, 8, tzinfo=SHANGHAI), tick=False):
        hot = matter("周庄镇", "0702", D(2025, 9, 1))
        add(hot, D(2025, 12, 1), D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 5), D(2026, 6, 7))
        add(hot, D(2026, 6, 10), D(2026, 6, 10))
        few = matter("闹店镇", "0502", D(2026, 6, 1))
        add(few, D(2026, 6, 2), D(2026, 6, 4), D(2026, 6, 9))
        busy = matter("商酒务镇", "0702", D(2025, 6, 20))
        add(busy, *(D(2025, 6, 21) + dt.timedelta(days=5 * index) for index in range(59)))
        add(busy, *(D(2026, 6, day) for day in (1, 2, 4, 6, 8, 9)))
    return county


def test_it_reports_the_cell_above_its_history_and_no_other(cells):
    [found] = hotspots(county=cells, day=DAY)
    assert (found.township, found.category, found.count) == ("周庄镇", "劳动和社会保障", 6)
    assert found.expected == pytest.approx(round(2 * 14 / 365, 2))
    assert found.ratio == pytest.approx(round(6 / (2 * 14 / 365), 2))
    assert found.p_value < 1e-6
    assert "周庄镇·劳动和社会保障 近14天6批" in found.line
    assert hotspots(county=cells, day=D(2026, 6, 9)) == []  # 4 events then: below 5


def test_a_unit_user_sees_the_hotspots_of_its_scope(cells, persona):
    assert [spot.township for spot in hotspots(county=cells, day=DAY, scope_user=persona("zhouzhuang"))] == [
        "周庄镇"
    ]
    assert hotspots(county=cells, day=DAY, scope_user=persona("renshe")) == []


def test_the_job_texts_the_bureau_the_new_hotspots_once(cells, bureau, head):
    bureau.mobile, head.mobile = "13800000001", "13800000002"
    bureau.save(update_fields=["mobile"])
    head.save(update_fields=["mobile"])
    now = dt.datetime(2026, 6, 10, 9, tzinfo=SHANGHAI)
    with time_machine.travel(now, tick=False):
        result = hotspot_warnings_job(county=cells, day=DAY, now=now)
        again = hotspot_warnings_job(county=cells, day=DAY, now=now)
    messages = list(SmsMessage.objects.filter(template="hotspot_warning"))
    assert result == "新增热点 1 个，已生成 2 条短信"
    assert again == "新增热点 1 个，已生成 0 条短信"
    assert len(messages) == 2
    assert {message.recipient_name for message in messages} == {bureau.display_name, head.display_name}
    assert "周庄镇·劳动和社会保障 近14天6批" in messages[0].body
    # The next working day the cell is still hot but no longer new: nothing is sent.
    later = dt.datetime(2026, 6, 11, 9, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        assert hotspot_warnings_job(county=cells, day=D(2026, 6, 11), now=later) == "今日没有新增热点"
    assert SmsMessage.objects.filter(template="hotspot_warning").count() == 2
