"""The ledger's 包案期次 column (issue 16, History): the matter belongs to that batch of that year, created
if missing, with its 包案领导 as owner; bad cells are errors per cell; the undo and a failed import take
back what it wrote; the counts equal a hand count, through the import and `xinfang ownership stats`."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import serializers
from hypothesis import given
from hypothesis import strategies as st

from tests.ownership.ledger_rows import DU, FAN, WEI, csv_bytes, row, run
from xinfang import cli
from xinfang.documents.models import DocumentKind, DocumentSequence
from xinfang.ledger import importer as ledger_importer
from xinfang.ledger.models import LedgerImport, LedgerImportBatch
from xinfang.ledger.undo import ledger_undo
from xinfang.lib.ledger_cells import BatchLabel, CellError, parse_batch
from xinfang.ownership.models import Batch, BatchEntry, PackageEntry
from xinfang.ownership.services import package_entry_add
from xinfang.petitions.models import Event, Matter, Ownership, Petitioner, Transition
from xinfang.petitions.services.ownership import ownership_assign

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def batch(county, year: int, number: int) -> Batch:
    return Batch.objects.get(county=county, year=year, number=number)


def members(found: Batch) -> dict[str, str]:
    """The batch's matters by number, with their 包案领导."""
    return dict(BatchEntry.objects.filter(batch=found).values_list("matter__number", "leader__name"))


def registry_state(county) -> str:
    """Everything an import writes, batches included, serialized: equal strings mean nothing changed."""
    rows: list[Any] = list(Matter.objects.filter(county=county).order_by("pk"))
    for model in (Event, Petitioner, Transition, Ownership, BatchEntry):
        rows.extend(model.objects.filter(matter__county=county).order_by("pk"))
    rows.extend(Batch.objects.filter(county=county).order_by("pk"))
    return serializers.serialize("json", rows)


# -- the cell ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "number"),
    [
        ("2026年第3期", 2026, 3),
        ("第3期", None, 3),
        ("3", None, 3),
        ("3期", None, 3),
        ("2025年3期", 2025, 3),
        (" 2026 年 第 12 期 ", 2026, 12),
        ("２０２６年第３期", 2026, 3),  # full-width digits
        ("\u3000第３期\u3000", None, 3),  # full-width spaces
        ("3.0", None, 3),  # a number cell Excel stored as a float
    ],
)
def test_it_reads_each_way_a_batch_is_written(text, year, number):
    assert parse_batch(text) == BatchLabel(year, number)


@given(
    year=st.none() | st.integers(1990, 2099),
    number=st.integers(1, 999),
    form=st.sampled_from(["{y}年第{n}期", "{y}年{n}期", "第{n}期", "{n}", "{n}期"]),
    spaces=st.sampled_from(["", " ", "\u3000", "  "]),
    wide=st.booleans(),
)
def test_any_written_batch_reads_back_as_its_year_and_number(year, number, form, spaces, wide):
    if year is None:
        form = form.replace("{y}年", "")
    text = spaces + form.format(y=year, n=number) + spaces
    if wide:
        text = text.translate({code: code + 0xFEE0 for code in range(ord("0"), ord("9") + 1)})
    expected_year = year if "{y}" in form else None
    assert parse_batch(text) == BatchLabel(expected_year, number)


@pytest.mark.parametrize(
    "text", ["第0期", "0", "-2", "第-1期", "第三期", "3.5", "2026年", "第期", "甲", "第1000期"]
)
def test_a_batch_number_that_is_not_a_positive_integer_is_refused(text):
    with pytest.raises(CellError, match="包案期次"):
        parse_batch(text)


def test_a_blank_cell_is_no_batch():
    assert parse_batch("") is None and parse_batch(" \u3000") is None


# -- importing ---------------------------------------------------------------------------------------


