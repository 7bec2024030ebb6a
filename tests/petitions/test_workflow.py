"""The workflow service: the status flow with its statutory clocks (national 2022 and Henan profiles), the
steps it refuses, 延期 and 评价, back-dating and a lapsed review window (SPEC §3–4)."""

from __future__ import annotations

import pytest
import time_machine

from tests.petitions.support import (
    S,
    accepted_matter,
    at,
    audits,
    chinese,
    day,
    frozen,
    henan,
    new_matter,
    reload,
    snapshot,
    steps,
    unit,
)
from xinfang.lib.deadlines import Clock
from xinfang.petitions.models import Assignment, Extension, Rating, Stage
from xinfang.petitions.selectors import MatterFilter, matters_filtered, matters_for_user
from xinfang.petitions.services.common import RegistryError
from xinfang.petitions.services.transfer import assignment_object, assignment_receive, matter_assign
from xinfang.petitions.services.workflow import (
    ReviewInput,
    extension_decide,
    extension_request,
    matter_rate,
    matter_transition,
    review_hearing,
)

pytestmark = pytest.mark.django_db


# -- the status flow -------------------------------------------------------------------------------


def test_it_walks_the_national_flow_from_registration_to_closing_after_re_review(county, bureau, renshe):
    renshe_unit = unit(county, "县人社局")
    with frozen(2026, 9, 28) as traveller:
        matter = new_matter(bureau, county, date=day(2026, 9, 28))
        assert reload(matter).due_date == day(2026, 10, 13)

        assignment = matter_assign(by=bureau, matter=matter, unit=renshe_unit, kind=Assignment.Kind.TRANSFER)
        assert assignment.state == Assignment.State.SENT and assignment.is_current
        stored = reload(matter)
        assert stored.status == S.TRANSFERRED and stored.responsible_unit == renshe_unit
        assert (stored.clock, stored.clock_started, stored.due_date) == (
            Clock.ACCEPT_NOTICE, day(2026, 9, 28), day(2026, 10, 13),
        )  # fmt: skip
        [record] = audits(matter, "matter.assign")
        assert record.actor == bureau and record.changes == {
            "unit": [None, "县人社局"],
            "kind": "transfer",
            "status": ["registered", "transferred"],
        }

        # Signed for on Tuesday 29 September: the 5 working days skip 国庆 (1–7 Oct) and count the
        # make-up Saturday 10 October: 30 Sep, 8 Oct, 9 Oct, 10 Oct, 12 Oct.
        traveller.move_to(at(2026, 9, 29))
        received = assignment_receive(by=renshe, matter=matter)
        assert received.state == Assignment.State.RECEIVED
        assert received.objection_due == day(2026, 10, 12)
        stored_assignment = Assignment.objects.get(pk=assignment.pk)
        assert stored_assignment.objection_due == day(2026, 10, 12)
        assert stored_assignment.received_at == at(2026, 9, 29)
        assert len(audits(matter, "matter.receive")) == 1

        traveller.move_to(at(2026, 10, 9))
        matter_transition(by=renshe, matter=matter, to=S.ACCEPTED)
        stored = reload(matter)
        assert stored.status == S.ACCEPTED and stored.accepted_on == day(2026, 10, 9)
        assert (stored.clock, stored.due_date) == (Clock.HANDLE, day(2026, 12, 8))  # + 60 days

        traveller.move_to(at(2026, 10, 12))
        matter_transition(by=renshe, matter=matter, to=S.IN_PROGRESS, reason="已约谈用工单位")
        assert reload(matter).due_date == day(2026, 12, 8)  # the handling clock keeps running

        traveller.move_to(at(2026, 10, 20))
        result = matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="  已责令支付拖欠工资。 ")
        assert result.status == S.ANSWERED
        stored = reload(matter)
        assert (stored.answer, stored.answered_on) == ("已责令支付拖欠工资。", day(2026, 10, 20))
        assert (stored.clock, stored.due_date) == (Clock.REVIEW_REQUEST, day(2026, 11, 19))

        traveller.move_to(at(2026, 10, 30))
        county_government = ReviewInput(requested_on=day(2026, 10, 29), organ_name="宝丰县人民政府")
        matter_transition(
            by=bureau, matter=matter, to=S.REVIEW, reason="信访人不服，请求复查", review=county_government
        )
        stored = reload(matter)
        assert (stored.status, stored.stage) == (S.REVIEW, Stage.INITIAL)
        # Decided within 30 days of the request: they end on Saturday 28 November, so on Monday the 30th.
        assert (stored.clock, stored.due_date) == (Clock.REVIEW_DECIDE, day(2026, 11, 30))

        traveller.move_to(at(2026, 11, 12))
        matter_transition(
            by=bureau, matter=matter, to=S.ANSWERED, answer="复查意见：维持原答复", on=day(2026, 11, 10),
            delivered_on=day(2026, 11, 12),
        )  # fmt: skip
        stored = reload(matter)
        assert (stored.status, stored.stage, stored.answered_on, stored.answer_delivered_on) == (
            S.ANSWERED, Stage.REVIEW, day(2026, 11, 10), day(2026, 11, 12),
        )  # fmt: skip
        # The re-review window runs from delivery: 30 days end on Saturday 12 December.
        assert (stored.clock, stored.due_date) == (Clock.RE_REVIEW_REQUEST, day(2026, 12, 14))

        traveller.move_to(at(2026, 11, 20))
        same_organ = ReviewInput(requested_on=day(2026, 11, 20), organ_name="宝丰县人民政府")
        with pytest.raises(RegistryError, match="不能是作出复查意见的机关"):
            matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, review=same_organ)
        city = ReviewInput(
            requested_on=day(2026, 11, 20), organ_name="平顶山市人民政府", document_number="平政复〔2026〕8号"
        )
        matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="信访人请求复核", review=city)
        stored = reload(matter)
        assert (stored.status, stored.stage) == (S.RE_REVIEW, Stage.RE_REVIEW)
        assert (stored.clock, stored.due_date) == (Clock.RE_REVIEW_DECIDE, day(2026, 12, 21))

        traveller.move_to(at(2026, 12, 15))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复核意见：维持复查意见")
        stored = reload(matter)
        # The decision of 复核, the last review: 终结 (三级终结), nothing left to wait for.
        assert (stored.status, stored.stage) == (S.CLOSED, Stage.RE_REVIEW)
        assert (stored.clock, stored.clock_started, stored.due_date) == ("", None, None)
        with pytest.raises(RegistryError, match="当前状态为“终结”"):
            matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="再次请求")
    reviews = list(matter.reviews.order_by("requested_on"))
    assert [(r.stage, r.organ, r.requested_on, r.decided_on) for r in reviews] == [
        (Stage.REVIEW, "宝丰县人民政府", day(2026, 10, 29), day(2026, 11, 10)),
        (Stage.RE_REVIEW, "平顶山市人民政府", day(2026, 11, 20), day(2026, 12, 15)),
    ]
    assert reviews[1].document_number == "平政复〔2026〕8号" and reviews[0].delivered_on == day(2026, 11, 12)

    assert steps(matter) == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.TRANSFERRED),
        (S.TRANSFERRED, S.ACCEPTED),
        (S.ACCEPTED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.ANSWERED),
        (S.ANSWERED, S.REVIEW),
        (S.REVIEW, S.ANSWERED),
        (S.ANSWERED, S.RE_REVIEW),
        (S.RE_REVIEW, S.CLOSED),
    ]
    transitions = list(matter.transitions.order_by("at", "id"))
    assert [t.by.username for t in transitions[2:5]] == ["renshe"] * 3
    assert transitions[1].reason == "转送至县人社局"
    assert transitions[4].reason.strip() == "已责令支付拖欠工资。"
    records = audits(matter, "matter.transition")
    assert [r.changes["status"] for r in records] == [[a, b] for a, b in steps(matter)[2:]]
    assert records[0].actor == renshe and records[0].changes["on"] == "2026-10-09"


