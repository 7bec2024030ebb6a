"""The quarterly competition with the database: hand-computed tables for small quarters (collective
doubling, township vs department charging, a correction moving a deduction, a veto, additions, an appeal
upheld), the rules versioned, publication frozen and issued, the command's JSON and the job."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Unit
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.lib.periods import Quarter
from xinfang.petitions.models import Event, Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register, matter_update
from xinfang.scoring.models import Appeal, CompetitionQuarter, RuleSet
from xinfang.scoring.selectors import competition_compute, competition_tables, unit_charges
from xinfang.scoring.services import (
    addition_add,
    appeal_decide,
    appeal_file,
    competition_draft,
    competition_draft_job,
    competition_publish,
    ruleset_save,
    veto_record,
)

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
Q1 = Quarter(2026, 1)
DRAFTED = dt.datetime(2026, 4, 1, 9, 0, tzinfo=ZONE)  # Wednesday, the first working day after Q1
APPEAL_UNTIL = dt.date(2026, 4, 9)  # five working days later (Qingming: 4–6 April off)
AFTER_APPEALS = dt.datetime(2026, 4, 10, 10, 0, tzinfo=ZONE)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(DRAFTED, tick=False):
        yield


def unit(county, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def register(bureau, county, township: str, day: dt.date, level: str, persons: int = 1,
             responsible: str = "县人社局", n: int = 0) -> Matter:  # fmt: skip
    return matter_register(by=bureau, data=RegistrationInput(
        county=county, event=EventInput(day, "visit", level, persons), origin_township=unit(county, township),
        category=Category.objects.get(county=county, code="0702"), content=f"{township}拖欠工资{n}{level}",
        responsible_unit=unit(county, responsible),
        petitioners=[PetitionerInput(f"张建{n}", "", "", "某村3组")],
    ))  # fmt: skip


def row_of(figures, table: str, name: str):
    return next(row for row in figures[table] if row["unit"] == name)


@pytest.fixture
def quarter_events(bureau, county):
    """周庄镇: 进京 ×1 (人社局 responsible), 赴省 collective of 6 (周庄镇 itself responsible), 到市 ×1
    (人社局);
    闹店镇: 到市 ×1 on 31 March (公安局); outside Q1: a 进京 on 1 April, a 到县 in March (no points)."""
    return {
        "beijing": register(bureau, county, "周庄镇", dt.date(2026, 1, 5), "beijing", n=1),
        "collective": register(
            bureau, county, "周庄镇", dt.date(2026, 2, 5), "province", persons=6, responsible="周庄镇", n=2
        ),
        "city": register(bureau, county, "周庄镇", dt.date(2026, 3, 1), "city", n=3),
        "naodian": register(
            bureau, county, "闹店镇", dt.date(2026, 3, 31), "city", responsible="县公安局", n=4
        ),
        "april": register(bureau, county, "周庄镇", dt.date(2026, 4, 1), "beijing", n=5),
        "county": register(bureau, county, "周庄镇", dt.date(2026, 3, 2), "county", n=6),
    }


def test_the_tables_are_hand_computed(county, quarter_events):
    figures = competition_compute(county, Q1)
    zhou = row_of(figures, "townships", "周庄镇")
    assert zhou["deductions"] == {
        "进京": {"events": 1, "points": 5}, "赴省": {"events": 1, "points": 6},
        "到市": {"events": 1, "points": 1},
    }  # fmt: skip
    assert zhou["score"] == 88.0  # 100 − 5 − 3×2 − 1
    assert row_of(figures, "townships", "闹店镇")["score"] == 99.0
    # The department table: 人社局 for the 进京 and the 到市; the collective (周庄镇 responsible) not again.
    renshe = row_of(figures, "departments", "县人社局")
    assert (renshe["score"], [c["level"] for c in renshe["charges"]]) == (94.0, ["beijing", "city"])
    assert row_of(figures, "departments", "县公安局")["score"] == 99.0
    # Every unit is listed, the untouched ones with the base score, ranked first.
    assert (
        len(figures["townships"])
        == Unit.objects.filter(county=county, kind="township", is_active=True).count()
    )
    assert figures["townships"][0]["score"] == 100.0 and figures["townships"][0]["rank"] == 1
    assert figures["townships"][-1]["unit"] == "周庄镇"


def test_a_correction_moves_the_deduction(county, quarter_events, head):
    matter = quarter_events["beijing"]
    matter_update(
        by=head, matter=matter, changes={"origin_township": unit(county, "闹店镇")}, reported_units=None
    )
    figures = competition_compute(county, Q1)
    assert row_of(figures, "townships", "周庄镇")["score"] == 93.0
    assert row_of(figures, "townships", "闹店镇")["score"] == 94.0
    Event.objects.filter(matter=quarter_events["naodian"]).update(date=dt.date(2026, 4, 2))  # out of Q1
    assert row_of(competition_compute(county, Q1), "townships", "闹店镇")["score"] == 95.0


def test_veto_additions_and_an_upheld_appeal(county, quarter_events, bureau, head, persona):
    record, created = competition_draft(county=county, quarter=Q1, by=None)
    assert created and record.appeal_until == APPEAL_UNTIL
    addition_add(
        county=county, quarter=Q1, unit=unit(county, "周庄镇"), points=Decimal("2.5"), reason="化解积案一件",
        evidence=SimpleUploadedFile("证明.pdf", PDF), by=bureau,
    )  # fmt: skip
    veto_record(county=county, quarter=Q1, unit=unit(county, "闹店镇"), reason="发生进京非访",
                document_number="平信〔2026〕5号", by=bureau)  # fmt: skip
    zhouzhuang = persona("zhouzhuang")
    event = quarter_events["city"].events.get()
    appeal = appeal_file(by=zhouzhuang, quarter=Q1, event=event, reason="该批次系重复登记")
    with pytest.raises(ValidationError, match="没有计入本单位"):  # another township's event
        appeal_file(by=zhouzhuang, quarter=Q1, event=quarter_events["naodian"].events.get(), reason="x")
    with pytest.raises(PermissionDenied):
        appeal_decide(by=bureau, appeal=appeal, upheld=True, reason="x")
    appeal_decide(by=head, appeal=appeal, upheld=True, reason="经核实属重复登记")
    figures = competition_compute(county, Q1)
    zhou = row_of(figures, "townships", "周庄镇")
    assert zhou["score"] == 91.5  # 100 − 5 − 6 (到市 waived) + 2.5
    assert zhou["deductions"]["到市"] == {"events": 0, "points": 0}
    assert [c["waived_reason"] for c in zhou["charges"] if c["waived"]] == ["经核实属重复登记"]
    naodian = row_of(figures, "townships", "闹店镇")
    assert naodian["vetoed"] and naodian["rank"] == len(figures["townships"])
    assert Appeal.objects.get().state == Appeal.State.UPHELD
    actions = set(AuditRecord.objects.filter(action__startswith="scoring.").values_list("action", flat=True))
    assert actions == {"scoring.draft", "scoring.addition", "scoring.veto", "scoring.appeal",
                       "scoring.appeal_decide"}  # fmt: skip


def test_an_appeal_after_its_period_and_publication_before_it_are_refused(
    county, quarter_events, persona, head
):
    competition_draft(county=county, quarter=Q1, by=None)
    with pytest.raises(ValidationError, match="申诉期至"):
        competition_publish(county=county, quarter=Q1, by=head)
    with time_machine.travel(AFTER_APPEALS, tick=False), pytest.raises(ValidationError, match="申诉期已于"):
        appeal_file(
            by=persona("zhouzhuang"), quarter=Q1, event=quarter_events["city"].events.get(), reason="x"
        )


def test_publication_freezes_the_tables_and_issues_the_document(county, quarter_events, head, bureau):
    competition_draft(county=county, quarter=Q1, by=None)
    with time_machine.travel(AFTER_APPEALS, tick=False):
        record = competition_publish(county=county, quarter=Q1, by=head)
    assert record.is_published and record.document is not None
    document = IssuedDocument.objects.get(kind=DocumentKind.COMPETITION)
    assert (document.number, document.year, document.snapshot["quarter"]) == (1, 2026, "2026Q1")
    assert document.copies.get().pdf_sha256
    # A new event, a rule change, an addition: the published quarter never changes.
    register(bureau, county, "周庄镇", dt.date(2026, 3, 20), "beijing", n=9)
    with pytest.raises(ValidationError, match="已公布"):
        addition_add(county=county, quarter=Q1, unit=unit(county, "周庄镇"), points=Decimal(1), reason="x",
                     evidence=SimpleUploadedFile("a.pdf", PDF), by=bureau)  # fmt: skip
    with pytest.raises(ValidationError, match="已公布"):
        ruleset_save(county=county, by=head, quarter=Q1, points_beijing=Decimal(50))
    figures, stored = competition_tables(county, Q1)
    assert figures is not None and stored is not None
    zhou = row_of(figures, "townships", "周庄镇")
    assert zhou["score"] == 88.0 and "charges" not in zhou
    assert [c["level"] for c in unit_charges(stored, zhou["unit_id"])] == ["beijing", "province", "city"]
    assert row_of(competition_compute(county, Q1), "townships", "周庄镇")["score"] == 83.0
    assert document.snapshot["townships"] == figures["townships"]  # the document's snapshot: the tables


def test_rules_are_versioned_by_quarter(county, quarter_events, head, bureau):
    with pytest.raises(PermissionDenied):
        ruleset_save(county=county, by=bureau, quarter=Quarter(2026, 2), points_beijing=Decimal(10))
    ruleset_save(county=county, by=head, quarter=Quarter(2026, 2), points_beijing=Decimal(10),
                 collective_persons=10)  # fmt: skip
    assert row_of(competition_compute(county, Q1), "townships", "周庄镇")["score"] == 88.0  # Q1: the defaults
    register(bureau, county, "周庄镇", dt.date(2026, 4, 1), "province", persons=6, n=7)
    q2 = competition_compute(county, Quarter(2026, 2))
    assert (
        row_of(q2, "townships", "周庄镇")["score"] == 87.0
    )  # the April 进京 −10, a 赴省 of 6 not collective −3
    assert q2["rules"]["points"]["beijing"] == 10
    assert AuditRecord.objects.filter(action="scoring.rules").count() == 1
    assert RuleSet.objects.get().created_by == head


def test_the_command_prints_the_exact_json(county, quarter_events):
    out = StringIO()
    call_command("competition", "score", "--quarter", "2026Q1", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert list(result) == ["quarter", "townships", "departments"]
    assert result["quarter"] == "2026Q1"
    zhou = next(row for row in result["townships"] if row["unit"] == "周庄镇")
    assert zhou == {
        "unit": "周庄镇", "base": 100,
        "deductions": {"进京": {"events": 1, "points": 5}, "赴省": {"events": 1, "points": 6},
                       "到市": {"events": 1, "points": 1}},
        "additions": 0, "score": 88.0, "vetoed": False, "rank": len(result["townships"]),
    }  # fmt: skip
    ranks = [row["rank"] for row in result["departments"]]
    assert ranks == sorted(ranks)


def test_a_bad_quarter_is_a_usage_error_in_chinese(county, capsys):
    from xinfang.cli import main

    assert main(["competition", "score", "--quarter", "2026Q5"]) == 2
    assert "季度应写作 YYYYQn" in capsys.readouterr().err


def test_the_job_drafts_once(county):
    day = DRAFTED.date()
    assert "已起草2026年第一季度比拼结果" in competition_draft_job(county=county, day=day, now=DRAFTED)
    assert "未重复起草" in competition_draft_job(county=county, day=day, now=DRAFTED)
    assert CompetitionQuarter.objects.filter(county=county).count() == 1
    assert AuditRecord.objects.filter(action="scoring.draft").count() == 1
