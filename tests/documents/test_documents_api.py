"""The issued documents' API (issue 15): a leader's inbox and the bureau's archive, one document in the
reader's copy (reading it is the read receipt, as on the page; the Art. 46 copy's own SHA-256), the main
leader's sign-off once (409 the second time), the refusals of the API contract, and a schema-driven fuzz
as the bureau and as the county secretary."""

from __future__ import annotations

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

from tests.petitions.support import frozen
from tests.petitions.test_api_contract import (
    CHECKS,
    CSRF_TOKEN,
    EXAMPLES,
    MODES,
    NOW,
    connection_kept_open,
    with_known_values,
)
from tests.reports.test_weekly import visit, week_of_visits
from xinfang.audit.models import AuditRecord
from xinfang.documents.models import Delivery, DocumentCopy, IssuedDocument
from xinfang.petitions.models import Level
from xinfang.reports.models import WeeklyReport
from xinfang.reports.services.weekly import weekly_approve, weekly_draft

pytestmark = pytest.mark.django_db
BASE = "/api/v1/documents/"
OTHERS = ("zhouzhuang", "renshe", "auditor")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def issue(county, persona) -> IssuedDocument:
    """The week of 2026-10-26 issued by the bureau head (sent to the secretary to sign off)."""
    report, _ = weekly_draft(
        county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1), by=persona("bureau")
    )
    return weekly_approve(report=report, by=persona("bureau_head"))


def test_the_inbox_is_the_leaders_and_the_archive_the_bureaus(county, persona, django_assert_max_num_queries):
    with frozen():
        week_of_visits(county)
        document = issue(county, persona)
        with django_assert_max_num_queries(4):  # the inbox and its unread count, however long
            secretary = api(persona("secretary")).get(BASE)
        assert secretary.status_code == 200, secretary.content
        body = secretary.json()
        assert body["unread"] == 1 and body["documents"] == []
        row = body["inbox"][0]
        assert row["purpose"] == "sign" and row["read_at"] is None and row["signed_at"] is None
        assert row["document"]["id"] == document.pk and row["document"]["label"] == "2026年第1期每周访情分析"
        assert row["document"]["kind"] == "weekly" and row["document"]["period_from"] == "2026-10-26"
        bureau = api(persona("bureau")).get(BASE).json()
        assert bureau["inbox"] == [] and [row["id"] for row in bureau["documents"]] == [document.pk]
        assert api(persona("bureau")).get(BASE, {"kind": "progress"}).json()["documents"] == []
        assert api(persona("bureau")).get(BASE, {"kind": "memo"}).status_code == 400
        unknown = api(persona("bureau")).get(BASE, {"q": "周"})
        assert unknown.status_code == 400 and unknown.json() == {"q": ["未知参数：接口不接受此查询参数"]}
        # the demo vice county head is no standing-committee member: nothing was sent to him
        assert api(persona("leader")).get(BASE).json() == {"inbox": [], "unread": 0, "documents": []}
        for who in OTHERS:
            assert api(persona(who)).get(BASE).status_code == 403, who


def test_reading_through_the_api_is_the_read_receipt(county, persona):
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        document = issue(county, persona)
        url = f"{BASE}{document.pk}/"
        as_bureau = api(persona("bureau")).get(url)
        assert as_bureau.status_code == 200, as_bureau.content
        delivery = Delivery.objects.get(document=document, leader=secretary.leader)
        assert delivery.read_at is None  # the bureau looking is no receipt
        body = api(secretary).get(url).json()
        delivery.refresh_from_db()
        assert delivery.read_at is not None
        assert body["delivery"]["purpose"] == "sign" and body["delivery"]["read_at"] is not None
        assert body["deliveries"] == []  # the recipients are the bureau's to see
        full = DocumentCopy.objects.get(document=document, key="full")
        assert body["files"] == {
            "docx": f"/documents/{document.pk}/docx/", "pdf": f"/documents/{document.pk}/pdf/",
            "docx_sha256": full.docx_sha256, "pdf_sha256": full.pdf_sha256,
        }  # fmt: skip
        report = WeeklyReport.objects.get(document=document)
        assert (
            body["page_url"] == f"/reports/weekly/{report.pk}/"
            and body["url"] == f"/documents/{document.pk}/"
        )
        assert body["approved_by"] == persona("bureau_head").display_name and body["number"] == 1
        api(secretary).get(url)
        bureau_body = as_bureau.json()
        assert bureau_body["delivery"] is None
        assert {row["leader"] for row in bureau_body["deliveries"]} >= {secretary.leader.name}
        unread = api(secretary).get(BASE).json()["unread"]
        assert api(persona("bureau")).get(url, {"copy": "full"}).status_code == 400
        assert api(persona("leader")).get(url).status_code == 404
        assert api(persona("bureau")).get(f"{BASE}999999/").status_code == 404
        for who in OTHERS:
            assert api(persona(who)).get(url).status_code == 403, who
    assert unread == 0
    assert AuditRecord.objects.filter(action="document.read").count() == 1  # once, however often read


