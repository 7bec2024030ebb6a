"""The registry through its pages: register, repeat detection, list and search, detail, export, public."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Unit, Village
from xinfang.petitions.models import Event, Matter, Petitioner

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ID_NUMBER = "410421198503150016"  # a valid checksum
PHONE = "13937512345"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def form_data(county, **overrides):
    township = Unit.objects.get(county=county, name="周庄镇")
    data = {
        "date": "2026-11-19", "channel": "visit", "level": "county", "persons": "1",
        "origin_township": township.pk,
        "origin_village": Village.objects.filter(township=township).first().pk,
        "category": Category.objects.get(county=county, code="0702").pk,
        "content": "某建筑公司拖欠农民工工资三个月未发",
        "appeal": "要求支付拖欠工资", "source": "local", "purpose": "demand",
        "p-TOTAL_FORMS": "3", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "20",
        "p-0-name": "张建军", "p-0-id_number": ID_NUMBER, "p-0-phone": PHONE, "p-0-address": "周庄镇某村3组",
    }  # fmt: skip
    data.update(overrides)
    return data


def listed(response) -> str:
    """The rows of the matter list in a response (not the flash messages above it)."""
    return response.content.decode().split('data-testid="matter-list"')[1].split("</table>")[0]


def register(client, county, **overrides) -> Matter:
    response = client.post("/matters/new/", form_data(county, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Matter.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_it_registers_a_matter_with_encrypted_personal_data(client_for, county):
    matter = register(client_for("bureau"), county)
    assert matter.number.startswith("410421-2026-")
    assert matter.due_date == dt.date(2026, 12, 4)  # 15 days after the visit
    person = Petitioner.objects.get(matter=matter)
    assert ID_NUMBER not in person.id_number_enc
    assert PHONE not in person.phone_enc
    assert person.id_number_masked == "410421********0016"
    page = client_for("bureau").get(f"/matters/{matter.pk}/").content.decode()
    assert "410421********0016" in page
    assert ID_NUMBER not in page
    assert "张建军" in page
    assert AuditRecord.objects.filter(action="matter.register", object_id=str(matter.pk)).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the SQLite file itself")
def test_the_raw_database_holds_no_plaintext_id_number_or_phone(client_for, county):
    register(client_for("bureau"), county)
    dump = "\n".join(connection.connection.iterdump())
    assert ID_NUMBER not in dump
    assert PHONE not in dump


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("p-0-id_number", "410421198503150014", "校验位不正确"),
        ("p-0-phone", "1234", "11位手机号码"),
        ("date", "2026-11-21", "不能晚于今天"),
        ("persons", "0", "大于或等于"),
        ("content", "", "这个字段是必填项"),
        ("date", "2026-02-30", "有效的日期"),
    ],
)
def test_it_refuses_bad_input_in_chinese_and_writes_nothing(client_for, county, field, value, message):
    before = (Matter.objects.count(), Event.objects.count(), Petitioner.objects.count())
    response = client_for("bureau").post("/matters/new/", form_data(county, **{field: value}))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body or message.replace("这个", "该") in body
    assert (Matter.objects.count(), Event.objects.count(), Petitioner.objects.count()) == before


def test_it_finds_a_repeat_by_phone_and_attaches_the_new_visit(client_for, county):
    client = client_for("bureau")
    first = register(client, county)
    data = form_data(county, content="另一件事", **{"p-0-id_number": ""})
    fragment = client.get("/matters/repeat-check/", data).content.decode()
    assert f"#{first.number}" in fragment
    assert "同一身份证号或电话" in fragment
    response = client.post("/matters/new/", {**data, "attach_to": first.pk, "level": "city"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.event_count, first.top_level) == (2, "city")
    assert Matter.objects.filter(content="另一件事").count() == 0


def test_it_finds_a_repeat_by_similar_content_from_the_same_township(client_for, county):
    client = client_for("bureau")
    first = register(client, county, **{"p-0-id_number": "", "p-0-phone": ""})
    data = form_data(
        county, content="某建筑公司拖欠农民工工资三个月未发放", **{"p-0-id_number": "", "p-0-phone": ""}
    )
    fragment = client.get("/matters/repeat-check/", data).content.decode()
    assert f"#{first.number}" in fragment
    assert "同乡镇内容相似" in fragment


@pytest.mark.parametrize(
    ("query", "hit"), [("拖", True), ("工资", True), ("农民工工资", True), ("工资农民", False)]
)
def test_it_searches_chinese_substrings_of_any_length(client_for, county, query, hit):
    matter = register(client_for("bureau"), county)
    page = listed(client_for("bureau").get("/matters/", {"q": query}))
    assert (matter.number in page) is hit


def test_it_lists_with_a_bounded_number_of_queries_and_pages_by_keyset(
    client_for, county, django_assert_max_num_queries
):
    client = client_for("bureau")
    numbers = [register(client, county, content=f"第{i}件事项内容说明").number for i in range(3)]
    from xinfang.petitions import views

    views.PAGE_SIZE, old = 2, views.PAGE_SIZE
    try:
        # Fewer when served: inside the test's transaction the county's directory (the
        # filter options, the rows' unit and category names) is read afresh, not kept (county_cached).
        with django_assert_max_num_queries(14):
            response = client.get("/matters/")
        first = listed(response)
        assert numbers[2] in first and numbers[1] in first and numbers[0] not in first
        cursor = response.content.decode().split("after=")[1].split('"')[0]
        second = listed(client.get(f"/matters/?after={cursor}"))
        assert numbers[0] in second
        assert numbers[1] not in second
    finally:
        views.PAGE_SIZE = old


def test_it_shows_a_changed_directory_in_the_filter_form_it_renders_once(client_for, county):
    client = client_for("bureau")
    township = Unit.objects.get(county=county, name="周庄镇")
    assert f'<option value="{township.pk}">周庄镇</option>' in client.get("/matters/").content.decode()
    Unit.objects.filter(pk=township.pk).update(name="周庄乡")
    after = client.get("/matters/").content.decode()
    assert f'<option value="{township.pk}">周庄乡</option>' in after
    assert f'<option value="{township.pk}">周庄镇</option>' not in after
    chosen = client.get("/matters/", {"township": township.pk}).content.decode()
    assert f'<option value="{township.pk}" selected>周庄乡</option>' in chosen


def test_it_keeps_other_units_matters_away_from_a_unit_user(client_for, county):
    bureau = client_for("bureau")
    mine = register(bureau, county)
    other = register(bureau, county, origin_township=Unit.objects.get(county=county, name="闹店镇").pk,
                     origin_village="", content="闹店镇的事项")  # fmt: skip
    reported = register(bureau, county, content="反映周庄镇干部问题", reported_units=[
        Unit.objects.get(county=county, name="周庄镇").pk])  # fmt: skip
    zhouzhuang = client_for("zhouzhuang")
    listing = listed(zhouzhuang.get("/matters/"))
    assert mine.number in listing
    assert other.number not in listing
    assert reported.number not in listing
    assert zhouzhuang.get(f"/matters/{other.pk}/").status_code == 404
    assert zhouzhuang.get(f"/matters/{reported.pk}/").status_code == 404
    assert reported.number not in listed(zhouzhuang.get("/matters/", {"q": "干部"}))
    assert client_for("renshe").get(f"/matters/{mine.pk}/").status_code == 404


def test_it_masks_names_for_viewers_who_do_not_handle_the_matter(client_for, county):
    matter = register(client_for("bureau"), county)
    page = client_for("secretary").get(f"/matters/{matter.pk}/").content.decode()
    assert "张*军" in page
    assert "张建军" not in page


def test_it_reveals_a_full_id_number_only_with_a_reason_and_audits_it(client_for, county):
    matter = register(client_for("bureau"), county)
    person = matter.petitioners.get()
    client = client_for("bureau")
    refused = client.post(
        f"/matters/{matter.pk}/reveal/", {"petitioner": person.pk, "what": "id_number", "reason": "看"}
    )
    assert refused.status_code == 422
    assert ID_NUMBER not in refused.content.decode()
    shown = client.post(f"/matters/{matter.pk}/reveal/",
                        {"petitioner": person.pk, "what": "id_number", "reason": "核实身份"})  # fmt: skip
    assert shown.status_code == 200
    assert ID_NUMBER in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    record = AuditRecord.objects.get(action="pii.reveal")
    assert "核实身份" in record.message
    assert ID_NUMBER not in str(record.changes) + record.message
    assert client_for("secretary").post(f"/matters/{matter.pk}/reveal/", {}).status_code == 403


def test_it_exports_the_list_masked_and_formula_safe(client_for, county):
    register(client_for("bureau"), county, content='=HYPERLINK("http://x")拖欠工资')
    response = client_for("bureau").get("/matters/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "登记编号"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["信访人"] == "张*军"
    assert row["反映问题"].startswith("'=")
    assert ID_NUMBER not in str(rows) and PHONE not in str(rows)
    assert AuditRecord.objects.filter(action="matter.export").exists()


def test_it_corrects_a_registration_and_audits_before_and_after(client_for, county):
    matter = register(client_for("bureau"), county)
    client = client_for("bureau")
    page = client.get(f"/matters/{matter.pk}/edit/")
    assert page.status_code == 200
    event_keys = ("p-", "date", "channel", "level", "persons")
    data = {key: value for key, value in form_data(county).items() if not key.startswith(event_keys)}
    data["category"] = Category.objects.get(county=county, code="0701").pk
    data.update({"content": "改正后的内容：拖欠工资", "is_urgent": "on"})
    response = client.post(f"/matters/{matter.pk}/edit/", data)
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.is_urgent
    assert matter.category.code == "0701"
    record = AuditRecord.objects.get(action="matter.update", object_id=str(matter.pk))
    assert record.changes["content"] == ["某建筑公司拖欠农民工工资三个月未发", "改正后的内容：拖欠工资"]
    assert record.changes["is_urgent"] == [False, True]
    assert matter.number in listed(client.get("/matters/", {"q": "改正后"}))
    assert client_for("zhouzhuang").get(f"/matters/{matter.pk}/edit/").status_code == 403


def test_the_home_page_counts_todays_visits_and_overdue_matters(client_for, county):
    register(client_for("bureau"), county, date="2026-11-20", level="province")
    # Registered on 1 October: its 15-day disposal clock ran out on the 16th.
    register(client_for("bureau"), county, date="2026-10-01", content="很早以前登记的事项")
    page = client_for("bureau").get("/").content.decode()
    today = page.split('data-testid="today-events"')[1]
    assert re.findall(r'<div class="value">(\d+)</div>', today)[0] == "1"
    overdue = page.split("已超期<span")[0].rsplit('<div class="value', 1)[1]
    assert overdue.split(">")[1].split("<")[0] == "1"


def test_it_shows_a_matter_in_a_bounded_number_of_queries(client_for, county, django_assert_max_num_queries):
    matter = register(client_for("bureau"), county)
    client = client_for("bureau")
    with django_assert_max_num_queries(30):
        assert client.get(f"/matters/{matter.pk}/").status_code == 200


def test_it_encrypts_with_sm4_when_the_setting_says_so(client_for, county, settings):
    from xinfang.core.cipher import field_cipher

    settings.XINFANG_FIELD_CIPHER = "sm4-gcm"
    field_cipher.cache_clear()
    try:
        matter = register(client_for("bureau"), county)
        person = matter.petitioners.get()
        assert ".sm4-gcm." in person.id_number_enc
        shown = client_for("bureau").post(
            f"/matters/{matter.pk}/reveal/", {"petitioner": person.pk, "what": "phone", "reason": "电话回访"}
        )
        assert PHONE in shown.content.decode()
    finally:
        field_cipher.cache_clear()


@pytest.mark.parametrize("rare_limit", [5000, 1], ids=["index-first", "scan-first"])
def test_both_search_strategies_page_the_same_matches(client_for, county, rare_limit, monkeypatch):
    from xinfang.petitions import pages, views

    client = client_for("bureau")
    numbers = [register(client, county, content=f"第{i}次反映拖欠工资问题").number for i in range(5)]
    register(client, county, content="与此无关的道路问题")
    monkeypatch.setattr(pages, "RARE_MATCHES", rare_limit)
    monkeypatch.setattr(pages, "SCAN_BATCH", 2)
    monkeypatch.setattr(pages, "FIRST_SCAN", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    seen: list[str] = []
    after = ""
    for _ in range(5):
        response = client.get("/matters/", {"q": "拖欠工资", "after": after})
        seen += [n for n in reversed(numbers) if n in listed(response) and n not in seen]
        body = response.content.decode()
        if "after=" not in body.split('data-testid="matter-list"')[1]:
            break
        after = body.split("after=")[-1].split('"')[0]
    assert seen == list(reversed(numbers))


def test_a_scan_that_reaches_its_limit_offers_to_continue(client_for, county, monkeypatch):
    from xinfang.petitions import pages

    client = client_for("bureau")
    target = register(client, county, content="很早的漏水问题", date="2026-01-05").number
    for i in range(4):
        register(client, county, content=f"其他事项{i}")
    monkeypatch.setattr(pages, "RARE_MATCHES", 0)
    monkeypatch.setattr(pages, "SCAN_BATCH", 2)
    monkeypatch.setattr(pages, "FIRST_SCAN", 2)
    monkeypatch.setattr(pages, "SCAN_LIMIT", 2)
    first = client.get("/matters/", {"q": "漏水"})
    assert target not in listed(first)
    cursor = first.content.decode().split("after=")[-1].split('"')[0]
    found = False
    for _ in range(5):
        response = client.get("/matters/", {"q": "漏水", "after": cursor})
        if target in listed(response):
            found = True
            break
        cursor = response.content.decode().split("after=")[-1].split('"')[0]
    assert found


def test_it_masks_id_and_mobile_numbers_typed_into_free_text(client_for, county):
    matter = register(client_for("bureau"), county, content=f"联系电话{PHONE}，身份证{ID_NUMBER}，拖欠工资")
    assert PHONE not in matter.content
    assert ID_NUMBER not in matter.content
    assert "139****2345" in matter.content


def test_attaching_a_visit_to_a_terminated_matter_registers_it_as_not_accepted(client_for, county):
    client = client_for("bureau")
    ended = register(client, county)
    Matter.objects.filter(pk=ended.pk).update(status="closed", clock="", due_date=None)
    response = client.post("/matters/new/", form_data(county, attach_to=str(ended.pk)), follow=True)
    text = response.content.decode()
    assert f"事项 {ended.number} 已终结，本次按不予受理登记" in text
    latest = Matter.objects.exclude(pk=ended.pk).get()
    assert latest.status == "rejected" and ended.events.count() == 1
    facts = client.post("/matters/new/", form_data(county, attach_to=str(ended.pk), new_facts="工地已转让"))
    assert facts.status_code == 302
    assert Matter.objects.get(pk=int(facts["Location"].rstrip("/").split("/")[-1])).status == "registered"
