"""The matter list as an Excel 台账 an office keeps: one table (bold frozen header, autofilter, sized columns,
real dates, wrapped long text) on a sheet named after the county, and a 说明 sheet saying what was exported,
when, by whom, with which filters. The handling deadline and the petitioner's 复查/复核 window are separate
columns. Personal data is masked; the bureau may export it in full only with a reason, audited like a reveal.

Matters are read in chunks and their rows streamed into the compressed file (`lib/xlsx`): memory holds one
chunk and the finished file (a few megabytes at `EXPORT_LIMIT` rows).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.cipher import field_cipher
from xinfang.core.roles import BUREAU_ROLES
from xinfang.lib.columns import display_width
from xinfang.lib.crypto import DecryptionError, FieldCipher
from xinfang.lib.deadlines import CLOCK_LABELS, PETITIONER_CLOCKS, Clock
from xinfang.lib.masking import mask_name, scrub_text
from xinfang.lib.text import clean_text
from xinfang.lib.xlsx import DATE, HEADER, TEXT, WRAP, Cell, XlsxBook
from xinfang.petitions.models import Assignment, Channel, Level, Matter, Ownership
from xinfang.petitions.rows import ID_CONTEXT, PHONE_CONTEXT
from xinfang.petitions.selectors import MatterFilter, matters_search
from xinfang.petitions.services.common import RegistryError

# Rows in one file: a longer list is cut there, and the file says so (on both sheets).
EXPORT_LIMIT = 20000
REASON_MIN, REASON_MAX = 4, 200  # characters of the reason a real-name export needs
CHUNK = 1000  # matters read (with their petitioners, assignment and owner) per round trip
# A sheet's column widths come before its rows in the file: they are measured on the first rows.
WIDTH_SAMPLE = 500
MAX_WIDTH = 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | date | number | long (wrapped, at a fixed width)
    width: int = 0  # a long column's width

    @property
    def style(self) -> int:
        return {"date": DATE, "long": WRAP}.get(self.kind, TEXT)


COLUMNS = (
    Column("登记编号"),
    Column("首次信访日期", "date"),
    Column("最近信访日期", "date"),
    Column("批次", "number"),
    Column("人次", "number"),
    Column("首次信访形式"),
    Column("最高访别"),
    Column("来源"),
    Column("标记"),
    Column("乡镇"),
    Column("村(社区)"),
    Column("问题类别"),
    Column("信访人"),
    Column("身份证号"),
    Column("联系电话"),
    Column("反映问题", "long", 50),
    Column("诉求", "long", 30),
    Column("责任单位"),
    Column("转送交办单位"),
    Column("签收状态"),
    Column("包案领导"),
    Column("状态"),
    Column("当前时限"),
    Column("时限起算日", "date"),
    Column("办理到期日", "date"),
    Column("办理超期"),
    Column("复查/复核申请截止日", "date"),
    Column("延期天数", "number"),
    Column("受理日期", "date"),
    Column("答复日期", "date"),
    Column("化解日期", "date"),
)
HEADERS = tuple(column.header for column in COLUMNS)
STYLES = tuple(column.style for column in COLUMNS)
FLAGS = (("is_threat", "扬言"), ("is_urgent", "重大紧急"), ("is_litigation", "涉法涉诉"),
         ("is_backlog", "积案"), ("is_collective", "集体访"))  # fmt: skip
DEADLINE_NOTES = (
    ("办理到期日", "办理机关须在该日前完成“当前时限”所列事项（登记后转送/交办/受理、告知受理、管辖异议、"
     "办结、复查决定、复核决定）；过了该日仍未完成即为办理超期（见“办理超期”列）。"),
    ("复查/复核申请截止日", "信访人可以请求复查或复核的最后一日（自收到答复或复查意见之日起算）；"
     "过了该日信访人未请求的，不属于办理超期。"),
)  # fmt: skip
NAMED_NOTE = "实名：含完整姓名、身份证号、联系电话，请妥善保管，不得外传或用于本职工作以外的用途"
MASKED_NOTE = "已脱敏：姓名、身份证号、联系电话均部分隐藏"
# Choices by value, looked up once: get_FOO_display() costs a matter several microseconds per field.
STATUS, SOURCE = dict(Matter.Status.choices), dict(Matter.Source.choices)
CHANNEL, LEVEL = dict(Channel.choices), dict(Level.choices)


@dataclass(frozen=True)
class MatterExport:
    content: bytes
    file_name: str
    rows: int  # matters in the file
    people: int  # petitioners named in it
    truncated: bool  # the list had more than EXPORT_LIMIT matters


def safe_cell(value: Cell) -> Cell:
    """Text as a spreadsheet may hold it whatever was stored: control characters removed (a workbook
    cannot hold them), and text that a spreadsheet would run as a formula (=, +, -, @) prefixed with a
    quote."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def filter_summary(form: forms.Form) -> dict[str, str]:
    """The filters of a bound, valid filter form as a person reads them, {label: value}; empty ones left
    out. Numbers typed into the search are masked: the summary goes into the file and the audit log."""
    if not form.is_bound:
        return {}
    summary: dict[str, str] = {}
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False) or (isinstance(value, list | tuple) and not value):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            text = "、".join(str(item) for item in value)
        elif isinstance(field, forms.ModelChoiceField):
            text = str(value)
        elif isinstance(field, forms.ChoiceField):
            choices = getattr(field, "choices", ())  # groups (a label that is a list) are not used here
            labels = {str(key): str(label) for key, label in choices if not isinstance(label, list | tuple)}
            values = value if isinstance(value, list | tuple) else [value]
            text = "、".join(labels.get(str(item), str(item)) for item in values)
        elif value is True:
            text = "是"
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = str(value)
        summary[str(field.label or name)] = scrub_text(clean_text(text, multiline=False))[:200]
    return summary


