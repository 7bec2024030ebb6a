"""The leaders' dashboard /dashboard/ (issue 18): its figures against a count by hand on a small county,
every link leading to exactly what its figure counts, the snapshot (the job and the on-demand path), the
role gate and the secretary's home page leading with it."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from xinfang.dashboard.charts import bar_chart
from xinfang.dashboard.models import DashboardSnapshot
from xinfang.dashboard.snapshot import dashboard_snapshot_job
from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Event, Matter
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.workflow import matter_transition
from xinfang.registry import JOBS
from xinfang.stats.kpi import kpis
from xinfang.stats.risk import risk_ranking

pytestmark = pytest.mark.django_db
D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 11, 18)  # a Wednesday: the week began on the 16th, the month on the 1st
NOW = dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI)
# Every event of the county as (matter, date, level, persons): the hand count below reads this table.
EVENTS = [
    ("A", D(2026, 11, 5), "county", 1), ("A", D(2026, 11, 6), "county", 1),
    ("A", D(2026, 11, 7), "county", 1), ("A", D(2026, 11, 8), "county", 1),
    ("A", D(2026, 11, 10), "county", 1), ("A", D(2026, 11, 16), "county", 1),
    ("A", D(2026, 11, 17), "county", 2), ("A", D(2026, 11, 18), "city", 1),
    ("B", D(2026, 6, 10), "county", 1), ("B", D(2026, 10, 3), "county", 1),
    ("B", D(2026, 10, 15), "province", 1), ("B", D(2026, 11, 18), "county", 6),
    ("C", D(2026, 10, 17), "city", 1), ("C", D(2026, 11, 11), "county", 7),
]  # fmt: skip
PLACES = {"A": ("周庄镇", "0702"), "B": ("闹店镇", "0502"), "C": ("商酒务镇", "0702")}


def frozen(moment: dt.datetime = NOW):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def small_county(county, bureau):
    """Three matters: A (周庄镇 × 劳动和社会保障, 7 visits in the 14 days to yesterday, none before: a
    hotspot; 到市 today), B (闹店镇, 赴省 in October, a collective visit of 6 today, accepted and two
    weeks overdue), C (商酒务镇, 到市 in October, a collective visit of 7 last week)."""
    matters: dict[str, Matter] = {}
    with frozen():
        for name, date, level, persons in sorted(EVENTS, key=lambda row: row[1]):
            event = EventInput(date, "visit", level, persons)
            if name in matters:
                event_add(by=bureau, matter=matters[name], event=event)
                continue
            township, code = PLACES[name]
            matters[name] = matter_register(by=bureau, data=RegistrationInput(
                county=county, event=event, origin_township=Unit.objects.get(county=county, name=township),
                category=Category.objects.get(county=county, code=code), content=f"态势测试{name}",
                responsible_unit=Unit.objects.get(county=county, name=township),
            ))  # fmt: skip
        matter_transition(by=bureau, matter=matters["B"], to=Matter.Status.ACCEPTED, on=TODAY)
    # Its handling deadline as if accepted in September: two weeks past.
    Matter.objects.filter(pk=matters["B"].pk).update(due_date=D(2026, 11, 4))
    return matters


def by_hand(date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    rows = [row for row in EVENTS if date_from <= row[1] <= date_to]
    return {
        "events": len(rows),
        "persons": sum(row[3] for row in rows),
        "over_level": sum(1 for row in rows if row[2] != "county"),
        "collective": sum(1 for row in rows if row[3] >= 5),
    }


TILE = re.compile(
    r'<a href="(?P<url>[^"]+)" data-testid="(?P<id>[a-z]+-[a-z_]+)"><div class="value[^"]*">(?P<n>\d+)</div>'
)
PREVIOUS = re.compile(
    r'<a href="(?P<url>[^"]+)" data-testid="(?P<id>[a-z]+-[a-z_]+)-previous">[^<]* (?P<n>\d+)</a>'
)


def tiles(page: str, pattern: re.Pattern[str] = TILE) -> dict[str, tuple[int, str]]:
    return {m["id"]: (int(m["n"]), m["url"].replace("&amp;", "&")) for m in pattern.finditer(page)}


def page_of(client: Client, path: str = "/dashboard/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def listed_events(client: Client, url: str) -> list[Event]:
    response = client.get(url + "&page=1")
    assert response.status_code == 200, url
    return list(response.context["page"].paginator.object_list)


def test_the_figures_equal_a_count_by_hand(small_county, client_for):
    with frozen():
        page = page_of(client_for("bureau"))
    found = tiles(page)
    spans = {
        "today": by_hand(TODAY, TODAY),
        "week": by_hand(D(2026, 11, 16), TODAY),
        "month": by_hand(D(2026, 11, 1), TODAY),
    }
    assert spans["today"] == {"events": 2, "persons": 7, "over_level": 1, "collective": 1}
    assert spans["month"] == {"events": 10, "persons": 22, "over_level": 1, "collective": 2}
    for span, figures in spans.items():
        for name, value in figures.items():
            assert found[f"{span}-{name}"][0] == value, (span, name)
    previous = tiles(page, PREVIOUS)
    before = {
        "today": by_hand(D(2026, 11, 17), D(2026, 11, 17)),
        "week": by_hand(D(2026, 11, 9), D(2026, 11, 11)),  # last week's Monday to Wednesday
        "month": by_hand(D(2026, 10, 1), D(2026, 10, 18)),  # October's first 18 days
    }
    assert before["month"] == {"events": 3, "persons": 3, "over_level": 2, "collective": 0}
    for span, figures in before.items():
        for name, value in figures.items():
            assert previous[f"{span}-{name}"][0] == value, (span, name)
    assert "+1（+100%）" in page  # today's events: 2 against yesterday's 1


def test_every_situation_link_lists_exactly_the_events_it_counts(small_county, client_for):
    client = client_for("bureau")
    with frozen():
        page = page_of(client)
        for pattern in (TILE, PREVIOUS):
            for tile, (value, url) in tiles(page, pattern).items():
                events = listed_events(client, url)
                counted = sum(event.persons for event in events) if tile.endswith("persons") else len(events)
                assert counted == value, (tile, url)
        # The over-level figure's link: 到市, 赴省 and 进京 only.
        month = listed_events(client, tiles(page)["month-over_level"][1])
    assert [event.level for event in month] == ["city"]


def test_todays_over_level_and_collective_visits_link_to_their_matters(small_county, client_for):
    with frozen():
        page = page_of(client_for("secretary"))
    alerts = page.split('data-testid="alerts"')[1].split("</section>")[0]
    for name in ("A", "B"):
        assert f'/matters/{small_county[name].pk}/"' in alerts
    assert small_county["C"].number not in alerts
    assert "集体访 6 人" in alerts and "到市" in alerts


def test_the_overdue_and_supervision_figures_match_their_lists(small_county, client_for):
    client = client_for("secretary")
    with frozen():
        page = page_of(client)
        overdue = re.search(r'href="([^"]+)" data-testid="overdue"><div class="value[^"]*">(\d+)<', page)
        # B past its handling deadline; C registered on 10-17 and never disposed of within 15 days.
        assert overdue is not None and overdue[2] == "2"
        listed = client.get(overdue[1].replace("&amp;", "&")).content.decode()
        assert "共 <strong>2</strong> 件" in listed
        assert small_county["B"].number in listed and small_county["C"].number in listed
        assert small_county["A"].number not in listed
        for testid in ("supervision-open", "supervision-overdue"):
            found = re.search(rf'href="([^"]+)" data-testid="{testid}"><div class="value[^"]*">(\d+)<', page)
            assert found is not None
            listed = client.get(found[1]).content.decode()
            assert f"共 <strong>{found[2]}</strong> 项" in listed


def test_the_snapshot_shows_risk_hotspots_and_kpis_with_their_links(small_county, client_for, county):
    client = client_for("bureau_head")
    with frozen():
        page = page_of(client)
        expected_risk = risk_ranking(county=county, as_of=TODAY, limit=10)
        expected_kpis = kpis(county=county, date_from=D(2026, 11, 1), date_to=D(2026, 11, 17))
        risks = re.findall(r'href="/matters/(\d+)/" class="nowrap" data-testid="risk">', page)
        assert [int(pk) for pk in risks] == [risk.matter_id for risk in expected_risk]
        assert f"{expected_risk[0].score} 分" in page and expected_risk[0].reasons[0] in page
        # The hotspot: 周庄镇 × 劳动和社会保障, 7 events from 11-04 to 11-17, its link listing those 7.
        hotspot = re.search(r'<a href="([^"]+)" data-testid="hotspot">(\d+)</a>', page)
        assert hotspot is not None and hotspot[2] == "7"
        url = hotspot[1].replace("&amp;", "&")
        assert parse_qs(urlsplit(url).query)["date_from"] == ["2026-11-04"]
        assert len(listed_events(client, url)) == 7
        # The KPIs link to the KPI page of the same period, which shows the same rates.
        kpi_links = set(re.findall(r'<a class="figure" href="([^"]+)" data-testid="kpi">', page))
        assert kpi_links == {"/stats/kpi/?date_from=2026-11-01&amp;date_to=2026-11-17"}
        kpi_page = client.get("/stats/kpi/?date_from=2026-11-01&date_to=2026-11-17").content.decode()
    for kpi in expected_kpis.values():
        shown = "—" if kpi.rate is None else f"{kpi.rate * 100:.1f}%"
        assert f"{kpi.numerator} / {kpi.denominator}" in page and shown in page and shown in kpi_page
    assert "截至 <strong" in page


def test_the_first_visit_of_the_day_computes_the_snapshot_once(small_county, client_for, county):
    client = client_for("bureau")
    assert not DashboardSnapshot.objects.exists()
    with frozen():
        page_of(client)
    [snapshot] = DashboardSnapshot.objects.all()
    assert snapshot.day == TODAY and snapshot.computed_at == NOW
    with frozen(NOW + dt.timedelta(minutes=20)):
        later = page_of(client)
    assert DashboardSnapshot.objects.get().computed_at == NOW  # read, not computed again
    assert 'data-testid="as-of">10:00<' in later


def test_the_job_computes_the_snapshot_after_midnight_and_a_rerun_replaces_it(small_county, county):
    midnight = dt.datetime(2026, 11, 18, 0, 30, tzinfo=SHANGHAI)
    with frozen(midnight):
        result = dashboard_snapshot_job(county=county, day=TODAY, now=midnight)
        assert result == "已生成态势快照：越级风险 3 件，热点 1 个"
        dashboard_snapshot_job(county=county, day=TODAY, now=midnight + dt.timedelta(minutes=5))
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.computed_at == midnight + dt.timedelta(minutes=5)
    assert [spot["township"] for spot in snapshot.hotspots] == ["周庄镇"]
    assert snapshot.kpis["from"] == "2026-11-01" and snapshot.kpis["to"] == "2026-11-17"
    assert snapshot.months[0][0] == "2025-12" and len(snapshot.months) == 11
    assert dict(snapshot.months)["2026-10"] == 3 and dict(snapshot.months)["2026-06"] == 1
    [job] = [job for job in JOBS if job.name == "dashboard_snapshot"]
    assert job.time_setting == "XINFANG_DASHBOARD_SNAPSHOT_TIME"


def test_the_charts_link_every_bar_to_its_events(small_county, client_for):
    client = client_for("bureau")
    with frozen():
        page = page_of(client)
        daily = page.split('data-testid="chart-daily"')[1].split("</section>")[0]
        monthly = page.split('data-testid="chart-monthly"')[1].split("</section>")[0]
        bars = re.findall(r'<a href="([^"]+)" data-testid="bar"><title>([^<]+)</title>', daily)
        assert len(bars) == 30 and bars[-1][1] == "2026-11-18：2 批次"
        months = re.findall(r'<a href="([^"]+)" data-testid="bar"><title>([^<]+)</title>', monthly)
        assert len(months) == 12 and months[-1][1] == "2026年11月：10 批次"
        assert months[-2][1] == "2026年10月：3 批次"
        for url, title in [bars[-1], bars[-2], months[-1], months[-2]]:
            count = int(title.split("：")[1].split(" ")[0])
            assert len(listed_events(client, url.replace("&amp;", "&"))) == count


@pytest.mark.parametrize(("username", "status"), [("leader", 403), ("zhouzhuang", 403), ("auditor", 403)])
def test_only_the_bureau_and_the_main_leaders_see_it(client_for, county, username, status):
    with frozen():
        assert client_for(username).get("/dashboard/").status_code == status
        assert "态势" not in client_for(username).get("/supervision/").content.decode().split("</nav>")[0]


def test_the_nav_item_and_the_secretarys_home_leading_with_it(small_county, client_for):
    with frozen():
        home = page_of(client_for("secretary"), "/")
        bureau = page_of(client_for("bureau"), "/")
    assert '<a href="/dashboard/">态势</a>' in home and 'href="/dashboard/"' in bureau
    assert home.index('data-testid="situation"') < home.index('data-testid="todo"')
    assert home.index('data-testid="todo"') < home.index('data-testid="risks"')
    assert 'data-testid="dashboard"' in home and 'data-testid="dashboard"' not in bureau


def test_a_statistical_month_from_the_21st(small_county, client_for, settings):
    settings.XINFANG_MONTH_START_DAY = 21
    with frozen():
        found = tiles(page_of(client_for("bureau")))
        page = page_of(client_for("bureau"))
    previous = tiles(page, PREVIOUS)
    # 2026-11 runs from 10-21 to 11-20; its first 29 days so far against 9-21 to 10-19 of 2026-10.
    assert found["month-events"][0] == by_hand(D(2026, 10, 21), TODAY)["events"] == 10
    assert previous["month-events"][0] == by_hand(D(2026, 9, 21), D(2026, 10, 19))["events"] == 3
    assert "本月（10月21日起）" in page


def test_a_reported_reader_gets_figures_of_their_own(small_county, client_for, persona):
    """Art. 46: a matter accusing the secretary is left out of every figure of theirs, the slow ones
    included (computed for them, not read from the county-wide snapshot, which is not written)."""
    secretary = persona("secretary")
    small_county["A"].reported_accounts.add(secretary)
    with frozen():
        page = page_of(client_for(secretary))
        bureau_page = page_of(client_for("bureau"))
    found = tiles(page)
    without_a = [row for row in EVENTS if row[0] != "A"]
    assert found["month-events"][0] == sum(1 for row in without_a if row[1] >= D(2026, 11, 1)) == 2
    assert found["today-over_level"][0] == 0
    assert small_county["A"].number not in page and 'data-testid="hotspot"' not in page
    assert "按本人可见范围即时计算" in page and 'data-testid="as-of"' not in page
    assert small_county["A"].number in bureau_page and tiles(bureau_page)["month-events"][0] == 10
    assert DashboardSnapshot.objects.count() == 1  # the bureau's visit wrote it; the secretary's did not


def test_a_visit_with_the_snapshot_stored_takes_a_fixed_number_of_queries(
    small_county, client_for, django_assert_max_num_queries
):
    client = client_for("secretary")
    with frozen():
        page_of(client)  # computes and stores the day's snapshot
        with django_assert_max_num_queries(12):
            page_of(client)


def test_the_chart_labels_count_back_from_the_newest_bar_and_bars_scale_to_the_largest():
    rows = [(f"d{index}", f"t{index}", index, f"/u{index}") for index in range(30)]
    chart = bar_chart(rows, label_every=7)
    assert [bar.label for bar in chart.bars if bar.label] == ["d1", "d8", "d15", "d22", "d29"]
    assert chart.top == 29 and chart.bars[-1].height == chart.baseline - 4 and chart.bars[0].height == 0
    empty = bar_chart([("a", "t", None, "/"), ("b", "t", 0, "/")])
    assert empty.top == 0 and {bar.height for bar in empty.bars} == {0}