def test_it_ends_at_review_under_the_henan_profile(county, bureau, renshe):
    henan(county)
    with frozen(2026, 9, 28) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 9, 28))
        stored = reload(matter)
        assert (stored.clock, stored.due_date) == (Clock.HANDLE, day(2026, 10, 28))  # + 30 days
        traveller.move_to(at(2026, 10, 10))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已答复")
        traveller.move_to(at(2026, 10, 20))
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, reason="请求复查", review=GOVERNMENT)
        traveller.move_to(at(2026, 11, 2))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复查意见")
        stored = reload(matter)
        assert (stored.stage, stored.status, stored.clock) == (Stage.REVIEW, S.CLOSED, "")  # 复查 ends it

        before = snapshot()
        with pytest.raises(RegistryError, match="当前状态为“终结”"):
            matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="请求复核", review=GOVERNMENT)
        assert snapshot() == before
    assert steps(matter)[-1] == (S.REVIEW, S.CLOSED)


def test_it_starts_no_re_review_clock_under_the_henan_profile(county, bureau, renshe):
    henan(county)
    with frozen(2026, 9, 28) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 9, 28))
        traveller.move_to(at(2026, 10, 10))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已答复")
        traveller.move_to(at(2026, 10, 20))
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, reason="请求复查", review=GOVERNMENT)
        traveller.move_to(at(2026, 11, 2))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复查意见")
    stored = reload(matter)
    assert stored.clock != Clock.RE_REVIEW_REQUEST
    assert stored.due_date is None or stored.due_date > day(2026, 11, 2)