def test_the_secretary_reads_the_copy_without_the_matter_reporting_them(county, persona):
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        reporting = visit(county, date=dt.date(2026, 10, 29), level=Level.PROVINCE)
        reporting.reported_accounts.add(secretary)
        document = issue(county, persona)
        mine = api(secretary).get(f"{BASE}{document.pk}/").json()
        bureau = api(persona("bureau")).get(f"{BASE}{document.pk}/").json()
    copy = Delivery.objects.get(document=document, leader=secretary.leader).copy
    full = DocumentCopy.objects.get(document=document, key="full")
    assert copy.omitted == [reporting.number] and copy.docx_sha256 != full.docx_sha256
    assert mine["files"]["docx_sha256"] == copy.docx_sha256 and mine["files"]["pdf_sha256"] == copy.pdf_sha256
    assert bureau["files"]["docx_sha256"] == full.docx_sha256
    assert reporting.number not in str(mine)
    recipients = {row["leader"]: row for row in bureau["deliveries"]}
    assert recipients[secretary.leader.name]["full_copy"] is False


def test_the_main_leader_signs_once(county, persona):
    secretary = persona("secretary")
    client = api(secretary)
    with frozen():
        week_of_visits(county)
        document = issue(county, persona)
        url = f"{BASE}{document.pk}/sign/"
        unknown = client.post(url, {"note": "阅", "agree": True}, format="json")
        assert unknown.status_code == 400 and unknown.json() == {"agree": ["未知字段：接口不接受此字段"]}
        assert client.post(url, {"note": "字" * 2001}, format="json").status_code == 400
        assert client.post(url, {"note": "阅"}).status_code == 415
        bureau = api(persona("bureau")).post(url, {"note": "阅"}, format="json")
        assert bureau.status_code == 403 and bureau.json()["detail"] == "该文件未报送您签批"
        assert api(persona("bureau_head")).post(url, {}, format="json").status_code == 403
        assert api(persona("leader")).post(url, {}, format="json").status_code == 404
        for who in OTHERS:
            assert api(persona(who)).post(url, {}, format="json").status_code == 403, who
        signed = client.post(url, {"note": "请抓紧办理"}, format="json")
        assert signed.status_code == 200, signed.content
        assert signed.json()["delivery"]["signed_at"] is not None
        assert signed.json()["delivery"]["sign_note"] == "请抓紧办理"
        twice = client.post(url, {"note": "再签"}, format="json")
        assert twice.status_code == 409 and twice.json() == {"detail": "该文件已签批"}
    delivery = Delivery.objects.get(document=document, leader=secretary.leader)
    assert delivery.sign_note == "请抓紧办理" and delivery.signed_by == secretary
    assert delivery.read_at is not None  # signing reads it
    assert AuditRecord.objects.filter(action="document.sign").count() == 1


def test_the_document_names_the_documents_operations(client_for):
    document = client_for("bureau").get("/api/schema/", {"format": "json"}).json()
    codes = {
        (method, path): sorted(operation["responses"])
        for path, operations in document["paths"].items()
        if path.startswith(BASE)
        for method, operation in operations.items()
    }
    assert codes == {
        ("get", BASE): ["200", "400", "403"],
        ("get", f"{BASE}{{document_id}}/"): ["200", "400", "403", "404"],
        ("post", f"{BASE}{{document_id}}/sign/"): ["200", "400", "403", "404", "409", "415"],
    }
    schemas = document["components"]["schemas"]
    assert schemas["DocumentSignIn"]["additionalProperties"] is False
    assert schemas["DocumentSignIn"]["properties"]["note"]["maxLength"] == 2000
    assert schemas["DeliveryPurpose"]["enum"] == ["sign", "read"]


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["bureau", "secretary"])
def test_it_answers_every_generated_request_as_the_document_says(who, persona, county):
    with time_machine.travel(NOW, tick=False):
        week_of_visits(county)
        document = issue(county, persona)
        known: dict[str, list[Any]] = {"document_id": [document.pk, 10**12], "kind": ["weekly", "progress"]}
        client = Client()
        client.force_login(persona(who))
        schema = schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())
        cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }
        app = WSGIHandler()
        operations = [result.ok() for result in schema.get_all_operations()]
        operations = [operation for operation in operations if operation.path.startswith(BASE)]
        assert len(operations) == 3
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
    assert Delivery.objects.filter(document=document, signed_at__isnull=False).count() <= 1