def test_the_matter_joins_that_batch_of_that_year_with_its_owner(county):
    result = run(county, [
        row(登记编号="A1", 信访日期="2026-03-05", 包案领导=DU, 包案期次="2026年第3期"),
        row(登记编号="A2", 信访日期="2026-03-09", 包案领导=WEI, 包案期次="第3期"),
        row(登记编号="A3", 信访日期="2025-12-20", 包案领导=DU, 包案期次="3"),  # the year of its 信访日期
        row(登记编号="A4", 信访日期="2026-03-07", 包案领导=FAN, 包案期次="\u3000第３期 "),
        row(登记编号="A5", 信访日期="2026-03-08", 包案领导=DU),  # owned, in no batch
    ])  # fmt: skip
    assert result.ok and (result.created, result.batches, result.batch_matters) == (5, 2, 4)
    third = batch(county, 2026, 3)
    assert (third.state, third.imported, third.issued_on) == (Batch.State.ISSUED, True, dt.date(2026, 3, 9))
    assert third.label == "2026年第3期"
    assert members(third) == {"A1": DU, "A2": WEI, "A4": FAN}
    older = batch(county, 2025, 3)
    assert members(older) == {"A3": DU} and older.issued_on == dt.date(2025, 12, 20)
    # Each entry holds the ownership the import started, with the deadline counted from the batch's date.
    entry = BatchEntry.objects.select_related("ownership__leader", "matter").get(
        batch=third, matter__number="A1"
    )
    assert entry.ownership is not None and entry.ownership.is_current and entry.ownership.leader.name == DU
    assert entry.ownership.matter == entry.matter and entry.reasons == ["台账导入"]
    assert entry.deadline == dt.date(2026, 3, 9) + dt.timedelta(days=30)
    assert Batch.objects.filter(county=county).count() == 2
    # The county's numbering of the year continues after the ledger's batches.
    sequence = DocumentSequence.objects.get(county=county, kind=DocumentKind.OWNERSHIP, year=2026)
    assert sequence.last == 3


def test_a_matters_rows_may_name_several_batches(county):
    result = run(county, [
        row(登记编号="M1", 信访日期="2026-02-02", 包案领导=WEI, 包案期次="第1期"),
        row(登记编号="M1", 信访日期="2026-04-06", 包案领导=DU, 包案期次="第9期"),
        row(登记编号="M1", 信访日期="2026-04-20"),  # a repeat visit: no 期次, no leader
    ])  # fmt: skip
    assert result.ok and (result.batches, result.batch_matters) == (2, 1)
    assert members(batch(county, 2026, 1)) == {"M1": WEI}
    assert members(batch(county, 2026, 9)) == {"M1": DU}
    # The latest batch's entry holds the current ownership (杜文博's); the earlier one none.
    owner = Ownership.objects.get(matter__number="M1", is_current=True)
    assert owner.leader.name == DU
    assert BatchEntry.objects.get(ownership=owner).batch == batch(county, 2026, 9)
    assert batch(county, 2026, 9).issued_on == dt.date(2026, 4, 6)  # the repeat row names no batch


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"包案期次": "第0期", "包案领导": DU}, "包案期次应为正整数"),
        ({"包案期次": "-3", "包案领导": DU}, "包案期次应为正整数"),
        ({"包案期次": "第三期", "包案领导": DU}, "包案期次应为正整数"),
        ({"包案期次": "第2.5期", "包案领导": DU}, "包案期次应为正整数"),
        ({"包案期次": "第3期"}, "填写了包案期次（2026年第3期），但未填写包案领导"),
        ({"包案期次": "2031年第3期", "包案领导": DU}, "包案期次的年份不正确"),
    ],
)
def test_a_bad_batch_cell_is_an_error_with_its_row_and_nothing_is_written(county, cells, message):
    result = run(county, [row(登记编号="E1", 包案领导=DU, 包案期次="第1期"), row(登记编号="E2", **cells)])
    assert not result.ok and result.imported == 0
    assert [(p.row, p.column) for p in result.errors] == [(3, "包案期次")]
    assert message in result.errors[0].message
    assert not Matter.objects.filter(county=county).exists() and not Batch.objects.exists()