def test_it_resolves_an_answered_matter(county, bureau, renshe):
    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        traveller.move_to(at(2026, 10, 26))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="工资已全部支付")
        traveller.move_to(at(2026, 11, 2))
        matter_transition(by=renshe, matter=matter, to=S.RESOLVED, reason="信访人签字息访")
    stored = reload(matter)
    assert stored.status == S.RESOLVED and stored.resolved_on == day(2026, 11, 2)
    # 已化解 does not cut off the petitioner's right to ask for 复查 within the window.
    assert (stored.clock, stored.due_date) == (Clock.REVIEW_REQUEST, day(2026, 11, 25))
    assert steps(matter) == [
        ("", S.REGISTERED), (S.REGISTERED, S.ACCEPTED), (S.ACCEPTED, S.ANSWERED), (S.ANSWERED, S.RESOLVED),
    ]  # fmt: skip
    assert len(audits(matter, "matter.transition")) == 3


# -- refusals --------------------------------------------------------------------------------------


GOVERNMENT = ReviewInput(requested_on=day(2026, 10, 20), organ_name="宝丰县人民政府")
GOVERNMENT_LATER = ReviewInput(requested_on=day(2026, 11, 20), organ_name="宝丰县人民政府")


@pytest.mark.parametrize("target", [S.ANSWERED, S.RESOLVED, S.CLOSED, S.REVIEW, S.RE_REVIEW, S.IN_PROGRESS])
def test_it_refuses_to_jump_from_registered(county, bureau, target):
    with frozen():
        matter = new_matter(bureau, county, responsible="县人社局")
        before = snapshot()
        with pytest.raises(RegistryError, match=f"当前状态为“登记”，不能改为“{S(target).label}”") as error:
            matter_transition(by=bureau, matter=matter, to=target, reason="理由", answer="答复")
    chinese(error)
    assert snapshot() == before
    assert reload(matter).status == S.REGISTERED


