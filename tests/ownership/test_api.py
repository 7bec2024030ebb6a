"""The ownership API (领导包案, issue 16): each persona gets what the pages give it (the bureau builds and
issues batches, decides 销号 and reassigns; the main leaders read batches and the county's cases; a county
leader works their own cases; a unit asks to escalate; everyone else 403), out-of-scope objects are 404, a
leader a matter reports never owns nor sees it (Art. 46), the responses and the database after each write,
the API contract's refusals (400/403/404/409/415, unknown fields) and a schema-driven fuzz of its
operations."""

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

from tests.petitions.support import CJK, at, frozen, new_matter, unit
from tests.petitions.test_api_contract import (
    CHECKS,
    CSRF_TOKEN,
    EXAMPLES,
    MODES,
    NOW,
    connection_kept_open,
    with_known_values,
)
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader
from xinfang.documents.models import IssuedDocument
from xinfang.ownership import apis
from xinfang.ownership.models import (
    Batch,
    BatchEntry,
    Closure,
    Escalation,
    OwnerMeeting,
    Package,
    PackageEntry,
)
from xinfang.ownership.services import (
    batch_create,
    batch_entry_add,
    batch_entry_choose,
    batch_imported,
    batch_issue,
    package_entry_add,
)
from xinfang.petitions.models import Matter, Ownership
from xinfang.petitions.services.ownership import ownership_assign

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ownership/"
UNKNOWN = ["未知字段：接口不接受此字段"]
NO_ROLE = ("auditor", "sysadmin", "secadmin")


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def leader(county, name: str) -> Leader:
    return Leader.objects.get(county=county, name=name)


def chinese(body: Any) -> bool:
    return CJK.search(str(body)) is not None


def writes() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return (
        Batch.objects.count(), BatchEntry.objects.count(), Ownership.objects.count(),
        PackageEntry.objects.count(), OwnerMeeting.objects.count(), Closure.objects.count(),
        Escalation.objects.count(), AuditRecord.objects.count(),
    )  # fmt: skip


@pytest.fixture
def matters(county, persona):
    """Three open matters of 周庄镇 (labour, 0702: 杜文博's portfolio) registered on 2026-10-28."""
    with frozen():
        return [
            new_matter(persona("bureau"), county, date=dt.date(2026, 10, 28), content=f"拖欠工资第{n}起")
            for n in range(3)
        ]


def owned(county, persona, matter: Matter, name: str = "杜文博") -> Ownership:
    """A case the bureau gave a leader by hand (no batch)."""
    with frozen():
        return ownership_assign(by=persona("bureau"), matter=matter, leader=leader(county, name))


def issued_case(county, persona, matter: Matter) -> Ownership:
    """A case of an issued batch (2026年第1期), owned by the suggested 杜文博."""
    bureau = persona("bureau")
    with frozen():
        batch = batch_create(by=bureau, now=at(2026, 11, 2, 9))
        batch_entry_add(by=bureau, batch=batch, matter=matter, reason="多次到县上访")
        batch_issue(by=bureau, batch=batch, now=at(2026, 11, 2, 10))
    return Ownership.objects.get(matter=matter, is_current=True)


# ---------------------------------------------------------------------------------------------------------
# Batches