def test_a_leader_unknown_to_the_directory_is_a_warning_and_the_row_joins_no_batch(county):
    # As without a batch: an unknown or ambiguous 包案领导 is a warning and no owner is set (a leader who
    # left office is no longer in the directory); the matter is imported, in no batch.
    result = run(county, [
        row(登记编号="U1", 包案领导="王不在", 包案期次="第4期"),
        row(登记编号="U2", 包案领导=DU, 包案期次="第5期"),
    ])  # fmt: skip
    assert result.ok and (result.created, result.batches, result.batch_matters) == (2, 1, 1)
    assert [(p.row, p.column, p.message) for p in result.warnings] == [
        (2, "包案领导", "“王不在”不是本县在任县级领导（未设置包案，也未列入包案期次）")
    ]
    assert not Batch.objects.filter(number=4).exists()
    assert not Ownership.objects.filter(matter__number="U1").exists()


def test_a_batch_issued_on_the_platform_takes_no_ledger_matters(county, persona):
    Batch.objects.create(
        county=county, state=Batch.State.ISSUED, year=2026, number=2, issued_on=dt.date(2026, 5, 4),
        created_at=TODAY,
    )  # fmt: skip
    result = run(county, [row(包案领导=DU, 包案期次="2026年第2期")])
    assert [p.message for p in result.errors] == ["2026年第2期已在平台印发，不能从台账向其中导入事项"]


def test_a_dry_run_reports_the_batches_and_writes_nothing(county):
    rows = [
        row(登记编号="D1", 包案领导=DU, 包案期次="第1期"),
        row(登记编号="D2", 包案领导=WEI, 包案期次="第2期"),
    ]
    before = registry_state(county)
    result = run(county, rows, dry_run=True)
    assert result.ok and (result.created, result.batches, result.batch_matters, result.imported) == (
        2,
        2,
        2,
        0,
    )
    assert registry_state(county) == before and not LedgerImportBatch.objects.exists()


def test_reimporting_changes_nothing_and_a_later_ledger_extends_the_batch(county):
    rows = [row(登记编号="R1", 信访日期="2026-03-02", 包案领导=DU, 包案期次="第6期")]
    run(county, rows)
    state = registry_state(county)
    again = run(county, rows)
    assert (again.created, again.updated, again.batches) == (0, 0, 1)
    assert registry_state(county) == state
    # Another ledger with a later row of the same batch: the batch counts as issued on that row's date.
    later = run(county, [row(登记编号="R2", 信访日期="2026-03-20", 包案领导=WEI, 包案期次="2026年第6期")])
    assert later.created == 1
    sixth = batch(county, 2026, 6)
    assert members(sixth) == {"R1": DU, "R2": WEI} and sixth.issued_on == dt.date(2026, 3, 20)
    assert Batch.objects.filter(county=county).count() == 1
    # The ledger corrects R1's owner: the entry follows and holds the new ownership; the old one ended.
    fixed = run(county, [row(登记编号="R1", 信访日期="2026-03-02", 包案领导=FAN, 包案期次="第6期")])
    assert (fixed.created, fixed.updated) == (0, 1)
    entry = BatchEntry.objects.select_related("ownership__leader").get(batch=sixth, matter__number="R1")
    assert entry.leader.name == FAN and entry.ownership is not None and entry.ownership.leader.name == FAN
    assert Ownership.objects.filter(matter__number="R1").count() == 2


