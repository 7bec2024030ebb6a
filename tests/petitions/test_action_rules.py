"""The matter page offers exactly the actions the services accept: for matters in every state and every
persona who may see them, each action (each step of the transition form) is tried with valid input;
it must succeed when the page offers it and be refused when it does not."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from tests.petitions.support import S, day, frozen, new_matter, unit
from xinfang.directory.models import Leader
from xinfang.directory.selectors import bureau_unit
from xinfang.petitions.models import Assignment, Matter, Review, Stage
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.transfer import assignment_object, assignment_receive, matter_assign
from xinfang.petitions.services.workflow import extension_request, matter_transition

TODAY = "2026-11-02"
PERSONAS = ("bureau", "bureau_head", "secretary", "leader", "zhouzhuang", "zhouzhuang_head", "renshe",
            "renshe_head")  # fmt: skip
STATES = ("registered", "sent", "received", "objected", "accepted", "extension", "bureau_extension",
          "answered", "resolved", "review", "closed")  # fmt: skip


def matter_in(state: str, county, persona) -> Matter:
    """A matter of 周庄镇 in the named state, on Monday 2 November 2026."""
    bureau, zhouzhuang, renshe = persona("bureau"), persona("zhouzhuang"), persona("renshe")
    township = unit(county, "周庄镇")
    if state in ("sent", "received", "objected"):
        matter = new_matter(bureau, county, date=day(2026, 10, 30))
        matter_assign(by=bureau, matter=matter, unit=township, kind=Assignment.Kind.TRANSFER)
        if state != "sent":
            assignment_receive(by=zhouzhuang, matter=matter)
        if state == "objected":
            assignment_object(by=zhouzhuang, matter=matter, reason="不属于本镇职责")
        return matter
    if state == "bureau_extension":
        matter = new_matter(bureau, county, date=day(2026, 10, 30), responsible=bureau_unit(county.pk))
        matter_transition(by=bureau, matter=matter, to=S.ACCEPTED)
        extension_request(by=bureau, matter=matter, days=20, reason="需要调查核实")
        return matter
    matter = new_matter(bureau, county, date=day(2026, 10, 30), responsible="县人社局")
    ownership_assign(by=persona("bureau_head"), matter=matter, leader=persona("leader").leader)
    if state == "registered":
        return matter
    if state == "closed":
        Matter.objects.filter(pk=matter.pk).update(status=S.CLOSED, clock="", due_date=None)
        return Matter.objects.get(pk=matter.pk)
    matter_transition(by=bureau, matter=matter, to=S.ACCEPTED)
    if state == "extension":
        extension_request(by=renshe, matter=matter, days=20, reason="需要调查核实")
    if state in ("answered", "resolved", "review"):
        matter_transition(by=renshe, matter=matter, to=S.ANSWERED, answer="已支付拖欠工资")
    if state == "resolved":
        matter_transition(by=renshe, matter=matter, to=S.RESOLVED, reason="已化解")
    if state == "review":
        Review.objects.create(
            matter=matter, stage=Stage.REVIEW, requested_on=day(2026, 11, 2), organ_name="宝丰县人民政府",
            recorded_by=bureau, recorded_at=matter.registered_at,
        )  # fmt: skip
        Matter.objects.filter(pk=matter.pk).update(status=S.REVIEW, stage=Stage.REVIEW)
    return Matter.objects.get(pk=matter.pk)


def attempts(county, matter: Matter) -> dict[str, dict[str, str]]:
    """Valid input for every action, and for the transition form one entry per step."""
    leader = Leader.objects.filter(county=county).exclude(ownerships__matter=matter).first()
    assert leader is not None
    steps = {
        f"transition:{step}": {
            "to": step,
            "on": TODAY,
            "reason": "依法办理",
            "answer": "经核实，已答复信访人",
            "delivered_on": TODAY,
            "requested_on": TODAY,
            "organ_name": "宝丰县人民政府",
            "document_number": "宝政复〔2026〕1号",
        }
        for step in S.values
        if step not in (S.TRANSFERRED, S.REGISTERED)
    }
    return {
        **steps,
        "assign": {"unit": str(unit(county, "县人社局").pk), "kind": Assignment.Kind.ASSIGN, "note": ""},
        "receive": {},
        "object": {"reason": "不属于本单位职责"},
        "decide": {"upheld": "0", "note": "属于该单位职责"},
        "extend": {"days": "10", "reason": "需要调查核实"},
        "extension": {"approve": "1", "petitioner_notified": "on", "note": "同意"},
        "hearing": {"days": "5", "note": "组织听证"},
        "owner": {"leader": str(leader.pk)},
        "event": {"date": TODAY, "channel": "visit", "level": "county", "persons": "1", "note": ""},
    }


def offered(page: str, matter: Matter) -> set[str]:
    actions = set(re.findall(rf'action="/matters/{matter.pk}/([a-z_]+)/"', page))
    form = page.split(f'action="/matters/{matter.pk}/transition/"')
    steps = (
        set(re.findall(r'<option value="([a-z_]+)"', form[1].split("</form>")[0])) if len(form) > 1 else set()
    )
    return (actions - {"transition", "reveal"}) | {f"transition:{step}" for step in steps}


@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_exactly_what_the_services_accept(state, county, persona, client_for):
    with frozen():
        matter = matter_in(state, county, persona)
        tried = 0
        for username in PERSONAS:
            client = client_for(username)
            page = client.get(f"/matters/{matter.pk}/")
            if page.status_code == 404:
                continue
            shown = offered(page.content.decode(), matter)
            for action, data in attempts(county, matter).items():
                url = f"/matters/{matter.pk}/{action.split(':')[0]}/"
                with transaction.atomic():
                    response = client.post(url, data)
                    transaction.set_rollback(True)
                accepted = response.status_code == 302
                assert accepted == (action in shown), (state, username, action, response.status_code,
                                                       _errors(response.content.decode()))  # fmt: skip
                tried += 1
        assert tried


def _errors(page: str) -> list[str]:
    return re.findall(r'class="(?:field-error|error)"[^>]*>(.*?)</div>', page, re.S)[:3]
