"""下沉接访 through its interfaces: `xinfang downvisit draw|verify` (JSON shape, exit codes) and the pages
(the bureau's month with its confirmation, per persona; the public section without login)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang import cli
from xinfang.calendars.services import calendar_close_year, calendar_set
from xinfang.directory.models import Leader, LeaderUnavailability
from xinfang.reception.models import DownVisit, Draw

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["downvisit", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_it_draws_a_month_in_json_and_verifies_it(county, capsys):
    code, out, _ = run(capsys, "draw", "--month", "2026-12", "--seed", "00FF", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["month", "date", "seed", "eligible", "draws"]
    assert (result["month"], result["date"], result["seed"]) == ("2026-12", "2026-12-01", "00ff")
    assert result["eligible"] and all(list(e) == ["township", "weight"] for e in result["eligible"])
    assert len(result["draws"]) == 6
    assert all(list(d) == ["leader", "post", "township", "liaison"] for d in result["draws"])
    assert len({d["township"] for d in result["draws"]}) == 6
    draw = Draw.objects.get(county=county, month=DECEMBER)
    assert [v.name for v in draw.visits.filter(kind="drawn").order_by("order")] == [
        d["leader"] for d in result["draws"]
    ]
    code, out, _ = run(capsys, "verify", "--month", "2026-12")
    assert code == 0 and "复核一致" in out
    # A second draw of the month is refused; a dry run still answers and records nothing.
    code, _, err = run(capsys, "draw", "--month", "2026-12")
    assert code == 1 and "每月只抽一次" in err
    code, out, _ = run(
        capsys, "draw", "--month", "2026-12", "--seed", "00ff", "--dry-run", "--format", "json"
    )
    assert code == 0 and json.loads(out) == result
    assert Draw.objects.count() == 1


def test_a_dry_run_records_nothing_and_a_fresh_seed_is_random(county, capsys):
    code, out, _ = run(capsys, "draw", "--month", "2026-12", "--dry-run", "--format", "json")
    assert code == 0 and len(json.loads(out)["seed"]) == 32
    code, again, _ = run(capsys, "draw", "--month", "2026-12", "--dry-run", "--format", "json")
    assert json.loads(again)["seed"] != json.loads(out)["seed"]
    assert not Draw.objects.exists() and not DownVisit.objects.exists()
    code, text, _ = run(capsys, "draw", "--month", "2026-12", "--dry-run", "--seed", "0a")
    assert code == 0 and "试算，未记录" in text and "随机种子：0a" in text


def test_verify_exits_1_naming_the_difference(county, capsys):
    run(capsys, "draw", "--month", "2026-12", "--seed", "00ff")
    visit = DownVisit.objects.get(kind="drawn", order=2)
    third = DownVisit.objects.get(kind="drawn", order=3)
    DownVisit.objects.filter(pk=visit.pk).update(township=third.township)
    DownVisit.objects.filter(pk=third.pk).update(township=visit.township)
    code, _, err = run(capsys, "verify", "--month", "2026-12")
    assert code == 1 and "第2签" in err and "第3签" in err and "按种子和权重应为" in err
    code, _, err = run(capsys, "verify", "--month", "2026-11")
    assert code == 1 and "还没有下沉接访抽签记录" in err


@pytest.mark.parametrize(
    "args",
    [
        ("draw", "--month", "2026-13"),
        ("draw", "--month", "2026-12", "--county", "999999"),
        ("draw", "--month", "2026-12", "--seed", "xyz"),
        ("verify", "--month", "12/2026"),
    ],
)
def test_bad_arguments_exit_2(county, capsys, args):
    code, _, err = run(capsys, *args)
    assert code == 2 and err


def test_an_unknown_year_exits_1_naming_the_calendar_commands(county, capsys):
    code, out, err = run(capsys, "draw", "--month", "2099-03", "--dry-run")
    assert code == 1 and out == "" and "xinfang calendar" in err


def test_the_bureau_draws_on_the_page_after_a_confirmation(county, client_for, bureau):
    staff = client_for("bureau")
    page = staff.get("/reception/downvisit/").content.decode()
    assert "2026年12月" in page and "12月1日" in page and 'data-testid="draw-start"' in page
    response = staff.post("/reception/downvisit/draw/", {"month": "2026-12"})
    assert response.status_code == 302 and "confirm=draw" in response["Location"]
    assert 'data-testid="draw-confirm"' in staff.get(response["Location"]).content.decode()
    assert not Draw.objects.exists()
    response = staff.post("/reception/downvisit/draw/", {"month": "2026-12", "confirm": "1"})
    assert response.status_code == 302
    draw = Draw.objects.get(county=county, month=DECEMBER)
    assert draw.drawn_by == bureau
    page = staff.get("/reception/downvisit/?month=2026-12").content.decode()
    assert page.count('data-testid="downvisit-draw"') == 6 and draw.seed in page
    assert 'data-testid="downvisit-verified"' in page and 'data-testid="draw-start"' not in page
    assert 'data-testid="downvisit-liaison"' in page
    again = staff.post("/reception/downvisit/draw/", {"month": "2026-12", "confirm": "1"})
    assert again.status_code == 422 and "每月只抽一次" in again.content.decode()
    # A month whose day has passed offers no draw.
    past = staff.get("/reception/downvisit/?month=2026-11").content.decode()
    assert "下沉接访日已过" in past and 'data-testid="draw-start"' not in past


def test_the_page_shows_who_is_away_and_why(county, client_for):
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    LeaderUnavailability.objects.create(leader=secretary, start=DECEMBER, end=DECEMBER, reason="赴省开会")
    staff = client_for("bureau_head")
    assert staff.post("/reception/downvisit/draw/", {"month": "2026-12", "confirm": "1"}).status_code == 302
    page = staff.get("/reception/downvisit/?month=2026-12").content.decode()
    assert page.count('data-testid="downvisit-draw"') == 5
    assert "不参加抽签" in page and secretary.name in page and "赴省开会" in page


@pytest.mark.parametrize("who", ["secretary", "leader", "zhouzhuang", "renshe", "auditor"])
def test_other_roles_may_neither_see_nor_draw(county, client_for, who):
    other = client_for(who)
    assert other.get("/reception/downvisit/").status_code == 403
    assert other.post("/reception/downvisit/draw/", {"month": "2026-12", "confirm": "1"}).status_code == 403
    assert not Draw.objects.exists()


def test_another_countys_bureau_draws_only_its_own(county, client_for, outsider):
    response = client_for(outsider).post("/reception/downvisit/draw/", {"month": "2026-12", "confirm": "1"})
    assert response.status_code == 422  # their county has no top leaders on file
    assert not Draw.objects.filter(county=county).exists()


def test_the_public_page_shows_the_draws_with_seed_and_weights(
    county, client, capsys, django_assert_max_num_queries
):
    page = client.get("/public/reception/").content.decode()
    assert "县级领导下沉接访" in page and 'data-testid="downvisit-pending"' in page
    run(capsys, "draw", "--month", "2026-12", "--seed", "00ff")
    draw = Draw.objects.get()
    with django_assert_max_num_queries(8):
        page = client.get("/public/reception/").content.decode()
    assert page.count('data-testid="downvisit-draw"') == 6
    assert "00ff" in page and "重新计算" in page and "城关镇 1.0" in page
    for visit in draw.visits.filter(kind="drawn"):
        assert visit.township.name in page and visit.name in page


def test_when_the_next_day_falls_in_a_year_not_entered_the_page_says_so(county, client_for, settings):
    """In December the month's day has passed and the next one is in a year whose holidays are not entered
    yet: the page opens on that month and says what to enter; December's own page says it too."""
    year = 2098  # entered below; the year after it is known to no release of the calendar library
    october = (dt.date(year, 10, 1) + dt.timedelta(days=n) for n in range(14))
    for day in [day for day in october if day.weekday() < 5][:7]:
        calendar_set(day=day, is_workday=False, note="测试：放假")
    calendar_close_year(year=year)
    settings.XINFANG_PASSWORD_MAX_AGE_DAYS = 40_000  # the demo passwords would have expired by then
    entered = f"{year + 1}年的节假日安排尚未录入"
    with time_machine.travel(dt.datetime(year, 12, 10, 10, tzinfo=ZONE), tick=False):
        staff = client_for("bureau")
        upcoming = staff.get("/reception/downvisit/").content.decode()
        december = staff.get(f"/reception/downvisit/?month={year}-12").content.decode()
    assert f"{year + 1}年1月：日期待定" in upcoming and entered in upcoming
    assert 'data-testid="draw-start"' not in upcoming
    assert "下沉接访日已过" in december and 'data-testid="next-unknown"' in december and entered in december
    past = client_for("bureau").get("/reception/downvisit/?month=2026-11").content.decode()  # next known
    assert "下沉接访日已过" in past and 'data-testid="next-unknown"' not in past