def test_the_bureau_builds_and_issues_a_batch(county, persona, matters):
    bureau, du, wei = api(persona("bureau")), leader(county, "杜文博"), leader(county, "魏振华")
    with frozen():
        created = bureau.post(f"{BASE}batches/", {}, format="json")
        assert created.status_code == 201, created.content
        batch = created.json()
        assert batch["state"] == "draft" and batch["number"] is None
        assert batch["label"] == "包案草稿" and batch["entries"] == []
        url = f"{BASE}batches/{batch['id']}/"
        added = [
            bureau.post(f"{url}entries/", {"matter": matter.number, "reason": "反复到县上访"}, format="json")
            for matter in matters
        ]
        assert [response.status_code for response in added] == [201, 201, 201], added[0].content
        entry = added[0].json()
        assert entry["matter"]["number"] == matters[0].number
        assert entry["reasons"] == ["信访局列入：反复到县上访"]
        assert entry["suggested_leader"] == entry["leader"] == {"id": du.pk, "name": "杜文博"}
        assert "分管领域" in entry["suggestion"] and entry["ownership"] is None
        second, third = added[1].json()["id"], added[2].json()["id"]

        unexplained = bureau.post(f"{url}entries/{second}/owner/", {"leader": wei.pk}, format="json")
        assert unexplained.status_code == 400 and "改派理由" in str(unexplained.json()["reason"])
        assert BatchEntry.objects.get(pk=second).leader == du
        chosen = bureau.post(
            f"{url}entries/{second}/owner/",
            {"leader": wei.pk, "reason": "魏振华同志熟悉该村情况", "deadline": "2026-11-30"},
            format="json",
        )
        assert chosen.status_code == 200, chosen.content
        assert chosen.json()["leader"] == {"id": wei.pk, "name": "魏振华"}
        assert chosen.json()["choice_reason"] == "魏振华同志熟悉该村情况"
        assert chosen.json()["deadline"] == "2026-11-30"

        removed = bureau.post(f"{url}entries/{third}/remove/", {"reason": "已由周庄镇化解"}, format="json")
        assert removed.status_code == 200
        assert [row["id"] for row in removed.json()["entries"]] == [entry["id"], second]
        assert removed.json()["entry_count"] == 2

        unconfirmed = bureau.post(f"{url}issue/", {"confirm": False}, format="json")
        assert unconfirmed.status_code == 400 and unconfirmed.json() == {"confirm": ["请确认后再印发"]}
        issued = bureau.post(f"{url}issue/", {"confirm": True}, format="json")
        assert issued.status_code == 200, issued.content
        body = issued.json()
        assert body["state"] == "issued" and body["label"] == "2026年第1期"
        assert (body["year"], body["number"]) == (2026, 1)
        assert body["document"] == IssuedDocument.objects.get().pk and body["issued_on"] == "2026-11-02"
        assert [row["deadline"] for row in body["entries"]] == ["2026-12-02", "2026-11-30"]

        before = writes()
        assert bureau.post(f"{url}issue/", {"confirm": True}, format="json").status_code == 409
        late = bureau.post(f"{url}entries/", {"matter": matters[2].number, "reason": "补充"}, format="json")
        assert late.status_code == 409 and late.json() == {"detail": "2026年第1期已印发，不能再修改"}
        removing = bureau.post(f"{url}entries/{second}/remove/", {"reason": "x"}, format="json")
        choosing = bureau.post(f"{url}entries/{second}/owner/", {"leader": du.pk}, format="json")
        assert removing.status_code == choosing.status_code == 409
        assert writes() == before
    stored = Batch.objects.get(pk=batch["id"])
    assert (stored.state, stored.number, stored.issued_by) == (Batch.State.ISSUED, 1, persona("bureau"))
    owners = dict(Ownership.objects.filter(is_current=True).values_list("matter_id", "leader_id"))
    assert owners == {matters[0].pk: du.pk, matters[1].pk: wei.pk}
    assert {row["ownership"] for row in body["entries"]} == set(
        Ownership.objects.filter(is_current=True).values_list("pk", flat=True)
    )
    assert BatchEntry.objects.get(pk=second).choice_reason == "魏振华同志熟悉该村情况"
    assert not BatchEntry.objects.filter(pk=third).exists()
    assert AuditRecord.objects.filter(action="ownership.entry_remove").count() == 1


