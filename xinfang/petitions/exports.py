"""Excel export of matter lists: masked personal data, formula-like cells escaped."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.lib.masking import mask_name
from xinfang.lib.text import clean_text
from xinfang.petitions.models import Matter

EXPORT_LIMIT = 20000
HEADERS = (
    "登记编号", "首次信访日期", "最近信访日期", "批次", "人次", "信访形式", "最高访别", "乡镇", "村(社区)",
    "问题类别", "责任单位", "信访人", "反映问题", "诉求", "状态", "到期日",
)  # fmt: skip


def safe_cell(value: object) -> object:
    """Text as a spreadsheet may hold it whatever was stored: control characters removed (openpyxl
    refuses them), and text that a spreadsheet would run as a formula (=, +, -, @) prefixed with a
    quote."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def matters_workbook_response(*, user: User, matters: QuerySet[Matter]) -> HttpResponse:
    """The list as .xlsx (at most EXPORT_LIMIT rows); names masked; the export is audited."""
    rows = list(
        matters.select_related(
            "origin_township", "origin_village", "category__parent", "responsible_unit"
        ).prefetch_related("petitioners")[:EXPORT_LIMIT]
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "信访事项"
    sheet.append(list(HEADERS))
    for matter in rows:
        village = matter.origin_village.name if matter.origin_village else matter.origin_village_text
        names = "、".join(mask_name(p.name) for p in matter.petitioners.all() if p.name)
        sheet.append([safe_cell(value) for value in (
            matter.number, matter.first_event_date, matter.last_event_date, matter.event_count,
            matter.person_count, matter.get_channel_display(), matter.get_top_level_display(),
            matter.origin_township.name, village, str(matter.category),
            matter.responsible_unit.name if matter.responsible_unit else "", names, matter.content,
            matter.appeal, matter.get_status_display(), matter.due_date,
        )])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(action="matter.export", actor=user, object_type="petitions.matter",
                 changes={"rows": len(rows)}, message=f"导出信访事项 {len(rows)} 条")  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="matters-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
