"""季度下沉任务: each bound leader's quarter (done, planned, missing) at the quarter's edges, the townships'
ranking and its factors, planning and cancelling a visit, the deadline SMS (only on its day, only to the
leaders missing, once), and the pages per persona."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Leader, Unit
from xinfang.lib.periods import Quarter
from xinfang.notifications.models import SmsMessage
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.reception.duty import (
    DutyState,
    downvisit_cancel,
    downvisit_plan,
    duty_compliance,
    duty_missing,
    duty_warnings_job,
    township_ranking,
)
from xinfang.reception.models import Attendance, DownVisit, Reception

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()
Q4 = Quarter(2026, 4)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def leader(name: str) -> Leader:
    return Leader.objects.get(name=name)


def township(name: str) -> Unit:
    return Unit.objects.get(name=name, kind=Unit.Kind.TOWNSHIP)


def down_reception(
    county, day: dt.date, who: Leader, *, present: bool = True, kind: str = "down"
) -> Reception:
    reception = Reception.objects.create(
        county=county, date=day, kind=kind, township=township("周庄镇"), place="周庄镇", recorded_at=NOW
    )
    Attendance.objects.create(reception=reception, leader=who, name=who.name, present=present)
    return reception


def visit(county, day: dt.date, who: Leader, kind: str = "planned") -> DownVisit:
    return DownVisit.objects.create(
        county=county,
        date=day,
        kind=kind,
        leader=who,
        township=township("城关镇"),
        name=who.name,
        created_at=NOW,
    )


def state_of(county, who: Leader, quarter: Quarter = Q4, today: dt.date = TODAY) -> DutyState:
    duties = {duty.leader.pk: duty for duty in duty_compliance(county=county, quarter=quarter, today=today)}
    return duties[who.pk].state


# ---------------------------------------------------------------------------------------------------------
# Quarters and the rules


def test_only_the_leaders_in_office_who_do_not_draw_are_bound(county):
    Leader.objects.filter(name="汪雪梅").update(is_active=False)
    bound = {duty.leader.name for duty in duty_compliance(county=county, quarter=Q4, today=TODAY)}
    assert "杜文博" in bound and "罗文彬" in bound
    assert not bound & {"郑志远", "高明哲", "冯晓东", "梁国栋", "汪雪梅"}
    assert all(
        duty.state == DutyState.MISSING for duty in duty_compliance(county=county, quarter=Q4, today=TODAY)
    )


def test_a_down_reception_attended_in_the_quarter_is_done_at_both_edges(county):
    du, wei, fan = leader("杜文博"), leader("魏振华"), leader("范晓峰")
    down_reception(county, Q4.first, du)
    down_reception(county, Q4.last, wei)
    down_reception(county, Q4.first - dt.timedelta(days=1), fan)  # the last day of Q3
    assert state_of(county, du) == DutyState.DONE and state_of(county, wei) == DutyState.DONE
    assert state_of(county, fan) == DutyState.MISSING
    assert state_of(county, fan, Quarter(2026, 3), dt.date(2026, 9, 1)) == DutyState.DONE
    duty = next(d for d in duty_compliance(county=county, quarter=Q4, today=TODAY) if d.leader == du)
    assert [(v.date, v.township) for v in duty.done] == [(Q4.first, "周庄镇")]


def test_an_absent_attendance_or_an_open_reception_is_not_done(county):
    du, wei = leader("杜文博"), leader("魏振华")
    down_reception(county, dt.date(2026, 10, 9), du, present=False)
    down_reception(county, dt.date(2026, 10, 9), wei, kind="centre")
    assert state_of(county, du) == DutyState.MISSING and state_of(county, wei) == DutyState.MISSING


def test_planned_counts_from_today_to_the_quarters_end(county):
    du, wei, fan, deng = leader("杜文博"), leader("魏振华"), leader("范晓峰"), leader("邓春雨")
    visit(county, TODAY, du)  # today, not held yet: planned
    visit(county, TODAY - dt.timedelta(days=1), wei)  # yesterday and not recorded: missing
    visit(county, Q4.next().first, fan)  # next quarter's: not this one's
    visit(county, Q4.last, deng, kind="liaison")  # any visit of the leader counts, drawn or liaison too
    assert state_of(county, du) == DutyState.PLANNED and state_of(county, deng) == DutyState.PLANNED
    assert state_of(county, wei) == DutyState.MISSING and state_of(county, fan) == DutyState.MISSING
    # A later quarter: only its own days count; a past quarter has nothing planned any more.
    assert state_of(county, fan, Q4.next()) == DutyState.PLANNED
    assert state_of(county, du, Quarter(2026, 3)) == DutyState.MISSING
    # The one-query count of the home cards agrees.
    duties = duty_compliance(county=county, quarter=Q4, today=TODAY)
    missing = {duty.leader.pk for duty in duties if duty.state == DutyState.MISSING}
    assert set(duty_missing(county=county, quarter=Q4, today=TODAY).values_list("pk", flat=True)) == missing
    # Done wins over planned.
    down_reception(county, dt.date(2026, 10, 9), du)
    assert state_of(county, du) == DutyState.DONE


# ---------------------------------------------------------------------------------------------------------
# The ranking


def register(bureau, county, name: str, day: dt.date, level: str = "county", number: int = 0) -> Matter:
    return matter_register(by=bureau, data=RegistrationInput(
        county=county, event=EventInput(day, "visit", level), origin_township=township(name),
        category=Category.objects.get(county=county, code="0702"), content=f"{name}某公司拖欠工资{number}",
        responsible_unit=Unit.objects.get(county=county, name="县人社局"),
        petitioners=[PetitionerInput(f"张建{number}", "", "", "某村3组")],
    ))  # fmt: skip


def test_the_ranking_weighs_events_over_level_events_and_overdue_matters(county, bureau, settings):
    settings.XINFANG_DUTY_WEIGHT_EVENTS, settings.XINFANG_DUTY_WEIGHT_OVER_LEVEL = 1, 3
    settings.XINFANG_DUTY_WEIGHT_OVERDUE = 2
    for number in range(4):  # 周庄镇: four events at 到县
        register(bureau, county, "周庄镇", TODAY - dt.timedelta(days=number), number=number)
    register(bureau, county, "城关镇", TODAY, "beijing", 10)  # 城关镇: one 进京 event and an overdue matter
    late = register(bureau, county, "城关镇", TODAY - dt.timedelta(days=89), "city", 11)
    register(bureau, county, "城关镇", TODAY - dt.timedelta(days=90), "province", 12)  # outside the 90 days
    Matter.objects.filter(pk=late.pk).update(clock="handling", due_date=TODAY - dt.timedelta(days=1))
    rows = {row.township.name: row for row in township_ranking(county=county, day=TODAY)}
    chengguan, zhouzhuang = rows["城关镇"], rows["周庄镇"]
    assert (chengguan.events, chengguan.over_level, chengguan.overdue) == (2, 2, 1)
    assert chengguan.score == 2 * 1 + 2 * 3 + 1 * 2 == 10
    assert (zhouzhuang.events, zhouzhuang.over_level, zhouzhuang.overdue, zhouzhuang.score) == (4, 0, 0, 4)
    assert (chengguan.rank, zhouzhuang.rank) == (1, 2)
    assert [row.rank for row in rows.values()] == sorted(row.rank for row in rows.values())
    assert all(row.score == 0 for name, row in rows.items() if name not in ("城关镇", "周庄镇"))
    # Another weighting changes the order: the factors are shown and the score follows the settings.
    settings.XINFANG_DUTY_WEIGHT_OVER_LEVEL, settings.XINFANG_DUTY_WEIGHT_OVERDUE = 0, 0
    first = township_ranking(county=county, day=TODAY)[0]
    assert (first.township.name, first.score) == ("周庄镇", 4)


# ---------------------------------------------------------------------------------------------------------
# Planning and cancelling


def test_the_bureau_plans_and_cancels_with_audit_records(county, bureau):
    du = leader("杜文博")
    planned = downvisit_plan(
        by=bureau, leader=du, township=township("周庄镇"), date=TODAY, note="重点", now=NOW
    )
    assert planned.kind == DownVisit.Kind.PLANNED and state_of(county, du) == DutyState.PLANNED
    record = AuditRecord.objects.get(action="downvisit.plan", object_id=str(planned.pk))
    assert record.changes == {"leader": "杜文博", "township": "周庄镇", "date": "2026-11-20", "note": "重点"}
    with pytest.raises(ValidationError, match="已有下沉接访安排"):
        downvisit_plan(by=bureau, leader=du, township=township("城关镇"), date=TODAY, now=NOW)
    pk = planned.pk
    downvisit_cancel(by=bureau, visit=planned, now=NOW)
    assert not DownVisit.objects.filter(pk=pk).exists()
    assert AuditRecord.objects.filter(action="downvisit.cancel", object_id=str(pk)).exists()


def test_planning_refuses_the_past_top_leaders_other_roles_and_held_visits(county, bureau, persona, outsider):
    du = leader("杜文博")
    with pytest.raises(ValidationError, match="不能早于今天"):
        downvisit_plan(
            by=bureau, leader=du, township=township("周庄镇"), date=TODAY - dt.timedelta(1), now=NOW
        )
    with pytest.raises(ValidationError, match="六位县级主要领导"):
        downvisit_plan(by=bureau, leader=leader("郑志远"), township=township("周庄镇"), date=TODAY, now=NOW)
    for who in (persona("leader"), persona("zhouzhuang"), outsider):
        with pytest.raises(PermissionDenied):
            downvisit_plan(by=who, leader=du, township=township("周庄镇"), date=TODAY, now=NOW)
    drawn = visit(county, TODAY, leader("魏振华"), kind="drawn")
    with pytest.raises(ValidationError, match="不能在这里取消"):
        downvisit_cancel(by=bureau, visit=drawn, now=NOW)
    held = visit(county, TODAY, du)
    Reception.objects.create(county=county, date=TODAY, kind="down", township=held.township, place="城关镇",
                             down_visit=held, recorded_at=NOW)  # fmt: skip
    with pytest.raises(ValidationError, match="已开展"):
        downvisit_cancel(by=bureau, visit=held, now=NOW)
    assert DownVisit.objects.filter(pk__in=[drawn.pk, held.pk]).count() == 2


# ---------------------------------------------------------------------------------------------------------
# The deadline SMS


WARNING_DAY = dt.date(2026, 12, 17)  # 31 December minus 14 days


def test_the_warning_goes_on_its_day_to_the_missing_leaders_once(county):
    down_reception(county, dt.date(2026, 10, 9), leader("杜文博"))
    visit(county, dt.date(2026, 12, 28), leader("魏振华"))
    Leader.objects.filter(name="范晓峰").update(mobile="")
    bound = duty_compliance(county=county, quarter=Q4, today=WARNING_DAY)
    missing = {duty.leader.pk for duty in bound if duty.state == DutyState.MISSING}
    for day in (WARNING_DAY - dt.timedelta(days=1), WARNING_DAY + dt.timedelta(days=1)):
        assert "发送" in duty_warnings_job(county=county, day=day, now=NOW)
    assert not SmsMessage.objects.filter(template="duty_warning").exists()

    result = duty_warnings_job(county=county, day=WARNING_DAY, now=NOW)
    messages = SmsMessage.objects.filter(template="duty_warning")
    keys = {message.recipient_key for message in messages}
    assert keys == {f"leader:{pk}" for pk in missing if pk != leader("范晓峰").pk}
    assert f"leader:{leader('杜文博').pk}" not in keys and f"leader:{leader('魏振华').pk}" not in keys
    assert "无手机号：范晓峰" in result
    body = messages.get(recipient_key=f"leader:{leader('邓春雨').pk}").body
    assert "邓春雨同志" in body and "2026年第四季度" in body and "12月31日截止" in body
    # Running again (a retried job, a second worker) sends nothing more.
    before = messages.count()
    duty_warnings_job(county=county, day=WARNING_DAY, now=NOW)
    assert SmsMessage.objects.filter(template="duty_warning").count() == before


def test_the_job_is_planned_only_on_the_warning_days():
    from xinfang.lib.workdays import WorkCalendar
    from xinfang.reception.duty import duty_warning_days

    days = list(duty_warning_days().days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31), WorkCalendar()))
    assert days == [dt.date(2026, 3, 17), dt.date(2026, 6, 16), dt.date(2026, 9, 16), WARNING_DAY]
    assert duty_warning_days().describe() == "每季度最后一天前14天"


def test_the_warning_day_follows_the_setting(county, settings):
    settings.XINFANG_DUTY_WARN_DAYS = 30
    assert "已生成" in duty_warnings_job(county=county, day=dt.date(2026, 12, 1), now=NOW)
    assert "已生成" not in duty_warnings_job(county=county, day=WARNING_DAY, now=NOW)


# ---------------------------------------------------------------------------------------------------------
# Pages


def test_the_bureau_page_shows_the_quarter_and_plans_a_visit(
    county, client_for, django_assert_max_num_queries
):
    down_reception(county, dt.date(2026, 10, 9), leader("杜文博"))
    staff = client_for("bureau")
    with django_assert_max_num_queries(30):
        page = staff.get("/reception/duty/?quarter=2026Q4")
    text = page.content.decode()
    assert page.status_code == 200 and "2026年第四季度" in text and "杜文博" in text and "郑志远" not in text
    assert text.count('data-testid="duty-row"') == Leader.objects.filter(is_top_six=False).count()
    assert (
        text.count('data-testid="ranking-row"')
        == Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).count()
    )
    wei = leader("魏振华")
    response = staff.post("/reception/duty/plan/", {
        "quarter": "2026Q4", "leader": wei.pk, "township": township("周庄镇").pk, "date": "2026-12-08",
        "note": "",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?quarter=2026Q4")
    planned = DownVisit.objects.get(leader=wei, kind="planned")
    assert planned.date == dt.date(2026, 12, 8) and state_of(county, wei) == DutyState.PLANNED
    # A day outside the quarter, a past day, a leader who draws: refused beside the form.
    for date, who in (
        ("2027-01-05", wei),
        ("2026-11-19", leader("范晓峰")),
        ("2026-12-09", leader("郑志远")),
    ):
        response = staff.post("/reception/duty/plan/", {
            "quarter": "2026Q4", "leader": who.pk, "township": township("周庄镇").pk, "date": date,
        })  # fmt: skip
        assert response.status_code == 422
    assert DownVisit.objects.filter(kind="planned").count() == 1
    response = client_for("bureau_head").post(f"/reception/duty/visits/{planned.pk}/cancel/")
    assert response.status_code == 302 and not DownVisit.objects.filter(pk=planned.pk).exists()


def test_another_countys_bureau_cannot_see_or_cancel(county, client_for, outsider):
    planned = visit(county, dt.date(2026, 12, 8), leader("魏振华"))
    other = client_for(outsider)
    assert "魏振华" not in other.get("/reception/duty/").content.decode()
    assert other.post(f"/reception/duty/visits/{planned.pk}/cancel/").status_code == 404
    response = other.post("/reception/duty/plan/", {
        "quarter": "2026Q4", "leader": leader("杜文博").pk, "township": township("周庄镇").pk,
        "date": "2026-12-08",
    })  # fmt: skip
    assert response.status_code == 422  # 宝丰县's leader and township are not among its choices
    assert DownVisit.objects.filter(pk=planned.pk).exists() and DownVisit.objects.count() == 1


@pytest.mark.parametrize("username", ["secretary", "leader", "zhouzhuang", "renshe", "auditor", "sysadmin"])
def test_other_roles_are_refused_the_bureau_page(county, client_for, username):
    client = client_for(username)
    assert client.get("/reception/duty/").status_code == 403
    assert client.post("/reception/duty/plan/", {}).status_code == 403


def test_a_leader_sees_their_own_duty_and_a_home_card(county, client_for):
    client = client_for("leader")
    page = client.get("/reception/duty/mine/").content.decode()
    assert "未安排" in page and "2026年第四季度" in page and 'data-testid="ranking-row"' in page
    home = client.get("/").content.decode()
    assert "本季度下沉接访" in home and "/reception/duty/mine/" in home
    visit(county, dt.date(2026, 12, 8), leader("杜文博"))
    page = client.get("/reception/duty/mine/").content.decode()
    assert "已安排" in page and "12月8日" in page and "城关镇" in page
    # A top leader goes by the draw; the bureau and units have no such page.
    assert "按每月第一周周二的抽签" in client_for("secretary").get("/reception/duty/mine/").content.decode()
    for username in ("bureau", "zhouzhuang", "auditor"):
        assert client_for(username).get("/reception/duty/mine/").status_code == 403


def test_the_bureau_home_counts_the_leaders_missing(county, client_for):
    home = client_for("bureau").get("/").content.decode()
    assert "下沉接访未安排" in home and "/reception/duty/" in home
