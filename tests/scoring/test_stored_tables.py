"""A quarter's stored tables (issue 19 at a million matters): the pages read the tables and a unit's own
charges as stored and never compute the quarter; the draft, an addition, a veto, an appeal decision and
the bureau's 重新计算 store them again; publication freezes them; the data migration moves the published
quarters' charges out of their figures and back."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.scoring.test_scoring import Q1, register, row_of, unit
from xinfang.audit.models import AuditRecord
from xinfang.petitions.models import Event
from xinfang.scoring import selectors
from xinfang.scoring.models import CompetitionCharges, CompetitionQuarter
from xinfang.scoring.services import (
    addition_add,
    appeal_decide,
    appeal_file,
    competition_draft,
    competition_publish,
    competition_recompute,
    competition_refresh_job,
    veto_record,
)

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
DRAFTED = dt.datetime(2026, 4, 1, 9, 0, tzinfo=ZONE)
LATER = dt.datetime(2026, 4, 2, 15, 30, tzinfo=ZONE)
AFTER_APPEALS = dt.datetime(2026, 4, 10, 10, 0, tzinfo=ZONE)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(DRAFTED, tick=False):
        yield


@pytest.fixture
def drafted(bureau, county):
    register(bureau, county, "周庄镇", dt.date(2026, 1, 5), "beijing", n=1)
    register(bureau, county, "闹店镇", dt.date(2026, 2, 5), "city", responsible="县公安局", n=2)
    record, _ = competition_draft(county=county, quarter=Q1, by=None)
    return record


def stored_score(county, name: str) -> float:
    figures, _ = selectors.competition_tables(county, Q1)
    assert figures is not None
    return row_of(figures, "townships", name)["score"]


@pytest.fixture
def no_computation(monkeypatch):
    """Any computation of a quarter's tables fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a page computed the quarter's tables")

    monkeypatch.setattr(selectors, "competition_compute", refuse)
    monkeypatch.setattr(selectors, "quarter_events", refuse)
    monkeypatch.setattr(selectors, "period_events", refuse)


def test_the_draft_stores_the_tables_and_each_units_charges(drafted, county):
    assert drafted.computed_at == DRAFTED
    zhou = row_of(drafted.figures, "townships", "周庄镇")
    assert zhou["score"] == 95.0 and "charges" not in zhou
    stored = CompetitionCharges.objects.get(competition=drafted, unit=unit(county, "周庄镇"))
    assert [row[4] for row in stored.charges] == ["beijing"]  # compact rows: the level in column 5
    charges = selectors.unit_charges(drafted, zhou["unit_id"])
    assert charges[0]["level_label"] == "进京" and charges[0]["points"] == 5
    # Units without charges have no row: two townships' charges and the 公安局's (人社局 is 周庄镇's 进京's).
    assert CompetitionCharges.objects.filter(competition=drafted).count() == 4


def test_the_pages_read_the_stored_tables_and_never_compute(
    drafted, county, client_for, no_computation, django_assert_max_num_queries
):
    zhou = unit(county, "周庄镇").pk
    with django_assert_max_num_queries(30):
        page = client_for("bureau").get("/competition/?quarter=2026Q1")
    assert page.status_code == 200
    assert "按 2026-04-01 09:00 的数据计算" in page.content.decode()
    with django_assert_max_num_queries(30):
        page = client_for("zhouzhuang").get(f"/competition/2026Q1/units/{zhou}/")
    assert page.status_code == 200 and [c["level"] for c in page.context["charges"]] == ["beijing"]
    assert client_for("bureau").get("/competition/2026Q1/export.xlsx").status_code == 200
    assert client_for("bureau").get("/competition/?year=2026").status_code == 200
    # The quarter in progress has no record: no tables, no computation, the page says when they come.
    page = client_for("bureau").get("/competition/?quarter=2026Q2").content.decode()
    assert "季度结束后起草比拼结果" in page


