"""The 领导包案 pages as each persona opens them: the bureau's overview, the batches and one batch with its
draft's edits and issue, a leader's 我的包案 and one case with the five 包, meetings and 销号, the bureau's
reassignment, a unit's request to escalate from the matter page, the matter page's card and timeline, the
home page's cards, and who may open what (Art. 46 included)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.dashboard.test_todo import cards
from tests.petitions.support import S, frozen, new_matter
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, LeaderUnavailability
from xinfang.documents.models import DocumentKind, IssuedDocument
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
    batch_draft_week,
    batch_entry_add,
    batch_issue,
    closure_request,
    package_entry_add,
)
from xinfang.petitions.models import Level, Matter, Ownership
from xinfang.petitions.services.ownership import ownership_assign

pytestmark = pytest.mark.django_db
WEEK = (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
PDF = b"%PDF-1.4\n%%EOF\n"
TODAY = "2026-11-02"


@pytest.fixture(autouse=True)
def _clock():
    with frozen():
        yield


def leader(county, name: str) -> Leader:
    return Leader.objects.get(county=county, name=name)


def upload(name: str = "约谈照片.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def week(county, persona):
    """The week before Monday 2 November: a 赴省 visit (劳动保障: 杜文博's portfolio), a collective visit of
    闹店镇 and a plain visit no rule proposes."""
    bureau = persona("bureau")
    province = new_matter(bureau, county, date=dt.date(2026, 10, 27), level=Level.PROVINCE)
    collective = new_matter(bureau, county, date=dt.date(2026, 10, 28), persons=8, township="闹店镇",
                            content="某工地拖欠八名工人工资")  # fmt: skip
    plain = new_matter(bureau, county, date=dt.date(2026, 10, 29), content="邻里宅基地纠纷")
    return {"province": province, "collective": collective, "plain": plain}


@pytest.fixture
def draft(county, week) -> Batch:
    batch, _ = batch_draft_week(
        county=county, week_from=WEEK[0], week_to=WEEK[1], by=None, now=timezone.now()
    )
    return batch


@pytest.fixture
def case(county, persona, week) -> Ownership:
    """杜文博's case of the plain matter, from an issued batch (第1期)."""
    bureau = persona("bureau")
    batch = batch_create(by=bureau, now=timezone.now())
    batch_entry_add(by=bureau, batch=batch, matter=week["plain"], reason="久拖未决")
    batch.entries.update(leader=persona("leader").leader)
    batch_issue(by=bureau, batch=batch)
    return Ownership.objects.get(matter=week["plain"], is_current=True)


# ---------------------------------------------------------------------------------------------------------
# Batches


def test_the_bureau_edits_a_draft_and_issues_it_after_a_confirmation(
    client_for, county, persona, week, draft
):
    bureau = client_for("bureau")
    url = f"/ownership/batches/{draft.pk}/"
    page = text(bureau.get(url))
    assert week["province"].number in page and week["collective"].number in page
    assert "10月27日赴省访" in page and "分管领域" in page  # why proposed, and why its owner
    assert week["plain"].number not in page

    # Add by registration number: an unknown one is said beside the field.
    response = bureau.post(f"{url}add/", {"number": "XF-不存在", "reason": "群众反映强烈"})
    assert response.status_code == 422 and "未找到登记编号" in text(response)
    response = bureau.post(f"{url}add/", {"number": week["plain"].number, "reason": ""})
    assert response.status_code == 422 and "请填写列入理由" in text(response)
    assert (
        bureau.post(f"{url}add/", {"number": week["plain"].number, "reason": "群众反映强烈"}).status_code
        == 302
    )
    added = BatchEntry.objects.get(batch=draft, matter=week["plain"])
    assert added.reasons == ["信访局列入：群众反映强烈"]

    # Another owner needs a reason; the refusal comes back in the entry's own form.
    wei = leader(county, "魏振华")
    response = bureau.post(f"/ownership/entries/{added.pk}/choose/", {"leader": wei.pk, "reason": ""})
    assert response.status_code == 422
    reason = text(response).split(f'for="e{added.pk}_choose_reason"')[1].split("</div>\n</div>")[0]
    assert "请填写改派理由" in reason  # beside the field, in the entry's own form
    assert BatchEntry.objects.get(pk=added.pk).leader_id == added.suggested_leader_id
    response = bureau.post(
        f"/ownership/entries/{added.pk}/choose/",
        {"leader": wei.pk, "reason": "魏副县长熟悉该村情况", "deadline": "2026-11-30"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{added.pk}")
    chosen = BatchEntry.objects.get(pk=added.pk)
    assert (chosen.leader, chosen.choice_reason, chosen.deadline) == (
        wei,
        "魏副县长熟悉该村情况",
        dt.date(2026, 11, 30),
    )
    assert "魏副县长熟悉该村情况" in text(bureau.get(url))

    # Remove with a reason.
    collective = BatchEntry.objects.get(batch=draft, matter=week["collective"])
    assert bureau.post(f"/ownership/entries/{collective.pk}/remove/", {"reason": ""}).status_code == 422
    assert (
        bureau.post(f"/ownership/entries/{collective.pk}/remove/", {"reason": "已由闹店镇化解"}).status_code
        == 302
    )
    assert not BatchEntry.objects.filter(pk=collective.pk).exists()

    # Issue: first the confirmation naming how many matters go to how many leaders.
    response = bureau.post(f"{url}issue/", {})
    assert response.status_code == 302 and "confirm=issue" in response["Location"]
    assert Batch.objects.get(pk=draft.pk).state == Batch.State.DRAFT
    confirm = text(bureau.get(f"{url}?confirm=issue"))
    assert re.search(r"本期 <strong>2</strong> 件信访事项交由 <strong>2</strong> 位县级领导包案", confirm)
    response = bureau.post(f"{url}issue/", {"confirm": "1"}, follow=True)
    assert "已印发2026年第1期：2件信访事项交由2位县级领导包案" in text(response)
    issued = Batch.objects.get(pk=draft.pk)
    assert (issued.state, issued.number) == (Batch.State.ISSUED, 1)
    owners = dict(Ownership.objects.filter(is_current=True).values_list("matter_id", "leader_id"))
    assert owners == {week["province"].pk: persona("leader").leader_id, week["plain"].pk: wei.pk}
    page = text(bureau.get(url))
    assert (
        f"/documents/{issued.document_id}/docx/" in page and f"/documents/{issued.document_id}/pdf/" in page
    )
    assert "另选包案领导或期限" not in page and "移出本期" not in page  # an issued batch is not edited
    assert bureau.get(f"/documents/{issued.document_id}/").status_code == 200


def test_issuing_a_batch_with_an_absent_owner_is_refused_on_the_page(client_for, county, persona, draft):
    du = persona("leader").leader
    entry = BatchEntry.objects.filter(batch=draft).first()
    assert entry is not None
    BatchEntry.objects.filter(pk=entry.pk).update(leader=du)
    LeaderUnavailability.objects.create(leader=du, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 5))
    response = client_for("bureau").post(f"/ownership/batches/{draft.pk}/issue/", {"confirm": "1"})
    assert response.status_code == 422 and "不在岗" in text(response)
    assert Batch.objects.get(pk=draft.pk).state == Batch.State.DRAFT
    assert not IssuedDocument.objects.filter(kind=DocumentKind.OWNERSHIP).exists()


def test_the_bureau_starts_an_empty_draft_and_lists_batches_by_year(client_for, county, draft):
    bureau = client_for("bureau")
    response = bureau.post("/ownership/batches/new/")
    made = Batch.objects.exclude(pk=draft.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/ownership/batches/{made.pk}/"
    assert AuditRecord.objects.filter(action="ownership.batch_draft", object_id=str(made.pk)).exists()
    page = text(bureau.get("/ownership/batches/"))
    assert page.count('data-testid="batch-row"') == 2 and "新建空白草稿" in page
    secretary = text(client_for("secretary").get("/ownership/batches/"))
    assert secretary.count('data-testid="batch-row"') == 2 and "新建空白草稿" not in secretary


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("bureau_head", 200, 302), ("secretary", 200, 403), ("leader", 403, 403), ("zhouzhuang", 403, 403),
     ("renshe", 403, 403), ("auditor", 403, 403)],
)  # fmt: skip
def test_only_the_bureau_edits_a_batch_and_the_main_leaders_read_it(client_for, draft, who, get, post):
    client = client_for(who)
    assert client.get(f"/ownership/batches/{draft.pk}/").status_code == get
    assert client.get("/ownership/batches/").status_code == get
    entry = BatchEntry.objects.filter(batch=draft).first()
    assert entry is not None
    response = client.post(f"/ownership/entries/{entry.pk}/remove/", {"reason": "不需包案"})
    assert response.status_code == post
    assert BatchEntry.objects.filter(pk=entry.pk).exists() == (post != 302)


def test_another_countys_staff_find_no_batch_entry_or_case(client_for, outsider, draft, case):
    outsider.role = "bureau_head"
    outsider.save(update_fields=["role"])
    client = client_for(outsider)
    entry = BatchEntry.objects.filter(batch=draft).first()
    assert entry is not None
    assert client.get(f"/ownership/batches/{draft.pk}/").status_code == 404
    assert client.post(f"/ownership/entries/{entry.pk}/remove/", {"reason": "x"}).status_code == 404
    assert client.get(f"/ownership/cases/{case.pk}/").status_code == 404
    assert client.post(f"/ownership/cases/{case.pk}/package/", {}).status_code == 404


# ---------------------------------------------------------------------------------------------------------
# A leader's cases


def test_the_leader_fills_the_five_packages_records_a_meeting_and_asks_to_close(client_for, persona, case):
    client = client_for("leader")
    mine = text(client.get("/ownership/mine/"))
    assert case.matter.number in mine
    assert "尚未开展：包掌握情况、包解决问题、包教育转化、包稳控管理、包依法处置" in mine
    url = f"/ownership/cases/{case.pk}/"
    page = text(client.get(url))
    assert "填报五包工作" in page and "记录见面约谈" in page and "2026年第1期" in page

    response = client.post(
        f"{url}package/",
        {"package": Package.GRASP, "date": TODAY, "content": "走访信访人，核实欠薪金额", "completes": "on",
         "attachments": [upload("欠薪清单.pdf")]},
    )  # fmt: skip
    assert response.status_code == 302
    entry = PackageEntry.objects.get(ownership=case)
    assert (entry.package, entry.completes) == (Package.GRASP, True)
    assert list(entry.attachments.values_list("name", flat=True)) == ["欠薪清单.pdf"]
    future = client.post(f"{url}package/", {"package": Package.SOLVE, "date": "2026-11-03", "content": "x"})
    assert future.status_code == 422 and "日期不能晚于今天" in text(future)
    missing = client.post(f"{url}package/", {"package": "", "date": TODAY, "content": ""})
    assert missing.status_code == 422 and "请填写工作内容" in text(missing)
    assert PackageEntry.objects.filter(ownership=case).count() == 1

    response = client.post(
        f"{url}meeting/",
        {"date": TODAY, "place": "周庄镇信访接待室", "attendees": "张建设、周庄镇党委书记",
         "agreed": "公司承诺本月底前支付一半", "attachments": [upload("约谈记录.pdf")]},
    )  # fmt: skip
    assert response.status_code == 302
    meeting = OwnerMeeting.objects.get(ownership=case)
    assert meeting.place == "周庄镇信访接待室" and meeting.attachments.count() == 1

    page = text(client.get(url))
    assert "走访信访人，核实欠薪金额" in page and "公司承诺本月底前支付一半" in page
    assert "尚未开展：包解决问题、包教育转化、包稳控管理、包依法处置" in page
    file = entry.attachments.get()
    download = client.get(f"{url}files/{file.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert AuditRecord.objects.filter(action="ownership.file").count() == 1
    assert client.get(f"{url}files/{file.pk + 1000}/").status_code == 404

    refused = client.post(f"{url}close/", {"note": "已化解"})
    assert refused.status_code == 422 and "五包中还有4项未填报" in text(refused)
    for package in (Package.SOLVE, Package.EDUCATE, Package.STABILISE, Package.LAW):
        assert (
            client.post(
                f"{url}package/", {"package": package, "date": TODAY, "content": "已开展"}
            ).status_code
            == 302
        )
    refused = client.post(f"{url}close/", {"note": "已化解"})
    assert refused.status_code == 422 and "化解或办结后才能销号" in text(refused)
    Matter.objects.filter(pk=case.matter_id).update(status=S.RESOLVED, clock="", due_date=None)
    assert client.post(f"{url}close/", {"note": "工资已全部支付，信访人签字息访"}).status_code == 302
    closure = Closure.objects.get(ownership=case)
    assert closure.state == Closure.State.REQUESTED
    page = text(client.get(url))
    assert "销号申请待信访局确认" in page and "确认销号" not in page and "申请销号</summary>" not in page


def test_the_bureau_returns_then_confirms_a_closure(client_for, persona, case):
    for package in Package:
        package_entry_add(by=persona("leader"), ownership=case, package=package, date=dt.date(2026, 11, 2),
                          content="已开展")  # fmt: skip
    Matter.objects.filter(pk=case.matter_id).update(status=S.RESOLVED, clock="", due_date=None)
    closure = closure_request(by=persona("leader"), ownership=case, note="已化解")
    bureau = client_for("bureau")
    index = text(bureau.get("/ownership/"))
    assert f"/ownership/cases/{case.pk}/#closure-pending" in index
    assert cards(bureau)["包案销号待确认"][0] == 1
    url = f"/ownership/closures/{closure.pk}/decide/"
    refused = bureau.post(url, {"decision": "return", "note": ""})
    assert refused.status_code == 422 and "请填写退回理由" in text(refused)
    assert client_for("leader").post(url, {"decision": "confirm"}).status_code == 403
    assert bureau.post(url, {"decision": "return", "note": "请补充息访材料"}).status_code == 302
    assert Closure.objects.get(pk=closure.pk).state == Closure.State.RETURNED
    again = closure_request(by=persona("leader"), ownership=case, note="已补充息访材料")
    response = bureau.post(f"/ownership/closures/{again.pk}/decide/", {"decision": "confirm", "note": ""})
    assert response.status_code == 302
    ended = Ownership.objects.get(pk=case.pk)
    assert not ended.is_current and ended.end_reason == Ownership.EndReason.CLOSED
    assert "已结束（销号）" in text(bureau.get(f"/ownership/cases/{case.pk}/"))
    # The leader keeps reading the closed case, but no longer fills it.
    page = text(client_for("leader").get(f"/ownership/cases/{case.pk}/"))
    assert "请补充息访材料" in page and "填报五包工作" not in page


@pytest.mark.parametrize(
    ("who", "status", "forms"),
    [("bureau", 200, True), ("bureau_head", 200, True), ("secretary", 200, False), ("leader", 200, True),
     ("zhouzhuang", 403, False), ("renshe", 403, False), ("auditor", 403, False)],
)  # fmt: skip
def test_each_role_opens_a_case_as_it_may(client_for, case, who, status, forms):
    response = client_for(who).get(f"/ownership/cases/{case.pk}/")
    assert response.status_code == status
    if status == 200:
        assert ("填报五包工作" in text(response)) == forms
    posted = client_for(who).post(
        f"/ownership/cases/{case.pk}/meeting/",
        {"date": TODAY, "place": "县信访局", "attendees": "信访人", "agreed": "继续协调"},
    )
    assert posted.status_code == (302 if forms else 403)
    assert OwnerMeeting.objects.filter(ownership=case).count() == (1 if forms else 0)


def test_a_main_leader_may_not_fill_another_leaders_case_and_is_told_so(client_for, case):
    response = client_for("secretary").post(
        f"/ownership/cases/{case.pk}/package/",
        {"package": Package.GRASP, "date": TODAY, "content": "了解情况"},
    )
    assert response.status_code == 403 and "只有包案领导本人或信访局可以填报" in text(response)
    assert not PackageEntry.objects.exists()


def test_a_leader_opens_only_their_own_cases(client_for, county, persona, case):
    other = new_matter(persona("bureau"), county, content="另一位领导包案的事项")
    theirs = ownership_assign(by=persona("bureau_head"), matter=other, leader=leader(county, "魏振华"))
    client = client_for("leader")
    assert client.get(f"/ownership/cases/{theirs.pk}/").status_code == 404
    assert client.post(f"/ownership/cases/{theirs.pk}/meeting/", {}).status_code == 404
    assert other.number not in text(client.get("/ownership/mine/"))
    assert (
        client.get("/ownership/").status_code == 403 and client.get("/ownership/reassign/").status_code == 403
    )
    for who in ("bureau", "zhouzhuang", "renshe", "auditor"):
        assert client_for(who).get("/ownership/mine/").status_code == 403, who


def test_a_leader_a_matter_reports_never_owns_nor_sees_it(client_for, county, persona, draft):
    """Art. 46: the reported leader is never the suggestion, may not be chosen, and neither the leader nor a
    reported main leader sees the matter's batch entry, case or file."""
    bureau, du, secretary = persona("bureau"), persona("leader"), persona("secretary")
    reported = new_matter(
        bureau, county, content="反映杜文博、县委书记的问题", reported_accounts=(du, secretary)
    )
    client = client_for("bureau")
    client.post(f"/ownership/batches/{draft.pk}/add/", {"number": reported.number, "reason": "涉及县级领导"})
    entry = BatchEntry.objects.get(batch=draft, matter=reported)
    assert entry.suggested_leader_id != du.leader_id
    response = client.post(
        f"/ownership/entries/{entry.pk}/choose/", {"leader": du.leader_id, "reason": "试试"}
    )
    assert response.status_code == 422 and "第四十六条" in text(response)
    assert BatchEntry.objects.get(pk=entry.pk).leader_id != du.leader_id
    assert reported.number not in text(client_for("secretary").get(f"/ownership/batches/{draft.pk}/"))
    assert (
        client_for("secretary").post(f"/ownership/entries/{entry.pk}/remove/", {"reason": "x"}).status_code
        == 403
    )
    # A matter that comes to report its owner later leaves the owner's view.
    owned = new_matter(bureau, county, content="杜文博包案的事项")
    ownership = ownership_assign(by=persona("bureau_head"), matter=owned, leader=du.leader)
    leader = client_for("leader")
    assert leader.get(f"/ownership/cases/{ownership.pk}/").status_code == 200
    owned.reported_accounts.add(du)
    assert leader.get(f"/ownership/cases/{ownership.pk}/").status_code == 404
    assert owned.number not in text(leader.get("/ownership/mine/"))
    assert client_for("bureau").get(f"/ownership/cases/{ownership.pk}/").status_code == 200
    owned.reported_accounts.add(secretary)
    assert client_for("secretary").get(f"/ownership/cases/{ownership.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------------------
# The overview and the reassignment


def test_the_overview_counts_each_leaders_cases_and_lists_one_leaders(client_for, county, persona, case):
    BatchEntry.objects.filter(ownership=case).update(deadline=dt.date(2026, 11, 1))  # past its deadline
    page = text(client_for("bureau").get("/ownership/"))
    row = page.split(f'?leader={case.leader_id}#cases">')[1].split("</tr>")[0]
    cells = re.findall(r'class="num">(?:<span[^>]*>)?(\d+)', row)
    assert cells == ["1", "1", "1", "0"]  # open, overdue, an empty 包, 销号 waiting
    listed = text(client_for("bureau").get(f"/ownership/?leader={case.leader_id}"))
    assert case.matter.number in listed and "已超期" in listed
    secretary = text(client_for("secretary").get("/ownership/"))
    assert "杜文博" in secretary and "调整包案领导" not in secretary and "销号待确认</h2>" not in secretary


def test_the_bureau_reassigns_a_leaders_cases_in_one_step(client_for, county, persona, case):
    bureau = client_for("bureau")
    du, wei = persona("leader").leader, leader(county, "魏振华")
    form = text(bureau.get(f"/ownership/reassign/?leader={du.pk}"))
    assert "杜文博（" in form and "包案1件" in form
    refused = bureau.post("/ownership/reassign/", {"leader": du.pk, "mode": "to", "to": "", "reason": "调离"})
    assert refused.status_code == 422 and "请选择改由哪位领导包案" in text(refused)
    same = bureau.post("/ownership/reassign/", {"leader": du.pk, "mode": "to", "to": du.pk, "reason": "调离"})
    assert same.status_code == 422 and "请选择另一位领导" in text(same)
    response = bureau.post(
        "/ownership/reassign/",
        {"leader": du.pk, "mode": "to", "to": wei.pk, "reason": "工作调动离任"},
        follow=True,
    )
    assert "已将杜文博的1件包案改由魏振华包案，原包案记录保留" in text(response)
    assert Ownership.objects.get(matter=case.matter, is_current=True).leader == wei
    old = Ownership.objects.get(pk=case.pk)
    assert not old.is_current and old.end_reason == Ownership.EndReason.REPLACED
    assert AuditRecord.objects.filter(action="ownership.reassign").count() == 1
    assert client_for("secretary").get("/ownership/reassign/").status_code == 403


def test_reassigning_each_to_its_suggestion(client_for, county, persona, case):
    du = persona("leader").leader
    response = client_for("bureau").post(
        "/ownership/reassign/", {"leader": du.pk, "mode": "suggest", "to": "", "reason": "长期外出学习"}
    )
    assert response.status_code == 302
    now = Ownership.objects.get(matter=case.matter, is_current=True)
    assert now.leader_id != du.pk


# ---------------------------------------------------------------------------------------------------------
# The matter page


def test_a_unit_asks_for_a_county_leader_from_the_matter_page(client_for, county, persona):
    matter = new_matter(persona("bureau"), county, content="涉及多个部门的欠薪问题")
    zhouzhuang = client_for("zhouzhuang")
    page = text(zhouzhuang.get(f"/matters/{matter.pk}/"))
    assert "提请县级领导包案" in page and f'action="/ownership/escalate/{matter.pk}/"' in page
    refused = zhouzhuang.post(f"/ownership/escalate/{matter.pk}/", {"reason": ""})
    assert refused.status_code == 422
    card = text(refused).split('data-testid="ownership-card"')[1]
    assert "请填写提请理由" in card and '<details class="action" id="action-escalate" open>' in card
    response = zhouzhuang.post(f"/ownership/escalate/{matter.pk}/", {"reason": "涉及多个部门，镇级无法解决"})
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.pk}/#ownership"
    escalation = Escalation.objects.get(matter=matter)
    assert escalation.state == Escalation.State.PENDING and escalation.unit.name == "周庄镇"
    page = text(zhouzhuang.get(f"/matters/{matter.pk}/"))
    assert "等待信访局列入包案期次" in page and 'id="action-escalate"' not in page
    again = zhouzhuang.post(f"/ownership/escalate/{matter.pk}/", {"reason": "再次提请"})
    assert again.status_code == 422 and "已提请" in text(again)
    bureau = client_for("bureau")
    assert "涉及多个部门，镇级无法解决" in text(bureau.get("/ownership/"))
    assert "周庄镇于" in text(bureau.get(f"/matters/{matter.pk}/"))
    assert bureau.post(f"/ownership/escalate/{matter.pk}/", {"reason": "x"}).status_code == 403
    # 县人社局 has no part in this 周庄镇 matter.
    assert client_for("renshe").post(f"/ownership/escalate/{matter.pk}/", {"reason": "x"}).status_code == 404
    assert Escalation.objects.count() == 1


def test_the_matter_page_shows_the_case_card_and_its_timeline(client_for, persona, case):
    package_entry_add(by=persona("leader"), ownership=case, package=Package.GRASP, date=dt.date(2026, 11, 2),
                      content="走访")  # fmt: skip
    client_for("leader").post(
        f"/ownership/cases/{case.pk}/meeting/",
        {
            "date": "2026-11-01",
            "place": "周庄镇信访接待室",
            "attendees": "张建设",
            "agreed": "承诺月底前支付",
        },
    )
    url = f"/matters/{case.matter_id}/"
    bureau = text(client_for("bureau").get(url))
    card = bureau.split('data-testid="ownership-card"')[1].split("</section>")[0]
    assert "杜文博" in card and "2026年第1期" in card and f"/ownership/cases/{case.pk}/" in card
    assert "掌握情况 · 已完成" not in card and "掌握情况 · 进行中" in card and "解决问题 · 未开展" in card
    records = bureau.split('data-testid="records"')[1].split("</section>")[0]
    lines = [
        (when, what.strip())
        for when, what in re.findall(r"<strong>([\d\- :]+)</strong> (?:<a [^>]*>)?([^<]+)", records)
    ]
    assert ("2026-11-01", "见面约谈（杜文博，周庄镇信访接待室）") in lines
    assert ("2026-11-02", "包案：杜文博（2026年第1期）") in lines
    # Merged in order; a line with a date only after what happened at a time that day.
    assert [what for _, what in lines] == [
        "见面约谈（杜文博，周庄镇信访接待室）",
        "登记",
        "包案：杜文博（2026年第1期）",
    ]
    leader = text(client_for("leader").get(url))
    assert f"/ownership/cases/{case.pk}/" in leader and "/ownership/batches/" not in leader
    assert "见面约谈（杜文博" in leader
    # 周庄镇 sees the matter (its township) but none of the case.
    township = text(client_for("zhouzhuang").get(url))
    assert 'data-testid="ownership-card"' not in township and "见面约谈" not in township


def test_the_home_pages_and_navigation_lead_to_the_ownership_pages(client_for, case):
    leader = client_for("leader")
    found = cards(leader)
    assert found["包案五包未填全"][0] == 1 and found["包案五包未填全"][2] == "/ownership/mine/?todo=empty"
    listed = text(leader.get("/ownership/mine/?todo=empty"))
    assert re.search(r'data-testid="cases-total">共 <strong>1</strong> 件', listed)
    assert 'href="/ownership/mine/">我的包案' in text(leader.get("/"))
    assert 'href="/ownership/">领导包案' in text(client_for("bureau").get("/"))
    assert 'href="/ownership/">领导包案' in text(client_for("secretary").get("/"))
    assert "/ownership/" not in text(client_for("zhouzhuang").get("/"))


# ---------------------------------------------------------------------------------------------------------
# Bounded queries


@pytest.fixture
def many(county, persona):
    """Six owned matters of two leaders from one issued batch, with a few entries and meetings each."""
    bureau = persona("bureau")
    batch = batch_create(by=bureau, now=timezone.now())
    for index in range(6):
        matter = new_matter(
            bureau, county, date=dt.date(2026, 10, 20 + index), content=f"第{index}件欠薪事项"
        )
        batch_entry_add(by=bureau, batch=batch, matter=matter, reason="久拖未决")
    first = list(batch.entries.order_by("id").values_list("id", flat=True)[:3])
    batch.entries.filter(id__in=first).update(leader=leader(county, "魏振华"))
    batch.entries.exclude(id__in=first).update(leader=persona("leader").leader)
    batch_issue(by=bureau, batch=batch)
    for ownership in Ownership.objects.filter(is_current=True):
        package_entry_add(by=bureau, ownership=ownership, package=Package.GRASP, date=dt.date(2026, 11, 2),
                          content="走访", files=[upload()])  # fmt: skip
    return batch


@pytest.mark.parametrize(
    ("who", "path", "bound"),
    [("bureau", "/ownership/", 13), ("bureau", "/ownership/?leader={du}", 19),
     ("bureau", "/ownership/batches/", 10), ("bureau", "/ownership/batches/{batch}/", 12),
     ("secretary", "/ownership/batches/{batch}/", 12),
     ("leader", "/ownership/mine/", 13), ("leader", "/ownership/cases/{case}/", 16),
     ("bureau", "/matters/{matter}/", 28)],
)  # fmt: skip
def test_the_pages_read_in_a_bounded_number_of_queries(
    client_for, persona, many, who, path, bound, django_assert_max_num_queries
):
    du = persona("leader").leader
    assert du is not None
    case = Ownership.objects.filter(leader=du, is_current=True).first()
    assert case is not None
    url = path.format(du=du.pk, batch=many.pk, case=case.pk, matter=case.matter_id)
    client = client_for(who)
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


def test_the_overview_gives_the_resolution_rate_of_a_period_for_the_county_and_each_leader(
    client_for, county, persona, case
):
    Matter.objects.filter(pk=case.matter_id).update(
        status=Matter.Status.RESOLVED, resolved_on=dt.date(2026, 11, 2)
    )
    page = text(client_for("secretary").get("/ownership/"))
    county_line = page.split('data-testid="rates-county">')[1].split("</p>")[0]
    assert (
        "2026年1月1日至2026年11月2日印发1期、包案1起，已化解1起，包案化解率<strong>100%</strong>"
        in county_line
    )
    row = page.split('data-testid="rates-row">')[1].split("</tr>")[0]
    assert "杜文博" in row and re.findall(r'class="num">(?:<span[^>]*>)?(\d+%?)', row) == [
        "1",
        "1",
        "100%",
        "0",
        "0",
    ]
    before = text(client_for("bureau").get("/ownership/?date_from=2026-01-01&date_to=2026-10-31"))
    assert "印发0期、包案0起，已化解0起，包案化解率<strong>—</strong>" in before
    wrong = client_for("bureau").get("/ownership/?date_from=2026-11-02&date_to=2026-01-01")
    assert wrong.status_code == 200 and "起始日期不能晚于截止日期" in text(wrong)
