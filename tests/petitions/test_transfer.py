"""The transfer service: 转送/交办, 签收 and 管辖异议 with its 5 working days (up to the calendar's year end),
and what only the bureau may do (SPEC §3–4)."""

from __future__ import annotations

import pytest
import time_machine

from tests.petitions.support import (
    S,
    at,
    audits,
    chinese,
    day,
    frozen,
    new_matter,
    reload,
    snapshot,
    steps,
    transferred,
    unit,
)
from xinfang.calendars.models import CalendarDay, ClosedYear
from xinfang.directory.models import Leader
from xinfang.lib.deadlines import Clock
from xinfang.petitions.models import Assignment, Matter, Ownership
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import EventInput, RegistryError
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.registration import event_add
from xinfang.petitions.services.transfer import (
    assignment_object,
    assignment_receive,
    matter_assign,
    objection_decide,
)
from xinfang.petitions.services.workflow import matter_transition

pytestmark = pytest.mark.django_db


# -- transfer refusals -----------------------------------------------------------------------------


def test_it_keeps_bureau_actions_to_the_bureau(county, bureau, zhouzhuang, renshe, persona):
    leader = Leader.objects.get(county=county, name="杜文博")
    with frozen():
        matter = new_matter(bureau, county, responsible="周庄镇")
        before = snapshot()
        for user in (zhouzhuang, renshe, persona("secretary"), persona("leader")):
            with pytest.raises(RegistryError, match="只有信访局可以转送、交办") as error:
                matter_assign(by=user, matter=matter, unit=unit(county, "县人社局"), kind="transfer")
            chinese(error)
            with pytest.raises(RegistryError, match="只有信访局可以处理管辖异议"):
                objection_decide(by=user, matter=matter, upheld=True, note="同意")
            with pytest.raises(RegistryError, match="只有信访局可以确定包案领导"):
                ownership_assign(by=user, matter=matter, leader=leader)
    assert snapshot() == before
    assert not Ownership.objects.filter(matter=matter).exists()
    assert reload(matter).status == S.REGISTERED


def test_it_refuses_to_transfer_a_matter_to_the_unit_it_reports(county, bureau):
    with frozen():
        matter = new_matter(
            bureau,
            county,
            purpose=Matter.Purpose.ACCUSATION,
            reported=("县人社局",),
            content="举报人社局工作人员",
        )
        before = snapshot()
        with pytest.raises(RegistryError, match="不得转送给被反映的单位办理") as error:
            matter_assign(by=bureau, matter=matter, unit=unit(county, "县人社局"), kind="assign")
        assert chinese(error) and error.value.field == "unit"
        assert snapshot() == before
        with pytest.raises(RegistryError, match="请选择转送或交办"):
            matter_assign(by=bureau, matter=matter, unit=unit(county, "县住建局"), kind="mail")
        matter_assign(by=bureau, matter=matter, unit=unit(county, "县住建局"), kind="assign")
    assert reload(matter).responsible_unit.name == "县住建局"


def test_it_refuses_to_accept_a_transferred_matter_before_signing_for_it(persona, county):
    bureau, renshe = persona("bureau"), persona("renshe")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        matter = new_matter(bureau, county, township="城关镇")
        matter_assign(by=bureau, matter=matter, unit=unit(county, "县人社局"), kind="transfer")
        with pytest.raises(RegistryError, match="请先签收"):
            matter_transition(by=renshe, matter=matter, to=S.ACCEPTED)
        assignment_receive(by=renshe, matter=matter)
        assignment_object(by=renshe, matter=matter, reason="不属本单位职责")
        with pytest.raises(RegistryError, match="管辖异议尚待信访局处理"):
            matter_transition(by=renshe, matter=matter, to=S.ACCEPTED)


def test_a_unit_cannot_dispose_of_a_matter_that_is_only_registered(persona, county):
    bureau, renshe = persona("bureau"), persona("renshe")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        matter = new_matter(bureau, county, responsible="县人社局")
        for target in (S.ACCEPTED, S.REJECTED):
            with pytest.raises(RegistryError, match="只有信访局或承办单位"):
                matter_transition(by=renshe, matter=matter, to=target, reason="不属实")
        with pytest.raises(RegistryError, match="只有信访局可以登记信访批次"):
            event_add(by=renshe, matter=matter, event=EventInput(day(2026, 11, 2), "visit", "beijing", 50))
    assert reload(matter).status == S.REGISTERED
    assert reload(matter).event_count == 1


# -- jurisdiction objections -----------------------------------------------------------------------


def test_it_refuses_an_objection_after_the_5_working_days(county, bureau, renshe):
    with frozen(2026, 9, 28) as traveller:
        late = transferred(county, bureau, renshe, traveller, received_on=at(2026, 9, 29))
        assert Assignment.objects.get(matter=late).objection_due == day(2026, 10, 12)
        traveller.move_to(at(2026, 10, 13))
        before = snapshot()
        with pytest.raises(RegistryError, match="异议期限已过（截止2026年10月12日）") as error:
            assignment_object(by=renshe, matter=late, reason="应由县住建局办理")
        chinese(error)
        assert snapshot() == before
        assert Assignment.objects.get(matter=late).state == Assignment.State.RECEIVED

    with frozen(2026, 9, 28) as traveller:
        last_day = transferred(county, bureau, renshe, traveller, received_on=at(2026, 9, 29))
        traveller.move_to(at(2026, 10, 12))
        with pytest.raises(RegistryError, match="请说明异议理由"):
            assignment_object(by=renshe, matter=last_day, reason=" ")
        objected = assignment_object(by=renshe, matter=last_day, reason="应由县住建局办理")
    assert objected.state == Assignment.State.OBJECTED
    assert Assignment.objects.get(matter=last_day).objection_reason == "应由县住建局办理"
    assert len(audits(last_day, "matter.object")) == 1


