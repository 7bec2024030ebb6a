"""The supervision pages as each persona opens them: the list and its filters, an item with its timeline,
the report with files, the bureau's decisions, the audited downloads, and the home page's cards."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.dashboard.test_todo import cards
from tests.petitions.support import frozen, new_matter
from tests.supervision.support import PDF, leader_of, new_item, upload
from xinfang.audit.models import AuditRecord
from xinfang.notifications.models import SmsMessage
from xinfang.supervision.models import SupervisionItem, SupervisionProgress

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "xinfang" / "templates" / "supervision"


@pytest.fixture(autouse=True)
def _clock():
    with frozen():
        yield


@pytest.fixture
def item(county, persona):
    matter = new_matter(persona("bureau"), county, township="闹店镇", responsible="县人社局")
    return new_item(county, persona("bureau"), leader=leader_of(persona("leader")), matter=matter)


def test_a_unit_reports_with_a_file_and_the_bureau_returns_then_accepts(item, client_for, persona):
    unit = client_for("zhouzhuang")
    page = unit.get(f"/supervision/{item.pk}/").content.decode()
    assert "请张副县长牵头" in page and "报送办理情况" in page and "验收办结" not in page
    assert item.matter is not None and item.matter.number in page
    assert f'href="/matters/{item.matter_id}/"' not in page  # 周庄镇 may not open the 人社局's matter
    response = unit.post(
        f"/supervision/{item.pk}/progress/",
        {
            "date": "2026-11-02",
            "text": "已约谈公司负责人",
            "attachments": [upload(), upload("现场.png", PDF)],
        },
    )
    assert response.status_code == 302
    report = SupervisionProgress.objects.get(item=item)
    assert sorted(report.attachments.values_list("name", flat=True)) == ["办理情况.pdf", "现场.png.pdf"]
    assert unit.post(f"/supervision/{item.pk}/accept/", {}).status_code == 403
    bureau = client_for("bureau")
    page = bureau.get(f"/supervision/{item.pk}/").content.decode()
    assert "已约谈公司负责人" in page and "退回" in page and f'href="/matters/{item.matter_id}/"' in page
    assert bureau.post(f"/supervision/{item.pk}/return/", {"reason": ""}).status_code == 422
    assert bureau.post(f"/supervision/{item.pk}/return/", {"reason": "请附支付凭证"}).status_code == 302
    assert SmsMessage.objects.filter(template="supervision_return").exists()
    again = bureau.post(f"/supervision/{item.pk}/return/", {"reason": "请附支付凭证"}, follow=True)
    assert "没有待验收的办理情况" in again.content.decode()
    unit.post(f"/supervision/{item.pk}/progress/", {"date": "2026-11-02", "text": "已补充凭证"})
    assert bureau.post(f"/supervision/{item.pk}/accept/", {"note": "同意"}).status_code == 302
    item.refresh_from_db()
    assert item.state == SupervisionItem.State.DONE
    page = unit.get(f"/supervision/{item.pk}/").content.decode()
    assert "已办结" in page and 'action="/supervision/' not in page  # no form on a done item


def test_a_bad_file_is_refused_beside_its_field(item, client_for):
    response = client_for("zhouzhuang").post(
        f"/supervision/{item.pk}/progress/",
        {"date": "2026-11-02", "text": "已办理", "attachments": [upload("x.pdf", b"<html>")]},
    )
    assert response.status_code == 422
    assert re.search(r"has-error.*?不是 PDF、JPG 或 PNG 格式", response.content.decode(), re.S)
    assert not SupervisionProgress.objects.exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [("bureau", 200), ("secretary", 200), ("leader", 200), ("zhouzhuang", 200), ("renshe", 404)],
)
def test_the_item_opens_only_in_scope(item, client_for, username, status):
    assert client_for(username).get(f"/supervision/{item.pk}/").status_code == status
    listed = client_for(username).get("/supervision/").content.decode()
    assert (f'href="/supervision/{item.pk}/"' in listed) == (status == 200)


def test_downloads_are_scoped_and_audited(item, client_for, persona):
    report = SupervisionProgress.objects.create(
        item=item, reported_by=persona("bureau"), date=dt.date(2026, 11, 2), text="x",
        created_at=item.created_at,
    )  # fmt: skip
    from xinfang.core.attachments import attachment_store

    stored = attachment_store(upload("情况 说明.pdf"), user_id=persona("bureau").pk)
    report.attachments.add(stored)
    response = client_for("zhouzhuang").get(f"/supervision/{item.pk}/files/{stored.pk}/")
    assert response.status_code == 200 and response.content == PDF
    assert "filename*=UTF-8''%E6%83%85%E5%86%B5%20%E8%AF%B4%E6%98%8E.pdf" in response["Content-Disposition"]
    record = AuditRecord.objects.get(action="supervision.file")
    assert record.actor == persona("zhouzhuang") and record.changes["file"] == "情况 说明.pdf"
    assert client_for("renshe").get(f"/supervision/{item.pk}/files/{stored.pk}/").status_code == 404
    other = new_item(item.county, persona("bureau"), leader=item.leader)
    assert client_for("bureau").get(f"/supervision/{other.pk}/files/{stored.pk}/").status_code == 404


def test_overdue_rows_are_marked_with_the_full_date(county, persona, client_for):
    new_item(county, persona("bureau"), leader=leader_of(persona("leader")), deadline=dt.date(2026, 11, 5))
    with frozen(2026, 11, 9):
        page = client_for("zhouzhuang").get("/supervision/?state=overdue").content.decode()
    assert (
        "row-overdue" in page
        and "2026年11月5日到期，已超期4天" in page
        and "共 <strong>1</strong> 项" in page
    )


def test_the_list_reads_a_page_in_a_few_queries(county, persona, client_for, django_assert_max_num_queries):
    for _ in range(12):
        new_item(county, persona("bureau"), leader=leader_of(persona("leader")), units=("周庄镇", "县人社局"))
    client = client_for("bureau")
    with django_assert_max_num_queries(14):
        assert client.get("/supervision/").status_code == 200


def test_each_role_has_its_supervision_cards_with_counts_that_match_their_lists(item, client_for, persona):
    with frozen(2026, 12, 11):  # the item's deadline (10 December) has passed
        for username, expected in (
            ("leader", {"督办：本人牵头": (1, "本人牵头"), "督办已超期": (1, "本人牵头")}),
            ("zhouzhuang", {"督办：本单位待办": (1, "本单位"), "督办已超期": (1, "本单位")}),
            ("renshe", {"督办：本单位待办": (0, "本单位"), "督办已超期": (0, "本单位")}),
            ("bureau", {"督办待验收": (0, "全县"), "督办已超期": (1, "全县")}),
            ("secretary", {"督办已超期": (1, "全县")}),
        ):
            client = client_for(username)
            found = cards(client)
            for label, (count, scope) in expected.items():
                assert found[label][:2] == (count, scope), (username, label)
                listed = client.get(found[label][2]).content.decode()
                assert f"共 <strong>{count}</strong> 项" in listed, (username, label)


def test_templates_carry_no_inline_style_or_script():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<style|style=|<script|\son[a-z]+=", text), template.name
