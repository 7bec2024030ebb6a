"""The Excel 台账 export (issue 14, item 6): a table an office keeps (bold frozen header, autofilter, sized
columns, real dates), the handling deadline apart from the petitioner's 复查/复核 window, personal data
masked for everyone, and the bureau's real-name file only with a reason, audited like a reveal."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from tests.petitions.support import (
    ID_LI,
    ID_ZHANG,
    PHONE_LI,
    PHONE_ZHANG,
    S,
    accepted_matter,
    at,
    day,
    frozen,
    new_matter,
    unit,
)
from xinfang.audit.models import AuditRecord
from xinfang.lib.deadlines import Clock
from xinfang.petitions import exports
from xinfang.petitions.exports import HEADERS, matters_export_named
from xinfang.petitions.models import Assignment, Matter, Petitioner
from xinfang.petitions.selectors import MatterFilter
from xinfang.petitions.services.common import PetitionerInput, RegistryError
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.transfer import matter_assign
from xinfang.petitions.services.workflow import matter_transition

pytestmark = pytest.mark.django_db
EXPORT, NAMED = "/matters/export.xlsx", "/matters/export-named.xlsx"
REASON = "报送市信访局核对重复信访人"
# Who may open the list, with how many of the two matters below each sees (the leader owns the first,
# 县人社局 has it transferred; both come from 周庄镇).
SEES = {"bureau": 2, "bureau_head": 2, "secretary": 2, "leader": 1, "zhouzhuang": 2, "renshe": 2}


@pytest.fixture
def matters(county, bureau, head, renshe, persona) -> dict[str, Matter]:
    """`waiting`: registered on 20 October, transferred to 县人社局 (not yet signed for), owned by the demo
    leader, its handling clock over on 10 November; `answered`: answered on 20 October by 县人社局, the
    petitioner's 复查 window open until 19 November. Both with two petitioners."""
    two = (
        PetitionerInput(name="张建设", id_number=ID_ZHANG, phone=PHONE_ZHANG, address="周庄镇大屯村"),
        PetitionerInput(name="李秀英", id_number=ID_LI, phone=PHONE_LI),
    )
    with frozen(2026, 10, 20):
        waiting = new_matter(bureau, county, date=day(2026, 10, 20), petitioners=two, is_threat=True)
        matter_assign(by=bureau, matter=waiting, unit=unit(county, "县人社局"), kind=Assignment.Kind.TRANSFER)
        ownership_assign(by=head, matter=waiting, leader=persona("leader").leader)
        answered = accepted_matter(county, bureau, renshe, on=day(2026, 10, 20))
        Petitioner.objects.create(matter=answered, name="王五", order=1)  # no ID number, no phone
        matter_transition(by=renshe, matter=answered, to=S.ANSWERED, answer="已责令支付拖欠工资")
    return {"waiting": Matter.objects.get(pk=waiting.pk), "answered": Matter.objects.get(pk=answered.pk)}


def workbook(response) -> Workbook:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def table(book: Workbook) -> dict[str, dict[str, object]]:
    """The data sheet's rows by 登记编号, each {header: value}."""
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return {str(row[0]): dict(zip(HEADERS, row, strict=True)) for row in rows[1:] if row and row[0]}


def about(book: Workbook) -> dict[str, str]:
    return {str(label): str(text) for label, text in book["说明"].iter_rows(values_only=True)}


def everything(book: Workbook) -> str:
    return "\n".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for value in row)  # fmt: skip