def test_a_resolved_matter_may_still_be_reviewed_within_the_window_and_nothing_else(county, bureau, renshe):
    with frozen() as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 11, 2))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        matter_transition(by=renshe, matter=matter, to=S.RESOLVED)
        before = snapshot()
        for target in set(S.values) - {S.REVIEW, S.RE_REVIEW}:
            with pytest.raises(RegistryError, match="当前状态为“已化解”") as error:
                matter_transition(by=bureau, matter=matter, to=target, reason="理由", answer="答复")
            chinese(error)
        with pytest.raises(RegistryError, match="当前状态为“已化解”"):
            matter_assign(
                by=bureau, matter=matter, unit=unit(county, "县住建局"), kind=Assignment.Kind.ASSIGN
            )
        assert snapshot() == before
        traveller.move_to(at(2026, 11, 20))
        reviewed = matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=GOVERNMENT_LATER)
    assert reviewed.status == S.REVIEW and reviewed.resolved_on == day(2026, 11, 2)


def test_it_refuses_a_rejection_without_reason_and_an_answer_without_text(county, bureau, renshe):
    with frozen():
        matter = new_matter(bureau, county, responsible="县人社局")
        before = snapshot()
        with pytest.raises(RegistryError, match="不予受理须说明理由") as error:
            matter_transition(by=bureau, matter=matter, to=S.REJECTED, reason="  ")
        assert chinese(error) and error.value.field == "reason"
        assert snapshot() == before

        matter_transition(by=bureau, matter=matter, to=S.ACCEPTED)
        before = snapshot()
        with pytest.raises(RegistryError, match="请填写答复意见") as error:
            matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer=" \n")
        assert chinese(error) and error.value.field == "answer"
        assert snapshot() == before
        assert reload(matter).status == S.ACCEPTED

        other = new_matter(bureau, county)
        matter_transition(by=bureau, matter=other, to=S.REJECTED, reason="不属于信访事项")
    rejected = reload(other)
    assert rejected.status == S.REJECTED and rejected.clock == "" and rejected.due_date is None


def test_it_refuses_unit_users_acting_on_another_units_matter(county, bureau, zhouzhuang, renshe):
    with frozen():
        # From 周庄镇 but handled by 县人社局: the township sees it but does not handle it.
        matter = new_matter(bureau, county, township="周庄镇", responsible="县人社局")
        assert matters_for_user(user=zhouzhuang).filter(pk=matter.pk).exists()
        before = snapshot()
        with pytest.raises(RegistryError, match="只有信访局或承办单位可以办理该事项") as error:
            matter_transition(by=zhouzhuang, matter=matter, to=S.ACCEPTED)
        chinese(error)
        assert snapshot() == before
        assignment_matter = new_matter(bureau, county)
        matter_assign(by=bureau, matter=assignment_matter, unit=unit(county, "县人社局"), kind="transfer")
        before = snapshot()
        with pytest.raises(RegistryError, match="只有承办单位可以签收或提出异议") as error:
            assignment_receive(by=zhouzhuang, matter=assignment_matter)
        chinese(error)
        with pytest.raises(RegistryError, match="请先签收"):
            assignment_object(by=renshe, matter=assignment_matter, reason="不归我局管辖")
    assert snapshot() == before
    assert reload(matter).status == S.REGISTERED


# -- extension -------------------------------------------------------------------------------------