def test_the_undo_removes_the_entries_and_the_batches_it_created(county, persona):
    head = persona("bureau_head")
    run(county, [
        row(登记编号="V1", 信访日期="2026-03-02", 包案领导=DU, 包案期次="第3期"),
        row(登记编号="V2", 信访日期="2026-03-04"),
    ], by=head)  # fmt: skip
    before = registry_state(county)
    result = run(county, [
        row(登记编号="V1", 信访日期="2026-04-10", 包案领导=WEI, 包案期次="第5期"),  # changed: a new batch
        row(登记编号="V2", 信访日期="2026-03-04", 包案领导=FAN, 包案期次="第3期"),  # changed: joins one
        row(登记编号="V3", 信访日期="2026-03-25", 包案领导=DU, 包案期次="第3期"),  # created: moves its date
        row(登记编号="V4", 信访日期="2026-04-12", 包案领导=DU, 包案期次="第6期"),  # created, a new batch
    ], by=head)  # fmt: skip
    assert (result.created, result.updated, result.batches) == (2, 2, 3)
    assert batch(county, 2026, 3).issued_on == dt.date(2026, 3, 25)
    assert members(batch(county, 2026, 3)) == {"V1": DU, "V2": FAN, "V3": DU}
    assert LedgerImportBatch.objects.filter(ledger_import_id=result.ledger_import_id).count() == 3
    ledger_undo(by=head, ledger_import=LedgerImport.objects.get(pk=result.ledger_import_id or 0))
    # As it was: 第5期 and 第6期 gone (empty), 第3期 kept with its first matter and its date back.
    assert registry_state(county) == before
    assert list(Batch.objects.filter(county=county).values_list("number", flat=True)) == [3]
    assert members(batch(county, 2026, 3)) == {"V1": DU}
    assert batch(county, 2026, 3).issued_on == dt.date(2026, 3, 2)
    assert not LedgerImportBatch.objects.filter(ledger_import_id=result.ledger_import_id).exists()


def test_the_undo_keeps_an_ownership_a_platform_batch_and_its_five_packages_refer_to(county, persona):
    """An import that hands a matter owned through a platform batch to another leader is undone in place:
    the old ownership, its batch entry and its 五包 stay as they were (they refer to it)."""
    head, bureau = persona("bureau_head"), persona("bureau")
    run(county, [row(登记编号="P1", 信访日期="2026-03-02")])
    matter = Matter.objects.get(county=county, number="P1")
    owned = ownership_assign(by=bureau, matter=matter, leader=persona("leader").leader, since=TODAY.date())
    issued = Batch.objects.create(
        county=county, state=Batch.State.ISSUED, year=2026, number=1, issued_on=TODAY.date(), created_at=TODAY
    )
    BatchEntry.objects.create(batch=issued, matter=matter, leader=owned.leader, ownership=owned)
    package_entry_add(by=bureau, ownership=owned, package="grasp", date=TODAY.date(), content="走访信访人")
    before = registry_state(county)
    result = run(county, [row(登记编号="P1", 信访日期="2026-04-01", 包案领导=WEI, 包案期次="第7期")], by=head)
    assert result.updated == 1 and not Ownership.objects.get(pk=owned.pk).is_current
    ledger_undo(by=head, ledger_import=LedgerImport.objects.get(pk=result.ledger_import_id or 0))
    assert registry_state(county) == before
    assert (
        Ownership.objects.get(pk=owned.pk).is_current
        and PackageEntry.objects.filter(ownership=owned).exists()
    )


def test_a_failed_import_takes_back_its_batches_and_entries(county, monkeypatch):
    monkeypatch.setattr(ledger_importer, "WRITE_CHUNK", 1)
    monkeypatch.setattr(ledger_importer, "WRITE_PAUSE", 0)
    chunks = []
    original = ledger_importer.Importer.write_chunk

    def failing(self, chunk, record, message):
        chunks.append(chunk)
        if len(chunks) == 2:
            raise RuntimeError("disk full")
        original(self, chunk, record, message)

    monkeypatch.setattr(ledger_importer.Importer, "write_chunk", failing)
    with pytest.raises(RuntimeError):
        run(
            county,
            [
                row(登记编号="F1", 包案领导=DU, 包案期次="第1期"),
                row(登记编号="F2", 包案领导=DU, 包案期次="第2期"),
            ],
        )
    assert not Matter.objects.filter(county=county).exists()
    assert not Batch.objects.exists() and not BatchEntry.objects.exists()
    assert LedgerImport.objects.get().state == LedgerImport.State.FAILED


