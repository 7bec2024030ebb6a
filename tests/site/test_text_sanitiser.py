"""Control and bidirectional formatting characters (issue 12, item 2): removed at every input by the one
sanitiser, and never breaking an export or an SMS whatever was stored."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.db import connection
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.ledger.test_ledger_import import csv_bytes, row, run
from tests.petitions.support import captcha_solved
from tests.petitions.test_registry_api import api_for, payload
from tests.petitions.test_registry_pages import ID_NUMBER, PHONE, register
from xinfang.directory.models import Unit
from xinfang.lib.text import clean_text
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Matter, OnlineSubmission

BELL, RLO, NUL, C1, ISOLATE = "\x07", "\u202e", "\x00", "\x85", "\u2066"
PLANTED = f"拖欠{BELL}工资{RLO}三个月{NUL}未发{C1}{ISOLATE}，要求尽快支付"
CLEANED = "拖欠工资三个月未发，要求尽快支付"
UNSAFE = {chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))} - {"\t", "\n", "\r"}
UNSAFE |= set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> bool:
    return not (set(text) & UNSAFE)


@given(st.text())
def test_the_sanitiser_leaves_no_control_or_bidi_character_and_is_idempotent(text):
    multi, single = clean_text(text), clean_text(text, multiline=False)
    assert clean(multi) and clean(single) and not set(single) & {"\t", "\n", "\r"}
    assert clean_text(multi) == multi and clean_text(single, multiline=False) == single
    kept = [c for c in text if c not in UNSAFE]
    assert multi == "".join(kept)  # nothing else is touched, multi-line text keeps TAB, LF and CR


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs"))))
def test_the_sanitiser_changes_no_ordinary_text(text):
    assert clean_text(text) == text and clean_text(text, multiline=False) == text


def test_it_keeps_tabs_and_line_breaks_in_multi_line_text_and_joins_a_single_line():
    assert clean_text("第一行\r\n\t第二行") == "第一行\r\n\t第二行"
    assert clean_text("张\n三", multiline=False) == "张 三"
    assert unicodedata.category(RLO) == "Cf" and clean_text(f"abc{RLO}def") == "abcdef"


@pytest.mark.django_db
def test_the_public_submission_form_stores_no_control_characters(county):
    township = Unit.objects.get(county=county, name="周庄镇")
    response = Client().post("/public/submit/", {
        "county": "410421", "name": f"李{RLO}四", "id_number": ID_NUMBER, "phone": PHONE,
        "township": township.pk, "village": "", "address": f"某村{BELL}", "content": PLANTED,
        "appeal": f"尽快{BELL}修路\n谢谢", **captcha_solved(),
    })  # fmt: skip
    assert response.status_code == 200
    submission = OnlineSubmission.objects.get()
    assert submission.content == CLEANED and submission.appeal == "尽快修路\n谢谢"
    assert submission.name == "李四"


@pytest.mark.django_db
def test_the_registration_page_and_the_api_store_no_control_characters(client_for, county, persona):
    matter = register(client_for("bureau"), county, content=PLANTED, **{"p-0-name": f"张{BELL}建军"})
    assert matter.content == CLEANED
    assert matter.petitioners.get().name == "张建军"
    created = api_for(persona("bureau")).post(
        "/api/v1/matters/", payload(county, content=PLANTED), format="json"
    )
    assert created.status_code == 201, created.content
    assert Matter.objects.get(pk=created.json()["id"]).content == CLEANED
    # Keys pass the sanitiser too: an unknown field is refused under its cleaned name.
    refused = api_for(persona("bureau")).post(
        "/api/v1/matters/", payload(county, **{f"x{RLO}": 1}), format="json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["x"]
    searched = client_for("bureau").get("/matters/", {"q": f"拖欠{BELL}"})
    assert searched.status_code == 200 and matter.number in searched.content.decode()


@pytest.mark.django_db
def test_a_ledger_import_stores_no_control_characters(county):
    # A NUL makes a CSV unreadable as text (refused as a whole); every other planted character goes.
    planted = PLANTED.replace(NUL, "")
    run(county, csv_bytes([row(**{"登记编号": "C1", "反映问题": planted, "信访人": f"王{RLO}五"})]))
    matter = Matter.objects.get(number="C1")
    assert matter.content == CLEANED.replace("，", ",")  # cells are full-width folded too
    assert matter.petitioners.get().name == "王五"


@pytest.mark.django_db
def test_an_export_survives_any_stored_value(client_for, county):
    matter = register(client_for("bureau"), county)
    # Planted past every input (an old record, a database edit): the export still works. (PostgreSQL
    # refuses a NUL in text, so none can be stored there; SQLite would keep one.)
    planted = PLANTED if connection.vendor == "sqlite" else PLANTED.replace(NUL, "")
    Matter.objects.filter(pk=matter.pk).update(content=planted, appeal=f"{BELL}=cmd")
    response = client_for("bureau").get("/matters/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["反映问题"] == CLEANED and row["诉求"] == "'=cmd"
    assert all(clean(str(value)) for value in rows[1])


@pytest.mark.django_db
def test_an_sms_carries_no_control_characters_whatever_was_stored(county):
    draft = SmsDraft(
        recipient_key="t", recipient_name="测试", mobile="13900000000", template="deadline_warning",
        params={"content": f"到期提醒{BELL}\n{PLANTED}"}, dedupe_key="sanitiser", topic="test",
    )  # fmt: skip
    assert sms_queue(county=county, drafts=[draft]) == 1
    message = SmsMessage.objects.get()
    assert clean(message.body) and clean(message.params["content"])
    assert message.body.endswith("到期提醒\n" + CLEANED)