def test_bad_input_is_refused_in_chinese_and_writes_nothing(county, persona, matters):
    bureau = api(persona("bureau"))
    with frozen():
        batch = batch_create(by=persona("bureau"), now=at(2026, 11, 2, 9))
        entry = batch_entry_add(by=persona("bureau"), batch=batch, matter=matters[0], reason="集体访")
        url = f"{BASE}batches/{batch.pk}/"
        before = writes()
        entries, owner = f"{url}entries/", f"{url}entries/{entry.pk}/owner/"
        refused = {
            "unknown field": bureau.post(entries, {"matter": matters[1].number, "reason": "x", "leader": 1},
                                         format="json"),
            "no reason": bureau.post(entries, {"matter": matters[1].number}, format="json"),
            "blank reason": bureau.post(entries, {"matter": matters[1].number, "reason": " "}, format="json"),
            "unknown matter": bureau.post(entries, {"matter": "无此编号", "reason": "x"}, format="json"),
            "twice": bureau.post(entries, {"matter": matters[0].number, "reason": "x"}, format="json"),
            "unknown leader": bureau.post(owner, {"leader": 10**12}, format="json"),
            "past deadline": bureau.post(owner, {"leader": entry.leader_id, "deadline": "2026-11-01"},
                                         format="json"),
            "not an object": bureau.post(f"{url}entries/{entry.pk}/remove/", ["x"], format="json"),
            "create with a field": bureau.post(f"{BASE}batches/", {"week": "2026-10-26"}, format="json"),
            "unknown parameter": bureau.get(f"{BASE}batches/", {"colour": "red"}),
            "bad cursor": bureau.get(f"{BASE}batches/", {"after": "d1.x"}),
            "bad state": bureau.get(f"{BASE}batches/", {"state": "gone"}),
        }  # fmt: skip
        form = bureau.post(entries, {"matter": matters[1].number, "reason": "x"})  # not JSON
        assert writes() == before
    assert {name: response.status_code for name, response in refused.items()} == dict.fromkeys(refused, 400)
    assert all(chinese(response.json()) for response in refused.values())
    assert refused["unknown field"].json() == {"leader": UNKNOWN}
    assert set(refused["no reason"].json()) == set(refused["blank reason"].json()) == {"reason"}
    assert refused["unknown matter"].json() == {"matter": ["信访事项不存在或不在您的管辖范围内"]}
    assert refused["twice"].json() == {"non_field_errors": [f"{matters[0].number}已在包案草稿中"]}
    assert refused["unknown leader"].json() == {"leader": ["领导不存在或已不在任"]}
    assert refused["past deadline"].json() == {"deadline": ["化解期限不能早于今天"]}
    assert refused["create with a field"].json() == {"week": UNKNOWN}
    assert refused["unknown parameter"].json() == {"colour": ["未知参数：接口不接受此查询参数"]}
    assert refused["bad cursor"].json() == {"after": [apis.BAD_CURSOR]}
    assert form.status_code == 415 and chinese(form.json())


def test_the_main_leaders_read_batches_and_no_one_else_does(county, persona, matters, outsider):
    with frozen():
        batch = batch_create(by=persona("bureau"), now=at(2026, 11, 2, 9))
        entry = batch_entry_add(by=persona("bureau"), batch=batch, matter=matters[0], reason="集体访")
        other = batch_create(by=persona("bureau"), now=at(2026, 11, 2, 8))
        url = f"{BASE}batches/{batch.pk}/"
        for who in ("bureau", "bureau_head", "secretary"):
            listed = api(persona(who)).get(f"{BASE}batches/")
            assert listed.status_code == 200
            assert [row["id"] for row in listed.json()["results"]] == [batch.pk, other.pk]
            assert api(persona(who)).get(url).json()["entries"][0]["id"] == entry.pk, who
        secretary = api(persona("secretary"))
        before = writes()
        assert secretary.post(f"{BASE}batches/", {}, format="json").status_code == 403
        adding = {"matter": matters[1].number, "reason": "x"}
        assert secretary.post(f"{url}entries/", adding, format="json").status_code == 403
        assert secretary.post(f"{url}issue/", {"confirm": True}, format="json").status_code == 403
        for who in ("leader", "zhouzhuang", "renshe", *NO_ROLE):
            refused = api(persona(who)).get(f"{BASE}batches/")
            assert refused.status_code == 403 and refused.json() == {"detail": "您的角色无权进行此操作"}, who
            assert api(persona(who)).get(url).status_code == 403, who
        assert api().get(f"{BASE}batches/").status_code == 403  # not logged in
        # Another county's bureau: an empty list, and this county's batch and entries are 404.
        assert api(outsider).get(f"{BASE}batches/").json() == {"results": [], "next": ""}
        assert api(outsider).get(url).status_code == 404
        missing = api(outsider).post(f"{url}entries/{entry.pk}/remove/", {"reason": "x"}, format="json")
        assert missing.status_code == 404 and chinese(missing.json())
        elsewhere = f"{BASE}batches/{other.pk}/entries/{entry.pk}/owner/"  # an entry of another batch
        choice = {"leader": entry.leader_id}
        assert api(persona("bureau")).post(elsewhere, choice, format="json").status_code == 404
        assert writes() == before