def test_the_handling_unit_asks_and_its_own_head_approves_once_within_the_handling_time(
    county, bureau, head, renshe, zhouzhuang, persona
):
    """Art. 34: the handling organ's 负责人 approves: 县人社局's head, not the bureau head."""
    renshe_head = persona("renshe_head")
    with frozen(2026, 10, 12) as traveller:
        not_accepted = new_matter(bureau, county, date=day(2026, 10, 12), responsible="县人社局")
        with pytest.raises(RegistryError, match="只有处于办理期限内的事项可以延期"):
            extension_request(by=renshe, matter=not_accepted, days=10, reason="案情复杂")

        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        assert reload(matter).due_date == day(2026, 12, 11)
        traveller.move_to(at(2026, 11, 2))
        before = snapshot()
        refusals = [
            ({"by": bureau}, "延期由承办单位申请"),
            ({"by": zhouzhuang}, "延期由承办单位申请"),
            ({"days": 31}, "延长天数应为1至30天"),
            ({"days": 0}, "延长天数应为1至30天"),
            ({"reason": "  "}, "请填写延期理由"),
        ]
        for overrides, message in refusals:
            kwargs = {"by": renshe, "days": 30, "reason": "涉及多个部门，需要核实"} | overrides
            with pytest.raises(RegistryError, match=message) as error:
                extension_request(matter=matter, **kwargs)
            chinese(error)
        assert snapshot() == before and not Extension.objects.exists()

        request = extension_request(by=renshe, matter=matter, days=30, reason="涉及多个部门，需要核实")
        with pytest.raises(RegistryError, match="已有待批准的延期申请"):
            extension_request(by=renshe, matter=matter, days=5, reason="再申请")
        assert reload(matter).due_date == day(2026, 12, 11)  # asked, not yet approved
        decisions = [
            ({"by": head}, "延期须由承办单位负责人批准"),
            ({"by": renshe}, "延期须由承办单位负责人批准"),
            ({"petitioner_notified": False}, "批准延期须告知信访人延期理由"),
            ({"approve": False}, "不批准须说明理由"),
        ]
        for overrides, message in decisions:
            kwargs = {"by": renshe_head, "approve": True, "petitioner_notified": True} | overrides
            with pytest.raises(RegistryError, match=message) as error:
                extension_decide(extension=request, **kwargs)
            chinese(error)
        approved = extension_decide(by=renshe_head, extension=request, approve=True, petitioner_notified=True)
        with pytest.raises(RegistryError, match="办理期限只能延长一次"):
            extension_request(by=renshe, matter=matter, days=1, reason="再延")
    assert (approved.state, approved.days, approved.requested_by, approved.decided_by) == (
        "approved", 30, renshe, renshe_head,
    )  # fmt: skip
    assert approved.petitioner_notified
    stored = reload(matter)
    assert stored.extension_days == 30
    assert (stored.clock, stored.clock_started, stored.due_date) == (
        Clock.HANDLE, day(2026, 10, 12), day(2027, 1, 10),
    )  # fmt: skip
    [asked] = audits(matter, "matter.extension_request")
    [decided] = audits(matter, "matter.extension_decide")
    assert asked.actor == renshe and decided.actor == renshe_head and decided.changes["days"] == 30


def test_no_extension_after_the_handling_deadline_and_an_overdue_matter_stays_overdue(
    county, bureau, renshe, persona
):
    """The issue's case: accepted 2026-03-02, due in early May; on 05-20 it can no longer be extended."""
    renshe_head = persona("renshe_head")
    with frozen(2026, 3, 2) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 3, 2))
        due = reload(matter).due_date
        assert due == day(2026, 5, 6)  # 60 days end on 1 May, in the Labour Day holiday (1–5 May)
        traveller.move_to(at(2026, 4, 30))
        request = extension_request(by=renshe, matter=matter, days=30, reason="需要补充调查")
        traveller.move_to(at(2026, 5, 20))
        before = snapshot()
        with pytest.raises(RegistryError, match="办理期限已于2026年05月06日届满，不能再批准延期") as late:
            extension_decide(by=renshe_head, extension=request, approve=True, petitioner_notified=True)
        assert "第三十四条" in chinese(late)
        with pytest.raises(RegistryError, match="不能再申请延期"):
            extension_request(by=renshe, matter=reload(matter), days=30, reason="需要补充调查")
        assert snapshot() == before
        stored = reload(matter)
        assert stored.due_date == due and stored.extension_days == 0
        overdue = matters_filtered(user=bureau, filters=MatterFilter(overdue=True))
        assert list(overdue.values_list("pk", flat=True)) == [matter.pk]


