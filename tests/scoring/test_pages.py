"""The competition's pages through the test client: the board per persona (drafts for the bureau only),
a unit's breakdown and its appeal, the head's decision and publication, the rules page, the export."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.scoring.test_scoring import register
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Unit
from xinfang.scoring.models import Addition, Appeal, CompetitionQuarter, RuleSet

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
DRAFT_DAY = dt.datetime(2026, 4, 1, 9, 0, tzinfo=ZONE)
AFTER_APPEALS = dt.datetime(2026, 4, 10, 10, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(DRAFT_DAY, tick=False):
        yield


@pytest.fixture
def drafted(bureau, county, client_for):
    register(bureau, county, "周庄镇", dt.date(2026, 1, 5), "beijing", n=1)
    register(bureau, county, "闹店镇", dt.date(2026, 2, 5), "city", responsible="县公安局", n=2)
    response = client_for("bureau").post("/competition/2026Q1/draft/")
    assert response.status_code == 302
    return CompetitionQuarter.objects.get(county=county, quarter="2026Q1")


def unit_id(county, name: str) -> int:
    return Unit.objects.get(county=county, name=name).pk


def test_the_bureau_sees_the_draft_and_leaders_wait_for_publication(drafted, client_for, county):
    page = client_for("bureau").get("/competition/?quarter=2026Q1").content.decode()
    assert "草稿" in page and "周庄镇" in page and "县公安局" in page and "登记加分" in page
    page = client_for("secretary").get("/competition/?quarter=2026Q1").content.decode()
    assert "尚未公布" in page and "县公安局" not in page
    page = client_for("zhouzhuang").get("/competition/?quarter=2026Q1").content.decode()
    assert "本单位扣分明细与申诉" in page and "县公安局" not in page
    assert client_for("secretary").get("/competition/2026Q1/export.xlsx").status_code == 404


def test_a_unit_appeals_the_head_decides_and_publishes(
    drafted, client_for, county, django_assert_max_num_queries
):
    zhou = unit_id(county, "周庄镇")
    with django_assert_max_num_queries(40):
        page = client_for("zhouzhuang").get(f"/competition/2026Q1/units/{zhou}/")
    assert page.status_code == 200 and "提交申诉" in page.content.decode()
    assert (
        client_for("zhouzhuang").get(f"/competition/2026Q1/units/{unit_id(county, '闹店镇')}/").status_code
        == 404
    )
    assert client_for("renshe").get(f"/competition/2026Q1/units/{zhou}/").status_code == 404
    event = page.context["charges"][0]["event"]
    client_for("zhouzhuang").post(
        f"/competition/2026Q1/units/{zhou}/appeal/", {"event": event, "reason": "重复登记"}
    )
    appeal = Appeal.objects.get()
    assert (appeal.unit_id, appeal.event_id, appeal.state) == (zhou, event, Appeal.State.PENDING)
    assert client_for("bureau").post(f"/competition/appeals/{appeal.pk}/decide/").status_code == 403
    client_for("bureau_head").post(
        f"/competition/appeals/{appeal.pk}/decide/",
        {"decision-upheld": "1", "decision-reason": "核实属重复登记"},
    )
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.UPHELD and appeal.decision_reason == "核实属重复登记"
    with time_machine.travel(AFTER_APPEALS, tick=False):
        response = client_for("bureau_head").post("/competition/2026Q1/publish/")
        assert response.status_code == 302
        drafted.refresh_from_db()
        assert drafted.is_published and drafted.document is not None
        page = client_for("secretary").get("/competition/?quarter=2026Q1").content.decode()
        assert "已公布" in page and "县公安局" in page
        breakdown = client_for("zhouzhuang").get(f"/competition/2026Q1/units/{zhou}/").content.decode()
        assert "免扣：核实属重复登记" in breakdown and "提交申诉" not in breakdown
        export = client_for("secretary").get("/competition/2026Q1/export.xlsx")
        book = load_workbook(io.BytesIO(export.content))
        assert book.sheetnames == ["乡镇", "县直单位", "扣分明细"]
        rows = list(book["乡镇"].iter_rows(values_only=True))
        assert rows[0][:2] == ("名次", "单位")
        annual = client_for("secretary").get("/competition/?year=2026").content.decode()
        assert "2026Q1" in annual and "年度得分" in annual
    assert set(
        AuditRecord.objects.filter(action__startswith="scoring.").values_list("action", flat=True)
    ) >= {"scoring.draft", "scoring.appeal", "scoring.appeal_decide", "scoring.publish"}


def test_additions_with_evidence_and_vetoes_from_the_board(drafted, client_for, county):
    bureau = client_for("bureau")
    zhou = unit_id(county, "周庄镇")
    bureau.post("/competition/2026Q1/additions/", {
        "addition-unit": zhou, "addition-points": "2", "addition-reason": "化解积案一件",
        "addition-evidence": SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n"),
    })  # fmt: skip
    addition = Addition.objects.get()
    assert client_for("zhouzhuang").get(f"/competition/additions/{addition.pk}/evidence/").status_code == 200
    assert client_for("renshe").get(f"/competition/additions/{addition.pk}/evidence/").status_code == 404
    bad = bureau.post("/competition/2026Q1/additions/", {
        "addition-unit": zhou, "addition-points": "2", "addition-reason": "x",
        "addition-evidence": SimpleUploadedFile("a.pdf", b"not a pdf"),
    }, follow=True)  # fmt: skip
    assert "不是 PDF、JPG 或 PNG 格式" in bad.content.decode() and Addition.objects.count() == 1
    bureau.post("/competition/2026Q1/vetoes/", {
        "veto-unit": unit_id(county, "闹店镇"), "veto-reason": "发生进京非访",
        "veto-document_number": "平信〔2026〕5号",
    })  # fmt: skip
    page = client_for("bureau").get("/competition/?quarter=2026Q1")
    townships = page.context["tables"][0][1]
    assert townships[-1]["unit"] == "闹店镇" and townships[-1]["vetoed"]
    assert next(row for row in townships if row["unit"] == "周庄镇")["score"] == 97.0


def test_the_head_edits_the_rules_from_a_quarter_on(client_for, county):
    response = client_for("bureau_head").post("/competition/rules/", {
        "quarter": "2026Q3", "base": "100", "per": "event", "points_beijing": "8", "points_province": "3",
        "points_city": "1", "collective_persons": "5", "collective_factor": "2", "annual": "average",
        "note": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert RuleSet.objects.get().effective_from == dt.date(2026, 7, 1)
    bad = client_for("bureau_head").post("/competition/rules/", {"quarter": "2026Q9"})
    assert bad.status_code == 422 and "季度应写作 YYYYQn" in bad.content.decode()
    assert client_for("bureau").post("/competition/rules/", {"quarter": "2026Q3"}).status_code == 403