def test_a_later_event_shows_only_after_the_bureau_recomputes(drafted, county, bureau, client_for):
    register(bureau, county, "周庄镇", dt.date(2026, 3, 20), "province", n=3)
    assert stored_score(county, "周庄镇") == 95.0  # the board keeps the stored draft
    zhou = unit(county, "周庄镇").pk
    page = client_for("zhouzhuang").get(f"/competition/2026Q1/units/{zhou}/")
    assert len(page.context["charges"]) == 1
    with time_machine.travel(LATER, tick=False):
        response = client_for("bureau").post("/competition/2026Q1/recompute/", follow=True)
    assert "已按2026-04-02 15:30的数据重新计算" in response.content.decode()
    assert stored_score(county, "周庄镇") == 92.0
    drafted.refresh_from_db()
    assert drafted.computed_at == LATER
    assert len(selectors.unit_charges(drafted, zhou)) == 2
    record = AuditRecord.objects.get(action="scoring.recompute")
    assert record.changes["quarter"] == "2026Q1"
    # Unit users cannot recompute.
    assert client_for("zhouzhuang").post("/competition/2026Q1/recompute/").status_code == 403


def test_the_nightly_job_recomputes_unpublished_drafts_only(drafted, county, bureau, head):
    """An event corrected or added in the registry reaches a draft's pages by the next morning; a
    published quarter is never computed again."""
    register(bureau, county, "周庄镇", dt.date(2026, 3, 20), "province", n=3)
    assert stored_score(county, "周庄镇") == 95.0
    night = dt.datetime(2026, 4, 3, 2, 30, tzinfo=ZONE)
    with time_machine.travel(night, tick=False):
        assert competition_refresh_job(county=county, day=night.date(), now=night) == (
            "已重新计算1个未公布季度的比拼结果（2026Q1），2个未公布年度的村级星级否决（2025年、2026年）"
        )
    assert stored_score(county, "周庄镇") == 92.0
    record = AuditRecord.objects.get(action="scoring.recompute")
    assert (record.actor, record.actor_name) == (None, "system")
    CompetitionQuarter.objects.filter(pk=drafted.pk).update(state=CompetitionQuarter.State.PUBLISHED)
    register(bureau, county, "周庄镇", dt.date(2026, 3, 21), "beijing", n=1)
    assert "已重新计算0个" in competition_refresh_job(county=county, day=night.date(), now=night)
    assert stored_score(county, "周庄镇") == 92.0


def test_an_addition_a_veto_and_an_appeal_decision_store_the_tables_again(
    drafted, county, bureau, head, persona
):
    register(bureau, county, "周庄镇", dt.date(2026, 3, 20), "province", n=3)  # shown at the next store
    with time_machine.travel(LATER, tick=False):
        addition_add(county=county, quarter=Q1, unit=unit(county, "周庄镇"), points=Decimal(2),
                     reason="化解积案一件", evidence=SimpleUploadedFile("a.pdf", PDF), by=bureau)  # fmt: skip
    drafted.refresh_from_db()
    assert drafted.computed_at == LATER
    assert stored_score(county, "周庄镇") == 94.0  # 100 − 5 − 3 + 2
    veto_record(county=county, quarter=Q1, unit=unit(county, "闹店镇"), reason="发生进京非访",
                document_number="平信〔2026〕5号", by=bureau)  # fmt: skip
    figures, _ = selectors.competition_tables(county, Q1)
    assert figures is not None and figures["townships"][-1]["unit"] == "闹店镇"
    zhou = unit(county, "周庄镇")
    event = selectors.unit_charges(drafted, zhou.pk)[0]["event"]
    appeal = appeal_file(
        by=persona("zhouzhuang"), quarter=Q1, event=Event.objects.get(pk=event), reason="重复登记"
    )
    appeal_decide(by=head, appeal=appeal, upheld=True, reason="属重复登记")
    assert stored_score(county, "周庄镇") == 99.0  # the 进京 waived
    drafted.refresh_from_db()
    waived = [c for c in selectors.unit_charges(drafted, zhou.pk) if c["waived"]]
    assert [c["waived_reason"] for c in waived] == ["属重复登记"]


