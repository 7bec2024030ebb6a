"""Ledger (台账) import: SPEC §4's column table, all or nothing, re-import, audit, undo, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import serializers
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.stats.support import day_counts, fact_counts
from xinfang import cli
from xinfang.audit.models import AuditRecord
from xinfang.ledger.checking import LedgerResult
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.services import ledger_import
from xinfang.ledger.undo import ledger_undo
from xinfang.lib.ledger_file import COLUMNS, LedgerFileError, ledger_read
from xinfang.petitions.models import Event, Matter, MatterText, Ownership, Petitioner, Transition
from xinfang.petitions.search import matters_matching
from xinfang.petitions.services.common import EventInput, event_facts_refresh
from xinfang.petitions.services.registration import event_add
from xinfang.stats.models import KpiFact
from xinfang.stats.selectors import event_statistics

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
HEADER = list(COLUMNS)
VALID_ID = "410421199001011237"  # a valid checksum


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def row(**cells: str) -> list[str]:
    base = {
        "信访日期": "2026-03-05",
        "人数": "1",
        "信访形式": "来访",
        "访别": "到县",
        "乡镇": "周庄镇",
        "问题类别": "劳动和社会保障/工资福利",
        "反映问题": "拖欠工资",
        "信访人": "张三",
    }
    base.update(cells)
    return [base.get(column, "") for column in HEADER]


def csv_bytes(
    rows: list[list[str]], header: list[str] = HEADER, title: bool = False, encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow(["宝丰县信访事项台账"])
        writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(county, content: bytes, name: str = "台账.csv", dry_run: bool = False, by=None) -> LedgerResult:
    return ledger_import(
        county=county,
        table=ledger_read(content, name),
        by=by,
        file_name=name,
        sha256="0" * 64,
        dry_run=dry_run,
    )


def registry_state(county) -> str:
    """Everything the import writes, serialized: equal strings mean nothing changed."""
    rows: list[Any] = []
    for model in (Matter, Event, Petitioner, Transition, Ownership, MatterText):
        rows.extend(
            model.objects.filter(
                **({"matter__county": county} if model is not Matter else {"county": county})
            ).order_by("pk")
        )
    return serializers.serialize("json", rows)


# -- reading the file --------------------------------------------------------------------------------


def test_it_finds_the_header_below_title_rows_and_numbers_rows_from_it(county):
    table = ledger_read(csv_bytes([row(), [""] * len(HEADER), row()], title=True), "a.csv")
    assert [r.number for r in table.rows] == [2, 4]  # the blank row is skipped but keeps its number
    assert [r.sheet_row for r in table.rows] == [4, 6]


def test_it_matches_headers_after_folding_and_ignores_unknown_columns_in_any_order(county):
    header = [
        "备注",
        " 乡 镇 ",
        "村（社区）",
        *reversed([c for c in HEADER if c not in ("乡镇", "村(社区)")]),
    ]
    values = dict(zip(HEADER, row(**{"村(社区)": "周庄村"}), strict=True))
    table = ledger_read(
        csv_bytes(
            [
                [
                    "无关",
                    *[
                        values[c.strip().replace(" ", "").replace("（", "(").replace("）", ")")]
                        for c in header[1:]
                    ],
                ]
            ],
            header=header,
        ),
        "a.csv",
    )
    assert table.missing_columns == ()
    assert table.rows[0].text("村(社区)") == "周庄村"
    assert "备注" not in table.rows[0].cells


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_gb18030(county, encoding):
    result = run(county, csv_bytes([row(**{"乡镇": "周庄"})], encoding=encoding))
    assert result.ok and result.created == 1


def test_it_reads_the_first_sheet_of_an_xlsx_with_date_cells_and_serial_numbers(county, tmp_path: Path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["标题"])
    sheet.append(HEADER)
    first: list[Any] = row(**{"登记编号": "X-1"})
    first[1] = dt.datetime(2026, 3, 5)  # an Excel date cell
    second: list[Any] = row(**{"登记编号": "X-1"})
    second[1] = 46096  # the serial number of 2026-03-15
    second[5] = 2  # a number cell
    sheet.append(first)
    sheet.append(second)
    workbook.create_sheet("第二页").append(["信访日期"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(county, buffer.getvalue(), name="台账.xlsx")
    assert result.as_dict()["errors"] == [] and result.created == 1
    matter = Matter.objects.get(county=county, number="X-1")
    assert list(matter.events.values_list("date", "persons")) == [
        (dt.date(2026, 3, 5), 1),
        (dt.date(2026, 3, 15), 2),
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 broken", "a.xlsx", "不是有效的 .xlsx"),
        (b"a,b\n1,2\n", "a.csv", "找不到表头"),
        (b"\xff\xfe\x00\x01\x02", "a.csv", "CSV"),
        (b"hello", "a.xls", "不支持的文件类型"),
    ],
)
def test_it_refuses_unreadable_files_as_usage_errors(content, name, message):
    with pytest.raises(LedgerFileError, match=message):
        ledger_read(content, name)


# -- the column table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"信访日期": ""}, "信访日期", "信访日期不能为空"),
        ({"信访日期": "2026-02-30"}, "信访日期", "不存在的日期"),
        ({"信访日期": "2026-06-02"}, "信访日期", "不能晚于今天"),
        ({"信访日期": "三月五日"}, "信访日期", "无法识别的日期"),
        ({"人数": "0"}, "人数", "不小于1的整数"),
        ({"人数": "-2"}, "人数", "不小于1的整数"),
        ({"人数": "两人"}, "人数", "不小于1的整数"),
        ({"信访形式": "拜访"}, "信访形式", "未知信访形式"),
        ({"信访形式": ""}, "信访形式", "信访形式不能为空"),
        ({"访别": "到乡"}, "访别", "未知访别"),
        ({"乡镇": "东风乡"}, "乡镇", "未知乡镇：东风乡"),
        ({"乡镇": ""}, "乡镇", "乡镇不能为空"),
        ({"问题类别": "不存在"}, "问题类别", "未知问题类别"),
        ({"责任单位": "宇宙局"}, "责任单位", "未知责任单位：宇宙局"),
        ({"办理状态": "办完了"}, "办理状态", "未知办理状态"),
        ({"是否化解": "也许"}, "是否化解", "是否化解"),
        ({"是否化解": "是", "办理状态": "办理中"}, "是否化解", "已化解，但办理状态"),
        ({"是否化解": "否", "办理状态": "已化解"}, "是否化解", "是否化解为“否”"),
        ({"化解日期": "2026-03-01"}, "化解日期", "早于信访日期"),
        ({"化解日期": "2026-04-01", "是否化解": "否"}, "化解日期", "事项未化解"),
        ({"化解日期": "2026-13-01"}, "化解日期", "不存在的日期"),
        ({"登记编号": "X" * 41}, "登记编号", "过长"),
    ],
)
def test_it_reports_each_bad_cell_as_an_error_and_writes_nothing(county, cells, column, message):
    before = Matter.objects.count()
    result = run(county, csv_bytes([row(), row(**cells)]))
    assert not result.ok
    assert [(p.row, p.column) for p in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert (result.imported, result.created, result.updated) == (0, 0, 0)
    assert Matter.objects.count() == before


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"信访人": ""}, "信访人", "匿名"),
        ({"身份证号": "410421199001011234"}, "身份证号", "校验位"),
        ({"联系电话": "12345"}, "联系电话", "格式不正确"),
        ({"人数": ""}, "人数", "按1人计"),
        ({"村(社区)": "不存在村"}, "村(社区)", "没有村(社区)“不存在村”"),
        ({"包案领导": "某某某"}, "包案领导", "不是本县在任县级领导"),
    ],
)
def test_it_reports_warnings_that_never_block(county, cells, column, message):
    result = run(county, csv_bytes([row(**cells)]))
    assert result.ok and result.imported == 1 and result.created == 1
    assert [(p.row, p.column) for p in result.warnings] == [(2, column)]
    assert message in result.warnings[0].message


def test_it_reports_every_problem_cell_of_a_row(county):
    result = run(
        county, csv_bytes([row(**{"信访日期": "2026-02-30", "乡镇": "东风乡", "访别": "", "人数": "0"})])
    )
    assert sorted(p.column for p in result.errors) == ["乡镇", "人数", "信访日期", "访别"]


def test_a_missing_required_column_is_an_error_on_the_header_row(county):
    header = [c for c in HEADER if c != "访别"]
    result = run(county, csv_bytes([row()[: len(header)]], header=header))
    assert result.as_dict()["errors"] == [{"row": 1, "column": "访别", "message": "缺少必需的列：访别"}]


def test_it_accepts_every_variant_of_the_table(county, persona):
    rows = [
        row(
            **{
                "登记编号": "V1",
                "信访日期": "2026/3/5",
                "信访形式": "走访",
                "访别": "县",
                "乡镇": "周庄",
                "问题类别": "工资福利",
                "责任单位": "人社局",
                "身份证号": "41042119900101123x".upper(),
            }
        ),
        row(
            **{
                "登记编号": "V2",
                "信访日期": "2026.3.6",
                "信访形式": "电话",
                "访别": "赴京",
                "乡镇": "城关镇",
                "问题类别": "劳动和社会保障",
                "责任单位": "周庄镇",
                "信访人": "甲、乙,丙",
            }
        ),
        row(
            **{
                "登记编号": "V3",
                "信访日期": "2026年3月7日",
                "信访形式": "网信",
                "访别": "到省",
                "联系电话": "0375-1234567",
                "办理状态": "已化解",
                "化解日期": "2026-03-09",
            }
        ),
        row(
            **{
                "登记编号": "V4",
                "信访日期": "２０２６-０３-０８",
                "信访形式": "短信",
                "访别": "到市访",
                "人数": "３",
            }
        ),
    ]
    result = run(county, csv_bytes(rows))
    assert result.errors == [] and result.created == 4
    v1, v2, v3, v4 = (Matter.objects.get(county=county, number=f"V{i}") for i in range(1, 5))
    assert (
        v1.channel,
        v1.top_level,
        v1.origin_township.name,
        v1.category.name,
        v1.responsible_unit.name,
    ) == ("visit", "county", "周庄镇", "工资福利", "县人社局")
    assert (v2.top_level, v2.category.name, v2.responsible_unit.name) == (
        "beijing",
        "劳动和社会保障",
        "周庄镇",
    )
    assert list(v2.petitioners.values_list("name", flat=True)) == ["甲", "乙", "丙"]
    assert (v3.status, v3.resolved_on, v3.top_level) == ("resolved", dt.date(2026, 3, 9), "province")
    assert (v4.first_event_date, v4.person_count, v4.channel) == (dt.date(2026, 3, 8), 3, "sms")


# -- matters and events ----------------------------------------------------------------------------


def test_rows_sharing_a_number_are_one_matter_and_the_latest_row_wins(county, persona):
    rows = [
        row(
            **{
                "登记编号": "M1",
                "信访日期": "2026-03-20",
                "访别": "到市",
                "人数": "2",
                "乡镇": "城关镇",
                "反映问题": "后来的说法",
                "包案领导": "杜文博",
                "办理状态": "办理中",
            }
        ),
        row(
            **{
                "登记编号": "M1",
                "信访日期": "2026-03-05",
                "村(社区)": "周庄村",
                "反映问题": "先前的说法",
                "责任单位": "县人社局",
            }
        ),
    ]
    result = run(county, csv_bytes(rows))
    assert (result.rows, result.imported, result.created) == (2, 2, 1)
    matter = Matter.objects.get(county=county, number="M1")
    assert (matter.origin_township.name, matter.content, matter.status) == (
        "城关镇",
        "后来的说法",
        "in_progress",
    )
    assert matter.responsible_unit.name == "县人社局"  # blank in the latest row: the earlier value stands
    assert (matter.event_count, matter.person_count, matter.top_level) == (2, 3, "city")
    assert matter.first_event_date == dt.date(2026, 3, 5) and matter.last_event_date == dt.date(2026, 3, 20)
    assert Ownership.objects.get(matter=matter, is_current=True).leader.name == "杜文博"
    assert matter.clock == "handle" and matter.due_date == dt.date(2026, 5, 19)  # 60 days from the last event


def test_the_same_number_and_date_again_is_the_same_event_updated(county):
    run(county, csv_bytes([row(**{"登记编号": "S1", "人数": "1"})]))
    result = run(county, csv_bytes([row(**{"登记编号": "S1", "人数": "7", "访别": "进京"})]))
    assert (result.created, result.updated) == (0, 1)
    matter = Matter.objects.get(county=county, number="S1")
    assert list(matter.events.values_list("persons", "level", "is_collective")) == [(7, "beijing", True)]
    assert (matter.person_count, matter.top_level, matter.is_collective) == (7, "beijing", True)


def test_reimporting_the_same_file_creates_nothing_and_changes_nothing(county):
    content = csv_bytes(
        [
            row(**{"登记编号": "R1"}),
            row(**{"登记编号": "R1", "信访日期": "2026-04-01", "包案领导": "杜文博"}),
            row(**{"信访人": "李四", "身份证号": VALID_ID, "联系电话": "13812345678"}),
            row(**{"信访人": "李四", "身份证号": VALID_ID, "联系电话": "13812345678"}),  # the same row twice
            row(**{"信访人": "", "反映问题": "匿名信", "办理状态": "已化解", "是否化解": "是"}),
        ]
    )
    first = run(county, content)
    assert (first.rows, first.imported, first.created, first.updated) == (5, 5, 4, 0)
    state = registry_state(county)
    again = run(county, content)
    assert (again.rows, again.imported, again.created, again.updated) == (5, 5, 0, 0)
    assert registry_state(county) == state


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(county):
    state = registry_state(county)
    result = run(county, csv_bytes([row(), row(**{"登记编号": "D1"})]), dry_run=True)
    assert (result.rows, result.imported, result.created, result.updated) == (2, 0, 2, 0)
    assert registry_state(county) == state
    assert not LedgerImport.objects.exists()


def test_imported_rows_keep_personal_data_encrypted_and_masked(county):
    run(
        county,
        csv_bytes(
            [
                row(
                    **{
                        "登记编号": "P1",
                        "身份证号": VALID_ID,
                        "联系电话": "13812345678",
                        "反映问题": f"身份证{VALID_ID}电话13812345678",
                    }
                )
            ]
        ),
    )
    person = Petitioner.objects.get(matter__number="P1")
    assert VALID_ID not in person.id_number_enc and "13812345678" not in person.phone_enc
    assert (person.id_number_masked, person.phone_masked) == ("410421********1237", "138****5678")
    assert VALID_ID not in person.matter.content and "13812345678" not in person.matter.content


def test_imported_statuses_are_history_recorded_as_imported(county):
    run(county, csv_bytes([row(**{"登记编号": "H1", "办理状态": "终结"})]))
    matter = Matter.objects.get(county=county, number="H1")
    assert matter.status == "closed" and matter.clock == ""
    transition = matter.transitions.get()
    assert (transition.from_status, transition.to_status, transition.imported) == ("", "closed", True)


def test_imported_events_carry_the_facts_statistics_count_by(county):
    run(
        county,
        csv_bytes(
            [
                row(**{"登记编号": "F1", "信访日期": "2026-03-05"}),
                row(**{"登记编号": "F1", "信访日期": "2026-03-01", "访别": "到市", "信访形式": "来信"}),
                row(**{"登记编号": "F1", "信访日期": "2026-04-05", "访别": "到市"}),
            ]
        ),
    )
    matter = Matter.objects.get(county=county, number="F1")
    stored = list(matter.events.order_by("date", "id").values())
    event_facts_refresh(matter)
    assert list(matter.events.order_by("date", "id").values()) == stored
    assert [e["is_repeat"] for e in stored] == [False, True, True]


def test_imported_text_is_searchable(county):
    run(county, csv_bytes([row(**{"登记编号": "T1", "反映问题": "养殖场排污影响饮水"})]))
    found = matters_matching(Matter.objects.filter(county=county), "排污")
    assert list(found.values_list("number", flat=True)) == ["T1"]


def test_a_real_import_is_audited_once_plus_once_per_matter(county, persona):
    bureau = persona("bureau")
    result = run(county, csv_bytes([row(**{"登记编号": "A1"}), row(**{"登记编号": "A2"})]), by=bureau)
    record = AuditRecord.objects.get(action="ledger.import")
    assert record.actor == bureau and record.changes["rows"] == 2 and record.changes["created"] == 2
    assert record.object_id == str(result.ledger_import_id)
    assert AuditRecord.objects.filter(action="matter.import", object_type="petitions.matter").count() == 2


def test_it_counts_statistics_as_counted_by_hand(county):
    rows = [
        row(**{"登记编号": "C1", "信访日期": "2026-03-02", "人数": "6"}),  # collective
        row(**{"登记编号": "C1", "信访日期": "2026-03-10", "访别": "到市"}),  # a repeat
        row(
            **{"登记编号": "C2", "信访日期": "2026-03-15", "信访形式": "来信", "乡镇": "城关镇", "人数": "2"}
        ),
        row(**{"登记编号": "C3", "信访日期": "2026-04-02"}),  # outside March
    ]
    run(county, csv_bytes(rows))
    figures = event_statistics(county=county, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert (figures["matters"], figures["events"], figures["persons"]) == (2, 3, 9)
    assert (figures["collective_events"], figures["repeat_events"]) == (1, 1)
    assert figures["by_level"] == {
        "到县": {"matters": 2, "events": 2, "persons": 8},
        "到市": {"matters": 1, "events": 1, "persons": 1},
    }
    assert figures["by_township"]["周庄镇"] == {"matters": 1, "events": 2, "persons": 7}


TOWNSHIPS = ("周庄镇", "城关镇", "闹店镇")
LEVELS = {"到县": "到县", "市": "到市", "赴省": "赴省", "进京访": "进京"}
LEDGER_ROW = st.fixed_dictionaries(
    {
        "number": st.sampled_from(["", "", "N1", "N2", "N3"]),
        "day": st.integers(min_value=1, max_value=60),
        "persons": st.integers(min_value=1, max_value=8),
        "level": st.sampled_from(sorted(LEVELS)),
        "township": st.sampled_from(TOWNSHIPS),
    }
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LEDGER_ROW, min_size=1, max_size=12))
def test_statistics_of_any_ledger_equal_a_hand_count_and_reimport_changes_nothing(county, ledger):
    start = dt.date(2026, 3, 1)
    rows = [
        row(
            **{
                "登记编号": r["number"],
                "信访日期": (start + dt.timedelta(days=r["day"])).isoformat(),
                "人数": str(r["persons"]),
                "访别": r["level"],
                "乡镇": r["township"],
                "反映问题": f"第{i}行",
            }
        )
        for i, r in enumerate(ledger)
    ]
    with transaction.atomic():
        run(county, csv_bytes(rows))
        # By hand: an event per (number, date), the last row winning; a matter per number or bare row.
        events: dict[tuple[str, int], dict[str, Any]] = {}
        for i, r in enumerate(ledger):
            events[(r["number"] or f"row{i}", r["day"] if r["number"] else -1)] = r
        period = (dt.date(2026, 3, 10), dt.date(2026, 4, 10))
        counted = {
            key: r
            for key, r in events.items()
            if period[0] <= start + dt.timedelta(days=r["day"]) <= period[1]
        }
        figures = event_statistics(county=county, date_from=period[0], date_to=period[1])
        assert figures["events"] == len(counted)
        assert figures["persons"] == sum(r["persons"] for r in counted.values())
        assert figures["matters"] == len({key[0] for key in counted})
        state = registry_state(county)
        again = run(county, csv_bytes(rows))
        assert (again.created, again.updated) == (0, 0)
        assert registry_state(county) == state
        transaction.set_rollback(True)


# -- undo --------------------------------------------------------------------------------------------


def test_the_bureau_head_undoes_an_import_as_a_whole(county, persona):
    head = persona("bureau_head")
    run(county, csv_bytes([row(**{"登记编号": "U1"})]))
    before = registry_state(county)
    result = run(
        county,
        csv_bytes(
            [
                row(
                    **{
                        "登记编号": "U1",
                        "信访日期": "2026-04-01",
                        "信访人": "新来的人",
                        "包案领导": "杜文博",
                        "办理状态": "已化解",
                    }
                ),
                row(**{"登记编号": "U1", "人数": "3"}),  # changes the stored event
                row(**{"登记编号": "U2", "反映问题": "撤销后应查不到"}),
            ]
        ),
        by=head,
    )
    assert (result.created, result.updated) == (1, 1)
    record = LedgerImport.objects.get(pk=result.ledger_import_id or 0)
    ledger_undo(by=head, ledger_import=record)
    assert registry_state(county) == before
    assert not matters_matching(Matter.objects.filter(county=county), "撤销后应查不到").exists()
    # The KPI day counts lost the deleted matter's facts with them (deleted by cascade).
    assert KpiFact.objects.exists() and day_counts() == fact_counts()
    record.refresh_from_db()
    assert record.state == LedgerImport.State.UNDONE and record.undone_by == head
    assert AuditRecord.objects.filter(action="ledger.undo").count() == 1
    with pytest.raises(LedgerError, match="只能撤销已导入"):
        ledger_undo(by=head, ledger_import=record)


def test_only_the_bureau_head_undoes_an_import(county, persona):
    result = run(county, csv_bytes([row(**{"登记编号": "O1"})]))
    record = LedgerImport.objects.get(pk=result.ledger_import_id or 0)
    with pytest.raises(LedgerError, match="只有信访局长"):
        ledger_undo(by=persona("bureau"), ledger_import=record)
    assert Matter.objects.filter(county=county, number="O1").exists()


def test_an_import_cannot_be_undone_once_a_matter_of_it_changed(county, persona):
    head = persona("bureau_head")
    result = run(county, csv_bytes([row(**{"登记编号": "W1"}), row(**{"登记编号": "W2"})]), by=head)
    matter = Matter.objects.get(county=county, number="W2")
    event_add(by=persona("bureau"), matter=matter, event=EventInput(dt.date(2026, 5, 1), "visit", "county"))
    record = LedgerImport.objects.get(pk=result.ledger_import_id or 0)
    with pytest.raises(LedgerError, match="1 件事项被修改（如 W2）"):
        ledger_undo(by=head, ledger_import=record)
    assert Matter.objects.filter(county=county, number__in=["W1", "W2"]).count() == 2


# -- the command -------------------------------------------------------------------------------------


def test_the_command_prints_json_with_every_key_and_exits_by_outcome(county, tmp_path: Path, capsys):
    clean, dirty = tmp_path / "clean.csv", tmp_path / "dirty.csv"
    clean.write_bytes(
        csv_bytes([row(**{"登记编号": "J1"}), row(**{"登记编号": "J1", "信访日期": "2026-03-09"})])
    )
    dirty.write_bytes(csv_bytes([row(), row(**{"乡镇": "东风乡"})]))
    assert cli.main(["import-ledger", str(clean), "--dry-run", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "rows": 2,
        "imported": 0,
        "created": 1,
        "updated": 0,
        "batches": 0,
        "batch_matters": 0,
        "errors": [],
        "errors_omitted": 0,
        "warnings": [],
        "warnings_omitted": 0,
    }
    assert cli.main(["import-ledger", str(clean), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    assert cli.main(["import-ledger", str(clean), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 0
    assert cli.main(["import-ledger", str(dirty), "--format", "json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert output["imported"] == 0
    assert output["errors"] == [{"row": 3, "column": "乡镇", "message": "未知乡镇：东风乡"}]
    assert cli.main(["import-ledger", str(tmp_path / "missing.csv")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    assert cli.main(["import-ledger", str(tmp_path / "bad.xlsx"), "--format", "json"]) == 2
    assert capsys.readouterr().out == ""


def test_the_template_has_every_column_and_imports_cleanly(county, tmp_path: Path):
    from xinfang.lib.ledger_file import ledger_template

    path = tmp_path / "template.xlsx"
    ledger_template(path)
    table = ledger_read(path.read_bytes(), path.name)
    assert table.columns == COLUMNS
    result = run(county, path.read_bytes(), name=path.name)
    assert result.errors == [] and (result.rows, result.created) == (2, 1)
