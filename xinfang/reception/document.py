"""The printable sheet (接访安排表) of a published month, built by the one document builder (core/documents):
the county's slots, then the townships' (or one township's), with the place and hours."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from xinfang.core.documents import Document, Heading, Masthead, Paragraph, Table
from xinfang.reception.models import Schedule, Slot

WEEKDAYS = "一二三四五六日"


def _day(slot: Slot) -> str:
    return f"{slot.date.month}月{slot.date.day}日"


def _note(slot: Slot) -> str:
    return "；".join(part for part in (slot.note, "已调整" if slot.adjusted else "") if part)


def schedule_document(schedule: Schedule, slots: Sequence[Slot], *, township: str = "") -> Document:
    """The month's sheet; `township` names the one township the slots were narrowed to ("" = all)."""
    month = schedule.month
    county_rows = tuple(
        (
            _day(slot),
            f"星期{WEEKDAYS[slot.date.weekday()]}",
            slot.name,
            slot.post,
            slot.get_kind_display(),
            _note(slot),
        )
        for slot in slots
        if slot.level == Slot.Level.COUNTY
    )
    township_rows = tuple(
        (_day(slot), f"星期{WEEKDAYS[slot.date.weekday()]}", slot.unit.name if slot.unit else "", slot.name,
         slot.post, _note(slot))
        for slot in slots
        if slot.level == Slot.Level.TOWNSHIP
    )  # fmt: skip
    blocks = (
        Paragraph.of(
            f"县级领导每个工作日在{settings.XINFANG_RECEPTION_PLACE}接待来访群众，每周三县四大班子主要领导接访；"
            f"乡镇每周一由党委书记、乡镇长轮流接访，其他工作日由班子成员轮流接访，地点为"
            f"{settings.XINFANG_RECEPTION_TOWNSHIP_PLACE}。接访时间：{settings.XINFANG_RECEPTION_HOURS}。"
            f"法定节假日不安排接访，调休上班日照常接访。"
        ),
        Heading("一、县级领导接访安排"),
        Table(("日期", "星期", "接访领导", "职务", "类型", "说明"), county_rows),
        Heading(f"二、{township or '乡镇'}领导接访安排"),
        Table(("日期", "星期", "乡镇", "接访领导", "职务", "说明"), township_rows),
        Paragraph.of("如遇领导临时调整，以信访工作平台公开页面公布的最新安排为准。"),
    )
    return Document(
        masthead=Masthead(
            organ=schedule.county.bureau_name, title="领导接访安排", number="",
            date=timezone.localdate(schedule.published_at) if schedule.published_at else month,
        ),
        title=f"{schedule.county.name}{month.year}年{month.month}月领导公开接访安排表",
        blocks=blocks,
    )  # fmt: skip