def test_a_matter_reporting_a_leader_is_never_theirs_nor_seen_by_them(county, persona, matters):
    """Art. 46: 杜文博 is never suggested nor chosen as owner of a matter that reports him; the secretary
    never sees in a batch or among the county's cases the matter that reports them."""
    bureau, secretary, du = api(persona("bureau")), persona("secretary"), persona("leader")
    reports_du, reports_secretary, plain = matters
    reports_du.reported_accounts.add(du)
    reports_secretary.reported_accounts.add(secretary)
    with frozen():
        batch = bureau.post(f"{BASE}batches/", {}, format="json").json()
        url = f"{BASE}batches/{batch['id']}/"
        adding = [{"matter": matter.number, "reason": "赴省上访"} for matter in matters]
        entries = [bureau.post(f"{url}entries/", body, format="json").json() for body in adding]
        assert entries[2]["suggested_leader"]["id"] == du.leader_id  # labour: his portfolio
        assert (entries[0]["suggested_leader"] or {}).get("id") != du.leader_id  # but not where reported
        before = writes()
        choice = f"{url}entries/{entries[0]['id']}/owner/"
        refused = bureau.post(choice, {"leader": du.leader_id, "reason": "熟悉情况"}, format="json")
        assert refused.status_code == 400 and "第四十六条" in str(refused.json()["leader"])
        assert writes() == before
        seen = api(secretary).get(url).json()
        assert [row["matter"]["number"] for row in seen["entries"]] == [reports_du.number, plain.number]
        assert seen["entry_count"] == 2 and reports_secretary.number not in str(seen)
        listed = api(secretary).get(f"{BASE}batches/").json()["results"][0]
        assert listed["entry_count"] == 2
        chosen = bureau.post(choice, {"leader": leader(county, "魏振华").pk, "reason": "统筹"}, format="json")
        assert chosen.status_code == 200, chosen.content
        assert bureau.post(f"{url}issue/", {"confirm": True}, format="json").status_code == 200
        listed = bureau.get(f"{BASE}cases/").json()["results"]
        cases = {case["matter"]["number"]: case["id"] for case in listed}
        assert set(cases) == {matter.number for matter in matters}
        mine = api(secretary).get(f"{BASE}cases/").json()["results"]
        assert reports_secretary.number not in {case["matter"]["number"] for case in mine}
        assert api(secretary).get(f"{BASE}cases/{cases[reports_secretary.number]}/").status_code == 404
        # 杜文博's own cases never include the matter that reports him, nor may he open it.
        owned_by_du = api(du).get(f"{BASE}cases/").json()["results"]
        assert {case["matter"]["number"] for case in owned_by_du} == {reports_secretary.number, plain.number}
        assert api(du).get(f"{BASE}cases/{cases[reports_du.number]}/").status_code == 404
    assert Ownership.objects.get(matter=reports_du, is_current=True).leader_id != du.leader_id


