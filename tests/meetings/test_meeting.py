"""The joint meeting (issue 20): the 10–20 agenda, decisions recorded during the meeting, the minutes
approved as a numbered document with Art. 46 copies and masked names, every decision a supervision item in
the approval's transaction, the matter page and the next month's follow-up."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.meetings.support import october_matters
from tests.petitions.support import at, frozen, new_matter, unit
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, UnitOfficial
from xinfang.documents.models import Delivery, DocumentCopy, DocumentKind, IssuedDocument
from xinfang.lib.periods import Month
from xinfang.meetings import services
from xinfang.meetings.models import AgendaItem, Meeting, MinutesCopy
from xinfang.meetings.selectors import earlier_decisions
from xinfang.meetings.services import (
    MeetingConflict,
    agenda_add,
    agenda_remove,
    decision_record,
    meeting_attendees_set,
    meeting_remind_job,
    meeting_schedule,
    minutes_approve,
)
from xinfang.notifications.models import SmsMessage
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db
OCTOBER = Month(2026, 10)
HELD = dt.date(2026, 11, 2)
DEADLINE = dt.date(2026, 12, 15)


def schedule(county, bureau) -> Meeting:
    with frozen():
        return meeting_schedule(
            county=county,
            month=OCTOBER,
            held_on=HELD,
            by=bureau,
            place="县委第一会议室",
            chair=Leader.objects.get(county=county, name="高明哲"),
        )


def decide_all(meeting: Meeting, bureau, county) -> None:
    leader = Leader.objects.get(county=county, name="蒋立新")
    with frozen():
        for item in meeting.items.filter(removed=False):
            decision_record(
                item=item,
                by=bureau,
                report="已约谈信访人三次",
                plan=f"{item.matter.number}：一月内兑付工资",
                leader=leader,
                units=[unit(county, "县人社局")],
                deadline=DEADLINE,
                tasks="县人社局牵头核算，周庄镇配合",
            )


def test_the_agenda_holds_10_to_20_and_refuses_more(county, persona):
    bureau = persona("bureau")
    matters = october_matters(bureau, county, 22)
    meeting = schedule(county, bureau)
    assert meeting.qualifying == 22 and meeting.items.filter(removed=False).count() == 20
    listed = set(meeting.items.values_list("matter_id", flat=True))
    extra = next(matter for matter in matters if matter.pk not in listed)
    with frozen(), pytest.raises(ValidationError, match="议题已有20件"):
        agenda_add(meeting=meeting, matter=extra, by=bureau, reason="群众反映强烈")
    with frozen():
        for item in list(meeting.items.filter(removed=False).order_by("-order"))[:10]:
            agenda_remove(item=item, by=bureau, reason="已由乡镇化解")
        last = meeting.items.filter(removed=False)[0]
        with pytest.raises(ValidationError, match="议题不能少于10件"):
            agenda_remove(item=last, by=bureau, reason="已化解")
        item = agenda_add(meeting=meeting, matter=extra, by=bureau, reason="群众反映强烈")
    assert item.added and item.add_reason == "群众反映强烈" and item.score > 0
    assert meeting.items.filter(removed=False).count() == 11
    assert AuditRecord.objects.filter(action="meetings.agenda_remove").count() == 10


def test_fewer_than_10_only_when_fewer_qualify_and_the_page_says_so(county, persona, client_for):
    bureau = persona("bureau")
    october_matters(bureau, county, 3)
    meeting = schedule(county, bureau)
    assert meeting.qualifying == 3 and meeting.items.count() == 3
    with frozen(), pytest.raises(ValidationError, match="议题不能少于3件"):
        agenda_remove(item=meeting.items.all()[0], by=bureau, reason="已化解")
    with frozen():
        page = client_for("bureau").get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert "本月符合条件的事项只有3件，少于10件" in page.content.decode()


def test_only_the_bureau_schedules_and_once_a_month(county, persona):
    october_matters(persona("bureau"), county, 2)
    with frozen(), pytest.raises(PermissionDenied):
        meeting_schedule(county=county, month=OCTOBER, held_on=HELD, by=persona("renshe"))
    with frozen(), pytest.raises(ValidationError, match="会议日期应在筛选月份结束"):
        meeting_schedule(county=county, month=OCTOBER, held_on=dt.date(2026, 10, 30), by=persona("bureau"))
    schedule(county, persona("bureau"))
    with frozen(), pytest.raises(MeetingConflict):
        schedule(county, persona("bureau"))


@pytest.fixture
def held(county, persona):
    """A meeting of 10 October matters (one reporting 县人社局), attended by two leaders and two unit heads,
    every decision recorded."""
    bureau = persona("bureau")
    matters = october_matters(bureau, county, 9)
    with frozen():
        reporting = new_matter(
            bureau,
            county,
            date=dt.date(2026, 10, 9),
            reported=("县人社局",),
            content="反映县人社局工作人员推诿",
        )
    meeting = schedule(county, bureau)
    renshe_head = UnitOfficial.objects.get(unit__county=county, unit__name="县人社局", is_head=True)
    police_head = UnitOfficial.objects.get(unit__county=county, unit__name="县公安局", is_head=True)
    with frozen():
        meeting_attendees_set(
            meeting=meeting,
            by=bureau,
            officials=[renshe_head, police_head],
            leaders=Leader.objects.filter(county=county, name__in=["高明哲", "蒋立新"]),
        )
    leader = Leader.objects.get(county=county, name="蒋立新")
    with frozen():
        for item in meeting.items.all():
            units = [unit(county, "周庄镇")] if item.matter_id == reporting.pk else [unit(county, "县人社局")]
            decision_record(
                item=item,
                by=bureau,
                report="已约谈信访人",
                plan=f"{item.matter.number}一月内兑付",
                leader=leader,
                units=units,
                deadline=DEADLINE,
                tasks="县人社局牵头核算",
            )
    return {
        "meeting": meeting,
        "matters": matters,
        "reporting": reporting,
        "renshe_head": renshe_head,
        "police_head": police_head,
    }


def test_approval_issues_the_minutes_and_makes_every_decision_a_supervision_item(county, persona, held):
    meeting = held["meeting"]
    with frozen():
        with pytest.raises(PermissionDenied):
            minutes_approve(meeting=meeting, by=persona("bureau"))
        document = minutes_approve(meeting=meeting, by=persona("bureau_head"))
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.APPROVED and meeting.document == document
    assert document.kind == DocumentKind.MINUTES and (document.year, document.number) == (2026, 1)
    items = SupervisionItem.objects.filter(
        source_kind=SupervisionItem.SourceKind.MEETING, source_id=meeting.pk
    )
    assert items.count() == 10
    assert set(AgendaItem.objects.filter(meeting=meeting).values_list("supervision_id", flat=True)) == set(
        items.values_list("pk", flat=True)
    )
    one = items.get(matter=held["reporting"])
    assert one.deadline == DEADLINE and one.leader.name == "蒋立新" and "一月内兑付" in one.instruction
    # Leaders get the full copy by delivery; the 县人社局 head gets a copy without the matter reporting it.
    assert set(Delivery.objects.filter(document=document).values_list("leader__name", flat=True)) == {
        "高明哲",
        "蒋立新",
    }
    renshe = MinutesCopy.objects.get(meeting=meeting, official=held["renshe_head"]).copy
    police = MinutesCopy.objects.get(meeting=meeting, official=held["police_head"]).copy
    assert renshe.omitted == [held["reporting"].number] and police.is_full
    assert held["reporting"].number not in renshe.html and held["reporting"].number in police.html
    assert SmsMessage.objects.filter(topic=f"document:{document.pk}").count() >= 1
    with frozen(), pytest.raises(MeetingConflict):
        minutes_approve(meeting=meeting, by=persona("bureau_head"))


def test_the_minutes_open_in_word_with_official_fonts_and_the_pdf_text_extracts(county, persona, held):
    import docx
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    with frozen():
        document = minutes_approve(meeting=held["meeting"], by=persona("bureau_head"))
    copy = DocumentCopy.objects.get(document=document, key="full")
    word = docx.Document(io.BytesIO(bytes(copy.docx)))
    fonts = {run._r.rPr.rFonts.get(qn("w:eastAsia")) for para in word.paragraphs for run in para.runs}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= fonts
    text_docx = "\n".join(para.text for para in word.paragraphs)
    assert "2026年第1期" in text_docx and "会议决定" in text_docx
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bytes(copy.pdf))).pages)
    assert "联席会议纪要" in text and "2026年第1期" in text
    # The petitioner 张建设 is named masked, never in full.
    for body in (text_docx, text, copy.html):
        assert "张建设" not in body
    assert "张*设" in text_docx


def test_a_refused_supervision_item_rolls_the_approval_back(county, persona, held, monkeypatch):
    calls = []
    real = services.item_create  # type: ignore[attr-defined]

    def failing(**kwargs):
        calls.append(kwargs["matter"].number)
        if len(calls) == 3:
            raise ValidationError({"leader": "牵头领导已不在任"})
        return real(**kwargs)

    monkeypatch.setattr(services, "item_create", failing)
    with frozen(), pytest.raises(ValidationError):
        minutes_approve(meeting=held["meeting"], by=persona("bureau_head"))
    assert len(calls) == 3
    meeting = Meeting.objects.get(pk=held["meeting"].pk)
    assert meeting.state == Meeting.State.PLANNED and meeting.document is None
    assert not IssuedDocument.objects.exists() and not SupervisionItem.objects.exists()
    assert (
        not MinutesCopy.objects.exists() and not AgendaItem.objects.filter(supervision__isnull=False).exists()
    )
    monkeypatch.setattr(services, "item_create", real)
    with frozen():
        document = minutes_approve(meeting=meeting, by=persona("bureau_head"))
    assert document.number == 1  # the failed approval gave its number back


def test_the_minutes_wait_for_every_decision(county, persona):
    bureau = persona("bureau")
    october_matters(bureau, county, 2)
    meeting = schedule(county, bureau)
    with frozen(), pytest.raises(ValidationError, match="尚未记录化解方案"):
        minutes_approve(meeting=meeting, by=persona("bureau_head"))


def test_the_matter_page_and_next_months_screening_show_the_decision_and_its_state(
    county, persona, held, client_for
):
    with frozen():
        minutes_approve(meeting=held["meeting"], by=persona("bureau_head"))
    matter = held["matters"][0]
    with frozen():
        page = client_for("bureau").get(f"/matters/{matter.pk}/").content.decode()
    assert "联席会议决定" in page and f"{matter.number}一月内兑付" in page and "办理中" in page
    # November's meeting, after the deadline: the October decisions are overdue.
    with time_machine.travel(at(2026, 12, 20), tick=False):
        november = meeting_schedule(
            county=county, month=Month(2026, 11), held_on=dt.date(2026, 12, 21), by=persona("bureau")
        )
        rows = earlier_decisions(meeting=november)
        labels = {getattr(row, "follow_label", "") for row in rows}
        assert len(rows) == 10 and labels == {"超期"}
        page = client_for("bureau").get(november.get_absolute_url()).content.decode()
        # November's screening page, read from the screening the schedule stored: each candidate decided
        # in October shows its decision's state, and so does the list of earlier decisions.
        screening = client_for("bureau").get("/meetings/screening/?month=2026-11").content.decode()
    assert "以往会议决定落实情况" in page and "超期" in page
    assert screening.count('data-testid="earlier-on-candidate"') == 10
    assert screening.count('data-testid="follow-state"') == 10 and "2026年10月 <span" in screening
    assert "按 2026-12-20 10:00 的数据筛选" in screening
    # The unit users see no decision card.
    with frozen():
        unit_page = client_for("zhouzhuang").get(f"/matters/{matter.pk}/")
    assert "联席会议决定" not in unit_page.content.decode()


def test_the_reminder_job_texts_the_bureau_once_a_day(county, persona):
    bureau = persona("bureau")
    bureau.mobile = "13800000001"
    bureau.save(update_fields=["mobile"])
    with frozen():
        said = meeting_remind_job(county=county, day=HELD, now=at(2026, 11, 2, 9))
        again = meeting_remind_job(county=county, day=HELD, now=at(2026, 11, 2, 9))
    assert "10月联席会议尚未安排" in said and "已生成1条短信" in said and "已生成0条短信" in again
    october_matters(bureau, county, 1)
    with frozen():
        meeting_schedule(county=county, month=OCTOBER, held_on=dt.date(2026, 11, 4), by=bureau)
        said = meeting_remind_job(county=county, day=HELD, now=at(2026, 11, 2, 9))
    assert "定于11月4日召开" in said


def test_a_unit_head_reads_their_units_copy_on_the_platform(county, persona, held, client_for):
    from pypdf import PdfReader

    with frozen():
        minutes_approve(meeting=held["meeting"], by=persona("bureau_head"))
        renshe = client_for("renshe")
        page = renshe.get("/meetings/minutes/")
        assert page.status_code == 200 and page.content.decode().count('data-testid="minutes-copy"') == 1
        sent = MinutesCopy.objects.get(official=held["renshe_head"])
        response = renshe.get(f"/meetings/minutes/{sent.pk}/pdf/")
        police = MinutesCopy.objects.get(official=held["police_head"])
        assert renshe.get(f"/meetings/minutes/{police.pk}/pdf/").status_code == 404  # another unit's copy
        assert "会议纪要" in client_for("zhouzhuang").get("/meetings/minutes/").content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages)
    assert held["matters"][0].number in text and held["reporting"].number not in text
    assert AuditRecord.objects.filter(action="document.download").count() == 1
