"""The weekly analysis API (issue 15): each persona gets what the pages give it (the bureau drafts, edits and,
as its head, approves; the main leaders read issues, give the read receipt and write their 批示; everyone
else 403), the figures in the shape `xinfang report weekly --format json` prints, the Art. 46 copy, the API
contract's refusals (400/403/404/409/415, unknown fields), and a schema-driven fuzz as the bureau and as the
county secretary."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import schemathesis
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
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
from tests.reports.test_weekly_pages import PNG
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, Unit
from xinfang.documents.models import Delivery
from xinfang.petitions.models import Level
from xinfang.reports.models import WeeklyReport
from xinfang.reports.services.weekly import weekly_approve, weekly_draft, weekly_instruct
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/weekly/"
WEEK = {"week": "2026-10-28"}  # in the week of 2026-10-26 to 11-01, the one week_of_visits fills
OTHERS = ("leader", "zhouzhuang", "renshe", "auditor")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def cli_json(week: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("report", "weekly", "--week", week, "--format", "json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def drafted(persona) -> WeeklyReport:
    created = api(persona("bureau")).post(BASE, WEEK, format="json")
    assert created.status_code == 201, created.content
    return WeeklyReport.objects.get(pk=created.json()["id"])


def issued(persona) -> WeeklyReport:
    report = drafted(persona)
    approved = api(persona("bureau_head")).post(
        f"{BASE}{report.pk}/approve/", {"confirm": True}, format="json"
    )
    assert approved.status_code == 200, approved.content
    report.refresh_from_db()
    return report


def instruction(county, **overrides) -> dict[str, Any]:
    return {
        "matter": "", "instruction": "请杜文博同志牵头研究，月底前化解到位。",
        "leader": Leader.objects.get(county=county, name="杜文博").pk,
        "units": [Unit.objects.get(county=county, name="县人社局").pk], "deadline": "2026-11-20",
        **overrides,
    }  # fmt: skip


def test_the_bureau_drafts_a_week_once_and_its_figures_are_the_clis(county, persona):
    bureau = api(persona("bureau"))
    with frozen():
        week_of_visits(county)
        created = bureau.post(BASE, WEEK, format="json")
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["state"] == "draft" and body["number"] is None and body["document"] is None
        assert body["label"] == "草稿" and body["instructions"] == []
        assert body["figures"] == cli_json("2026-10-28")  # the shape `xinfang report weekly` prints
        assert body["figures"]["from"] == "2026-10-26" and body["figures"]["to"] == "2026-11-01"
        again = bureau.post(BASE, {"week": "2026-11-01"}, format="json")
        assert again.status_code == 200 and again.json()["id"] == body["id"]
        future = bureau.post(BASE, {"week": "2026-11-09"}, format="json")
        assert future.status_code == 400 and future.json() == {"week": ["不能起草尚未开始的一周"]}
        unknown = bureau.post(BASE, {**WEEK, "county": 1}, format="json")
        assert unknown.status_code == 400 and unknown.json() == {"county": ["未知字段：接口不接受此字段"]}
        assert bureau.post(BASE, WEEK).status_code == 415  # a form body, not JSON
        for who in ("bureau_head",):
            assert api(persona(who)).post(BASE, WEEK, format="json").status_code == 200
        for who in ("secretary", *OTHERS):
            refused = api(persona(who)).post(BASE, WEEK, format="json")
            assert refused.status_code == 403 and "无权" in refused.json()["detail"], who
    assert WeeklyReport.objects.count() == 1
    assert AuditRecord.objects.filter(action="weekly.draft").count() == 1


def test_the_list_shows_drafts_to_the_bureau_and_issues_to_the_main_leaders(
    county, persona, django_assert_max_num_queries
):
    with frozen():
        week_of_visits(county)
        report = issued(persona)
        bureau = api(persona("bureau"))
        draft = bureau.post(BASE, {"week": "2026-10-21"}, format="json").json()
        with django_assert_max_num_queries(4):  # the years and the year's issues, however many
            listed = bureau.get(BASE)
        assert listed.status_code == 200, listed.content
        body = listed.json()
        assert body["year"] == 2026 and body["years"] == [2026]
        assert [row["id"] for row in body["results"]] == [report.pk, draft["id"]]  # newest first
        first = body["results"][0]
        assert first == {
            "id": report.pk, "from": "2026-10-26", "to": "2026-11-01", "state": "issued", "number": 1,
            "label": "2026年第1期每周访情分析", "events": report.figures["totals"]["events"],
            "drafted_at": first["drafted_at"], "approved_at": first["approved_at"],
            "document": report.document_id,
        }  # fmt: skip
        assert first["approved_at"] is not None and body["results"][1]["approved_at"] is None
        secretary = api(persona("secretary")).get(BASE).json()
        assert [row["id"] for row in secretary["results"]] == [report.pk]
        assert bureau.get(BASE, {"year": 2025}).json()["results"] == []
        assert bureau.get(BASE, {"year": "二〇二六"}).json() == {"year": ["请填写合法的整数值。"]}
        refused = bureau.get(BASE, {"year": 2026, "page": 2})
        assert refused.status_code == 400 and refused.json() == {"page": ["未知参数：接口不接受此查询参数"]}
        for who in OTHERS:
            assert api(persona(who)).get(BASE).status_code == 403, who


def test_a_draft_is_the_bureaus_and_an_issue_also_the_main_leaders(county, persona):
    with frozen():
        week_of_visits(county)
        report = drafted(persona)
        url = f"{BASE}{report.pk}/"
        assert api(persona("bureau")).get(url).status_code == 200
        assert api(persona("bureau_head")).get(url).status_code == 200
        hidden = api(persona("secretary")).get(url)
        assert hidden.status_code == 404 and hidden.json()["detail"]  # drafts are not the leaders'
        for who in OTHERS:
            assert api(persona(who)).get(url).status_code == 403, who
        assert api(persona("bureau")).get(f"{BASE}999999/").status_code == 404
        assert api(persona("bureau")).get(url, {"full": 1}).status_code == 400
        assert api(persona("secretary")).get(f"{BASE}{report.pk}/instructions/").status_code == 404


def test_staff_edit_a_draft_only(county, persona):
    bureau = api(persona("bureau"))
    with frozen():
        week_of_visits(county)
        report = drafted(persona)
        url = f"{BASE}{report.pk}/"
        saved = bureau.patch(url, {"analysis": "越级访增多。"}, format="json")
        assert saved.status_code == 200, saved.content
        assert saved.json()["analysis"] == "越级访增多。" and saved.json()["suggestions"] == ""
        saved = bureau.patch(url, {"suggestions": "压实包案责任。"}, format="json")
        assert saved.json()["analysis"] == "越级访增多。" and saved.json()["suggestions"] == "压实包案责任。"
        assert bureau.patch(url, {}, format="json").json() == {
            "non_field_errors": ["请至少填写分析研判或意见建议之一"]
        }
        too_long = bureau.patch(url, {"analysis": "字" * 20_001}, format="json")
        assert too_long.status_code == 400 and "analysis" in too_long.json()
        unknown = bureau.patch(url, {"analysis": "x", "state": "issued"}, format="json")
        assert unknown.status_code == 400 and set(unknown.json()) == {"state"}
        assert bureau.patch(url, {"analysis": "x"}).status_code == 415
        for who in ("secretary", *OTHERS):
            assert api(persona(who)).patch(url, {"analysis": "x"}, format="json").status_code == 403, who
        api(persona("bureau_head")).post(f"{url}approve/", {"confirm": True}, format="json")
        late = bureau.patch(url, {"analysis": "改"}, format="json")
        assert late.status_code == 409 and late.json() == {"detail": "本期已印发，不能再修改"}
    report.refresh_from_db()
    assert report.analysis == "越级访增多。" and report.suggestions == "压实包案责任。"
    assert AuditRecord.objects.filter(action="weekly.edit").count() == 2


def test_the_head_approves_once_and_the_issue_reads_its_frozen_snapshot(county, persona):
    head = api(persona("bureau_head"))
    with frozen():
        week_of_visits(county)
        report = drafted(persona)
        url = f"{BASE}{report.pk}/approve/"
        assert api(persona("bureau")).post(url, {"confirm": True}, format="json").status_code == 403
        for who in ("secretary", *OTHERS):
            assert api(persona(who)).post(url, {"confirm": True}, format="json").status_code == 403, who
        unconfirmed = head.post(url, {"confirm": False}, format="json")
        assert unconfirmed.status_code == 400 and unconfirmed.json() == {"confirm": ["请确认后再审定印发"]}
        assert head.post(url, {}, format="json").status_code == 400
        done = head.post(url, {"confirm": True}, format="json")
        assert done.status_code == 200, done.content
        body = done.json()
        assert (
            body["state"] == "issued" and body["number"] == 1 and body["label"] == "2026年第1期每周访情分析"
        )
        twice = head.post(url, {"confirm": True}, format="json")
        assert twice.status_code == 409 and twice.json()["detail"] == "本期已印发，不能重复审定"
        report.refresh_from_db()
        snapshot = report.document.snapshot
        expected = {key: value for key, value in snapshot.items() if key not in ("analysis", "suggestions")}
        assert body["figures"] == expected == cli_json("2026-10-28")
        visit(county, date=dt.date(2026, 10, 29), level=Level.CITY)  # registered late: the issue is frozen
        assert api(persona("bureau")).get(f"{BASE}{report.pk}/").json()["figures"] == expected
    assert body["document"] == report.document_id
    assert AuditRecord.objects.filter(action="weekly.approve").count() == 1


def test_the_secretary_reads_with_a_receipt_and_instructs(county, persona, sms):
    secretary = persona("secretary")
    client = api(secretary)
    with frozen():
        week_of_visits(county)
        report = issued(persona)
        delivery = Delivery.objects.get(document=report.document, leader=secretary.leader)
        assert delivery.read_at is None
        api(persona("bureau")).get(f"{BASE}{report.pk}/")
        delivery.refresh_from_db()
        assert delivery.read_at is None  # the bureau's reading is no receipt
        read = client.get(f"{BASE}{report.pk}/")
        assert read.status_code == 200
        delivery.refresh_from_db()
        assert delivery.read_at is not None
        key = report.document.snapshot["key_matters"][0]
        url = f"{BASE}{report.pk}/instructions/"
        made = client.post(url, instruction(county, matter=key["number"]), format="json")
        assert made.status_code == 201, made.content
        item = made.json()
        assert item["matter_number"] == key["number"] and item["on_paper"] is False
        assert item["instructed_by"]["name"] == secretary.leader.name and item["leader"]["name"] == "杜文博"
        assert (
            item["units"][0]["name"] == "县人社局"
            and item["state"] == "todo"
            and item["deadline"] == "2026-11-20"
        )
        whole = client.post(url, instruction(county), format="json")
        assert whole.status_code == 201 and whole.json()["matter_number"] is None
        listed = client.get(url)
        assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [
            item["id"],
            whole.json()["id"],
        ]
        assert [row["id"] for row in client.get(f"{BASE}{report.pk}/").json()["instructions"]] == [
            item["id"], whole.json()["id"],
        ]  # fmt: skip
        assert api(persona("bureau")).get(url).json() == listed.json()
        for who in OTHERS:
            assert api(persona(who)).get(url).status_code == 403, who
    stored = SupervisionItem.objects.get(pk=item["id"])
    assert stored.instructed_by == secretary.leader and stored.source_id == report.pk
    assert stored.matter is not None and stored.matter.number == key["number"]
    assert AuditRecord.objects.filter(action="document.read").count() == 1


def test_an_instruction_is_refused_with_the_reason_beside_its_field(county, persona):
    client = api(persona("secretary"))
    with frozen():
        week_of_visits(county)
        report = issued(persona)
        url = f"{BASE}{report.pk}/instructions/"
        cases: dict[str, dict[str, Any]] = {
            "matter": {"matter": "XF-0000-000000"},
            "leader": {"leader": 10**12},
            "units": {"units": [10**12]},
            "deadline": {"deadline": "2026-11-01"},
            "instruction": {"instruction": "   "},
        }
        for field, change in cases.items():
            refused = client.post(url, instruction(county, **change), format="json")
            assert refused.status_code == 400 and list(refused.json()) == [field], (field, refused.content)
        unknown = client.post(url, {**instruction(county), "on_paper": True}, format="json")
        assert unknown.status_code == 400 and set(unknown.json()) == {"on_paper"}
        assert client.post(url, {"instruction": "x"}).status_code == 415
        paper = api(persona("bureau")).post(url, instruction(county), format="json")
        assert paper.status_code == 403 and "页面" in paper.json()["detail"]  # paper ones need their scan
        for who in ("bureau_head", *OTHERS):
            assert api(persona(who)).post(url, instruction(county), format="json").status_code == 403, who
    assert not SupervisionItem.objects.exists()


def test_a_main_leader_never_sees_the_key_matter_that_reports_them(county, persona):
    """Art. 46: the secretary's copy leaves out the matter reporting them; so do the API's figures and 批示,
    and the secretary cannot instruct on it. The bureau sees all."""
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        reporting = visit(county, date=dt.date(2026, 10, 29), level=Level.PROVINCE)
        reporting.reported_accounts.add(secretary)
        report, _ = weekly_draft(
            county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1), by=persona("bureau")
        )
        weekly_approve(report=report, by=persona("bureau_head"))
        report.refresh_from_db()
        full = report.document.snapshot
        assert reporting.number in [row["number"] for row in full["key_matters"]]
        # a 批示 on it recorded by the bureau (paper, on the secretary's behalf: the page's way)
        weekly_instruct(
            report=report, by=persona("bureau"), matter_number=reporting.number, instruction="请牵头化解",
            leader=Leader.objects.get(county=county, name="杜文博"), units=[], deadline=dt.date(2026, 11, 30),
            instructed_by=Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY),
            scan=SimpleUploadedFile("批示.png", PNG, content_type="image/png"),
        )  # fmt: skip
        bureau_view = api(persona("bureau")).get(f"{BASE}{report.pk}/").json()
        seen = api(secretary).get(f"{BASE}{report.pk}/").json()
        instructions = api(secretary).get(f"{BASE}{report.pk}/instructions/").json()
        refused = api(secretary).post(
            f"{BASE}{report.pk}/instructions/", instruction(county, matter=reporting.number), format="json"
        )
    assert reporting.number in [row["number"] for row in bureau_view["figures"]["key_matters"]]
    assert len(bureau_view["instructions"]) == 1
    numbers = [row["number"] for row in seen["figures"]["key_matters"]]
    assert reporting.number not in numbers and len(numbers) == len(full["key_matters"]) - 1
    assert seen["figures"]["key_matters_total"] == full["key_matters_total"] - 1
    assert reporting.number not in json.dumps(seen, ensure_ascii=False)
    assert seen["instructions"] == [] and instructions == []
    assert refused.status_code == 400 and refused.json() == {"matter": ["该事项不在本期重点事项中"]}


def test_the_document_names_the_weekly_operations(client_for):
    document = client_for("bureau").get("/api/schema/", {"format": "json"}).json()
    paths = document["paths"]
    codes = {
        (method, path): sorted(operation["responses"])
        for path, operations in paths.items()
        if path.startswith(BASE)
        for method, operation in operations.items()
    }
    assert codes == {
        ("get", BASE): ["200", "400", "403"],
        ("post", BASE): ["200", "201", "400", "403", "415"],
        ("get", f"{BASE}{{report_id}}/"): ["200", "400", "403", "404"],
        ("patch", f"{BASE}{{report_id}}/"): ["200", "400", "403", "404", "409", "415"],
        ("post", f"{BASE}{{report_id}}/approve/"): ["200", "400", "403", "404", "409", "415"],
        ("get", f"{BASE}{{report_id}}/instructions/"): ["200", "400", "403", "404"],
        ("post", f"{BASE}{{report_id}}/instructions/"): ["201", "400", "403", "404", "415"],
    }
    schemas = document["components"]["schemas"]
    for name in ("WeeklyDraftIn", "PatchedWeeklyEditIn", "WeeklyApproveIn", "WeeklyInstructionIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "扫描件" in paths[f"{BASE}{{report_id}}/instructions/"]["post"]["description"]
    assert {"from", "to", "totals", "key_matters", "key_matters_total"} <= set(
        schemas["WeeklyFigures"]["required"]
    )


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["bureau", "secretary"])
def test_it_answers_every_generated_request_as_the_document_says(who, persona, county):
    with time_machine.travel(NOW, tick=False):
        week_of_visits(county)
        bureau = persona("bureau")
        report, _ = weekly_draft(
            county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1), by=bureau
        )
        weekly_approve(report=report, by=persona("bureau_head"))
        report.refresh_from_db()
        draft, _ = weekly_draft(
            county=county, date_from=dt.date(2026, 11, 9), date_to=dt.date(2026, 11, 15), by=bureau
        )
        known: dict[str, list[Any]] = {
            "report_id": [report.pk, draft.pk, 10**12],
            "year": [2026],
            "week": ["2026-11-20", "2026-10-28", "2026-11-30"],
            "matter": ["", report.document.snapshot["key_matters"][0]["number"]],
            "leader": [*Leader.objects.filter(county=county).values_list("pk", flat=True)[:3], 10**12],
            "units": [*Unit.objects.filter(county=county).values_list("pk", flat=True)[:3], 10**12],
            "deadline": ["2026-11-20", "2026-12-31", "2026-11-19"],
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
        operations = [operation for operation in operations if operation.path.startswith(BASE)]
        assert len(operations) == 7
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
    assert WeeklyReport.objects.filter(county=county, state="issued").count() == 1
