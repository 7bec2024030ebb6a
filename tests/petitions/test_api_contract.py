"""The API keeps its OpenAPI document (issue 14, item 12): a schema-driven fuzzer (schemathesis) calls
every operation in process, as a bureau user and as a 周庄镇 user, with requests that follow the document
and requests that break it, and checks every answer against the document: no server error, only the
documented status codes and content types, bodies in the documented shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xinfang.directory.models import Category, Leader, Unit, Village

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
EXAMPLES = 15  # per operation and mode: the whole run stays well under a minute
CSRF_TOKEN = "x" * 32  # any 32 characters of the token's alphabet; the cookie and the header must match


def known_values(county, persona) -> dict[str, list[Any]]:
    """Values mixed by the fuzzer into what it generates, so that requests get past the lookups and reach
    the services: matters in several states (in and out of the 周庄镇 user's scope), the county's
    townships, villages, units and categories, an id that exists nowhere, and dates the registry takes."""
    bureau = APIClient()
    bureau.force_authenticate(persona("bureau"))
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    category = Category.objects.get(county=county, code="0702")
    matters = []
    for township, unit, to in (
        (zhouzhuang, "县人社局", None),
        (zhouzhuang, "周庄镇", "accepted"),
        (Unit.objects.get(county=county, name="闹店镇"), "县公安局", "rejected"),
    ):
        created = bureau.post("/api/v1/matters/", {
            "event": {"date": "2026-11-19", "channel": "visit", "level": "county"},
            "origin_township": township.pk, "category": category.pk, "content": "拖欠工资",
            "responsible_unit": Unit.objects.get(county=county, name=unit).pk,
        }, format="json")  # fmt: skip
        assert created.status_code == 201, created.content
        matters.append(created.json()["id"])
        if to:
            moved = bureau.post(
                f"/api/v1/matters/{matters[-1]}/transition/",
                {"to": to, "reason": "不属于信访事项"},
                format="json",
            )
            assert moved.status_code == 200, moved.content
    nowhere = 10**12
    units = list(Unit.objects.filter(county=county).values_list("pk", flat=True)[:6])
    return {
        "matter_id": [*matters, nowhere],
        "origin_township": [zhouzhuang.pk, nowhere],
        "origin_village": [
            *Village.objects.filter(township=zhouzhuang).values_list("pk", flat=True)[:2],
            nowhere,
        ],
        "category": [category.pk, nowhere],
        "responsible_unit": [*units, nowhere],
        "reported_units": [*units, nowhere],
        "organ_unit": [*units, nowhere],
        "township": [zhouzhuang.pk, nowhere],
        "unit": [*units, nowhere],
        "owner": [*Leader.objects.filter(county=county).values_list("pk", flat=True)[:2], nowhere],
        **{name: ["2026-11-16", "2026-11-20"] for name in ("date", "on", "delivered_on", "requested_on")},
        "to": ["accepted", "rejected", "in_progress", "answered"],  # steps the matters above can take
    }


def with_known_values(case: schemathesis.Case[Any], draw: Any, known: dict[str, list[Any]]) -> None:
    """Replace, at the fuzzer's choice, generated ids and dates with known ones (in the path, the query,
    the body and the body's event)."""
    body = case.body if isinstance(case.body, dict) else {}
    for where in (case.path_parameters, case.query, body, body.get("event")):
        if not isinstance(where, dict):
            continue
        for name in sorted(set(where) & set(known)):
            if draw(st.booleans()):
                value = draw(st.sampled_from(known[name]))
                where[name] = [value] if isinstance(where[name], list) else value


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection at each request's start and end, which would end the test's
    transaction on PostgreSQL; the test client keeps it open the same way (and reconnects the handler
    after each of its own requests, so this wraps the fuzzer's calls only)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", ["bureau", "zhouzhuang"])
def test_it_answers_every_generated_request_as_the_document_says(who, persona, county):
    with time_machine.travel(NOW, tick=False):
        known = known_values(county, persona)
        client = Client()
        client.force_login(persona(who))
        document = client.get("/api/schema/", {"format": "json"})
        assert document.status_code == 200
        schema = schemathesis.openapi.from_dict(document.json())
        cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }
        app = WSGIHandler()
        operations = [result.ok() for result in schema.get_all_operations()]
        # The registry's own operations; the other apps' are fuzzed by their own tests.
        operations = [operation for operation in operations if operation.path.startswith("/api/v1/matters/")]
        assert len(operations) == 5
        for operation in operations:
            for mode in MODES:

                @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
                @hypothesis_settings(
                    max_examples=EXAMPLES,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def call(case: schemathesis.Case[Any], data: st.DataObject) -> None:
                    with_known_values(case, data.draw, known)
                    case.call_and_validate(
                        app=app, headers={"X-CSRFToken": CSRF_TOKEN}, cookies=cookies, checks=CHECKS
                    )

                with connection_kept_open():
                    call()