# -- the hand count ----------------------------------------------------------------------------------


def random_ledger(seed: int) -> tuple[list[list[str]], dict[str, Any]]:
    """A ledger of matters with 1–3 rows each, most in a batch (some rows repeating it, some leaving it
    blank), and what a hand count of it finds: each batch's date (the latest row naming it), each batch's
    matters with their leader, and each matter's resolution (its latest row's)."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    dates: dict[tuple[int, int], dt.date] = {}
    holders: dict[tuple[int, int], dict[str, str]] = {}
    resolved: dict[str, bool] = {}
    for index in range(40):
        number = f"H{index:02d}"
        leader = rng.choice((DU, WEI, FAN))
        label = rng.choice((None, 1, 2, 3, 4, 5))
        days = sorted(rng.sample(range(1, 140), rng.randint(1, 3)))
        for position, offset in enumerate(days):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
            last = position == len(days) - 1
            in_batch = label is not None and (position == 0 or rng.random() < 0.5)
            cells = {"登记编号": number, "信访日期": day.isoformat(), "包案领导": leader if in_batch else ""}
            if in_batch:
                cells["包案期次"] = rng.choice((f"第{label}期", str(label), f"2026年第{label}期"))
                key = (2026, int(label))  # type: ignore[arg-type]
                dates[key] = max(dates.get(key, day), day)
                holders.setdefault(key, {})[number] = leader
            if last:
                done = rng.random() < 0.4
                cells |= (
                    {"办理状态": "已化解", "是否化解": "是"}
                    if done
                    else {"办理状态": "办理中", "是否化解": "否"}
                )
                resolved[number] = done
            rows.append(row(**cells))
    rng.shuffle(rows)
    return rows, {"dates": dates, "holders": holders, "resolved": resolved}


def hand_count(counted: dict[str, Any], date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    keys = [key for key, day in counted["dates"].items() if date_from <= day <= date_to]
    matters = {number for key in keys for number in counted["holders"][key]}
    leaders: dict[str, set[str]] = {}
    overdue: dict[str, set[str]] = {}
    for key in keys:
        for number, leader in counted["holders"][key].items():
            leaders.setdefault(leader, set()).add(number)
            deadline = counted["dates"][key] + dt.timedelta(days=30)
            if not counted["resolved"][number] and deadline < TODAY.date():
                overdue.setdefault(leader, set()).add(number)
    resolved = sum(counted["resolved"][number] for number in matters)
    by_leader = [
        {"leader": leader, "matters": len(numbers),
         "resolved": sum(counted["resolved"][n] for n in numbers),
         "open": sum(not counted["resolved"][n] for n in numbers), "overdue": len(overdue.get(leader, ()))}
        for leader, numbers in leaders.items()
    ]  # fmt: skip
    return {
        "batches": len(keys), "matters": len(matters), "resolved": resolved,
        "resolved_rate": round(resolved / len(matters), 4) if matters else 0.0,
        "by_leader": sorted(by_leader, key=lambda r: (-r["matters"], r["leader"])),
    }  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_the_commands_count_batches_and_matters_as_counted_by_hand(county, tmp_path: Path, capsys, seed):
    rows, counted = random_ledger(seed)
    path = tmp_path / "包案台账.csv"
    path.write_bytes(csv_bytes(rows))
    assert cli.main(["import-ledger", str(path), "--dry-run", "--format", "json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["batches"] == len(counted["dates"])
    assert checked["batch_matters"] == len({n for holders in counted["holders"].values() for n in holders})
    assert cli.main(["import-ledger", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["batches"] == checked["batches"]
    for date_from, date_to in (("2026-01-01", "2026-12-31"), ("2026-02-01", "2026-03-31")):
        assert cli.main(["ownership", "stats", "--from", date_from, "--to", date_to, "--format", "json"]) == 0
        expected = hand_count(counted, dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to))
        assert json.loads(capsys.readouterr().out) == expected