def test_the_batch_list_pages_with_a_cursor(county, persona, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(apis, "PAGE_SIZE", 2)
    bureau = persona("bureau")
    for number in (1, 2):
        batch_imported(county=county, year=2025, number=number, issued_on=dt.date(2025, 7, number), by=bureau)
    batch_imported(county=county, year=2026, number=1, issued_on=dt.date(2026, 3, 1), by=bureau)
    with frozen():
        drafts = [batch_create(by=bureau, now=at(2026, 11, 2, hour)) for hour in (8, 9)]
        client = api(bureau)
        seen, url, pages = [], f"{BASE}batches/", 0
        while url:
            with django_assert_max_num_queries(1):
                page = client.get(url).json()
            seen += [(row["state"], row["label"], row["id"]) for row in page["results"]]
            url, pages = page["next"], pages + 1
        assert pages == 3
        assert [label for _, label, _ in seen[2:]] == ["2026年第1期", "2025年第2期", "2025年第1期"]
        assert seen[:2] == [("draft", "包案草稿", drafts[1].pk), ("draft", "包案草稿", drafts[0].pk)]
        issued = client.get(f"{BASE}batches/", {"state": "issued", "year": "2025"}).json()
        assert [row["number"] for row in issued["results"]] == [2, 1] and issued["next"] == ""
        of_year = client.get(f"{BASE}batches/", {"year": "2026"}).json()  # drafts have no year: always listed
        assert [row["state"] for row in of_year["results"]] == ["draft", "draft"]
        assert "year=2026" in of_year["next"] and "after=d" in of_year["next"]


# ---------------------------------------------------------------------------------------------------------
# Cases


def test_a_leader_works_the_five_packages_and_the_bureau_decides_the_closure(county, persona, matters):
    du, bureau, secretary = api(persona("leader")), api(persona("bureau")), api(persona("secretary"))
    ownership = issued_case(county, persona, matters[0])
    others = owned(county, persona, matters[1], "魏振华")
    url = f"{BASE}cases/{ownership.pk}/"
    with frozen():
        listed = du.get(f"{BASE}cases/").json()
        assert [case["id"] for case in listed["results"]] == [ownership.pk] and listed["next"] == ""
        case = listed["results"][0]
        assert case["batch"]["label"] == "2026年第1期" and case["deadline"] == "2026-12-02"
        assert [package["package"] for package in case["packages"]] == list(Package.values)
        assert {package["state_label"] for package in case["packages"]} == {"未开展"}
        assert (case["empty"], case["meeting_count"]) == (5, 0)
        assert case["closure_pending"] is case["overdue"] is False
        assert du.get(f"{BASE}cases/{others.pk}/").status_code == 404  # another leader's case

        before = writes()
        work = {"package": "grasp", "date": "2026-11-02", "content": "走访信访人，摸清欠薪底数"}
        future = du.post(f"{url}packages/", {**work, "date": "2026-11-03"}, format="json")
        assert future.status_code == 400 and future.json() == {"date": ["日期不能晚于今天"]}
        wrong = du.post(f"{url}packages/", {**work, "package": "all"}, format="json")
        assert wrong.status_code == 400 and set(wrong.json()) == {"package"} and chinese(wrong.json())
        extra = du.post(f"{url}packages/", {**work, "files": []}, format="json")  # files: on the page only
        assert extra.status_code == 400 and extra.json() == {"files": UNKNOWN}
        not_owner = secretary.post(f"{url}packages/", work, format="json")
        assert not_owner.status_code == 403 and chinese(not_owner.json())
        assert writes() == before

        filled = du.post(f"{url}packages/", {**work, "completes": True}, format="json")
        assert filled.status_code == 201, filled.content
        grasp = filled.json()["packages"][0]
        assert (grasp["state"], grasp["state_label"], filled.json()["empty"]) == ("done", "已完成", 4)
        assert grasp["entries"][0]["content"] == "走访信访人，摸清欠薪底数" and grasp["entries"][0]["by"]
        meeting = {
            "date": "2026-11-02",
            "place": "周庄镇政府",
            "attendees": "杜文博、张建设",
            "agreed": "月底前结清工资",
        }
        met = du.post(f"{url}meetings/", meeting, format="json")
        assert met.status_code == 201 and met.json()["meetings"][0]["place"] == "周庄镇政府"
        assert met.json()["meeting_count"] == 1

        early = du.post(f"{url}closure/", {"note": "已化解"}, format="json")
        assert early.status_code == 409 and early.json() == {"detail": "五包中还有4项未填报，不能申请销号"}
        for package in ("solve", "educate", "stabilise", "law"):
            package_entry_add(by=persona("leader"), ownership=ownership, package=package,
                              date=dt.date(2026, 11, 2), content="已开展")  # fmt: skip
        open_matter = du.post(f"{url}closure/", {"note": "已化解"}, format="json")
        assert open_matter.status_code == 409 and "化解或办结后才能销号" in open_matter.json()["detail"]
        Matter.objects.filter(pk=matters[0].pk).update(status=Matter.Status.RESOLVED)
        requested = du.post(f"{url}closure/", {"note": "工资已结清，信访人息诉"}, format="json")
        assert requested.status_code == 201 and requested.json()["closure_pending"] is True
        assert requested.json()["closures"][0]["state"] == "requested"
        assert du.post(f"{url}closure/", {"note": "再次申请"}, format="json").status_code == 409

        assert du.post(f"{url}closure/confirm/", {}, format="json").status_code == 403
        assert secretary.post(f"{url}closure/confirm/", {}, format="json").status_code == 403
        no_reason = bureau.post(f"{url}closure/return/", {}, format="json")
        assert no_reason.status_code == 400 and set(no_reason.json()) == {"reason"}
        returned = bureau.post(
            f"{url}closure/return/", {"reason": "请补充信访人签字的息诉材料"}, format="json"
        )
        assert returned.status_code == 200 and returned.json()["closure_pending"] is False
        assert returned.json()["closures"][0]["state"] == "returned"
        assert bureau.post(f"{url}closure/return/", {"reason": "x"}, format="json").status_code == 409

        assert du.post(f"{url}closure/", {"note": "已补充息诉材料"}, format="json").status_code == 201
        confirmed = bureau.post(f"{url}closure/confirm/", {"note": "同意销号"}, format="json")
        assert confirmed.status_code == 200, confirmed.content
        assert (confirmed.json()["is_current"], confirmed.json()["end_reason"]) == (False, "closed")
        assert [closure["state"] for closure in confirmed.json()["closures"]] == ["returned", "confirmed"]
        # The leader still reads the closed case; nothing more is recorded on it.
        assert du.get(url).status_code == 200 and du.get(f"{BASE}cases/").json()["results"] == []
        late = du.post(f"{url}meetings/", {"date": "2026-11-02", "place": "镇政府", "attendees": "杜文博",
                                           "agreed": "回访"}, format="json")  # fmt: skip
        assert late.status_code == 409 and late.json() == {"detail": apis.NOT_CURRENT}
        assert bureau.post(f"{url}closure/confirm/", {}, format="json").status_code == 409
    stored = Ownership.objects.get(pk=ownership.pk)
    assert (stored.is_current, stored.end_reason) == (False, Ownership.EndReason.CLOSED)
    assert PackageEntry.objects.filter(ownership=ownership).count() == 5
    assert PackageEntry.objects.get(ownership=ownership, package="grasp").by == persona("leader")
    assert OwnerMeeting.objects.get(ownership=ownership).agreed == "月底前结清工资"
    assert list(Closure.objects.filter(ownership=ownership).values_list("state", "decided_by__username")) == [
        ("returned", "bureau"), ("confirmed", "bureau"),
    ]  # fmt: skip


def test_the_case_list_is_the_countys_for_the_bureau_and_a_leaders_own_for_them(
    county, persona, matters, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(apis, "PAGE_SIZE", 2)
    cases = [owned(county, persona, matters[0]), owned(county, persona, matters[1], "魏振华"),
             owned(county, persona, matters[2])]  # fmt: skip
    with frozen():
        for who in ("bureau", "bureau_head", "secretary"):
            client, seen, url = api(persona(who)), [], f"{BASE}cases/"
            while url:
                with django_assert_max_num_queries(5):
                    page = client.get(url)
                assert page.status_code == 200, page.content
                seen += [case["id"] for case in page.json()["results"]]
                url = page.json()["next"]
            assert seen == [case.pk for case in reversed(cases)], who
        wei = leader(county, "魏振华")
        of_wei = api(persona("bureau")).get(f"{BASE}cases/", {"leader": wei.pk}).json()["results"]
        assert [case["id"] for case in of_wei] == [cases[1].pk] and of_wei[0]["batch"] is None
        assert [case["id"] for case in api(persona("leader")).get(f"{BASE}cases/").json()["results"]] == [
            cases[2].pk, cases[0].pk,
        ]  # fmt: skip
        for who in ("zhouzhuang", "renshe", *NO_ROLE):
            assert api(persona(who)).get(f"{BASE}cases/").status_code == 403, who
            assert api(persona(who)).get(f"{BASE}cases/{cases[0].pk}/").status_code == 403, who
        bad_cursor = api(persona("bureau")).get(f"{BASE}cases/", {"after": "x"})
        assert bad_cursor.json() == {"after": [apis.BAD_CURSOR]}


def test_the_bureau_reassigns_a_leaders_cases_in_one_step(county, persona, matters, outsider):
    bureau = api(persona("bureau"))
    du, wei = leader(county, "杜文博"), leader(county, "魏振华")
    first, second = owned(county, persona, matters[0]), owned(county, persona, matters[1])
    url = f"{BASE}leaders/{du.pk}/reassign/"
    with frozen():
        before = writes()
        assert bureau.post(url, {"to": wei.pk}, format="json").json() == {"reason": ["该字段是必填项。"]}
        nobody = bureau.post(url, {"to": 10**12, "reason": "离任"}, format="json")
        assert nobody.json() == {"to": ["领导不存在或已不在任"]}
        same = bureau.post(url, {"to": du.pk, "reason": "离任"}, format="json")
        assert same.json() == {"non_field_errors": ["请选择另一位领导"]}
        leaving = {"to": wei.pk, "reason": "离任"}
        for who in ("leader", "secretary", "zhouzhuang"):
            assert api(persona(who)).post(url, leaving, format="json").status_code == 403, who
        assert api(outsider).post(url, leaving, format="json").status_code == 404
        assert writes() == before
        moved = bureau.post(url, {"to": wei.pk, "reason": "杜文博同志调离"}, format="json")
        assert moved.status_code == 200, moved.content
        assert moved.json() == {"moved": 2, "leader": {"id": du.pk, "name": "杜文博"},
                                "to": {"id": wei.pk, "name": "魏振华"}}  # fmt: skip
        again = bureau.post(url, {"reason": "再次调整"}, format="json")
        assert again.status_code == 400 and again.json() == {"non_field_errors": ["杜文博当前没有包案事项"]}
    for old in (first, second):
        old.refresh_from_db()
        assert (old.is_current, old.end_reason) == (False, Ownership.EndReason.REPLACED)
    assert set(Ownership.objects.filter(is_current=True).values_list("matter_id", "leader_id")) == {
        (matters[0].pk, wei.pk), (matters[1].pk, wei.pk),
    }  # fmt: skip


def test_a_unit_asks_to_escalate_a_matter_of_theirs(county, persona, matters):
    zhouzhuang = api(persona("zhouzhuang"))
    matter = matters[0]  # from 周庄镇
    url = f"{BASE}matters/{matter.pk}/escalation/"
    with frozen():
        before = writes()
        extra = zhouzhuang.post(url, {"reason": "x", "urgent": True}, format="json")
        assert extra.status_code == 400 and extra.json() == {"urgent": UNKNOWN}
        blank = zhouzhuang.post(url, {"reason": ""}, format="json")
        assert blank.status_code == 400 and set(blank.json()) == {"reason"} and chinese(blank.json())
        not_theirs = api(persona("renshe")).post(url, {"reason": "x"}, format="json")
        assert not_theirs.status_code == 404
        for who in ("bureau", "leader", "secretary", *NO_ROLE):
            assert api(persona(who)).post(url, {"reason": "x"}, format="json").status_code == 403, who
        assert writes() == before
        asked = zhouzhuang.post(url, {"reason": "涉及多个部门，镇级无法解决"}, format="json")
        assert asked.status_code == 201, asked.content
        body = asked.json()
        assert (body["matter"], body["matter_number"], body["state"]) == (matter.pk, matter.number, "pending")
        assert body["unit"]["name"] == "周庄镇" and body["reason"] == "涉及多个部门，镇级无法解决"
        again = zhouzhuang.post(url, {"reason": "再次提请"}, format="json")
        assert again.status_code == 409 and again.json() == {"detail": "本单位已提请，等待信访局列入"}
    escalation = Escalation.objects.get(matter=matter)
    assert (escalation.unit, escalation.state) == (unit(county, "周庄镇"), Escalation.State.PENDING)
    owned(county, persona, matters[1])
    with frozen():
        taken = zhouzhuang.post(f"{BASE}matters/{matters[1].pk}/escalation/", {"reason": "x"}, format="json")
    assert taken.status_code == 409 and taken.json() == {"detail": "该事项已有包案领导"}


# ---------------------------------------------------------------------------------------------------------
# The document and the fuzz


def test_the_document_names_the_ownership_operations(client_for):
    document = client_for("bureau").get("/api/schema/", {"format": "json"}).json()
    paths = document["paths"]
    codes = {
        (method, path.removeprefix(BASE)): sorted(operation["responses"])
        for path, operations in paths.items()
        if path.startswith(BASE)
        for method, operation in operations.items()
    }
    read, write = ["200", "400", "403", "404"], ["400", "403", "404", "409", "415"]
    assert codes == {
        ("get", "batches/"): ["200", "400", "403"],
        ("post", "batches/"): ["201", "400", "403", "415"],
        ("get", "batches/{batch_id}/"): read,
        ("post", "batches/{batch_id}/entries/"): ["201", *write],
        ("post", "batches/{batch_id}/entries/{entry_id}/remove/"): ["200", *write],
        ("post", "batches/{batch_id}/entries/{entry_id}/owner/"): ["200", *write],
        ("post", "batches/{batch_id}/issue/"): ["200", *write],
        ("get", "cases/"): ["200", "400", "403"],
        ("get", "cases/{ownership_id}/"): read,
        ("post", "cases/{ownership_id}/packages/"): ["201", *write],
        ("post", "cases/{ownership_id}/meetings/"): ["201", *write],
        ("post", "cases/{ownership_id}/closure/"): ["201", *write],
        ("post", "cases/{ownership_id}/closure/confirm/"): ["200", *write],
        ("post", "cases/{ownership_id}/closure/return/"): ["200", *write],
        ("post", "leaders/{leader_id}/reassign/"): ["200", "400", "403", "404", "415"],
        ("post", "matters/{matter_id}/escalation/"): ["201", *write],
    }
    schemas = document["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]
        for path, operations in paths.items()
        if path.startswith(BASE)
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert len(bodies) == 12 and all(list(content) == ["application/json"] for content in bodies)
    for content in bodies:
        name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert schemas[name]["additionalProperties"] is False, name
    assert "页面" in paths[f"{BASE}cases/{{ownership_id}}/packages/"]["post"]["description"]
    assert schemas["PackageState"]["enum"] == ["not_started", "in_progress", "done"]
    assert schemas["BatchState"]["enum"] == ["draft", "issued"]


@pytest.mark.fuzz
@pytest.mark.parametrize("who", ["bureau", "leader", "zhouzhuang"])
def test_it_answers_every_generated_request_as_the_document_says(who, persona, county):
    with time_machine.travel(NOW, tick=False):
        bureau = persona("bureau")
        matters = [
            new_matter(bureau, county, date=dt.date(2026, 11, 19), content=f"拖欠工资第{n}起")
            for n in range(4)
        ]
        draft = batch_create(by=bureau, now=NOW)
        entry = batch_entry_add(by=bureau, batch=draft, matter=matters[0], reason="集体访")
        batch_entry_choose(by=bureau, entry=entry, leader=leader(county, "杜文博"))
        issued = batch_imported(county=county, year=2026, number=1, issued_on=dt.date(2026, 3, 1), by=bureau)
        cases = [
            ownership_assign(by=bureau, matter=matters[1], leader=leader(county, "杜文博")),
            ownership_assign(by=bureau, matter=matters[2], leader=leader(county, "魏振华")),
        ]
        known: dict[str, list[Any]] = {
            "batch_id": [draft.pk, issued.pk, 10**12],
            "entry_id": [entry.pk, 10**12],
            "ownership_id": [*(case.pk for case in cases), 10**12],
            "leader_id": [leader(county, "杜文博").pk, leader(county, "魏振华").pk, 10**12],
            "leader": [leader(county, "杜文博").pk, leader(county, "魏振华").pk, 10**12],
            "to": [leader(county, "魏振华").pk, 10**12],
            "matter_id": [matters[3].pk, matters[1].pk, 10**12],
            "matter": [matters[3].number, "无此编号"],
            "package": list(Package.values),
            "date": ["2026-11-20", "2026-11-19"],
            "deadline": ["2026-11-20", "2026-12-31"],
            "confirm": [True],
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
        assert len(operations) == 16
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
    assert Batch.objects.filter(county=county).count() >= 2
