"""Every demo role against every registry URL, for a matter in scope, out of scope and reported against."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ID_NUMBER, PHONE = "410421198503150016", "13937512345"
ROLES = (
    "bureau",
    "bureau_head",
    "secretary",
    "leader",
    "zhouzhuang",
    "renshe",
    "auditor",
    "sysadmin",
    "secadmin",
)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet of an exported workbook as text (the file itself is compressed)."""
    sheets = load_workbook(io.BytesIO(content)).worksheets
    return "\n".join(
        str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row
    )


@pytest.fixture
def matters(persona, county) -> dict[str, Matter]:
    """周庄镇's own matter, another township's, and one reporting 周庄镇 (hidden from its users)."""

    def make(township: str, content: str, reported: tuple[str, ...] = ()) -> Matter:
        return matter_register(by=persona("bureau"), data=RegistrationInput(
            county=county, event=EventInput(dt.date(2026, 11, 19), "visit", "county"),
            origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code="0702"), content=content,
            reported_units=[Unit.objects.get(county=county, name=name) for name in reported],
            petitioners=[PetitionerInput("张建军", ID_NUMBER, PHONE, "某村3组")],
        ))  # fmt: skip

    return {
        "own": make("周庄镇", "周庄镇拖欠工资"),
        "other": make("闹店镇", "闹店镇征地补偿"),
        "reported": make("周庄镇", "反映周庄镇干部作风", reported=("周庄镇",)),
    }


# role -> (list, register, export, own matter, other matter, reported matter)
EXPECTED = {
    "bureau": (200, 200, 200, 200, 200, 200),
    "bureau_head": (200, 200, 200, 200, 200, 200),
    "secretary": (200, 403, 200, 200, 200, 200),
    "leader": (200, 403, 200, 404, 404, 404),  # owns none of them
    "zhouzhuang": (200, 403, 200, 200, 404, 404),
    "renshe": (200, 403, 200, 404, 404, 404),
    "auditor": (403, 403, 403, 403, 403, 403),
    "sysadmin": (403, 403, 403, 403, 403, 403),
    "secadmin": (403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_registry(client_for, matters, role):
    client = client_for(role)
    got = (
        client.get("/matters/").status_code,
        client.get("/matters/new/").status_code,
        client.get("/matters/export.xlsx").status_code,
        *(client.get(f"/matters/{matters[key].pk}/").status_code for key in ("own", "other", "reported")),
    )
    assert got == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_the_same_scope(client_for, matters, role):
    client = client_for(role)
    expected = EXPECTED[role]
    got = tuple(
        client.get(f"/api/v1/matters/{matters[key].pk}/").status_code for key in ("own", "other", "reported")
    )
    assert got == tuple(403 if code == 403 else code for code in expected[3:])


@pytest.mark.parametrize("role", ["secretary", "leader", "zhouzhuang", "renshe"])
def test_no_full_id_number_or_phone_reaches_a_non_bureau_role(client_for, matters, role):
    client = client_for(role)
    bodies = [
        client.get("/matters/").content,
        client.get("/api/v1/matters/").content,
        xlsx_text(client.get("/matters/export.xlsx").content).encode(),
    ]
    bodies += [client.get(f"/matters/{m.pk}/").content for m in matters.values()]
    bodies += [client.get(f"/api/v1/matters/{m.pk}/").content for m in matters.values()]
    for body in bodies:
        assert ID_NUMBER.encode() not in body
        assert PHONE.encode() not in body


def test_a_reported_matter_never_reaches_the_reported_unit_through_any_door(client_for, matters):
    """周庄镇's user sees 周庄镇's matters, except the one that reports 周庄镇 (Art. 46)."""
    client = client_for("zhouzhuang")
    hidden, own = matters["reported"].number, matters["own"].number
    for query in ("", "干部", "作风", "干", "周庄镇"):
        listing = client.get("/matters/", {"q": query}).content.decode()
        assert hidden not in listing
    assert own in client.get("/matters/").content.decode()
    assert hidden not in client.get("/api/v1/matters/").content.decode()
    assert hidden not in client.get("/api/v1/matters/", {"q": "干部"}).content.decode()
    exported = xlsx_text(client.get("/matters/export.xlsx").content)
    assert own in exported
    assert hidden not in exported
    assert matters["reported"].number in client_for("secretary").get("/matters/").content.decode()


def test_revealing_needs_the_bureau_role(client_for, matters):
    person = matters["own"].petitioners.get()
    for role in ("secretary", "zhouzhuang", "auditor"):
        data = {"petitioner": person.pk, "what": "id_number", "reason": "核实身份"}
        response = client_for(role).post(f"/matters/{matters['own'].pk}/reveal/", data)
        assert response.status_code == 403
        assert ID_NUMBER not in response.content.decode()


def test_a_2027_visit_is_refused_as_a_future_date(client_for, county):
    page = client_for("bureau").post("/matters/new/", {"date": "2027-01-05"}).content.decode()
    assert "信访日期不能晚于今天" in page


def test_the_public_never_reaches_a_matter_page(matters):
    client = Client()
    assert client.get(f"/matters/{matters['own'].pk}/").status_code == 302
    assert client.get(f"/api/v1/matters/{matters['own'].pk}/").status_code == 403
    status = client.get("/public/query/", {"code": matters["own"].query_code}).content.decode()
    assert not re.search("张建军|周庄镇拖欠工资", status)


def test_a_matter_reporting_a_leader_is_hidden_from_that_leader_who_cannot_own_it(
    client_for, persona, county
):
    from xinfang.petitions.services.common import RegistryError
    from xinfang.petitions.services.ownership import ownership_assign

    leader = persona("leader")
    matter = matter_register(by=persona("bureau"), data=RegistrationInput(
        county=county, event=EventInput(dt.date(2026, 11, 19), "letter", "county"),
        origin_township=Unit.objects.get(county=county, name="周庄镇"),
        category=Category.objects.get(county=county, code="0302"), content="反映某副县长滥用职权",
        purpose=Matter.Purpose.ACCUSATION, reported_accounts=[leader],
    ))  # fmt: skip
    with pytest.raises(RegistryError, match="被反映的领导不能包案"):
        ownership_assign(by=persona("bureau"), matter=matter, leader=leader.leader)
    assert client_for(leader).get(f"/matters/{matter.pk}/").status_code == 404
    assert client_for("secretary").get(f"/matters/{matter.pk}/").status_code == 200


def test_only_the_bureau_adds_visits_through_the_page(client_for, matters):
    data = {"date": "2026-11-20", "channel": "visit", "level": "beijing", "persons": "50"}
    for role in ("zhouzhuang", "secretary"):
        assert client_for(role).post(f"/matters/{matters['own'].pk}/event/", data).status_code == 403
    matters["own"].refresh_from_db()
    assert matters["own"].top_level == "county"