def test_publication_freezes_the_stored_tables(drafted, county, bureau, head):
    register(bureau, county, "周庄镇", dt.date(2026, 3, 20), "province", n=3)  # publication recomputes
    with time_machine.travel(AFTER_APPEALS, tick=False):
        record = competition_publish(county=county, quarter=Q1, by=head)
    assert record.computed_at == AFTER_APPEALS and stored_score(county, "周庄镇") == 92.0
    zhou = unit(county, "周庄镇").pk
    register(bureau, county, "周庄镇", dt.date(2026, 3, 21), "beijing", n=4)
    with pytest.raises(ValidationError, match="已公布"):
        competition_recompute(county=county, quarter=Q1, by=bureau)
    assert stored_score(county, "周庄镇") == 92.0
    assert len(selectors.unit_charges(record, zhou)) == 2


def test_the_data_migration_moves_a_published_quarters_charges_and_back(county):
    migration = importlib.import_module("xinfang.scoring.migrations.0003_competition_charges")
    zhou = unit(county, "周庄镇")
    charge = {
        "event": 7, "matter": 3, "matter_number": "410421-2026-000003", "date": "2026-01-05",
        "level": "beijing", "level_label": "进京", "persons": 6, "collective": True, "points": 10,
        "waived": False, "waived_reason": "",
    }  # fmt: skip
    row = {"unit": "周庄镇", "unit_id": zhou.pk, "score": 90.0, "rank": 1, "charges": [charge]}
    empty = {"unit": "闹店镇", "unit_id": unit(county, "闹店镇").pk, "score": 100.0, "rank": 1, "charges": []}
    figures = {"quarter": "2026Q1", "townships": [row, empty], "departments": []}
    record = CompetitionQuarter.objects.create(
        county=county, quarter="2026Q1", state="published", drafted_at=DRAFTED,
        appeal_until=dt.date(2026, 4, 9), published_at=AFTER_APPEALS, figures=figures,
    )  # fmt: skip
    draft = CompetitionQuarter.objects.create(
        county=county, quarter="2026Q2", drafted_at=DRAFTED, appeal_until=dt.date(2026, 7, 9)
    )
    migration.charges_out(apps, None)
    record.refresh_from_db()
    assert record.computed_at == AFTER_APPEALS
    assert "charges" not in record.figures["townships"][0] and record.figures["townships"][0]["score"] == 90.0
    assert selectors.unit_charges(record, zhou.pk) == [charge]
    assert CompetitionCharges.objects.count() == 1  # none for a unit without charges, none for the draft
    draft.refresh_from_db()
    assert draft.computed_at is None
    migration.charges_in(apps, None)
    record.refresh_from_db()
    assert record.figures == figures


def test_a_units_breakdown_lists_its_charges_a_page_at_a_time(drafted, county, client_for):
    zhou = unit(county, "周庄镇")
    stored = CompetitionCharges.objects.get(competition=drafted, unit=zhou)
    first = stored.charges[0]
    stored.charges = [[first[0] + n, *first[1:]] for n in range(150)]  # one matter charged 150 times
    stored.save(update_fields=["charges"])
    bureau = client_for("bureau")
    page = bureau.get(f"/competition/2026Q1/units/{zhou.pk}/")
    assert len(page.context["charges"]) == 100 and "扣分明细（150批）" in page.content.decode()
    assert "第 1 / 2 页" in page.content.decode() and page.context["charges"][0]["visible"]
    page = bureau.get(f"/competition/2026Q1/units/{zhou.pk}/?page=2")
    assert [c["event"] for c in page.context["charges"]][-1] == first[0] + 149
    assert bureau.get(f"/competition/2026Q1/units/{zhou.pk}/?page=x").status_code == 200