def test_it_sends_the_matter_back_when_the_objection_is_upheld(county, bureau, renshe):
    with frozen(2026, 9, 28) as traveller:
        matter = transferred(county, bureau, renshe, traveller, received_on=at(2026, 9, 29))
        traveller.move_to(at(2026, 9, 30))
        assignment_object(by=renshe, matter=matter, reason="应由县住建局办理")
        with pytest.raises(RegistryError, match="请填写处理意见"):
            objection_decide(by=bureau, matter=matter, upheld=True, note="")
        traveller.move_to(at(2026, 10, 8))
        decided = objection_decide(by=bureau, matter=matter, upheld=True, note="异议成立，改由住建局办理")

        assert decided.state == Assignment.State.OBJECTION_UPHELD and not decided.is_current
        stored_assignment = Assignment.objects.get(pk=decided.pk)
        assert stored_assignment.state == Assignment.State.OBJECTION_UPHELD
        assert not stored_assignment.is_current
        assert stored_assignment.decision_note == "异议成立，改由住建局办理"
        stored = reload(matter)
        assert stored.status == S.REGISTERED and stored.responsible_unit is None
        assert (stored.clock, stored.clock_started, stored.due_date) == (
            Clock.DISPOSE, day(2026, 10, 8), day(2026, 10, 23),
        )  # fmt: skip
        assert steps(matter)[-1] == (S.TRANSFERRED, S.REGISTERED)
        [record] = audits(matter, "matter.objection_decide")
        assert record.changes["upheld"] is True and record.actor == bureau
        assert not matters_for_user(user=renshe).filter(pk=matter.pk).exists()
        with pytest.raises(RegistryError, match="不在您的管辖范围内"):
            matter_transition(by=renshe, matter=matter, to=S.ACCEPTED)

        again = matter_assign(by=bureau, matter=matter, unit=unit(county, "县住建局"), kind="assign")
    assert list(Assignment.objects.filter(matter=matter, is_current=True)) == [again]
    assert reload(matter).status == S.TRANSFERRED


def test_it_keeps_the_matter_with_the_unit_when_the_objection_is_rejected(county, bureau, renshe):
    with frozen(2026, 9, 28) as traveller:
        matter = transferred(county, bureau, renshe, traveller, received_on=at(2026, 9, 29))
        assignment_object(by=renshe, matter=matter, reason="不归我局管辖")
        due_before = reload(matter).due_date
        decided = objection_decide(by=bureau, matter=matter, upheld=False, note="属人社局职责，请依法办理")
        with pytest.raises(RegistryError, match="没有待处理的管辖异议"):
            objection_decide(by=bureau, matter=matter, upheld=True, note="改判")
        with pytest.raises(RegistryError, match="请先签收"):
            assignment_object(by=renshe, matter=matter, reason="再次异议")
    stored_assignment = Assignment.objects.get(pk=decided.pk)
    assert stored_assignment.state == Assignment.State.OBJECTION_REJECTED and stored_assignment.is_current
    stored = reload(matter)
    assert stored.status == S.TRANSFERRED and stored.responsible_unit.name == "县人社局"
    assert stored.due_date == due_before
    assert steps(matter)[-1] == (S.REGISTERED, S.TRANSFERRED)
    assert audits(matter, "matter.objection_decide")[0].changes["upheld"] is False


def test_it_refuses_an_objection_once_the_unit_has_accepted_the_matter(county, bureau, renshe):
    with frozen(2026, 9, 28) as traveller:
        matter = transferred(county, bureau, renshe, traveller, received_on=at(2026, 9, 29))
        matter_transition(by=renshe, matter=matter, to=S.ACCEPTED)
        with pytest.raises(RegistryError):
            assignment_object(by=renshe, matter=matter, reason="其实不归我局管辖")


# -- the calendar's edge ---------------------------------------------------------------------------


def test_a_receipt_at_the_year_end_waits_for_the_next_years_calendar(county, bureau, renshe):
    from xinfang.lib.deadlines import HENAN, Clock, due_date
    from xinfang.lib.workdays import UnknownYear, WorkCalendar

    with pytest.raises(UnknownYear, match="xinfang calendar"):
        due_date(Clock.OBJECTION, day(2026, 12, 28), HENAN, WorkCalendar())
    with frozen(2026, 12, 28):  # a Monday: the 5 working days run into 2027
        matter = new_matter(bureau, county, date=day(2026, 12, 28))
        matter_assign(by=bureau, matter=matter, unit=unit(county, "县人社局"), kind="transfer")
        received = assignment_receive(by=renshe, matter=matter)
        assert received.state == Assignment.State.RECEIVED
        assert received.objection_due is None  # not a guess: pending until 2027 is entered

        CalendarDay.objects.create(day=day(2027, 1, 1), is_workday=False, note="元旦")
        ClosedYear.objects.create(year=2027)
    # 29, 30, 31 December, then 元旦 (Friday) and the weekend are skipped: 4 and 5 January.
    with frozen(2027, 1, 6), pytest.raises(RegistryError, match="异议期限已过（截止2027年01月05日）"):
        assignment_object(by=renshe, matter=matter, reason="不属本单位")
    with frozen(2027, 1, 5):
        assert (
            assignment_object(by=renshe, matter=matter, reason="不属本单位").state
            == Assignment.State.OBJECTED
        )
