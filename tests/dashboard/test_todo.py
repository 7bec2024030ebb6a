"""Each role's to-do cards: the right queues, every card shown at 0, and every figure the same as the
total of the list its card opens."""

from __future__ import annotations

import re

import pytest

from tests.petitions.support import S, day, frozen, new_matter, unit
from xinfang.petitions.models import Assignment, Level
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.transfer import assignment_receive, matter_assign
from xinfang.petitions.services.workflow import extension_request, matter_transition

CARD = re.compile(
    r'<a class="figure" href="(?P<url>[^"]+)" data-testid="todo-card">\s*'
    r'<div class="value[^"]*">(?P<count>[^<]+)</div>\s*'
    r'<div class="label">(?P<label>[^<]+)<span class="scope">(?P<scope>[^<]+)</span>'
)
TOTAL = re.compile(r"共 <strong>([0-9,+]+)</strong> 件")


def cards(client) -> dict[str, tuple[int, str, str]]:
    page = client.get("/").content.decode()
    found = {m["label"]: (int(m["count"].replace(",", "")), m["scope"], m["url"].replace("&amp;", "&"))
             for m in CARD.finditer(page)}  # fmt: skip
    assert found, page
    return found


@pytest.fixture
def day_of_work(county, persona):
    """Monday 2 November 2026: one matter of each kind of work waiting somewhere."""
    bureau, zhouzhuang = persona("bureau"), persona("zhouzhuang")
    township = unit(county, "周庄镇")
    with frozen():
        today = day(2026, 11, 2)
        over_level = new_matter(bureau, county, date=today, level=Level.CITY, content="今天到市上访的事项")
        ownership_assign(by=persona("bureau_head"), matter=over_level, leader=persona("leader").leader)
        sent = new_matter(bureau, county, date=day(2026, 10, 28), content="转送周庄镇尚未签收")
        matter_assign(by=bureau, matter=sent, unit=township, kind=Assignment.Kind.TRANSFER)
        signed = new_matter(bureau, county, date=day(2026, 10, 29), content="周庄镇已签收尚未受理")
        matter_assign(by=bureau, matter=signed, unit=township, kind=Assignment.Kind.TRANSFER)
        assignment_receive(by=zhouzhuang, matter=signed)
        handling = new_matter(
            bureau, county, date=day(2026, 10, 30), responsible="周庄镇", content="办理中申请延期"
        )
        matter_transition(by=bureau, matter=handling, to=S.ACCEPTED, on=today)
        extension_request(by=zhouzhuang, matter=handling, days=30, reason="涉及多个部门，需要核实")
    return {"over_level": over_level, "sent": sent, "signed": signed, "handling": handling}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("bureau", {"待转送": 1, "今日越级": 1, "管辖异议待处理": 0, "局承办延期待批": 0, "即将到期": 0,
                    "已超期": 0, "网上信访待审核": 0, "台账导入待处理": 0}),
        ("bureau_head", {"待转送": 1, "今日越级": 1}),
        ("zhouzhuang", {"待签收": 1, "待受理": 1, "即将到期": 0, "已超期": 0, "待评价": 0}),
        ("zhouzhuang_head", {"待签收": 1, "待受理": 1, "待批准延期": 1}),
        ("renshe", {"待签收": 0, "待受理": 0}),
        ("leader", {"我的包案": 1, "包案已超期": 0, "包案本周又来访": 1}),
    ],
)  # fmt: skip
def test_each_role_sees_its_queues_with_counts_that_match_their_lists(
    day_of_work, client_for, username, expected
):
    client = client_for(username)
    with frozen():
        found = cards(client)
        for label, count in expected.items():
            assert found[label][0] == count, (label, found[label])
        for label, (count, _, url) in found.items():
            if url.startswith("/matters/?todo="):
                listed = TOTAL.search(client.get(url).content.decode())
                assert listed is not None and int(listed[1]) == count, (label, url)


def test_cards_are_labelled_with_their_scope_and_only_a_unit_head_approves(day_of_work, client_for):
    with frozen():
        unit_cards = cards(client_for("zhouzhuang"))
        head_cards = cards(client_for("zhouzhuang_head"))
        leader_cards = cards(client_for("leader"))
    assert unit_cards["待签收"][1] == "本单位" and unit_cards["已超期"][1] == "本单位承办"
    assert "待批准延期" not in unit_cards and "待批准延期" in head_cards
    scopes = {label: scope for label, (_, scope, _) in leader_cards.items()}
    matters = {scope for label, scope in scopes.items() if not label.startswith(("督办", "本季度下沉"))}
    assert matters == {"本人包案"}  # the demo vice head gets no reports: no document cards
    assert scopes["本季度下沉接访"] == "本人"  # tests/reception/test_duty.py
    assert scopes["督办：本人牵头"] == scopes["督办已超期"] == "本人牵头"  # tests/supervision/test_pages.py
    assert "待转送" not in unit_cards and "待签收" not in cards(client_for("bureau"))


def test_the_over_level_card_opens_exactly_todays_over_level_matters(day_of_work, client_for):
    client = client_for("bureau")
    with frozen():
        page = client.get(cards(client)["今日越级"][2]).content.decode()
    assert day_of_work["over_level"].number in page
    assert day_of_work["sent"].number not in page


def test_signing_moves_a_matter_from_to_be_signed_to_to_be_accepted(day_of_work, client_for, persona):
    client = client_for("zhouzhuang")
    with frozen():
        assignment_receive(by=persona("zhouzhuang"), matter=day_of_work["sent"])
        found = cards(client)
    assert (found["待签收"][0], found["待受理"][0]) == (0, 2)


def test_the_secretary_home_leads_with_the_situation_and_the_bureau_with_its_work(day_of_work, client_for):
    with frozen():
        secretary = client_for("secretary").get("/").content.decode()
        bureau = client_for("bureau").get("/").content.decode()
    assert secretary.index('data-testid="situation"') < secretary.index('data-testid="todo"')
    assert "县域名录" not in secretary and "县域名录" in bureau
    assert bureau.index('data-testid="todo"') < bureau.index('data-testid="situation"')
    # The week began on Monday the 2nd: the three visits of late October are last week's.
    week = secretary.split('data-testid="week-events"')[1]
    assert re.findall(r'<div class="value">(\d+)</div>', week)[0] == "1"
