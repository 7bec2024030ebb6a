"""The registry API: the same scope, validation and services as the pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Matter

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(county, **overrides):
    body = {
        "event": {"date": "2026-11-19", "channel": "visit", "level": "province", "persons": 6},
        "petitioners": [{"name": "张建军", "id_number": "410421198503150016", "phone": "13937512345"}],
        "origin_township": Unit.objects.get(county=county, name="周庄镇").pk,
        "category": Category.objects.get(county=county, code="0702").pk,
        "content": "拖欠农民工工资",
        "responsible_unit": Unit.objects.get(county=county, name="县人社局").pk,
    }
    body.update(overrides)
    return body


def test_it_registers_lists_and_shows_a_matter_through_the_api(persona, county):
    client = api_for(persona("bureau"))
    created = client.post("/api/v1/matters/", payload(county), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["top_level"] == "province"
    assert body["is_collective"] is True
    assert body["petitioners"][0]["id_number"] == "410421********0016"
    assert "410421198503150016" not in created.content.decode()
    listed = client.get("/api/v1/matters/", {"q": "工资"}).json()
    assert [m["number"] for m in listed["results"]] == [body["number"]]
    assert listed["next"] == ""
    renshe = api_for(persona("renshe")).get(f"/api/v1/matters/{body['id']}/").json()
    assert renshe["petitioners"][0]["name"] == "张建军"  # the responsible unit handles it
    secretary = api_for(persona("secretary")).get(f"/api/v1/matters/{body['id']}/").json()
    assert secretary["petitioners"][0]["name"] == "张*军"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"event": {"date": "2026-11-21", "channel": "visit", "level": "county"}}, "event", "不能晚于今天"),
        ({"petitioners": [{"id_number": "410421198503150015"}]}, "petitioners", "校验位"),
        ({"petitioners": [{"phone": "123"}]}, "petitioners", "手机号码"),
        (
            {"event": {"date": "2026-11-19", "channel": "visit", "level": "county", "persons": 0}},
            "event",
            "1",
        ),
        ({"origin_township": 999999}, "origin_township", "无效"),
        ({"content": ""}, "content", "不能为空"),
    ],
)
def test_it_answers_bad_input_with_chinese_errors_and_writes_nothing(persona, county, change, field, message):
    before = Matter.objects.count()
    response = api_for(persona("bureau")).post("/api/v1/matters/", payload(county, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert message in str(response.json())
    assert Matter.objects.count() == before


def test_it_keeps_the_same_scope_as_the_pages(persona, county, outsider):
    matter_id = (
        api_for(persona("bureau")).post("/api/v1/matters/", payload(county), format="json").json()["id"]
    )
    assert api_for(persona("zhouzhuang")).get(f"/api/v1/matters/{matter_id}/").status_code == 200
    assert api_for(outsider).get(f"/api/v1/matters/{matter_id}/").status_code == 404
    assert api_for(persona("auditor")).get("/api/v1/matters/").status_code == 403
    assert (
        api_for(persona("renshe")).post("/api/v1/matters/", payload(county), format="json").status_code == 403
    )
    assert APIClient().get("/api/v1/matters/").status_code == 403


def test_it_adds_events_and_moves_the_status_through_the_api(persona, county):
    bureau = api_for(persona("bureau"))
    matter_id = bureau.post("/api/v1/matters/", payload(county), format="json").json()["id"]
    new_event = {"date": "2026-11-20", "channel": "call", "level": "beijing"}
    event = bureau.post(f"/api/v1/matters/{matter_id}/events/", new_event, format="json")
    assert event.status_code == 201
    refused = bureau.post(f"/api/v1/matters/{matter_id}/transition/", {"to": "resolved"}, format="json")
    assert refused.status_code == 400
    assert "不能改为" in str(refused.json())
    accepted = bureau.post(f"/api/v1/matters/{matter_id}/transition/", {"to": "accepted"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["top_level"] == "beijing"


def test_the_openapi_document_describes_the_registry(persona):
    schema = api_for(persona("bureau")).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/matters/" in schema["paths"]
    assert "/api/v1/matters/{matter_id}/transition/" in schema["paths"]


def test_the_openapi_document_validates_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_next_page_is_a_full_link_with_the_same_filters(persona, county, monkeypatch):
    """Issue 14, item 10: REST clients follow `next` as it is."""
    monkeypatch.setattr("xinfang.petitions.apis.PAGE_SIZE", 2)
    client = api_for(persona("bureau"))
    for _ in range(3):
        assert client.post("/api/v1/matters/", payload(county), format="json").status_code == 201
    first = client.get("/api/v1/matters/", {"q": "工资"}).json()
    assert first["next"].startswith("http://testserver/api/v1/matters/?")
    assert "q=%E5%B7%A5%E8%B5%84" in first["next"] and "after=" in first["next"]
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1 and second["next"] == ""
    assert {m["id"] for m in first["results"]}.isdisjoint({m["id"] for m in second["results"]})
