"""The petition registry's services end to end: registration, events, the status flow with its statutory
clocks (national 2022 and Henan profiles), 转送/签收/异议, 延期, 评价, 包案, audited PII reveals, and who sees
which matter (SPEC §3–4). Time is frozen in 2026, the last year the calendar library knows."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.audit.models import AuditRecord
from xinfang.calendars.models import CalendarDay, ClosedYear
from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.lib.deadlines import Clock
from xinfang.lib.idcard import id_check_code
from xinfang.petitions.models import (
    Assignment,
    Channel,
    Event,
    Extension,
    Level,
    Matter,
    NumberSequence,
    Ownership,
    Petitioner,
    Rating,
    RuleProfileAssignment,
    Stage,
    Transition,
)
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput, RegistryError
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.public import pii_reveal
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.transfer import (
    assignment_object,
    assignment_receive,
    matter_assign,
    objection_decide,
)
from xinfang.petitions.services.workflow import matter_extend, matter_rate, matter_transition

pytestmark = pytest.mark.django_db

S = Matter.Status
TZ = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=TZ)


def day(year: int, month: int, d: int) -> dt.date:
    return dt.date(year, month, d)


def frozen(year: int = 2026, month: int = 11, d: int = 2):
    """Time stands still at 10:00 Beijing time on that day (2026-11-02, a Monday, by default)."""
    return time_machine.travel(at(year, month, d), tick=False)


def id_no(first17: str) -> str:
    return first17 + id_check_code(first17)


ID_ZHANG = id_no("41042119800101123")
ID_LI = id_no("41042119751231002")
PHONE_ZHANG = "13837512345"
PHONE_LI = "13937598765"
ADDRESS_ZHANG = "周庄镇大屯村三组17号"


def chinese(error: pytest.ExceptionInfo[RegistryError]) -> str:
    message = str(error.value)
    assert CJK.search(message), message
    return message


def unit(county: County, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def register(
    county: County,
    *,
    date: dt.date = dt.date(2026, 10, 20),
    level: str = Level.COUNTY,
    channel: str = Channel.VISIT,
    persons: int = 1,
    township: str | Unit = "周庄镇",
    village: Village | None = None,
    category: str | Category = "0702",
    responsible: str | Unit | None = None,
    content: str = "某建筑公司拖欠农民工工资两年未付",
    petitioners: tuple[PetitionerInput, ...] | None = None,
    reported: tuple[str, ...] = (),
    **fields,
) -> RegistrationInput:
    """A registration as the bureau types it, with sensible defaults; names are resolved in `county`."""
    if petitioners is None:
        petitioners = (
            PetitionerInput(name="张建设", id_number=ID_ZHANG, phone=PHONE_ZHANG, address=ADDRESS_ZHANG),
        )
    return RegistrationInput(
        county=county,
        event=EventInput(date=date, channel=channel, level=level, persons=persons),
        origin_township=unit(county, township) if isinstance(township, str) else township,
        origin_village=village,
        category=Category.objects.get(county=county, code=category)
        if isinstance(category, str)
        else category,
        responsible_unit=unit(county, responsible) if isinstance(responsible, str) else responsible,
        content=content,
        appeal="要求尽快支付拖欠工资",
        petitioners=petitioners,
        reported_units=tuple(unit(county, name) for name in reported),
        **fields,
    )


def new_matter(by, county: County, **overrides) -> Matter:
    return matter_register(by=by, data=register(county, **overrides))


def reload(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def audits(matter: Matter, action: str) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(
            action=action, object_type="petitions.matter", object_id=str(matter.pk)
        ).order_by("id")
    )


def steps(matter: Matter) -> list[tuple[str, str]]:
    return list(matter.transitions.order_by("at", "id").values_list("from_status", "to_status"))


def snapshot() -> tuple[object, ...]:
    """Everything a refused action must leave as it was."""
    return (
        Matter.objects.count(),
        Event.objects.count(),
        Petitioner.objects.count(),
        Transition.objects.count(),
        Assignment.objects.count(),
        AuditRecord.objects.count(),
        sorted(NumberSequence.objects.values_list("county_id", "year", "last")),
    )


def henan(county: County, since: dt.date = dt.date(2026, 1, 1)) -> None:
    RuleProfileAssignment.objects.create(county=county, profile="henan", effective_from=since)


@pytest.fixture
def bureau(persona):
    return persona("bureau")


@pytest.fixture
def head(persona):
    return persona("bureau_head")


@pytest.fixture
def renshe(persona):
    return persona("renshe")


@pytest.fixture
def zhouzhuang(persona):
    return persona("zhouzhuang")


def accepted_matter(county, bureau, renshe, *, on: dt.date) -> Matter:
    """A matter registered with 县人社局 responsible, accepted by the bureau on `on` (time must allow
    it); from then on 县人社局 handles it."""
    matter = new_matter(bureau, county, date=on, responsible="县人社局")
    return matter_transition(by=bureau, matter=matter, to=S.ACCEPTED, on=on)


# -- 1. registration --------------------------------------------------------------------------------


def test_it_numbers_matters_per_county_and_year_and_issues_query_codes(county, bureau):
    with frozen():
        first = new_matter(bureau, county)
        second = new_matter(bureau, county, content="村里低保评定不公平", category="1301")

    pattern = re.compile(r"^410421-2026-(\d{6})$")
    first_match, second_match = pattern.match(first.number), pattern.match(second.number)
    assert first_match is not None
    assert second_match is not None
    assert int(second_match[1]) == int(first_match[1]) + 1
    for matter in (first, second):
        assert re.fullmatch(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{12}", matter.query_code)
    assert first.query_code != second.query_code
    stored = reload(first)
    assert (stored.number, stored.query_code) == (first.number, first.query_code)
    assert stored.status == S.REGISTERED and stored.stage == Stage.INITIAL
    assert stored.registered_by == bureau
    assert stored.registered_at == at(2026, 11, 2)
    assert stored.events.count() == 1
    assert steps(stored) == [("", S.REGISTERED)]
    [record] = audits(stored, "matter.register")
    assert record.actor == bureau and record.changes["number"] == first.number
    assert record.changes["petitioners"] == ["张*设"]


def test_it_starts_the_dispose_clock_from_the_event_date_under_the_national_rules(county, bureau):
    with frozen():
        matter = new_matter(bureau, county, date=day(2026, 10, 20))
    stored = reload(matter)
    assert stored.clock == Clock.DISPOSE
    assert stored.clock_started == day(2026, 10, 20)
    assert stored.due_date == day(2026, 11, 4)  # + 15 days (Art. 22)


def test_it_gives_5_days_to_dispose_once_the_henan_profile_is_in_force(county, bureau):
    henan(county, since=day(2026, 10, 1))
    with frozen():
        matter = new_matter(bureau, county, date=day(2026, 10, 20))
        before = new_matter(bureau, county, date=day(2026, 9, 30))  # before the profile took effect
    assert reload(matter).due_date == day(2026, 10, 25)
    assert reload(before).due_date == day(2026, 10, 15)


def test_it_stores_id_numbers_and_phones_only_encrypted_with_a_shared_blind_index(county, bureau):
    li = PetitionerInput(name="李秀英", id_number=ID_LI, phone="0375-6012345")
    zhang = PetitionerInput(name="张建设", id_number=ID_ZHANG.lower(), phone=PHONE_ZHANG)
    with frozen():
        first = new_matter(bureau, county, petitioners=(zhang, li))
        second = new_matter(
            bureau, county, petitioners=(PetitionerInput(id_number=ID_ZHANG, phone=PHONE_ZHANG),)
        )

    one, two = first.petitioners.order_by("order")
    assert (one.name, two.name) == ("张建设", "李秀英")
    for person, id_number in ((one, ID_ZHANG), (two, ID_LI)):
        assert person.id_number_enc and id_number not in person.id_number_enc
        assert id_number[-8:] not in person.id_number_enc
        assert person.id_number_masked == id_number[:6] + "********" + id_number[-4:]
    assert PHONE_ZHANG not in one.phone_enc and one.phone_masked == "138****2345"
    assert "6012345" not in two.phone_enc and "6012345" not in two.phone_masked
    assert ADDRESS_ZHANG not in one.address_enc and one.address_brief == "周庄镇"
    # No plaintext anywhere in the row (every text column checked).
    row = Petitioner.objects.filter(pk=one.pk).values().get()
    assert not any(PHONE_ZHANG in str(value) or ID_ZHANG in str(value) for value in row.values())

    [other] = second.petitioners.all()
    assert other.id_number_index == one.id_number_index != two.id_number_index
    assert other.phone_index == one.phone_index != two.phone_index
    assert other.id_number_enc != one.id_number_enc  # randomised encryption, deterministic index


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {
                "petitioners": (
                    PetitionerInput(
                        name="张建设", id_number=ID_ZHANG[:17] + ("1" if ID_ZHANG[17] != "1" else "2")
                    ),
                )
            },
            "id_number",
            "第1位信访人：身份证号码校验位不正确",
            id="bad-id-checksum",
        ),
        pytest.param(
            {
                "petitioners": (
                    PetitionerInput(name="张建设"),
                    PetitionerInput(name="李秀英", phone="1383751234"),
                )
            },
            "phone",
            "第2位信访人：请填写11位手机号码",
            id="bad-phone",
        ),
        pytest.param({"date": dt.date(2026, 11, 3)}, "date", "信访日期不能晚于今天", id="future-date"),
        pytest.param({"persons": 0}, "persons", "人数应为不小于1的整数", id="no-persons"),
        pytest.param({"content": "   \n "}, "content", "请填写反映的问题", id="empty-content"),
        pytest.param(
            {"village": "城关镇"}, "origin_village", "村\\(社区\\)不属于所选乡镇", id="foreign-village"
        ),
        pytest.param({"category": "outsider"}, "category", "问题类别不在本县", id="foreign-category"),
        pytest.param(
            {"township": "县人社局"}, "origin_township", "乡镇不在本县", id="department-as-township"
        ),
        pytest.param(
            {"source": Matter.Source.CITY},
            "source_number",
            "上级转交办的事项请填写上级编号",
            id="no-source-no",
        ),
    ],
)
def test_it_refuses_bad_registrations_in_chinese_and_writes_nothing(
    county, bureau, outsider, overrides, field, message
):
    overrides = dict(overrides)
    if overrides.get("village"):
        overrides["village"] = Village.objects.filter(
            township__county=county, township__name="城关镇"
        ).first()
    if overrides.get("category") == "outsider":
        overrides["category"] = Category.objects.get(county=outsider.county, code="0702")
    with frozen():
        new_matter(bureau, county)  # the sequence exists, so a refused registration must not advance it
        before = snapshot()
        with pytest.raises(RegistryError, match=message) as error:
            new_matter(bureau, county, **overrides)
    chinese(error)
    assert error.value.field == field
    assert snapshot() == before


# -- 2. events --------------------------------------------------------------------------------------


def test_it_keeps_the_event_summary_when_events_are_added(county, bureau):
    with frozen():
        matter = new_matter(bureau, county, date=day(2026, 10, 20), channel=Channel.LETTER, persons=1)
        beijing = event_add(
            by=bureau,
            matter=matter,
            event=EventInput(date=day(2026, 10, 25), channel=Channel.VISIT, level=Level.BEIJING, persons=3),
        )
        stored = reload(matter)
        assert (stored.event_count, stored.person_count, stored.top_level) == (2, 4, Level.BEIJING)
        assert (stored.first_event_date, stored.last_event_date) == (day(2026, 10, 20), day(2026, 10, 25))
        assert not stored.is_collective and not beijing.is_collective

        earlier = event_add(
            by=bureau,
            matter=matter,
            event=EventInput(date=day(2026, 10, 10), channel=Channel.CALL, level=Level.CITY, persons=5),
        )
        assert earlier.is_collective and earlier.county == county and earlier.registered_by == bureau
        stored = reload(matter)
        assert (stored.event_count, stored.person_count) == (3, 9)
        assert stored.top_level == Level.BEIJING  # 进京 outranks 到市 and 到县
        assert (stored.first_event_date, stored.last_event_date) == (day(2026, 10, 10), day(2026, 10, 25))
        assert stored.channel == Channel.CALL  # the channel of the first event in date order
        assert stored.is_collective

        before = snapshot()
        with pytest.raises(RegistryError, match="信访日期不能晚于今天") as error:
            event_add(
                by=bureau,
                matter=matter,
                event=EventInput(date=day(2026, 11, 3), channel=Channel.VISIT, level=Level.COUNTY),
            )
        chinese(error)
        assert snapshot() == before
    assert len(audits(matter, "matter.event_add")) == 2


def test_it_ranks_levels_so_the_highest_wins(county, bureau):
    with frozen():
        matter = new_matter(bureau, county, level=Level.PROVINCE)
        event_add(
            by=bureau,
            matter=matter,
            event=EventInput(date=day(2026, 10, 21), channel=Channel.VISIT, level=Level.COUNTY, persons=4),
        )
    stored = reload(matter)
    assert stored.top_level == Level.PROVINCE
    assert not stored.is_collective  # 4 persons is not a 集体访; 5 would be


# -- 3. the status flow -----------------------------------------------------------------------------


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
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, reason="信访人不服，请求复查")
        stored = reload(matter)
        assert (stored.status, stored.stage) == (S.REVIEW, Stage.INITIAL)
        assert (stored.clock, stored.due_date) == (Clock.REVIEW_DECIDE, day(2026, 11, 29))

        traveller.move_to(at(2026, 11, 10))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复查意见：维持原答复")
        stored = reload(matter)
        assert (stored.status, stored.stage, stored.answered_on) == (
            S.ANSWERED,
            Stage.REVIEW,
            day(2026, 11, 10),
        )
        assert (stored.clock, stored.due_date) == (Clock.RE_REVIEW_REQUEST, day(2026, 12, 10))

        traveller.move_to(at(2026, 11, 20))
        matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="信访人请求复核")
        stored = reload(matter)
        assert (stored.status, stored.stage) == (S.RE_REVIEW, Stage.RE_REVIEW)
        assert (stored.clock, stored.due_date) == (Clock.RE_REVIEW_DECIDE, day(2026, 12, 20))

        traveller.move_to(at(2026, 12, 15))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复核意见：维持复查意见")
        stored = reload(matter)
        assert (stored.status, stored.stage, stored.clock) == (S.ANSWERED, Stage.RE_REVIEW, "")
        with pytest.raises(RegistryError, match="复核只能针对复查意见提出"):
            matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="再次请求")
        matter_transition(by=bureau, matter=matter, to=S.CLOSED, reason="复核维持，依法终结")
        stored = reload(matter)
        assert stored.status == S.CLOSED
        assert (stored.clock, stored.clock_started, stored.due_date) == ("", None, None)

    assert steps(matter) == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.TRANSFERRED),
        (S.TRANSFERRED, S.ACCEPTED),
        (S.ACCEPTED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.ANSWERED),
        (S.ANSWERED, S.REVIEW),
        (S.REVIEW, S.ANSWERED),
        (S.ANSWERED, S.RE_REVIEW),
        (S.RE_REVIEW, S.ANSWERED),
        (S.ANSWERED, S.CLOSED),
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
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, reason="请求复查")
        traveller.move_to(at(2026, 11, 2))
        matter_transition(by=bureau, matter=matter, to=S.ANSWERED, answer="复查意见")
        assert reload(matter).stage == Stage.REVIEW

        before = snapshot()
        with pytest.raises(RegistryError, match="复查即为终结") as error:
            matter_transition(by=bureau, matter=matter, to=S.RE_REVIEW, reason="请求复核")
        assert "《河南省信访条例》" in chinese(error)
        assert snapshot() == before
        assert reload(matter).status == S.ANSWERED

        matter_transition(by=bureau, matter=matter, to=S.CLOSED)
    assert reload(matter).status == S.CLOSED
    assert steps(matter)[-1] == (S.ANSWERED, S.CLOSED)


def test_it_starts_no_re_review_clock_under_the_henan_profile(county, bureau, renshe):
    henan(county)
    with frozen(2026, 9, 28) as traveller:
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 9, 28))
        traveller.move_to(at(2026, 10, 10))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已答复")
        traveller.move_to(at(2026, 10, 20))
        matter_transition(by=bureau, matter=matter, to=S.REVIEW, reason="请求复查")
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
    assert (stored.clock, stored.due_date) == ("", None)
    assert steps(matter) == [
        ("", S.REGISTERED), (S.REGISTERED, S.ACCEPTED), (S.ACCEPTED, S.ANSWERED), (S.ANSWERED, S.RESOLVED),
    ]  # fmt: skip
    assert len(audits(matter, "matter.transition")) == 3


# -- 4. refusals ------------------------------------------------------------------------------------


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


def test_it_refuses_every_step_out_of_resolved(county, bureau, renshe):
    with frozen():
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 11, 2))
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付")
        matter_transition(by=renshe, matter=matter, to=S.RESOLVED)
        before = snapshot()
        for target in S.values:
            with pytest.raises(RegistryError, match="当前状态为“已化解”") as error:
                matter_transition(by=bureau, matter=matter, to=target, reason="理由", answer="答复")
            chinese(error)
        with pytest.raises(RegistryError, match="当前状态为“已化解”"):
            matter_assign(
                by=bureau, matter=matter, unit=unit(county, "县住建局"), kind=Assignment.Kind.ASSIGN
            )
    assert snapshot() == before
    assert reload(matter).status == S.RESOLVED


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


def test_it_refuses_to_register_a_matter_as_the_responsibility_of_the_unit_it_reports(county, bureau):
    with frozen():
        before = snapshot()
        with pytest.raises(RegistryError, match="被反映"):
            new_matter(bureau, county, responsible="县人社局", reported=("县人社局",))
    assert snapshot() == before


# -- 5. jurisdiction objections -----------------------------------------------------------------


def transferred(county, bureau, renshe, traveller, *, received_on: dt.datetime) -> Matter:
    matter = new_matter(bureau, county, date=day(2026, 9, 28))
    matter_assign(by=bureau, matter=matter, unit=unit(county, "县人社局"), kind=Assignment.Kind.TRANSFER)
    traveller.move_to(received_on)
    assignment_receive(by=renshe, matter=matter)
    return matter


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


# -- 6. extension -----------------------------------------------------------------------------------


def test_it_extends_the_handling_time_once_with_the_bureau_heads_approval(county, bureau, head, renshe):
    with frozen(2026, 10, 12) as traveller:
        not_accepted = new_matter(bureau, county, date=day(2026, 10, 12), responsible="县人社局")
        with pytest.raises(RegistryError, match="只有办理期限内的事项可以延期"):
            matter_extend(by=head, matter=not_accepted, days=10, reason="案情复杂", petitioner_notified=True)

        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        assert reload(matter).due_date == day(2026, 12, 11)
        traveller.move_to(at(2026, 11, 2))
        before = snapshot()
        refusals = [
            ({"by": bureau, "days": 10}, "延期须经信访局长批准"),
            ({"by": renshe, "days": 10}, "延期须经信访局长批准"),
            ({"days": 31}, "延长天数应为1至30天"),
            ({"days": 0}, "延长天数应为1至30天"),
            ({"days": 10, "reason": "  "}, "请填写延期理由"),
            ({"days": 10, "petitioner_notified": False}, "延期须告知信访人"),
        ]
        for overrides, message in refusals:
            kwargs = {"by": head, "reason": "涉及多个部门，需要核实", "petitioner_notified": True} | overrides
            with pytest.raises(RegistryError, match=message) as error:
                matter_extend(matter=matter, **kwargs)
            chinese(error)
        assert snapshot() == before and not Extension.objects.exists()

        extension = matter_extend(
            by=head, matter=matter, days=30, reason="涉及多个部门，需要核实", petitioner_notified=True
        )
        with pytest.raises(RegistryError, match="办理期限只能延长一次"):
            matter_extend(by=head, matter=matter, days=1, reason="再延", petitioner_notified=True)
    assert Extension.objects.get(matter=matter) == extension
    assert (extension.days, extension.approved_by, extension.petitioner_notified) == (30, head, True)
    stored = reload(matter)
    assert stored.extension_days == 30
    assert (stored.clock, stored.clock_started, stored.due_date) == (
        Clock.HANDLE, day(2026, 10, 12), day(2027, 1, 10),
    )  # fmt: skip
    [record] = audits(matter, "matter.extend")
    assert record.actor == head and record.changes["days"] == 30


def test_it_allows_up_to_60_days_of_extension_under_the_henan_profile(county, bureau, head, renshe):
    henan(county)
    with frozen(2026, 10, 12):
        matter = accepted_matter(county, bureau, renshe, on=day(2026, 10, 12))
        assert reload(matter).due_date == day(2026, 11, 11)
        with pytest.raises(RegistryError, match="延长天数应为1至60天"):
            matter_extend(by=head, matter=matter, days=61, reason="案情复杂", petitioner_notified=True)
        matter_extend(by=head, matter=matter, days=60, reason="案情复杂", petitioner_notified=True)
    assert reload(matter).due_date == day(2027, 1, 10)  # 90 days after acceptance in all


# -- 7. rating --------------------------------------------------------------------------------------


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


# -- 8. revealing personal data -----------------------------------------------------------------------


def test_it_reveals_personal_data_to_the_bureau_and_audits_without_the_plaintext(county, bureau, head):
    with frozen():
        matter = new_matter(bureau, county)
        person = matter.petitioners.get()
        revealed = {
            "id_number": pii_reveal(by=bureau, matter=matter, petitioner=person, what="id_number",
                                    reason="核实身份，准备回访"),
            "phone": pii_reveal(by=head, matter=matter, petitioner=person, what="phone",
                                reason=f"回访电话{PHONE_ZHANG}无人接听，核对号码"),
            "address": pii_reveal(by=bureau, matter=matter, petitioner=person, what="address",
                                  reason="上门走访需要住址"),
        }  # fmt: skip
    assert revealed == {"id_number": ID_ZHANG, "phone": PHONE_ZHANG, "address": ADDRESS_ZHANG}
    records = audits(matter, "pii.reveal")
    assert [r.actor for r in records] == [bureau, head, bureau]
    assert [r.changes["field"] for r in records] == ["身份证号", "联系电话", "住址"]
    assert records[0].message == "查看理由：核实身份，准备回访"
    for record in records:
        text = json.dumps(record.changes, ensure_ascii=False) + record.message + record.object_repr
        for secret in (ID_ZHANG, PHONE_ZHANG, ADDRESS_ZHANG, "张建设"):
            assert secret not in text
        assert record.changes["petitioner"] == "张*设"


def test_it_refuses_reveals_without_a_reason_or_to_other_roles(county, bureau, renshe, persona):
    with frozen():
        matter = new_matter(bureau, county, responsible="县人社局")
        other = new_matter(bureau, county, petitioners=(PetitionerInput(name="李秀英", id_number=ID_LI),))
        person = matter.petitioners.get()
        before = snapshot()
        for reason in ("", "看看", "  看一下 "):
            with pytest.raises(RegistryError, match="至少4个字") as error:
                pii_reveal(by=bureau, matter=matter, petitioner=person, what="phone", reason=reason)
            assert chinese(error) and error.value.field == "reason"
        for user in (renshe, persona("secretary"), persona("auditor")):
            with pytest.raises(RegistryError, match="您没有查看完整个人信息的权限"):
                pii_reveal(by=user, matter=matter, petitioner=person, what="phone", reason="办理需要联系")
        with pytest.raises(RegistryError, match="信访人不属于该事项"):
            pii_reveal(by=bureau, matter=other, petitioner=person, what="phone", reason="办理需要联系")
        with pytest.raises(RegistryError, match="不支持查看该项信息"):
            pii_reveal(by=bureau, matter=matter, petitioner=person, what="name", reason="办理需要联系")
    assert snapshot() == before
    assert not audits(matter, "pii.reveal")


@pytest.mark.parametrize("who", ["outsider", "reported"])
def test_it_refuses_reveals_of_matters_outside_the_users_scope(county, bureau, outsider, who):
    user = outsider if who == "outsider" else bureau
    with frozen():
        matter = new_matter(bureau, county)
        if who == "reported":
            matter.reported_accounts.add(bureau)
        assert not matters_for_user(user=user).filter(pk=matter.pk).exists()
        with pytest.raises(RegistryError):
            pii_reveal(by=user, matter=matter, petitioner=matter.petitioners.get(), what="id_number",
                       reason="核实身份信息")  # fmt: skip


# -- 9. ownership -----------------------------------------------------------------------------------


def test_it_moves_ownership_between_leaders_and_scopes_the_leader_to_owned_matters(county, bureau, persona):
    du = Leader.objects.get(county=county, name="杜文博")
    first = (
        Leader.objects.filter(county=county, is_active=True)
        .exclude(pk=du.pk)
        .order_by("protocol_order", "id")[0]
    )
    leader_user = persona("leader")
    assert leader_user.leader == du
    with frozen(2026, 10, 12) as traveller:
        matter = new_matter(bureau, county, date=day(2026, 10, 12))
        unowned = new_matter(bureau, county, date=day(2026, 10, 12), content="另一件事项")
        assert not matters_for_user(user=leader_user).exists()

        ownership_assign(by=bureau, matter=matter, leader=first)
        assert not matters_for_user(user=leader_user).exists()
        traveller.move_to(at(2026, 11, 2))
        current = ownership_assign(by=bureau, matter=matter, leader=du)
        with pytest.raises(RegistryError, match="杜文博已是该事项的包案领导") as error:
            ownership_assign(by=bureau, matter=matter, leader=du)
        chinese(error)

    released = Ownership.objects.get(matter=matter, leader=first)
    assert not released.is_current and released.ended_on == day(2026, 11, 2)
    assert released.since == day(2026, 10, 12)
    stored = Ownership.objects.get(pk=current.pk)
    assert stored.is_current and stored.ended_on is None and stored.since == day(2026, 11, 2)
    assert stored.assigned_by == bureau
    assert list(matters_for_user(user=leader_user).values_list("pk", flat=True)) == [matter.pk]
    assert unowned.pk not in set(matters_for_user(user=leader_user).values_list("pk", flat=True))
    records = audits(matter, "matter.owner")
    assert [r.changes["leader"] for r in records] == [[None, first.name], [first.name, "杜文博"]]


# -- 10. who sees what ------------------------------------------------------------------------------


def test_it_scopes_matters_to_each_users_county_unit_and_role(
    county, bureau, zhouzhuang, renshe, persona, outsider
):
    with frozen():
        from_zhouzhuang = new_matter(bureau, county, township="周庄镇")
        assigned_zhouzhuang = new_matter(bureau, county, township="城关镇")
        matter_assign(by=bureau, matter=assigned_zhouzhuang, unit=unit(county, "周庄镇"), kind="assign")
        renshe_handles = new_matter(bureau, county, township="城关镇", responsible="县人社局")
        nobodys = new_matter(bureau, county, township="城关镇")
        reports_renshe = new_matter(
            bureau, county, township="周庄镇", responsible="县人社局", purpose=Matter.Purpose.ACCUSATION
        )
        # Registration refuses this pairing; an accusation added later must still hide the matter.
        reports_renshe.reported_units.add(unit(county, "县人社局"))
        reports_zhouzhuang = new_matter(bureau, county, township="周庄镇", reported=("周庄镇",))
        reports_bureau = new_matter(bureau, county, township="周庄镇", responsible="县人社局")
        reports_bureau.reported_accounts.add(bureau)
        reports_zhouzhuang_user = new_matter(bureau, county, township="周庄镇")
        reports_zhouzhuang_user.reported_accounts.add(zhouzhuang)

    ours = {
        m.pk: name
        for name, m in {
            "from_zhouzhuang": from_zhouzhuang,
            "assigned_zhouzhuang": assigned_zhouzhuang,
            "renshe_handles": renshe_handles,
            "nobodys": nobodys,
            "reports_renshe": reports_renshe,
            "reports_zhouzhuang": reports_zhouzhuang,
            "reports_bureau": reports_bureau,
            "reports_zhouzhuang_user": reports_zhouzhuang_user,
        }.items()
    }

    def seen(user) -> set[str]:
        return {
            ours[pk] for pk in matters_for_user(user=user).filter(pk__in=ours).values_list("pk", flat=True)
        }

    assert seen(zhouzhuang) == {"from_zhouzhuang", "assigned_zhouzhuang", "reports_renshe", "reports_bureau"}
    assert seen(renshe) == {"renshe_handles", "reports_bureau"}
    assert seen(bureau) == set(ours.values()) - {"reports_bureau"}
    assert seen(persona("bureau_head")) == set(ours.values())
    assert seen(persona("secretary")) == set(ours.values())
    assert seen(persona("leader")) == set()
    for username in ("auditor", "sysadmin", "secadmin"):
        assert not matters_for_user(user=persona(username)).exists(), username
    assert not matters_for_user(user=outsider).exists()


# -- the calendar's edge --------------------------------------------------------------------------


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


def test_a_lapsed_review_window_is_not_counted_as_overdue(persona, county):
    from xinfang.petitions.selectors import MatterFilter, matters_search, registry_overview

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
        assert registry_overview(user=bureau).overdue == 0


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
