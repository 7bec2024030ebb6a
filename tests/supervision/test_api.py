"""The supervision API: the same scope and services as the pages, under the API contract (unknown fields
refused, 400/403/404/409/415 in the documented shapes), and a schema-driven fuzz of its operations as the
bureau and as a 周庄镇 user."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
import schemathesis
import time_machine
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.petitions.support import frozen, new_matter
from tests.petitions.test_api_contract import (
    CHECKS,
    CSRF_TOKEN,
    EXAMPLES,
    MODES,
    NOW,
    connection_kept_open,
    with_known_values,
)
from tests.supervision.support import PDF, leader_of, new_item
from xinfang.directory.models import Unit
from xinfang.supervision.models import SupervisionItem, SupervisionProgress

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def item(county, persona):
    with frozen():
        return new_item(county, persona("bureau"), leader=leader_of(persona("leader")), units=("周庄镇",))


def test_the_list_and_the_detail_follow_the_pages_scope(item, persona):
    with frozen():
        listed = api(persona("zhouzhuang")).get("/api/v1/supervision/", {"state": "open"})
        assert listed.status_code == 200, listed.content
        body = listed.json()
        assert body["count"] == 1 and body["next"] == "" and body["results"][0]["id"] == item.pk
        assert body["results"][0]["state"] == "todo" and body["results"][0]["units"][0]["name"] == "周庄镇"
        assert api(persona("renshe")).get("/api/v1/supervision/").json()["count"] == 0
        assert api(persona("renshe")).get(f"/api/v1/supervision/{item.pk}/").status_code == 404
        assert api(persona("auditor")).get("/api/v1/supervision/").status_code == 403
        refused = api(persona("bureau")).get("/api/v1/supervision/", {"state": "late", "colour": "red"})
        assert refused.status_code == 400 and set(refused.json()) == {"colour"}
        refused = api(persona("bureau")).get("/api/v1/supervision/", {"state": "late"})
        assert refused.status_code == 400 and set(refused.json()) == {"state"}


def test_a_unit_reports_with_a_file_and_the_bureau_returns_and_accepts(item, persona):
    zhouzhuang, bureau = api(persona("zhouzhuang")), api(persona("bureau"))
    file = {"name": "凭证.pdf", "content_base64": base64.b64encode(PDF).decode()}
    with frozen():
        url = f"/api/v1/supervision/{item.pk}"
        bad = zhouzhuang.post(
            f"{url}/progress/", {"date": "2026-11-02", "text": "x", "extra": 1}, format="json"
        )
        assert bad.status_code == 400 and "extra" in bad.json()
        wrong = {"name": "a.pdf", "content_base64": base64.b64encode(b"<html>").decode()}
        bad = zhouzhuang.post(
            f"{url}/progress/", {"date": "2026-11-02", "text": "x", "attachments": [wrong]}, format="json"
        )
        assert bad.status_code == 400 and "不是 PDF" in str(bad.json()["attachments"])
        form = zhouzhuang.post(f"{url}/progress/", {"date": "2026-11-02", "text": "x"})
        assert form.status_code == 415
        done = zhouzhuang.post(
            f"{url}/progress/", {"date": "2026-11-02", "text": "已约谈", "attachments": [file]}, format="json"
        )
        assert done.status_code == 201, done.content
        report = done.json()["progress"][0]
        assert report["unit"]["name"] == "周庄镇" and report["attachments"][0]["name"] == "凭证.pdf"
        assert report["attachments"][0]["url"].startswith(f"/supervision/{item.pk}/files/")
        again = zhouzhuang.post(f"{url}/progress/", {"date": "2026-11-02", "text": "已约谈"}, format="json")
        assert again.status_code == 409 and "重复" in again.json()["detail"]
        assert zhouzhuang.post(f"{url}/accept/", {}, format="json").status_code == 403
        assert bureau.post(f"{url}/return/", {"reason": "请补充"}, format="json").status_code == 200
        twice = bureau.post(f"{url}/return/", {"reason": "请补充"}, format="json")
        assert twice.status_code == 409
        zhouzhuang.post(f"{url}/progress/", {"date": "2026-11-02", "text": "已补充"}, format="json")
        accepted = bureau.post(f"{url}/accept/", {"note": "同意"}, format="json")
        assert accepted.status_code == 200 and accepted.json()["state"] == "done"
        assert [r["decision"] for r in accepted.json()["reviews"]] == ["return", "accept"]
        assert bureau.post(f"{url}/accept/", {}, format="json").status_code == 409
    assert SupervisionProgress.objects.filter(item=item).count() == 2


def test_the_bureau_reports_on_behalf_of_one_of_the_items_units_only(item, persona, county):
    bureau = api(persona("bureau"))
    renshe = Unit.objects.get(county=county, name="县人社局")
    with frozen():
        url = f"/api/v1/supervision/{item.pk}/progress/"
        refused = bureau.post(url, {"date": "2026-11-02", "text": "代报", "unit": renshe.pk}, format="json")
        assert refused.status_code == 400 and "unit" in refused.json()
        own = api(persona("zhouzhuang")).post(
            url, {"date": "2026-11-02", "text": "代报", "unit": renshe.pk}, format="json"
        )
        assert own.status_code == 400
        ok = bureau.post(
            url, {"date": "2026-11-02", "text": "代报", "unit": item.units.get().pk}, format="json"
        )
        assert ok.status_code == 201


def test_the_document_names_the_supervision_operations(client_for):
    document = client_for("bureau").get("/api/schema/", {"format": "json"}).json()
    paths = document["paths"]
    base = "/api/v1/supervision/"
    assert {base, f"{base}{{item_id}}/", *(f"{base}{{item_id}}/{action}/" for action in ("progress", "accept",
            "return"))} <= set(paths)  # fmt: skip
    assert set(paths["/api/v1/supervision/{item_id}/accept/"]["post"]["responses"]) == {
        "200", "400", "403", "404", "409", "415",
    }  # fmt: skip
    body = document["components"]["schemas"]["SupervisionProgressIn"]
    assert body["additionalProperties"] is False and body["properties"]["attachments"]["maxItems"] == 5


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["bureau", "zhouzhuang"])
def test_it_answers_every_generated_request_as_the_document_says(who, persona, county):
    with time_machine.travel(NOW, tick=False):
        bureau = persona("bureau")
        leader = leader_of(persona("leader"))
        matter = new_matter(bureau, county, date=dt.date(2026, 11, 19))
        items = [
            new_item(county, bureau, leader=leader, units=("周庄镇",), instructed_at=NOW.date()),
            new_item(
                county, bureau, leader=leader, units=("闹店镇",), instructed_at=NOW.date(), matter=matter
            ),
        ]
        known: dict[str, list[Any]] = {
            "item_id": [item.pk for item in items] + [10**12],
            "unit": [*Unit.objects.filter(county=county).values_list("pk", flat=True)[:3], 10**12],
            "leader": [leader.pk, 10**12],
            "date": ["2026-11-20", "2026-11-19"],
            "state": ["open", "overdue", "awaiting"],
        }
        client = Client()
        client.force_login(persona(who))
        schema = schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())
        cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }
        app = WSGIHandler()
        operations = [result.ok() for result in schema.get_all_operations()]
        operations = [
            operation for operation in operations if operation.path.startswith("/api/v1/supervision/")
        ]
        assert len(operations) == 5
        for operation in operations:
            for mode in MODES:

                @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
                @hypothesis_settings(
                    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck),
                )  # fmt: skip
                def call(case: schemathesis.Case[Any], data: st.DataObject) -> None:
                    with_known_values(case, data.draw, known)
                    case.call_and_validate(
                        app=app, headers={"X-CSRFToken": CSRF_TOKEN}, cookies=cookies, checks=CHECKS
                    )

                with connection_kept_open():
                    call()
    assert SupervisionItem.objects.filter(county=county).count() == 2
