"""The reception pages per persona: the bureau's month (generate, adjust, publish with confirmation, the
warning from the 25th) and the public page without login with its printable sheet (PDF and Word)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from xinfang.directory.models import Leader, Unit
from xinfang.reception.models import Adjustment, Schedule, Slot
from xinfang.reception.services import schedule_generate, schedule_publish, slot_adjust

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def published(county, bureau, head, month: dt.date) -> Schedule:
    schedule, _ = schedule_generate(county=county, month=month, by=bureau, now=NOW)
    return schedule_publish(schedule=schedule, by=head, now=NOW)


def test_the_bureau_generates_adjusts_and_the_head_publishes(county, client_for, bureau, head):
    staff = client_for("bureau")
    page = staff.get("/reception/")
    assert (
        page.status_code == 200 and "2026年12月" in page.content.decode() and b"generate-form" in page.content
    )
    response = staff.post("/reception/generate/", {"month": "2026-12"})
    assert response.status_code == 302
    schedule = Schedule.objects.get(county=county, month=dt.date(2026, 12, 1))
    page = staff.get("/reception/?month=2026-12").content.decode()
    assert "草稿" in page and "核对无误后请局长登录公布" in page
    assert page.count('data-testid="county-slot"') == schedule.slots.filter(level="county").count()
    # A draft's slot is edited plainly.
    slot = schedule.slots.filter(kind="daily").earliest("date", "id")
    other = Leader.objects.filter(county=county).exclude(pk=slot.leader_id or 0)[0]
    response = staff.post(
        f"/reception/slots/{slot.pk}/", {"person": f"leader:{other.pk}", "note": "", "reason": ""}
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.leader_id, slot.adjusted) == (other.pk, False)
    # Staff cannot publish; the head is asked to confirm first.
    assert staff.post(f"/reception/{schedule.pk}/publish/", {"confirm": "1"}).status_code == 403
    boss = client_for("bureau_head")
    response = boss.post(f"/reception/{schedule.pk}/publish/")
    assert response.status_code == 302 and "confirm=publish" in response["Location"]
    confirm = boss.get(response["Location"]).content.decode()
    assert 'data-testid="publish-confirm"' in confirm
    assert boss.post(f"/reception/{schedule.pk}/publish/", {"confirm": "1"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.PUBLISHED and schedule.published_by == head
    # After publishing a change needs its reason.
    response = staff.post(
        f"/reception/slots/{slot.pk}/", {"person": f"leader:{slot.leader_id}", "reason": ""}
    )
    assert response.status_code == 422 and "已公布的排班调整须写明原因" in response.content.decode()
    back = Leader.objects.filter(county=county).exclude(pk=other.pk)[0]
    response = staff.post(
        f"/reception/slots/{slot.pk}/", {"person": f"leader:{back.pk}", "reason": "赴市开会"}
    )
    assert response.status_code == 302
    assert Adjustment.objects.get(slot=slot).reason == "赴市开会"
    page = staff.get("/reception/?month=2026-12").content.decode()
    assert 'data-testid="adjustments"' in page and "赴市开会" in page


def test_a_draft_can_be_regenerated_and_a_bad_month_is_refused(county, client_for):
    staff = client_for("bureau")
    staff.post("/reception/generate/", {"month": "2026-12"})
    response = staff.post("/reception/generate/", {"month": "2026-12", "regenerate": "on"})
    assert response.status_code == 302
    assert Schedule.objects.filter(county=county).count() == 1
    response = staff.post("/reception/generate/", {"month": "2027-01"})
    assert response.status_code == 422 and "2027年的节假日安排尚未录入" in response.content.decode()
    assert staff.post("/reception/generate/", {"month": "12/2026"}).status_code == 422


@pytest.mark.parametrize("who", ["secretary", "leader", "zhouzhuang", "renshe", "auditor"])
def test_other_roles_do_not_keep_the_schedule(county, client_for, who):
    client = client_for(who)
    assert client.get("/reception/").status_code == 403
    assert client.post("/reception/generate/", {"month": "2026-12"}).status_code == 403


def test_the_outsider_county_bureau_gets_404_for_our_slot(county, bureau, client_for, outsider):
    schedule, _ = schedule_generate(county=county, month=dt.date(2026, 12, 1), by=bureau, now=NOW)
    slot = schedule.slots.earliest("id")
    assert client_for(outsider).get(f"/reception/slots/{slot.pk}/").status_code == 404
    assert (
        client_for(outsider).post(f"/reception/{schedule.pk}/publish/", {"confirm": "1"}).status_code == 404
    )


def test_the_page_warns_from_the_25th_while_next_month_is_unpublished(county, client_for, bureau, head):
    staff = client_for("bureau")
    assert b"publish-warning" not in staff.get("/reception/").content
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=ZONE), tick=False):
        staff = client_for("bureau")  # a new session: the old one has timed out
        assert b"publish-warning" in staff.get("/reception/").content
        published(county, bureau, head, dt.date(2026, 12, 1))
        assert b"publish-warning" not in staff.get("/reception/").content


def test_the_public_page_shows_the_published_months_to_anyone(
    county, bureau, head, django_assert_max_num_queries
):
    anonymous = Client()
    empty = anonymous.get("/public/reception/")
    assert empty.status_code == 200 and "本月和下月的领导接访安排尚未公布" in empty.content.decode()
    published(county, bureau, head, dt.date(2026, 11, 1))
    draft, _ = schedule_generate(county=county, month=dt.date(2026, 12, 1), by=bureau, now=NOW)
    slot = Slot.objects.filter(
        schedule__month=dt.date(2026, 11, 1), kind="daily", date=dt.date(2026, 11, 23)
    ).get()
    other = Leader.objects.filter(county=county).exclude(pk=slot.leader_id or 0)[0]
    slot_adjust(slot=slot, person=f"leader:{other.pk}", note="原定领导赴省开会", reason="赴省开会", by=bureau)
    with django_assert_max_num_queries(8):
        response = anonymous.get("/public/reception/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="public-month"') == 1  # December is still a draft
    assert (
        "2026年11月" in page and "县人民群众来访接待中心" in page and "已调整" in page and other.name in page
    )
    assert "原定领导赴省开会" in page
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    filtered = anonymous.get(f"/public/reception/?township={zhouzhuang.pk}").content.decode()
    rows = filtered.count('data-testid="public-township-slot"')
    assert rows == Slot.objects.filter(schedule__month=dt.date(2026, 11, 1), unit=zhouzhuang).count() > 0
    assert "周庄镇领导接访" in filtered
    published_december = schedule_publish(schedule=draft, by=head, now=NOW)
    assert anonymous.get("/public/reception/").content.decode().count('data-testid="public-month"') == 2
    assert published_december.is_published


def test_the_printable_sheet_opens_in_word_and_as_pdf(county, bureau, head):
    published(county, bureau, head, dt.date(2026, 12, 1))
    anonymous = Client()
    word = anonymous.get("/public/reception/sheet.docx?month=2026-12")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    cells = {cell.text for table in docx.Document(io.BytesIO(word.content)).tables for row in table.rows
             for cell in row.cells}  # fmt: skip
    assert "宝丰县2026年12月领导公开接访安排表" in text and "县人民群众来访接待中心" in text
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    assert secretary.name in cells and "周庄镇" in cells
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    pdf = anonymous.get(f"/public/reception/sheet.pdf?month=2026-12&township={zhouzhuang.pk}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "领导公开接访安排表" in extracted and "周庄镇领导接访安排" in extracted
    assert "马街镇" not in extracted  # another township left out
    assert anonymous.get("/public/reception/sheet.pdf?month=2027-01").status_code == 404
    assert anonymous.get("/public/reception/sheet.xls?month=2026-12").status_code == 404
