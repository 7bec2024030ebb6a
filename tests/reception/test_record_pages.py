"""The record pages per persona: today's receptions to record, a record with a leader absent, the matters
received (new and registered before) with refusals beside their form, and the figures with the drill-down
that adds up to them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.petitions.support import new_matter, register
from xinfang.directory.models import Category, Leader, Unit
from xinfang.lib.periods import quarter_of
from xinfang.petitions.models import Matter
from xinfang.reception.duty import duty_compliance, duty_missing
from xinfang.reception.models import Attendance, DownVisit, ReceivedMatter, Reception
from xinfang.reception.records import AttendeeInput, ReceivedInput, ReceptionInput, reception_record
from xinfang.reception.services import schedule_generate

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def secretary(county) -> Leader:
    return Leader.objects.get(county=county, post_kind="secretary")


def test_today_lists_the_schedule_and_a_slot_prefills_the_record(county, client_for, bureau):
    schedule, _ = schedule_generate(county=county, month=TODAY.replace(day=1), by=bureau, now=NOW)
    staff = client_for("bureau")
    page = staff.get("/reception/records/").content.decode()
    wednesday = schedule.slots.filter(date=TODAY, kind="wednesday").count()
    assert page.count('data-testid="due-row"') == schedule.slots.filter(date=TODAY).count() and wednesday == 4
    slot = schedule.slots.get(date=TODAY, kind="wednesday", leader=secretary(county))
    form = staff.get(f"/reception/records/new/?slot={slot.pk}").content.decode()
    assert f'value="leader:{slot.leader_id}" selected' in form and 'value="wednesday" selected' in form

    response = staff.post("/reception/records/new/", {
        "date": "2026-11-18", "kind": "wednesday", "township": "", "person": f"leader:{slot.leader_id}",
        "note": "",
    })  # fmt: skip
    reception = Reception.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reception/records/{reception.pk}/"
    assert reception.slot == slot
    page = staff.get("/reception/records/").content.decode()
    assert "已登记" in page and page.count('data-testid="record-row"') == 1


def test_a_leader_absent_needs_the_reason_and_takes_no_matters(county, client_for):
    staff = client_for("bureau")
    data = {
        "date": "2026-11-18",
        "kind": "wednesday",
        "person": f"leader:{secretary(county).pk}",
        "absent": "on",
    }
    response = staff.post("/reception/records/new/", data)
    assert response.status_code == 422 and "领导未到场，请写明原因" in response.content.decode()
    assert not Reception.objects.exists()
    response = staff.post("/reception/records/new/", {**data, "absence_reason": "赴省参加会议"})
    reception = Reception.objects.get()
    page = staff.get(f"/reception/records/{reception.pk}/").content.decode()
    assert "未到场" in page and "赴省参加会议" in page and 'data-testid="add-matter"' not in page


def test_matters_are_added_new_or_known_and_refusals_stay_beside_their_form(county, client_for, bureau):
    reception = reception_record(
        by=bureau, data=ReceptionInput(county=county, date=TODAY, kind="centre",
                                       attendees=(AttendeeInput(secretary(county)),)),
    )  # fmt: skip
    staff = client_for("bureau")
    url = f"/reception/records/{reception.pk}/"
    township = Unit.objects.get(county=county, name="周庄镇")
    category = Category.objects.get(county=county, code="0702")
    new = {"mode": "new", "name": "王秀兰", "phone": "13903750001", "persons": "3",
           "origin_township": township.pk, "category": category.pk, "content": "征地补偿款未发放到户",
           "outcome": "resolved"}  # fmt: skip
    response = staff.post(url, {**new, "content": ""})
    assert response.status_code == 422 and not ReceivedMatter.objects.exists()
    assert "反映问题" in response.content.decode()
    response = staff.post(url, new)
    assert response.status_code == 302
    entry = ReceivedMatter.objects.get()
    assert (entry.persons, entry.outcome, entry.event.date, entry.matter.origin_township) == (
        3,
        "resolved",
        TODAY,
        township,
    )
    assert entry.matter.petitioners.get().name == "王秀兰"

    known = new_matter(bureau, county, date=dt.date(2026, 10, 20))
    response = staff.post(
        url, {"mode": "known", "k-number": "不存在", "k-persons": "1", "k-outcome": "explained"}
    )
    assert response.status_code == 422 and "本县没有这个登记编号的事项" in response.content.decode()
    response = staff.post(
        url, {"mode": "known", "k-number": known.number, "k-persons": "2", "k-outcome": "assigned"}
    )
    assert response.status_code == 302
    page = staff.get(url).content.decode()
    assert page.count('data-testid="received-row"') == 2 and known.number in page
    assert Matter.objects.get(pk=known.pk).event_count == 2


def test_personas_and_scope(county, client_for, bureau):
    reception = reception_record(
        by=bureau, data=ReceptionInput(county=county, date=TODAY, kind="centre",
                                       attendees=(AttendeeInput(secretary(county)),)),
    )  # fmt: skip
    urls = ["/reception/records/", "/reception/records/new/", f"/reception/records/{reception.pk}/"]
    for url in urls:
        assert client_for("bureau").get(url).status_code == 200
        assert client_for("bureau_head").get(url).status_code == 200
        for persona in ("secretary", "leader", "zhouzhuang", "auditor"):
            assert client_for(persona).get(url).status_code in (302, 403, 404), (persona, url)
    assert client_for("secretary").get("/reception/stats/").status_code == 200
    assert client_for("zhouzhuang").get("/reception/stats/").status_code in (302, 403)
    assert client_for("bureau").get("/reception/records/999999/").status_code == 404


def test_the_figures_page_drills_down_to_the_matters_behind_each_figure(county, client_for, bureau):
    head = Leader.objects.get(county=county, post_kind="county_head")
    reception_record(
        by=bureau, data=ReceptionInput(county=county, date=TODAY, kind="wednesday",
                                       attendees=(AttendeeInput(secretary(county)), AttendeeInput(head))),
        received=[ReceivedInput(outcome="resolved", persons=2, registration=register(county)),
                  ReceivedInput(outcome="assigned", persons=5, attendee=1, registration=register(county))],
    )  # fmt: skip
    reception_record(
        by=bureau, data=ReceptionInput(county=county, date=dt.date(2026, 11, 3), kind="down",
                                       township=Unit.objects.get(county=county, name="闹店镇"),
                                       attendees=(AttendeeInput(head),)),
        received=[ReceivedInput(outcome="explained", registration=register(county))],
    )  # fmt: skip
    page = client_for("secretary").get("/reception/stats/?start=2026-11-01&end=2026-11-30").content.decode()
    assert "公开接访2人次，接待群众2起7人，化解1起" in page
    assert "下沉接访1人次，接待群众1起1人，化解0起" in page
    links = re.findall(r'href="(/reception/stats/matters/\?[^"]+)"', page)
    assert links
    staff = client_for("bureau")
    for link in links:
        drill = staff.get(link.replace("&amp;", "&")).content.decode()
        shown = int(re.search(r"共 (\d+) 起", drill).group(1))
        assert drill.count('data-testid="drill-row"') == shown > 0, link
    head_only = staff.get(
        "/reception/stats/matters/?start=2026-11-01&end=2026-11-30&group=open&leader=" + head.name
    ).content.decode()
    assert head_only.count('data-testid="drill-row"') == 1 and "交办" in head_only
    bad = client_for("bureau").get("/reception/stats/?start=2026-12-01&end=2026-11-01")
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.content.decode()
    assert Attendance.objects.filter(present=True).count() == 3


def test_a_long_month_pages_with_its_filters_kept(county, client_for, bureau):
    leader = secretary(county)
    for day in range(51):
        reception_record(by=bureau, data=ReceptionInput(
            county=county, date=dt.date(2026, 11, 1) + dt.timedelta(days=day % 17), kind="centre",
            attendees=(AttendeeInput(leader),),
        ))  # fmt: skip
    staff = client_for("bureau")
    first = staff.get("/reception/records/?month=2026-11&group=open").content.decode()
    assert first.count('data-testid="record-row"') == 50 and "第 1 / 2 页" in first
    assert 'href="?month=2026-11&amp;group=open&amp;page=2"' in first
    second = staff.get("/reception/records/?month=2026-11&group=open&page=2").content.decode()
    assert second.count('data-testid="record-row"') == 1


def test_the_liaison_leader_who_goes_with_a_drawn_leader_has_done_the_quarters_duty(
    county, client_for, bureau
):
    township = Unit.objects.get(county=county, name="周庄镇")
    liaison = Leader.objects.filter(county=county, is_top_six=False, is_active=True).order_by(
        "protocol_order"
    )[0]
    visit = DownVisit.objects.create(
        county=county, date=TODAY, kind=DownVisit.Kind.DRAWN, leader=secretary(county), township=township,
        liaison=liaison, name=secretary(county).name, created_at=NOW,
    )  # fmt: skip
    quarter = quarter_of(TODAY)
    # Before the day: planned (going with the drawn leader), not missing.
    early = {duty.leader.pk: duty for duty in duty_compliance(county=county, quarter=quarter, today=TODAY)}
    assert early[liaison.pk].state == "planned"
    assert liaison not in duty_missing(county=county, quarter=quarter, today=TODAY)
    staff = client_for("bureau")
    assert f"陪同{secretary(county).name}" in staff.get("/reception/duty/").content.decode()
    form = staff.get(f"/reception/records/new/?visit={visit.pk}").content.decode()
    assert f'<option value="{liaison.pk}" selected>' in form
    person = f"leader:{secretary(county).pk}"
    data = {"date": "2026-11-18", "kind": "down", "township": township.pk, "person": person}
    response = staff.post("/reception/records/new/", {**data, "companion": liaison.pk})
    reception = Reception.objects.get()
    assert response.status_code == 302 and reception.down_visit == visit
    assert list(reception.attendances.values_list("leader_id", flat=True)) == [
        secretary(county).pk,
        liaison.pk,
    ]
    later = {duty.leader.pk: duty for duty in duty_compliance(county=county, quarter=quarter, today=TODAY)}
    assert later[liaison.pk].state == "done"


def test_odd_query_parameters_are_not_errors(client_for):
    staff = client_for("bureau")
    for url in (
        "/reception/records/new/?slot=²",
        "/reception/records/new/?visit=¹",
        "/reception/records/?month=9999-12",
        "/reception/records/?month=0001-01",
        "/reception/?month=9999-12",
        "/reception/downvisit/?month=9999-12",
    ):
        assert staff.get(url).status_code == 200, url
    assert staff.get("/reception/stats/matters/?month=9999-12").status_code == 404
    assert staff.get("/reception/stats/matters/?group=nope").status_code == 404
