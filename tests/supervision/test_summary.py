"""The 10-day progress summary's figures: open, recently closed and overdue items as they stood at the
end of the day, each with its latest report, in exactly the agreed shape."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.petitions.support import frozen, new_matter
from tests.supervision.support import leader_of, new_item
from xinfang.supervision.services import item_accept, progress_report
from xinfang.supervision.summary import progress_summary, summary_previous

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "previous"),
    [
        (dt.date(2026, 11, 11), dt.date(2026, 11, 1)),
        (dt.date(2026, 11, 21), dt.date(2026, 11, 11)),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 21)),
        (dt.date(2026, 12, 1), dt.date(2026, 11, 21)),
        (dt.date(2027, 1, 1), dt.date(2026, 12, 21)),
    ],
)
def test_the_previous_summary_date(day, previous):
    assert summary_previous(day) == previous


def test_the_summary_counts_open_recently_closed_and_overdue_items(county, persona):
    bureau, zhouzhuang = persona("bureau"), persona("zhouzhuang")
    leader = leader_of(persona("leader"))
    with frozen(2026, 11, 2):
        matter = new_matter(bureau, county)
        waiting = new_item(
            county, bureau, leader=leader, instruction="尚未办理", deadline=dt.date(2026, 12, 10)
        )
        late = new_item(county, bureau, leader=leader, instruction="已超期", deadline=dt.date(2026, 11, 5))
        working = new_item(county, bureau, leader=leader, instruction="办理中", matter=matter)
        closed_early = new_item(county, bureau, leader=leader, instruction="上期办结")
        closed_now = new_item(county, bureau, leader=leader, instruction="本期办结")
        progress_report(item=working, user=zhouzhuang, date=dt.date(2026, 11, 2), text="第一次报送")
        progress_report(item=closed_early, user=zhouzhuang, date=dt.date(2026, 11, 2), text="已办结")
        progress_report(item=closed_now, user=zhouzhuang, date=dt.date(2026, 11, 2), text="已办结")
    with frozen(2026, 11, 10):
        item_accept(item=closed_early, user=bureau)  # before the 11th: in the summary of the 11th
        progress_report(item=working, user=zhouzhuang, date=dt.date(2026, 11, 10), text="第二次报送")
    with frozen(2026, 11, 15):
        item_accept(item=closed_now, user=bureau)
        new_item(county, bureau, leader=leader, instruction="下期才有")  # created after the 11th
    with frozen(2026, 11, 16):
        summary = progress_summary(county=county, day=dt.date(2026, 11, 11))
        later = progress_summary(county=county, day=dt.date(2026, 11, 21))
    assert list(summary) == ["date", "open", "done", "overdue", "items"]
    assert (summary["date"], summary["open"], summary["done"], summary["overdue"]) == ("2026-11-11", 4, 1, 1)
    rows = {row["instruction"]: row for row in summary["items"]}
    assert set(rows) == {"尚未办理", "已超期", "办理中", "上期办结", "本期办结"}
    assert rows["尚未办理"] == {
        "instruction": "尚未办理", "leader": leader.name, "units": ["周庄镇"], "deadline": "2026-12-10",
        "state": "待办", "latest_progress": "", "source_title": "2026年第44期每周访情分析",
        "matter_number": "", "id": waiting.pk,
    }  # fmt: skip
    assert rows["已超期"]["state"] == "超期" and rows["已超期"]["id"] == late.pk
    assert rows["办理中"]["state"] == "办理中" and rows["办理中"]["latest_progress"] == "第二次报送"
    assert rows["办理中"]["matter_number"] == matter.number
    assert rows["上期办结"]["state"] == "已办结"
    assert rows["本期办结"]["state"] == "办理中"  # accepted on the 15th: open at the end of the 11th
    assert "张建设" not in str(summary)  # the matter's petitioner is never named
    later_rows = {row["instruction"]: row["state"] for row in later["items"]}
    assert "上期办结" not in later_rows and later_rows["本期办结"] == "已办结" and "下期才有" in later_rows
    assert (later["open"], later["done"], later["overdue"]) == (4, 1, 1)