def test_it_exports_a_table_an_office_keeps(client_for, county, matters):
    with frozen(2026, 11, 10):
        book = workbook(client_for("bureau").get(EXPORT))
    sheet = book.worksheets[0]
    assert sheet.title == "宝丰县信访事项台账"
    assert [cell.font.b for cell in sheet[1]] == [True] * len(HEADERS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:AE3"  # 31 columns, the header and two matters
    assert sheet.print_title_rows == "$1:$1"
    assert "宝丰县信访事项台账（脱敏）" in sheet.oddHeader.center.text

    def width(header: str) -> float:
        return sheet.column_dimensions[chr(ord("A") + HEADERS.index(header))].width

    # A CJK character counts double: 劳动和社会保障/工资福利 takes 23 columns, plus 2 of margin.
    assert str(matters["waiting"].category) == "劳动和社会保障/工资福利"
    assert width("问题类别") == 25
    assert width("登记编号") == len(matters["waiting"].number) + 2
    assert width("反映问题") == 50 and width("诉求") == 30
    content = sheet.cell(row=2, column=HEADERS.index("反映问题") + 1)
    assert content.alignment.wrap_text
    first = sheet.cell(row=2, column=HEADERS.index("首次信访日期") + 1)
    assert first.is_date and first.number_format == "yyyy-mm-dd"
    assert first.value == dt.datetime(2026, 10, 20)

    notes = about(book)
    assert notes["标题"] == "宝丰县信访事项台账"
    assert notes["导出时间"] == "2026-11-10 10:00"
    assert notes["筛选条件"] == "无（本人可见的全部事项）"
    assert notes["事项数"] == "2 件" and notes["信访人数"] == "4 人"
    assert notes["个人信息"].startswith("已脱敏")


def test_the_handling_deadline_and_the_petitioners_window_are_separate_columns(client_for, matters):
    waiting, answered = matters["waiting"], matters["answered"]
    assert answered.clock == Clock.REVIEW_REQUEST and answered.due_date == day(2026, 11, 19)
    assert waiting.clock not in ("", Clock.REVIEW_REQUEST, Clock.RE_REVIEW_REQUEST)
    with frozen(2026, 11, 12):
        rows = table(workbook(client_for("bureau").get(EXPORT)))
    handling, window = rows[waiting.number], rows[answered.number]
    assert handling["办理到期日"] == dt.datetime.combine(waiting.due_date, dt.time())
    assert handling["复查/复核申请截止日"] is None
    assert handling["办理超期"] == "是"  # its due date has passed
    assert handling["签收状态"] == "待签收" and handling["转送交办单位"] == "转送：县人社局"
    assert handling["包案领导"] and handling["标记"] == "扬言"
    assert handling["时限起算日"] == dt.datetime(2026, 10, 20)
    # The petitioner's window: its last day is not the bureau's deadline, and nobody is late.
    assert window["复查/复核申请截止日"] == dt.datetime(2026, 11, 19)
    assert window["办理到期日"] is None and window["办理超期"] is None
    assert window["当前时限"] == "请求复查" and window["状态"] == "已答复"
    assert window["受理日期"] == window["答复日期"] == dt.datetime(2026, 10, 20)


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_default_file_is_masked_for_every_role(client_for, matters, role):
    book = workbook(client_for(role).get(EXPORT))
    rows = table(book)
    assert len(rows) == SEES[role]
    waiting = rows[matters["waiting"].number]
    assert waiting["信访人"] == "张*设、李*英"
    assert waiting["身份证号"] == f"{ID_ZHANG[:6]}********{ID_ZHANG[-4:]}、{ID_LI[:6]}********{ID_LI[-4:]}"
    assert waiting["联系电话"] == "138****2345、139****8765"
    text = everything(book)
    for secret in (ID_ZHANG, ID_LI, PHONE_ZHANG, PHONE_LI, "张建设", "李秀英"):
        assert secret not in text
    assert AuditRecord.objects.filter(action="matter.export").count() == 1
    assert not AuditRecord.objects.filter(action="pii.export").exists()


def test_the_bureau_exports_real_names_only_with_a_reason_and_it_is_audited(client_for, county, matters):
    township = unit(county, "周庄镇")
    client = client_for("bureau_head")
    with frozen(2026, 11, 12):
        response = client.post(f"{NAMED}?township={township.pk}&status=answered", {"reason": f"  {REASON} "})
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    book = workbook(response)
    rows = table(book)
    assert list(rows) == [matters["answered"].number]  # the filters of the query string
    [row] = rows.values()
    assert row["信访人"] == "张建设、王五"
    assert row["身份证号"] == f"{ID_ZHANG}、—" and row["联系电话"] == f"{PHONE_ZHANG}、—"
    notes = about(book)
    assert notes["个人信息"].startswith("实名") and notes["实名导出理由"] == REASON
    assert notes["筛选条件"] == "状态：已答复；乡镇：周庄镇"
    assert "（实名）" in book.worksheets[0].oddHeader.center.text

    [record] = AuditRecord.objects.filter(action="pii.export")
    assert record.actor.username == "bureau_head" and record.county == county
    assert record.at == at(2026, 11, 12)
    assert record.message == f"实名导出理由：{REASON}"
    assert record.changes["rows"] == 1 and record.changes["people"] == 2
    assert record.changes["filters"] == {"状态": "已答复", "乡镇": "周庄镇"}
    assert record.changes["truncated"] is False
    logged = json.dumps(record.changes, ensure_ascii=False) + record.message
    for secret in (ID_ZHANG, PHONE_ZHANG, "张建设"):
        assert secret not in logged
    assert not AuditRecord.objects.filter(action="matter.export").exists()


@pytest.mark.parametrize("reason", ["", "看看", "   ", "长" * 201])
def test_a_real_name_export_without_a_proper_reason_gives_no_file(client_for, matters, reason):
    response = client_for("bureau").post(f"{NAMED}?status=answered", {"reason": reason})
    assert response.status_code == 302
    assert response["Location"] == "/matters/?status=answered"
    assert not AuditRecord.objects.filter(action="pii.export").exists()


@pytest.mark.parametrize("role", ["secretary", "leader", "zhouzhuang", "renshe", "auditor", "sysadmin"])
def test_anyone_but_the_bureau_is_refused_a_real_name_file(client_for, matters, role):
    response = client_for(role).post(NAMED, {"reason": REASON})
    assert response.status_code == 403
    assert ID_ZHANG not in response.content.decode()
    assert not AuditRecord.objects.filter(action="pii.export").exists()


def test_the_service_refuses_too_whoever_calls_it(persona, matters):
    for role in ("secretary", "renshe", "leader"):
        with pytest.raises(RegistryError, match="没有导出实名信息的权限"):
            matters_export_named(by=persona(role), filters=MatterFilter(), described={}, reason=REASON)
    with pytest.raises(RegistryError, match="至少4个字") as error:
        matters_export_named(
            by=persona("bureau"), filters=MatterFilter(), described={}, reason="\x07看看\x07"
        )
    assert error.value.field == "reason"
    assert not AuditRecord.objects.filter(action="pii.export").exists()


def test_a_get_never_gives_real_names(client_for, matters):
    assert client_for("bureau").get(NAMED, {"reason": REASON}).status_code == 405
    book = workbook(client_for("bureau").get(EXPORT, {"reason": REASON}))
    assert ID_ZHANG not in everything(book) and "张建设" not in everything(book)


def test_only_the_bureau_sees_the_real_name_form_on_the_list(client_for, county, matters):
    township = unit(county, "周庄镇")
    page = client_for("bureau").get("/matters/", {"township": township.pk}).content.decode()
    form = page.split('data-testid="export-named"')[1].split("</details>")[0]
    assert f'action="/matters/export-named.xlsx?township={township.pk}"' in form
    assert 'name="reason"' in form and "required" in form and 'maxlength="200"' in form
    assert "csrfmiddlewaretoken" in form
    for role in ("secretary", "leader", "zhouzhuang", "renshe"):
        assert 'data-testid="export-named"' not in client_for(role).get("/matters/").content.decode()


def test_a_search_for_an_id_number_is_masked_in_the_file_and_the_log(client_for, matters):
    book = workbook(client_for("bureau").get(EXPORT, {"q": ID_ZHANG}))
    assert f"{ID_ZHANG[:6]}********{ID_ZHANG[-4:]}" in about(book)["筛选条件"]
    assert ID_ZHANG not in everything(book)
    assert ID_ZHANG not in json.dumps(AuditRecord.objects.get(action="matter.export").changes)


def test_a_long_list_is_cut_at_the_limit_and_the_file_says_so(client_for, matters, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 1)
    book = workbook(client_for("bureau").get(EXPORT))
    sheet = book.worksheets[0]
    assert sheet.auto_filter.ref == "A1:AE2"
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert values[:2] == ["登记编号", matters["answered"].number]  # the newest first
    assert values[2] is None and "仅导出了前 1 条" in str(values[3])  # below the table, apart from it
    assert "仅导出了前 1 条" in about(book)["事项数"]
    assert AuditRecord.objects.get(action="matter.export").changes["truncated"] is True


def test_stored_control_characters_do_not_break_a_real_name_file(client_for, matters):
    Petitioner.objects.filter(name="张建设").update(name="张\x07建\x1b设")
    Matter.objects.filter(pk=matters["answered"].pk).update(appeal="\x0b=cmd|' /C calc'!A0")
    rows = table(workbook(client_for("bureau").post(NAMED, {"reason": REASON})))
    row = rows[matters["answered"].number]
    assert row["信访人"] == "张建设、王五"
    assert row["诉求"] == "'=cmd|' /C calc'!A0"


def test_the_export_reads_in_a_bounded_number_of_queries(
    client_for, county, bureau, matters, django_assert_max_num_queries
):
    client = client_for("bureau")
    with frozen(2026, 11, 12):
        for index in range(6):
            new_matter(bureau, county, content=f"第{index}件拖欠工资的事项")
    # Session, user, county, the matters and three prefetches, the audit record: whatever the rows.
    with django_assert_max_num_queries(15):
        response = client.get(EXPORT)
    assert len(table(workbook(response))) == 8
