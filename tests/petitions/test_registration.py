"""The registration service: numbering and query codes, the dispose clock, encrypted personal data, refused
registrations, and the events of a matter (SPEC §3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.petitions.support import (
    ADDRESS_ZHANG,
    ID_LI,
    ID_ZHANG,
    PHONE_ZHANG,
    S,
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
)
from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import Category, Village
from xinfang.lib.deadlines import HENAN, Clock, due_date
from xinfang.petitions.models import Channel, Level, Matter, Petitioner, Stage
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistryError
from xinfang.petitions.services.registration import event_add, matter_register

pytestmark = pytest.mark.django_db


# -- registration ----------------------------------------------------------------------------------


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
    assert reload(matter).due_date == day(2026, 10, 26)  # 5 days end on Sunday 25 October: Monday
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


def test_it_refuses_to_register_a_matter_as_the_responsibility_of_the_unit_it_reports(county, bureau):
    with frozen():
        before = snapshot()
        with pytest.raises(RegistryError, match="被反映"):
            new_matter(bureau, county, responsible="县人社局", reported=("县人社局",))
    assert snapshot() == before


# -- events ----------------------------------------------------------------------------------------


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


def test_the_matter_page_names_the_rule_behind_its_clock(county, bureau, client_for):
    with frozen():
        matter = new_matter(bureau, county, date=day(2026, 10, 20))
        page = client_for("bureau").get(f"/matters/{matter.pk}/").content.decode()
    assert "时限依据：《信访工作条例》第二十二条" in page
    henan(county, since=day(2026, 10, 1))
    with frozen():
        later = new_matter(bureau, county, date=day(2026, 10, 21))
        page = client_for("bureau").get(f"/matters/{later.pk}/").content.decode()
    assert "时限依据：《河南省信访条例》（转送交办5日）" in page


def test_the_demo_county_follows_the_henan_profile_and_its_history_too(county):
    from xinfang.demo.generator import generate_matters
    from xinfang.demo.services import DEMO_HENAN_FROM, demo_rules_load
    from xinfang.petitions.rows import rule_profile

    demo_rules_load(county)
    demo_rules_load(county)  # once
    assert rule_profile(county, DEMO_HENAN_FROM).key == "henan"
    assert rule_profile(county, DEMO_HENAN_FROM - dt.timedelta(days=1)).key == "national-2022"
    generate_matters(county=county, matters=200, seed=5, start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 20))
    registered = Matter.objects.filter(county=county, status="registered").exclude(due_date=None).first()
    assert registered is not None and registered.clock_started is not None
    assert registered.due_date == due_date(
        Clock.DISPOSE, registered.clock_started, HENAN, work_calendar()
    )  # 5 days, not 15


def test_a_new_visit_on_a_terminated_matter_is_registered_as_not_accepted_unless_new_facts(
    county, bureau, client_for
):
    """Art. 36: after the last review the same facts and reasons are not accepted again."""
    from dataclasses import replace

    from tests.petitions.support import register

    with frozen():
        ended = new_matter(bureau, county, date=day(2026, 9, 1))
        Matter.objects.filter(pk=ended.pk).update(status="closed", clock="", due_date=None)
        ended.refresh_from_db()
        with pytest.raises(RegistryError, match="已终结：同一事实和理由不再受理") as refused:
            event_add(by=bureau, matter=ended, event=EventInput(day(2026, 11, 2), "visit", "county"))
        assert "第三十六条" in chinese(refused)
        again = matter_register(
            by=bureau, data=replace(register(county, date=day(2026, 11, 2)), terminated=ended)
        )
        assert again.status == "rejected" and again.clock == "" and again.events.count() == 1
        assert ended.number in again.transitions.latest("id").reason
        new_facts = replace(
            register(county, date=day(2026, 11, 2)), terminated=ended, new_facts="用工单位已破产"
        )
        fresh = matter_register(by=bureau, data=new_facts)
        assert fresh.status == "registered" and "新的事实和理由：用工单位已破产" in fresh.content
        people = {"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0", "p-0-id_number": ID_ZHANG}
        page = client_for("bureau").get("/matters/repeat-check/", people)
    shown = page.content.decode()
    assert ended.number in shown and "已终结：同一事实和理由不再受理" in shown


def test_the_same_id_number_under_another_name_is_said_never_merged(county, bureau, client_for):
    """Issue 14, item 1: a new person whose ID number matches a stored petitioner with another name."""
    with frozen():
        matter = new_matter(bureau, county, date=day(2026, 10, 20))  # 张建设 with ID_ZHANG
        people = {
            "p-TOTAL_FORMS": "1",
            "p-INITIAL_FORMS": "0",
            "p-0-id_number": ID_ZHANG,
            "p-0-name": "王小明",
        }
        shown = client_for("bureau").get("/matters/repeat-check/", people).content.decode()
        assert "身份证号相同但姓名不同（原登记为张*设）" in shown
        before = snapshot()
        stranger = PetitionerInput(name="王小明", id_number=ID_ZHANG)
        with pytest.raises(RegistryError, match="姓名不同") as refused:
            event_add(by=bureau, matter=matter, event=EventInput(day(2026, 11, 2), "visit", "county"),
                      petitioners=[stranger])  # fmt: skip
        assert "请核实" in chinese(refused)
        assert snapshot() == before