def test_the_bureau_head_approves_only_the_matters_the_bureau_handles_itself(county, bureau, head, persona):
    with frozen(2026, 10, 12):
        own = new_matter(bureau, county, date=day(2026, 10, 12), responsible="县信访局")
        own = matter_transition(by=bureau, matter=own, to=S.ACCEPTED, on=day(2026, 10, 12))
        with pytest.raises(RegistryError, match="延期由承办单位申请"):
            extension_request(by=persona("xinfang"), matter=own, days=10, reason="需要会商")
        request = extension_request(by=bureau, matter=own, days=10, reason="需要会商")
        with pytest.raises(RegistryError, match="本局办理的事项，延期由信访局长批准"):
            extension_decide(by=persona("xinfang"), extension=request, approve=True, petitioner_notified=True)
        extension_decide(by=head, extension=request, approve=True, petitioner_notified=True)
    assert reload(own).extension_days == 10


def test_the_pages_offer_the_request_to_the_unit_and_the_decision_to_its_head(
    county, bureau, renshe, client_for
):
    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        traveller.move_to(at(2026, 11, 2))
        page = f"/matters/{matter.pk}/"
        assert "提交延期申请" in client_for("renshe").get(page).content.decode()
        for who in ("bureau", "bureau_head", "zhouzhuang"):
            assert "提交延期申请" not in client_for(who).get(page).content.decode(), who
        asked = client_for("renshe").post(f"{page}extend/", {"days": "20", "reason": "需要现场核实"})
        assert asked.status_code == 302
        assert "审批延期申请" not in client_for("bureau_head").get(page).content.decode()
        shown = client_for("renshe_head").get(page).content.decode()
        assert "审批延期申请" in shown and "需要现场核实" in shown
        refused = client_for("bureau_head").post(
            f"{page}extension/", {"approve": "1", "petitioner_notified": "on"}
        )
        assert refused.status_code == 422 and "延期须由承办单位负责人批准" in refused.content.decode()
        approved = client_for("renshe_head").post(
            f"{page}extension/", {"approve": "1", "petitioner_notified": "on"}
        )
        assert approved.status_code == 302
    assert reload(matter).due_date == day(2026, 12, 31)
    assert "已批准" in client_for("renshe").get(page).content.decode()


def test_a_refused_request_leaves_the_deadline_and_a_new_one_may_be_made(county, bureau, renshe, persona):
    with frozen(2026, 10, 12):
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        first = extension_request(by=renshe, matter=matter, days=30, reason="涉及多个部门")
        refused = extension_decide(
            by=persona("renshe_head"), extension=first, approve=False, note="理由不充分"
        )
        assert (refused.state, refused.decision_note) == ("refused", "理由不充分")
        assert reload(matter).due_date == day(2026, 12, 11)
        second = extension_request(by=renshe, matter=matter, days=15, reason="已补充材料，仍需核实")
        assert second.state == "requested"


def test_it_allows_up_to_60_days_of_extension_under_the_henan_profile(county, bureau, renshe, persona):
    henan(county)
    with frozen(2026, 10, 12):
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        assert reload(matter).due_date == day(2026, 11, 11)
        with pytest.raises(RegistryError, match="延长天数应为1至60天"):
            extension_request(by=renshe, matter=matter, days=61, reason="案情复杂")
        request = extension_request(by=renshe, matter=matter, days=60, reason="案情复杂")
        extension_decide(by=persona("renshe_head"), extension=request, approve=True, petitioner_notified=True)
    assert reload(matter).due_date == day(2027, 1, 10)  # 90 days after acceptance in all


# -- rating ----------------------------------------------------------------------------------------


