"""An owned case: the five 包, owner meetings, closing (销号) with the bureau's confirmation, and the
bureau moving a leader's cases in one step with the history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.petitions.support import S, at, frozen, new_matter
from tests.supervision.support import upload
from xinfang.directory.models import Leader
from xinfang.ownership.models import Closure, OwnerMeeting, Package, PackageEntry
from xinfang.ownership.selectors import empty_packages, package_states
from xinfang.ownership.services import (
    batch_create,
    batch_entry_add,
    batch_issue,
    closure_decide,
    closure_request,
    owner_meeting_add,
    ownerships_reassign,
    package_entry_add,
)
from xinfang.petitions.models import Matter, Ownership


@pytest.fixture
def case(county, persona) -> Ownership:
    """杜文博 owns a wages matter of 周庄镇 through 2026年第1期."""
    bureau = persona("bureau")
    with frozen():
        matter = new_matter(bureau, county, date=dt.date(2026, 10, 27))
        batch = batch_create(by=bureau, now=at(2026, 11, 2, 8))
        batch_entry_add(by=bureau, batch=batch, matter=matter, reason="拖欠工资久拖未决")
        batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 9))
    ownership = Ownership.objects.get(matter=matter, is_current=True)
    assert ownership.leader == persona("leader").leader
    return ownership


def fill(ownership: Ownership, by, packages=tuple(Package)) -> None:
    for package in packages:
        package_entry_add(by=by, ownership=ownership, package=package, date=dt.date(2026, 11, 3),
                          content=f"{package.label}：已开展工作", completes=True)  # fmt: skip


def test_the_owner_records_the_five_packages_and_their_states(case, persona):
    leader = persona("leader")
    with frozen(2026, 11, 3):
        assert [state.state for state in package_states(case)] == ["未开展"] * 5
        package_entry_add(by=leader, ownership=case, package=Package.GRASP, date=dt.date(2026, 11, 3),
                          content="走访信访人，摸清欠薪人数和金额", files=[upload()])  # fmt: skip
        package_entry_add(by=leader, ownership=case, package=Package.SOLVE, date=dt.date(2026, 11, 3),
                          content="协调人社局督促公司支付", completes=True)  # fmt: skip
        states = {state.package: state.state for state in package_states(case)}
    assert states[Package.GRASP] == "进行中" and states[Package.SOLVE] == "已完成"
    assert states[Package.LAW] == "未开展"
    assert empty_packages([case.pk]) == {case.pk: 3}
    assert PackageEntry.objects.get(package=Package.GRASP).attachments.count() == 1


def test_a_future_date_empty_text_or_another_leader_is_refused(case, persona, county):
    with frozen(2026, 11, 3):
        with pytest.raises(ValidationError, match="晚于今天"):
            package_entry_add(by=persona("leader"), ownership=case, package=Package.GRASP,
                              date=dt.date(2026, 11, 4), content="明天的工作")  # fmt: skip
        with pytest.raises(ValidationError, match="工作内容"):
            package_entry_add(by=persona("leader"), ownership=case, package=Package.GRASP,
                              date=dt.date(2026, 11, 3), content="  ")  # fmt: skip
        with pytest.raises(PermissionDenied):
            package_entry_add(by=persona("secretary"), ownership=case, package=Package.GRASP,
                              date=dt.date(2026, 11, 3), content="书记代填")  # fmt: skip
    assert not PackageEntry.objects.exists()


def test_a_meeting_is_recorded_by_the_owner_or_the_bureau(case, persona):
    with frozen(2026, 11, 3):
        owner_meeting_add(by=persona("leader"), ownership=case, date=dt.date(2026, 11, 3), place="周庄镇政府",
                          attendees="杜文博、张建设、镇党委书记", agreed="11月底前支付一半")  # fmt: skip
        owner_meeting_add(by=persona("bureau"), ownership=case, date=dt.date(2026, 11, 3), place="县信访局",
                          attendees="杜文博、张建设", agreed="代领导记录")  # fmt: skip
    assert OwnerMeeting.objects.filter(ownership=case).count() == 2


def test_closing_needs_the_five_packages_the_matter_finished_and_the_bureaus_confirmation(case, persona):
    leader, bureau = persona("leader"), persona("bureau")
    with frozen(2026, 11, 3):
        fill(case, leader, packages=tuple(Package)[:4])
        with pytest.raises(ValidationError, match="还有1项未填报"):
            closure_request(by=leader, ownership=case, note="已化解")
        fill(case, leader, packages=(Package.LAW,))
        with pytest.raises(ValidationError, match="化解或办结后"):
            closure_request(by=leader, ownership=case, note="已化解")
        matter = case.matter
        Matter.objects.filter(pk=matter.pk).update(status=S.RESOLVED, resolved_on=dt.date(2026, 11, 3))
        closure = closure_request(by=leader, ownership=case, note="欠薪已全部支付，信访人签字息诉")
        with pytest.raises(PermissionDenied):
            closure_decide(by=leader, closure=closure, confirm=True)
        with pytest.raises(ValidationError, match="退回理由"):
            closure_decide(by=bureau, closure=closure, confirm=False)
        closure_decide(by=bureau, closure=closure, confirm=True, note="核实无误")
    case.refresh_from_db()
    assert not case.is_current and case.end_reason == Ownership.EndReason.CLOSED
    assert Closure.objects.get().state == Closure.State.CONFIRMED


def test_the_bureau_moves_a_leaders_cases_in_one_step_and_keeps_the_history(case, persona, county):
    bureau = persona("bureau")
    du = persona("leader").leader
    wei = Leader.objects.get(county=county, name="魏振华")
    with frozen(2026, 11, 3):
        with pytest.raises(ValidationError, match="调整理由"):
            ownerships_reassign(by=bureau, leader=du, to=wei, reason="")
        assert ownerships_reassign(by=bureau, leader=du, to=wei, reason="杜文博同志调离") == 1
        with pytest.raises(PermissionDenied):
            ownerships_reassign(by=persona("leader"), leader=wei, to=du, reason="换回")
    rows = list(Ownership.objects.filter(matter=case.matter).order_by("id").values_list(
        "leader__name", "is_current", "end_reason"))  # fmt: skip
    assert rows == [(du.name, False, Ownership.EndReason.REPLACED), (wei.name, True, "")]


def test_to_their_suggestions_each_case_goes_to_another_leader(case, persona):
    bureau = persona("bureau")
    du = persona("leader").leader
    with frozen(2026, 11, 3):
        ownerships_reassign(by=bureau, leader=du, to=None, reason="杜文博同志长期外出学习")
    current = Ownership.objects.get(matter=case.matter, is_current=True)
    assert current.leader != du
