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
    assert refused.status_code == 409  # the matter's state does not allow it: a conflict, not bad input
    assert "不能改为" in refused.json()["detail"]
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


# The contract (docs/registry.md, "API contract"): what the fuzzer in test_api_contract.py checks against
# the document, stated here case by case with the database.


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"urgent": True}, {"urgent": ["未知字段：接口不接受此字段"]}),
        (
            {"event": {"date": "2026-11-19", "channel": "visit", "level": "county", "people": 3}},
            {"event": {"people": ["未知字段：接口不接受此字段"]}},
        ),
        (
            {"petitioners": [{"name": "张三"}, {"name": "李四", "mobile": "1"}]},
            {"petitioners": {"1": {"mobile": ["未知字段：接口不接受此字段"]}}},  # by the item's index
        ),
    ],
)
def test_it_refuses_unknown_fields_at_any_depth_and_writes_nothing(persona, county, change, errors):
    before = Matter.objects.count()
    response = api_for(persona("bureau")).post("/api/v1/matters/", payload(county, **change), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert Matter.objects.count() == before


def test_an_unknown_field_is_listed_with_the_other_errors(persona, county):
    response = api_for(persona("bureau")).post(
        "/api/v1/matters/", payload(county, content="", colour="red"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"content", "colour"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"event": {"date": "1989-12-31", "channel": "visit", "level": "county"}}, "event", "不能早于1990年"),
        ({"petitioners": [{"name": f"信访人{n}"} for n in range(21)]}, "petitioners", "20"),
        ({"category": 10**12}, "category", "无效"),
        ({"responsible_unit": 10**30}, "responsible_unit", "无效"),
    ],
)
def test_it_enforces_the_limits_the_document_states(persona, county, change, field, message):
    response = api_for(persona("bureau")).post("/api/v1/matters/", payload(county, **change), format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_the_list_refuses_an_unknown_parameter_and_a_forged_cursor(persona):
    client = api_for(persona("bureau"))
    assert client.get("/api/v1/matters/", {"staus": "accepted"}).json() == {
        "staus": ["未知参数：接口不接受此查询参数"]
    }
    assert client.get("/api/v1/matters/", {"staus": "accepted"}).status_code == 400
    assert "after" in client.get("/api/v1/matters/", {"after": "2026-02-30.5"}).json()
    assert client.get("/api/v1/matters/", {"after": "2026-11-19.5"}).status_code == 200
    # The page's filters, to-do queues included: only the queues of the user's own role.
    assert client.get("/api/v1/matters/", {"todo": "transfer"}).status_code == 200
    assert "todo" in client.get("/api/v1/matters/", {"todo": "receive"}).json()  # a unit's queue
    assert client.get("/api/v1/matters/1/", {"verbose": "1"}).status_code == 400


def test_it_takes_json_only_and_answers_every_refusal_in_json_and_chinese(persona, county):
    client = api_for(persona("bureau"))
    for body, content_type in (("content=x", "application/x-www-form-urlencoded"), ("content,x", "text/csv")):
        refused = client.post("/api/v1/matters/", body, content_type=content_type)
        assert refused.status_code == 415 and content_type in refused.json()["detail"]
    multipart = client.post("/api/v1/matters/", {"content": "x"}, format="multipart")
    assert multipart.status_code == 415 and "multipart/form-data" in multipart.json()["detail"]
    broken = client.post("/api/v1/matters/", "{", content_type="application/json")
    assert broken.status_code == 400 and broken.json() == {"non_field_errors": ["请求体不是有效的 JSON"]}
    unmatched = client.get("/api/v1/matters/abc/")
    assert unmatched.status_code == 404 and unmatched["Content-Type"] == "application/json"
    assert "不存在" in unmatched.json()["detail"]


def test_a_post_without_the_csrf_token_is_refused_in_chinese(persona):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(persona("bureau"))
    response = client.post("/api/v1/matters/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF 校验失败")


def test_a_unit_that_does_not_handle_a_matter_may_not_move_it_and_a_closed_one_takes_no_visit(
    persona, county
):
    bureau = api_for(persona("bureau"))
    matter_id = bureau.post("/api/v1/matters/", payload(county), format="json").json()["id"]
    # 周庄镇 sees the matter (its township) but 县人社局 handles it: 403, with the reason.
    refused = api_for(persona("zhouzhuang")).post(
        f"/api/v1/matters/{matter_id}/transition/", {"to": "accepted"}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有信访局或承办单位可以办理该事项"}
    Matter.objects.filter(pk=matter_id).update(status=Matter.Status.CLOSED)
    visit = {"date": "2026-11-20", "channel": "visit", "level": "county"}
    closed = bureau.post(f"/api/v1/matters/{matter_id}/events/", visit, format="json")
    assert closed.status_code == 409 and "已终结" in closed.json()["detail"]
    assert Matter.objects.get(pk=matter_id).event_count == 1


def test_an_unknown_reviewing_organ_is_refused(persona, county):
    bureau = api_for(persona("bureau"))
    matter_id = bureau.post("/api/v1/matters/", payload(county), format="json").json()["id"]
    response = bureau.post(
        f"/api/v1/matters/{matter_id}/transition/", {"to": "review", "organ_unit": 10**12}, format="json"
    )
    assert response.status_code == 400 and "organ_unit" in response.json()


def test_the_document_states_the_codes_the_shapes_and_the_unknown_field_policy(persona):
    schema = api_for(persona("bureau")).get("/api/schema/", {"format": "json"}).json()
    codes = {
        (method, path): sorted(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if path.startswith("/api/v1/matters/")  # the other apps' endpoints are tested with them
    }
    assert codes == {
        ("get", "/api/v1/matters/"): ["200", "400", "403"],
        ("post", "/api/v1/matters/"): ["201", "400", "403", "415"],
        ("get", "/api/v1/matters/{matter_id}/"): ["200", "400", "403", "404"],
        ("post", "/api/v1/matters/{matter_id}/events/"): ["201", "400", "403", "404", "409", "415"],
        ("post", "/api/v1/matters/{matter_id}/transition/"): ["200", "400", "403", "404", "409", "415"],
    }
    components = schema["components"]["schemas"]
    for name in ("MatterIn", "EventIn", "PetitionerIn", "TransitionIn"):
        assert components[name]["additionalProperties"] is False, name
    assert components["MatterIn"]["properties"]["petitioners"]["maxItems"] == 20
    assert components["MatterIn"]["properties"]["content"] == {
        "type": "string",
        "maxLength": 5000,
        "minLength": 1,
    }
    assert {"Error", "ValidationErrors", "FieldErrors"} <= set(components)
    register = schema["paths"]["/api/v1/matters/"]["post"]
    assert list(register["requestBody"]["content"]) == ["application/json"]
    assert register["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrors"
    }