def test_it_takes_one_rating_within_the_window_after_the_answer(county, bureau, renshe):
    with frozen(2026, 11, 2) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 11, 2))
        with pytest.raises(RegistryError, match="事项答复后才能评价") as error:
            matter_rate(matter=matter, bureau_score="satisfied", unit_score="satisfied")
        chinese(error)
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        traveller.move_to(at(2026, 11, 17, 23))  # the 15th day after the answer, late evening
        with pytest.raises(RegistryError, match="请选择满意、基本满意或不满意"):
            matter_rate(matter=matter, bureau_score="great", unit_score="satisfied")
        rating = matter_rate(
            matter=matter, bureau_score="satisfied", unit_score="basically", comment=" 还行 "
        )
        with pytest.raises(RegistryError, match="该事项已评价过"):
            matter_rate(matter=matter, bureau_score="dissatisfied", unit_score="dissatisfied")
    stored = Rating.objects.get(matter=matter)
    assert stored == rating
    assert (stored.bureau_score, stored.unit_score, stored.comment) == ("satisfied", "basically", "还行")
    [record] = audits(matter, "matter.rate")
    assert record.actor is None and record.actor_name == "信访人"
    assert record.changes == {"bureau": "satisfied", "unit": "basically"}


def test_it_refuses_a_rating_after_the_15_day_window(county, bureau, renshe):
    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        traveller.move_to(at(2026, 10, 28, 8))  # 16 days after the answer
        before = snapshot()
        with pytest.raises(RegistryError, match="已超过评价期限") as error:
            matter_rate(matter=matter, bureau_score="satisfied", unit_score="satisfied")
    chinese(error)
    assert snapshot() == before
    assert not Rating.objects.filter(matter=matter).exists()


# -- dates and windows -----------------------------------------------------------------------------


def test_a_lapsed_review_window_is_not_counted_as_overdue(persona, county):
    from xinfang.petitions.selectors import MatterFilter, matters_search, todo_counts

    bureau = persona("bureau")
    with time_machine.travel(at(2026, 9, 1), tick=False):
        matter = accepted_matter(county, bureau, persona("renshe"), on=day(2026, 9, 1))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="已答复")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        due = reload(matter).due_date
        assert due is not None
        assert due < day(2026, 11, 2)
        assert (
            not matters_search(user=bureau, filters=MatterFilter(overdue=True)).filter(pk=matter.pk).exists()
        )
        counts = {item.queue.key: item.count for item in todo_counts(user=bureau)}
        assert counts["overdue"] == 0


def test_a_step_cannot_be_back_dated_beyond_a_week_or_before_the_previous_step(persona, county):
    bureau = persona("bureau")
    with time_machine.travel(at(2026, 11, 20), tick=False):
        matter = new_matter(bureau, county, date=day(2026, 11, 18), responsible="县人社局")
        with pytest.raises(RegistryError, match="最多只能早于今天7天"):
            matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=day(1990, 1, 1))
        with pytest.raises(RegistryError, match="不能早于"):
            matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=day(2026, 11, 17))
        accepted = matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=day(2026, 11, 20))
    assert accepted.accepted_on == day(2026, 11, 20)


def test_a_lapsed_review_window_concludes_the_matter_on_the_next_working_day(county, bureau, renshe):
    """办结: the answer was delivered and no 复查 was asked within 30 days; 已化解 keeps its status."""
    from xinfang.jobs.services import scheduler_tick
    from xinfang.petitions.closing import review_windows_job
    from xinfang.registry import JOBS

    with frozen(2026, 10, 12) as traveller:
        answered = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        matter_transition(by=renshe, matter=answered, to=S.ANSWERED, answer="已支付")
        resolved = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        matter_transition(by=renshe, matter=resolved, to=S.ANSWERED, answer="已支付")
        matter_transition(by=renshe, matter=resolved, to=S.RESOLVED, reason="息访")
        traveller.move_to(at(2026, 10, 20))
        later = accepted_matter(county, bureau, renshe, on=day(2026, 10, 20))
        matter_transition(by=renshe, matter=later, to=S.ANSWERED, answer="已支付")
        assert reload(answered).due_date == day(2026, 11, 11)
        traveller.move_to(at(2026, 11, 11, 23))
        assert review_windows_job(county=county, day=day(2026, 11, 11), now=at(2026, 11, 11, 23)) == (
            "没有期限届满的事项"
        )
        traveller.move_to(at(2026, 11, 12, 8))
        scheduler_tick(jobs=JOBS)
    assert (reload(answered).status, reload(answered).clock) == (S.CONCLUDED, "")
    assert (reload(resolved).status, reload(resolved).clock) == (S.RESOLVED, "")
    assert reload(later).status == S.ANSWERED and reload(later).clock == Clock.REVIEW_REQUEST
    assert steps(answered)[-1] == (S.ANSWERED, S.CONCLUDED)
    [record] = audits(answered, "matter.window_lapsed")
    assert record.actor_name == "system" and record.changes["status"] == ["answered", "concluded"]


