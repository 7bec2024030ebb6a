from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD
from xinfang.audit.models import AuditRecord
from xinfang.audit.selectors import audit_chain_breaks
from xinfang.audit.services import audit_record

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_it_refuses_a_wrong_password_in_chinese_and_audits_the_failure(client):
    response = login(client, "bureau", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    record = AuditRecord.objects.filter(action="auth.login_failed").latest("id")
    assert record.outcome == AuditRecord.Outcome.FAILURE
    assert record.actor_name == "bureau"
    assert record.source_ip == "10.1.2.3"
    assert "wrong-password" not in str(record.changes) + record.message


def test_it_answers_a_login_without_fields_with_chinese_errors(client):
    response = client.post("/login/", {})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()


def test_it_records_login_and_logout_and_ends_the_session(client):
    assert login(client, "bureau", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    actions = list(AuditRecord.objects.filter(actor_name="bureau").values_list("action", flat=True)[:2])
    assert actions == ["auth.logout", "auth.login"]


def test_it_refuses_logout_by_get(client_for):
    assert client_for("bureau").get("/logout/").status_code == 405


@pytest.mark.usefixtures("synthetic_audit")  # records of made-up actions
def test_it_chains_audit_records_and_finds_a_tampered_one(persona):
    first = audit_record(action="test.one", actor=persona("bureau"), message="一")
    second = audit_record(action="test.two", actor=persona("bureau"), message="二")
    assert second.prev_hash == first.hash
    assert list(audit_chain_breaks()) == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET message = %s WHERE id = %s", ["改", first.pk])
    assert [record.pk for record in audit_chain_breaks()][:1] == [first.pk]


@pytest.mark.usefixtures("synthetic_audit")  # records of made-up actions
def test_it_never_writes_full_personal_data_into_the_audit_summary(persona):
    record = audit_record(
        action="test.mask",
        actor=persona("bureau"),
        changes={
            "mobile": ["13937500001", "13937500002"],
            "id_number": "410421199001011234",
            "note": "联系 13812345678，身份证 41042119900101123X",
            "address": "周庄镇某村1号",
        },
        message="电话13812345678",
    )
    text = str(record.changes) + record.message
    for secret in (
        "13937500001",
        "13937500002",
        "410421199001011234",
        "13812345678",
        "41042119900101123X",
        "周庄镇某村1号",
    ):
        assert secret not in text
    assert "139****0001" in text
    assert "410421********1234" in text


@pytest.mark.usefixtures("synthetic_audit")  # records of made-up actions
def test_it_shows_the_audit_log_to_the_auditor_only(client_for):
    audit_record(action="test.visible", actor=None, message="可检索的记录")
    response = client_for("auditor").get("/audit/", {"q": "可检索"})
    assert response.status_code == 200
    assert "可检索的记录" in response.content.decode()
    for username in ("bureau", "bureau_head", "secretary", "sysadmin", "secadmin", "zhouzhuang"):
        assert client_for(username).get("/audit/").status_code == 403


def test_it_rejects_a_reversed_date_range_on_the_audit_log_in_chinese(client_for):
    response = client_for("auditor").get("/audit/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 422
    assert "起始日期不能晚于截止日期" in response.content.decode()
    bad = client_for("auditor").get("/audit/", {"date_from": "2026-02-30"})
    assert bad.status_code == 422


def test_it_requires_a_strong_password_when_changing_it(client_for):
    client = client_for("bureau")
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"},
    )
    assert response.status_code == 200
    assert "至少3类" in response.content.decode()


def test_it_masks_a_login_name_that_is_an_id_number_or_phone(client):
    login(client, "410421199001011234", "whatever")
    login(client, "13812345678", "whatever")
    names = list(
        AuditRecord.objects.filter(action="auth.login_failed").values_list("actor_name", flat=True)[:2]
    )
    assert names == ["138****5678", "410421********1234"]


@pytest.mark.usefixtures("synthetic_audit")  # records of made-up actions
def test_it_shows_nothing_for_an_unreadable_audit_search(client_for):
    audit_record(action="test.any", actor=None, message="任何记录")
    response = client_for("auditor").get("/audit/", {"date_from": "2026-13-01"})
    assert response.status_code == 422
    assert "任何记录" not in response.content.decode()