def matters_export(*, by: User, filters: MatterFilter, described: Mapping[str, str]) -> MatterExport:
    """The user's filtered list (their scope, `EXPORT_LIMIT` rows at most) with names, ID numbers and phones
    masked, for everyone who may see the list; the export is audited (filters, rows)."""
    export = _export(by=by, filters=filters, described=described, reason="")
    audit_record(
        action="matter.export", actor=by, object_type="petitions.matter",
        changes={"rows": export.rows, "truncated": export.truncated, "filters": dict(described)},
        message=f"导出信访事项 {export.rows} 条（个人信息已脱敏）",
    )  # fmt: skip
    return export


def matters_export_named(
    *, by: User, filters: MatterFilter, described: Mapping[str, str], reason: str
) -> MatterExport:
    """The same list with real names and full ID numbers and phones: the bureau only, with a typed reason,
    audited like a reveal (who, when, why, which filters, how many matters and people).

    The workbook is built before the audit record is written, in its own short transaction: on SQLite a
    write transaction held while thousands of rows are read and decrypted would stop every other writer.
    The file leaves only after that record is committed; a failure on the way leaves no file."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("您没有导出实名信息的权限")
    reason = clean_text(reason, multiline=False).strip()
    if len(reason) < REASON_MIN:
        raise RegistryError(f"请填写导出理由（至少{REASON_MIN}个字）", "reason")
    if len(reason) > REASON_MAX:
        raise RegistryError(f"导出理由不能超过{REASON_MAX}个字", "reason")
    try:
        export = _export(by=by, filters=filters, described=described, reason=reason)
    except DecryptionError as error:
        raise RegistryError("无法解密：密钥缺失或数据已被篡改，请联系系统管理员") from error
    with transaction.atomic():
        audit_record(
            action="pii.export", actor=by, object_type="petitions.matter",
            changes={"rows": export.rows, "people": export.people, "truncated": export.truncated,
                     "fields": ["姓名", "身份证号", "联系电话"], "filters": dict(described)},
            message=f"实名导出理由：{reason}",
        )  # fmt: skip
    return export


def workbook_response(export: MatterExport) -> HttpResponse:
    """The file as a download that no cache keeps."""
    response = HttpResponse(export.content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, export.file_name)
    response["Cache-Control"] = "no-store"
    return response


# -- the workbook ----------------------------------------------------------------------------------------


def _export(*, by: User, filters: MatterFilter, described: Mapping[str, str], reason: str) -> MatterExport:
    named = bool(reason)
    county = by.county.name if by.county else ""
    now = timezone.localtime()
    title = f"{county}信访事项台账"
    matters = (
        matters_search(user=by, filters=filters)
        .select_related("origin_township", "origin_village", "category__parent", "responsible_unit")
        .prefetch_related(
            "petitioners",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(is_current=True).select_related("unit"),
                to_attr="current_assignments",
            ),
            Prefetch(
                "ownerships",
                queryset=Ownership.objects.filter(is_current=True).select_related("leader"),
                to_attr="current_ownerships",
            ),
        )
    )
    cells = _Cells(named=named, today=now.date())
    rows = (cells.row(matter) for matter in matters[: EXPORT_LIMIT + 1].iterator(chunk_size=CHUNK))
    sample = list(islice(rows, WIDTH_SAMPLE))
    buffer = io.BytesIO()
    with XlsxBook(buffer, title=title, creator="信访工作平台") as book:
        sheet = book.sheet(
            title, widths=_widths(sample), frozen_rows=1, landscape=True, footer_text="第 &P 页，共 &N 页",
            header_text=f"{title}（{'实名' if named else '脱敏'}）  导出时间 {now:%Y-%m-%d %H:%M}",
        )  # fmt: skip
        sheet.print_titles(1)
        sheet.row(HEADERS, HEADER)
        written, truncated = 0, False
        for values in chain(sample, rows):
            if written == EXPORT_LIMIT:
                truncated = True
                break
            sheet.row([safe_cell(value) for value in values], STYLES)
            written += 1
        sheet.autofilter(rows=written + 1)
        cut_note = f"仅导出了前 {EXPORT_LIMIT} 条：筛选结果多于此数，请缩小筛选范围后分批导出。"
        if truncated:  # below the table, apart from it: sorting and filtering leave it where it is
            sheet.row([])
            sheet.row([cut_note])

        about = book.sheet("说明", widths=(22, 90))
        lines: list[tuple[str, str]] = [
            ("标题", title),
            ("个人信息", NAMED_NOTE if named else MASKED_NOTE),
            *([("实名导出理由", reason)] if named else []),
            ("导出人", by.full_name or by.get_username()),
            ("导出时间", f"{now:%Y-%m-%d %H:%M}"),
            ("筛选条件", "；".join(f"{label}：{value}" for label, value in described.items())
             or "无（本人可见的全部事项）"),
            ("事项数", f"{written} 件" + (f"（{cut_note}）" if truncated else "")),
            ("信访人数", f"{cells.people} 人"),
            *DEADLINE_NOTES,
        ]  # fmt: skip
        for label, text in lines:
            about.row([label, safe_cell(text)], (HEADER, WRAP))
    return MatterExport(
        content=buffer.getvalue(),
        file_name=f"{title}{'（实名）' if named else ''}-{now:%Y%m%d-%H%M}.xlsx",
        rows=written,
        people=cells.people,
        truncated=truncated,
    )


class _Cells:
    """A matter's row of values, in the order of COLUMNS; counts the petitioners it names."""

    def __init__(self, *, named: bool, today: dt.date) -> None:
        self.named = named
        self.today = today
        self.people = 0
        self.cipher: FieldCipher | None = field_cipher() if named else None

    def row(self, matter: Matter) -> tuple[Cell, ...]:
        persons = list(matter.petitioners.all())
        self.people += len(persons)
        clock = _clock(matter.clock)
        petitioners_window = clock in PETITIONER_CLOCKS
        handling_due = matter.due_date if clock and not petitioners_window else None
        window_due = matter.due_date if clock and petitioners_window else None
        assignment = next(iter(getattr(matter, "current_assignments", [])), None)
        owners = getattr(matter, "current_ownerships", [])
        village = matter.origin_village.name if matter.origin_village else matter.origin_village_text
        return (
            matter.number, matter.first_event_date, matter.last_event_date, matter.event_count,
            matter.person_count, CHANNEL.get(matter.channel), LEVEL.get(matter.top_level),
            SOURCE.get(matter.source), "、".join(label for name, label in FLAGS if getattr(matter, name)),
            matter.origin_township.name, village, str(matter.category),
            self.people_column(persons, "name"), self.people_column(persons, "id_number"),
            self.people_column(persons, "phone"), self.free_text(matter.content),
            self.free_text(matter.appeal),
            matter.responsible_unit.name if matter.responsible_unit else "",
            f"{assignment.get_kind_display()}：{assignment.unit.name}" if assignment else "",
            assignment.get_state_display() if assignment else "",
            "、".join(owner.leader.name for owner in owners),
            STATUS.get(matter.status), CLOCK_LABELS[clock] if clock else "", matter.clock_started,
            handling_due, ("是" if handling_due < self.today else "否") if handling_due else "",
            window_due, matter.extension_days or None, matter.accepted_on, matter.answered_on,
            matter.resolved_on,
        )  # fmt: skip

    def people_column(self, persons: list[Any], what: str) -> str:
        """One value per petitioner, in their order, joined with 、 (a missing one is — when several)."""
        values = [self.person_value(person, what) for person in persons]
        if len(values) > 1:
            values = [value or "—" for value in values]
        return "、".join(values)

    def person_value(self, person: Any, what: str) -> str:
        if what == "name":
            return person.name if self.named else mask_name(person.name)
        token, context, masked = (
            (person.id_number_enc, ID_CONTEXT, person.id_number_masked)
            if what == "id_number"
            else (person.phone_enc, PHONE_CONTEXT, person.phone_masked)
        )
        if self.cipher is None or not token:
            return str(masked)
        return self.cipher.decrypt(token, context=context)

    def free_text(self, text: str) -> str:
        # Numbers are masked when text is saved; a masked file masks them again, whatever was stored.
        return text if self.named else scrub_text(text)


def _clock(value: str) -> Clock | None:
    try:
        return Clock(value)
    except ValueError:  # none running (blank)
        return None


def _widths(sample: Iterable[tuple[Cell, ...]]) -> list[int]:
    """Each column's width in characters, measured on `sample` (a Chinese character counts two): as wide
    as its header and its longest value, at most MAX_WIDTH; dates at a fixed width, long text at its own."""
    widths = [display_width(header) for header in HEADERS]
    for values in sample:
        for index, value in enumerate(values):
            if isinstance(value, str):
                widths[index] = max(widths[index], *(display_width(line) for line in value.split("\n")))
    return [
        column.width if column.kind == "long"
        else max(12, display_width(column.header) + 2) if column.kind == "date"
        else min(width + 2, MAX_WIDTH)
        for column, width in zip(COLUMNS, widths, strict=True)
    ]  # fmt: skip