def test_only_the_bureau_records_a_review_never_the_handling_unit(county, bureau, renshe, persona):
    from django.core.exceptions import PermissionDenied

    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        traveller.move_to(at(2026, 10, 20))
        before = snapshot()
        for unit_user in (renshe, persona("renshe_head")):
            with pytest.raises(PermissionDenied, match="承办单位不能登记对本单位答复的复查"):
                matter_transition(by=unit_user, matter=matter, to=S.REVIEW, review=GOVERNMENT)
        own = ReviewInput(requested_on=day(2026, 10, 20), organ_unit=unit(county, "县人社局"))
        with pytest.raises(RegistryError, match="不能是承办单位本身"):
            matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=own)
        with pytest.raises(RegistryError, match="请选择复查"):
            matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=ReviewInput(day(2026, 10, 20)))
        assert snapshot() == before
        traveller.move_to(at(2026, 11, 13))
        late = ReviewInput(requested_on=day(2026, 11, 12), organ_name="宝丰县人民政府")  # 31 days after
        with pytest.raises(RegistryError, match="复查请求已超过期限"):
            matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=late)
        in_time = ReviewInput(requested_on=day(2026, 11, 10), organ_unit=unit(county, "县司法局"))
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=in_time)
    assert reload(matter).status == S.REVIEW


def test_the_pages_record_the_delivery_and_the_review_and_refuse_the_unit_403(
    county, bureau, renshe, client_for
):
    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        page = f"/matters/{matter.pk}/"
        traveller.move_to(at(2026, 10, 14))
        answered = client_for("renshe").post(f"{page}transition/", {
            "to": "answered", "answer": "已支付", "on": "2026-10-12", "delivered_on": "2026-10-14",
        })  # fmt: skip
        assert answered.status_code == 302
        assert reload(matter).due_date == day(2026, 11, 13)  # 30 days from delivery
        traveller.move_to(at(2026, 10, 20))
        review = {"to": "review", "requested_on": "2026-10-19", "organ_name": "宝丰县人民政府"}
        assert client_for("renshe").post(f"{page}transition/", review).status_code == 403
        assert client_for("bureau").post(f"{page}transition/", review).status_code == 302
        shown = client_for("bureau").get(page).content.decode()
    assert reload(matter).status == S.REVIEW and "宝丰县人民政府" in shown and "2026-10-14" in shown


def test_hearing_time_is_not_counted_in_the_review_decision(county, bureau, renshe, client_for):
    with frozen(2026, 10, 12) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        traveller.move_to(at(2026, 10, 20))
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, review=GOVERNMENT)
        assert reload(matter).due_date == day(2026, 11, 19)
        page = f"/matters/{matter.pk}/hearing/"
        assert client_for("renshe").post(page, {"days": "10"}).status_code == 403
        assert client_for("bureau").post(page, {"days": "10", "note": "组织听证"}).status_code == 302
        review_hearing(by=bureau, matter=matter, days=2)
    assert reload(matter).due_date == day(2026, 12, 1)  # 30 days + 12 days of hearing
    assert matter.reviews.get().hearing_days == 12
    assert [record.changes["days"] for record in audits(matter, "matter.review_hearing")] == [10, 2]
