"""The joint meeting's pages through the test client: gate → form → service, refusals beside their form in
Chinese (422, or 403 for a role that may not), the screening page's factors."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.meetings.support import october_matters, province_matter
from tests.petitions.support import frozen
from xinfang.directory.models import Leader
from xinfang.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


def test_the_screening_page_shows_each_factor(county, persona, client_for):
    province = province_matter(persona("bureau"), county)
    with frozen():
        client_for("bureau").post("/meetings/screening/run/", {"month": "2026-10"})
        page = client_for("bureau").get("/meetings/screening/?month=2026-10")
        bad = client_for("bureau").get("/meetings/screening/?month=10月")
    body = page.content.decode()
    assert (
        page.status_code == 200 and province.number in body and "越级风险" in body and "符合条件 1 件" in body
    )
    assert "少于10件" in body
    assert bad.status_code == 422 and "月份应写作 YYYY-MM" in bad.content.decode()


def test_schedule_add_remove_decide_and_approve_through_the_pages(county, persona, client_for):
    bureau = persona("bureau")
    matters = october_matters(bureau, county, 11)
    chair = Leader.objects.get(county=county, name="高明哲")
    client = client_for("bureau")
    with frozen():
        response = client.post(
            "/meetings/new/", {"month": "2026-10", "held_on": "2026-11-02", "chair": chair.pk}
        )
        meeting = Meeting.objects.get()
        assert response.status_code == 302 and meeting.items.count() == 11 and meeting.chair == chair
        again = client.post("/meetings/new/", {"month": "2026-10", "held_on": "2026-11-02"})
        assert again.status_code == 422 and "2026年10月的联席会议已安排" in again.content.decode()
        unknown = client.post(f"/meetings/{meeting.pk}/add/", {"number": "XF-0", "reason": "群众反映强烈"})
        assert unknown.status_code == 422 and "未找到登记编号为“XF-0”的信访事项" in unknown.content.decode()
        item = meeting.items.order_by("order").last()
        assert item is not None
        no_reason = client.post(f"/meetings/agenda/{item.pk}/remove/", {f"r{item.pk}-reason": ""})
        assert no_reason.status_code == 422 and "请填写移出理由" in no_reason.content.decode()
        removed = client.post(f"/meetings/agenda/{item.pk}/remove/", {f"r{item.pk}-reason": "已化解"})
        assert removed.status_code == 302
        too_few = meeting.items.filter(removed=False).first()
        assert too_few is not None
        refused = client.post(f"/meetings/agenda/{too_few.pk}/remove/", {f"r{too_few.pk}-reason": "已化解"})
        assert refused.status_code == 422 and "议题不能少于10件" in refused.content.decode()
        leader = Leader.objects.get(county=county, name="蒋立新")
        for entry in meeting.items.filter(removed=False):
            prefix = f"d{entry.pk}"
            data = {f"{prefix}-plan": "依法答复，限期兑付", f"{prefix}-leader": leader.pk,
                    f"{prefix}-deadline": "2026-12-01"}  # fmt: skip
            if entry == too_few:
                late = client.post(
                    f"/meetings/agenda/{entry.pk}/decide/", data | {f"{prefix}-deadline": "2026-11-01"}
                )
                assert late.status_code == 422 and "化解期限应晚于会议日期" in late.content.decode()
            assert client.post(f"/meetings/agenda/{entry.pk}/decide/", data).status_code == 302
        assert client.post(f"/meetings/{meeting.pk}/approve/").status_code == 403  # staff may not
        approved = client_for("bureau_head").post(f"/meetings/{meeting.pk}/approve/")
    assert approved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.APPROVED
    assert AgendaItem.objects.filter(meeting=meeting, supervision__isnull=False).count() == 10
    assert {matter.pk for matter in matters} >= set(
        AgendaItem.objects.filter(meeting=meeting).values_list("matter_id", flat=True)
    )


def test_a_unit_user_and_a_county_leader_may_not_open_the_meetings(county, persona, client_for):
    october_matters(persona("bureau"), county, 1)
    with frozen():
        client_for("bureau").post("/meetings/new/", {"month": "2026-10", "held_on": "2026-11-02"})
        meeting = Meeting.objects.get()
        for who in ("zhouzhuang", "leader"):
            assert client_for(who).get(f"/meetings/{meeting.pk}/").status_code == 403
            assert client_for(who).get("/meetings/screening/").status_code == 403
        assert client_for("secretary").get(f"/meetings/{meeting.pk}/").status_code == 200
        assert client_for("secretary").post(f"/meetings/{meeting.pk}/approve/").status_code == 403
    assert dt.date(2026, 11, 2) == meeting.held_on
