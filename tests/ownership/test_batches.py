"""The weekly batch (期): drafted from the week's events with reasons and suggested owners, edited by the
bureau, issued with a gapless number, owners assigned and the batch archived as a document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.petitions.support import at, frozen, new_matter, unit
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, LeaderUnavailability
from xinfang.documents.models import Delivery, DocumentKind, IssuedDocument
from xinfang.ownership.models import Batch, BatchEntry, Escalation
from xinfang.ownership.services import (
    batch_create,
    batch_draft_job,
    batch_draft_week,
    batch_entry_add,
    batch_entry_choose,
    batch_entry_remove,
    batch_imported,
    batch_issue,
    escalation_request,
)
from xinfang.petitions.models import Level, Ownership

MONDAY = dt.date(2026, 11, 2)
WEEK = (dt.date(2026, 10, 26), dt.date(2026, 11, 1))


def leader(county, name: str) -> Leader:
    return Leader.objects.get(county=county, name=name)


@pytest.fixture
def week(county, persona):
    """The week before 2026-11-02: a 赴省 visit, a collective visit, a plain visit, a 到县 repeat visit."""
    bureau = persona("bureau")
    with frozen():
        province = new_matter(bureau, county, date=dt.date(2026, 10, 27), level=Level.PROVINCE)
        collective = new_matter(bureau, county, date=dt.date(2026, 10, 28), persons=8, township="闹店镇",
                                category="0702", content="某工地拖欠八名工人工资")  # fmt: skip
        plain = new_matter(bureau, county, date=dt.date(2026, 10, 29), content="邻里宅基地纠纷")
    return {"province": province, "collective": collective, "plain": plain}


def test_it_drafts_the_weeks_candidates_with_reasons_and_suggested_owners(county, persona, week):
    with frozen():
        batch, made = batch_draft_week(county=county, week_from=WEEK[0], week_to=WEEK[1], by=None,
                                       now=at(2026, 11, 2, 8))  # fmt: skip
    assert made and batch.state == Batch.State.DRAFT and batch.number is None
    entries = {entry.matter_id: entry for entry in batch.entries.all()}
    assert set(entries) == {week["province"].pk, week["collective"].pk}
    assert entries[week["province"].pk].reasons == ["10月27日赴省访"]
    assert entries[week["collective"].pk].reasons == ["10月28日集体访8人"]
    # 0702 is a category of 杜文博's portfolio (劳动和社会保障): he is suggested, with why.
    du = persona("leader").leader
    assert entries[week["province"].pk].suggested_leader == du
    assert "分管领域" in entries[week["province"].pk].suggestion
    assert entries[week["province"].pk].leader == du  # the suggestion stands until staff choose another
    again, made = batch_draft_week(county=county, week_from=WEEK[0], week_to=WEEK[1], by=None,
                                   now=at(2026, 11, 2, 9))  # fmt: skip
    assert again == batch and not made


def test_the_job_drafts_the_previous_week_once(county, week):
    with frozen():
        first = batch_draft_job(county=county, day=MONDAY, now=at(2026, 11, 2, 8))
        second = batch_draft_job(county=county, day=MONDAY, now=at(2026, 11, 2, 9))
    assert "候选事项2件" in first and "未重复起草" in second
    assert Batch.objects.get(county=county).week_from == WEEK[0]


def test_staff_add_remove_choose_and_issue_with_a_gapless_number(county, persona, week):
    bureau = persona("bureau")
    du, other = persona("leader").leader, leader(county, "魏振华")
    with frozen():
        batch, _ = batch_draft_week(county=county, week_from=WEEK[0], week_to=WEEK[1], by=bureau,
                                    now=at(2026, 11, 2, 8))  # fmt: skip
        added = batch_entry_add(by=bureau, batch=batch, matter=week["plain"], reason="群众反映强烈")
        assert added.reasons == ["信访局列入：群众反映强烈"]
        with pytest.raises(ValidationError, match="改派理由"):
            batch_entry_choose(by=bureau, entry=added, leader=other)
        batch_entry_choose(by=bureau, entry=added, leader=other, reason="魏副县长熟悉该村情况")
        collective = batch.entries.get(matter=week["collective"])
        batch_entry_remove(by=bureau, entry=collective, reason="已由闹店镇化解")
        issued = batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 10))
    assert (issued.state, issued.year, issued.number) == (Batch.State.ISSUED, 2026, 1)
    owners = dict(Ownership.objects.filter(is_current=True).values_list("matter_id", "leader_id"))
    assert owners == {week["province"].pk: du.pk, week["plain"].pk: other.pk}
    entry = BatchEntry.objects.get(batch=issued, matter=week["plain"])
    assert entry.choice_reason == "魏副县长熟悉该村情况" and entry.deadline == dt.date(2026, 12, 2)
    document = IssuedDocument.objects.get(kind=DocumentKind.OWNERSHIP)
    assert document.number == 1 and issued.document == document
    readers = set(Delivery.objects.filter(document=document).values_list("leader__name", flat=True))
    assert {du.name, other.name} <= readers
    assert AuditRecord.objects.filter(action="ownership.batch_issue").count() == 1
    with frozen():
        second = batch_create(by=bureau, now=at(2026, 11, 2, 11))
        batch_entry_add(by=bureau, batch=second, matter=week["collective"], reason="再次集体访")
        assert batch_issue(by=bureau, batch=second, now=at(2026, 11, 2, 12)).number == 2


def test_an_imported_batch_number_is_taken_and_issuing_continues_after_it(county, persona, week):
    bureau = persona("bureau")
    imported = batch_imported(county=county, year=2026, number=3, issued_on=dt.date(2026, 7, 1), by=bureau)
    assert imported.imported and imported.label == "2026年第3期"
    with frozen():
        batch = batch_create(by=bureau, now=at(2026, 11, 2, 8))
        batch_entry_add(by=bureau, batch=batch, matter=week["plain"], reason="久拖未决")
        assert batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 9)).number == 4
    with pytest.raises(ValidationError, match="正整数"):
        batch_imported(county=county, year=2026, number=0, issued_on=dt.date(2026, 7, 1), by=bureau)


def test_issuing_refuses_a_reported_or_absent_owner_and_changes_nothing(county, persona, week):
    bureau = persona("bureau")
    du = persona("leader").leader
    LeaderUnavailability.objects.create(leader=du, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 5))
    with frozen():
        batch = batch_create(by=bureau, now=at(2026, 11, 2, 8))
        entry = batch_entry_add(by=bureau, batch=batch, matter=week["province"], reason="赴省")
        assert entry.leader != du  # away: never suggested
        BatchEntry.objects.filter(pk=entry.pk).update(leader=du)
        with pytest.raises(ValidationError, match="不在岗"):
            batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 9))
    assert Batch.objects.get(pk=batch.pk).state == Batch.State.DRAFT
    assert not Ownership.objects.exists() and not IssuedDocument.objects.exists()


def test_only_the_bureau_edits_batches(county, persona, week):
    with pytest.raises(PermissionDenied):
        batch_create(by=persona("zhouzhuang"), now=at(2026, 11, 2, 8))
    with pytest.raises(PermissionDenied):
        batch_draft_week(county=county, week_from=WEEK[0], week_to=WEEK[1], by=persona("leader"),
                         now=at(2026, 11, 2, 8))  # fmt: skip


def test_a_units_request_to_escalate_is_proposed_with_its_reason_and_met_on_issue(county, persona):
    bureau, zhouzhuang = persona("bureau"), persona("zhouzhuang")
    with frozen(2026, 10, 20):
        matter = new_matter(bureau, county, date=dt.date(2026, 10, 20), responsible=unit(county, "周庄镇"))
    with frozen():
        escalation_request(by=zhouzhuang, matter=matter, reason="涉及多个部门，镇级无法解决")
        with pytest.raises(ValidationError, match="已提请"):
            escalation_request(by=zhouzhuang, matter=matter, reason="再次提请")
        batch, _ = batch_draft_week(county=county, week_from=WEEK[0], week_to=WEEK[1], by=None,
                                    now=at(2026, 11, 2, 8))  # fmt: skip
        entry = batch.entries.get(matter=matter)
        assert entry.reasons == ["周庄镇提请：涉及多个部门，镇级无法解决"]
        batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 9))
    assert Escalation.objects.get(matter=matter).state == Escalation.State.PROPOSED
