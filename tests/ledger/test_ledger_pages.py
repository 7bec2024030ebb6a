"""The ledger import pages and the worker's part: upload, check, preview, confirm, import, undo."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.ledger.test_ledger_import import csv_bytes, row
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.progress import ProgressFile, ledger_progress
from xinfang.ledger.uploads import ledger_work_next
from xinfang.petitions.models import Matter
from xinfang.registry import TASKS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def upload(client, content: bytes, name: str = "台账.csv"):
    return client.post(reverse("ledger:list"), {"file": SimpleUploadedFile(name, content)})


def test_a_clean_ledger_goes_from_upload_to_imported(client_for, county):
    client = client_for("bureau")
    response = upload(
        client, csv_bytes([row(**{"登记编号": "PG1"}), row(**{"登记编号": "PG2", "信访人": ""})])
    )
    record = LedgerImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:detail", args=[record.pk])
    assert record.state == LedgerImport.State.CHECKING and record.content_enc
    assert "登记编号" not in record.content_enc  # the file is kept encrypted
    page = client.get(response["Location"])
    assert "等待后台任务检查文件" in page.content.decode()

    assert any(task.tick is ledger_work_next for task in TASKS)  # the worker runs it
    assert ledger_work_next() == 1
    record.refresh_from_db()
    assert (record.state, record.rows, record.created, record.error_count, record.warning_count) == (
        LedgerImport.State.CHECKED, 2, 2, 0, 1)  # fmt: skip
    page = client.get(reverse("ledger:detail", args=[record.pk])).content.decode()
    assert (
        "确认导入" in page
        and "信访人为空（匿名）" in page
        and not Matter.objects.filter(number="PG1").exists()
    )

    client.post(reverse("ledger:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == LedgerImport.State.QUEUED
    assert ledger_work_next() == 1
    record.refresh_from_db()
    assert record.state == LedgerImport.State.IMPORTED and record.content_enc == ""
    assert record.imported_by.username == "bureau"
    assert Matter.objects.filter(county=county, number__in=["PG1", "PG2"]).count() == 2
    assert ledger_work_next() == 0
    listing = client.get(reverse("ledger:list")).content.decode()
    assert "台账.csv" in listing and "已导入" in listing


def test_a_dirty_ledger_shows_every_problem_and_cannot_be_imported(client_for):
    client = client_for("bureau")
    upload(client, csv_bytes([row(), row(**{"乡镇": "东风乡", "人数": "0"})], title=True))
    ledger_work_next()
    record = LedgerImport.objects.get()
    assert record.state == LedgerImport.State.CHECKED and record.error_count == 2
    assert record.errors[0] == {
        "row": 3,
        "sheet_row": 5,
        "column": "人数",
        "message": "人数应为不小于1的整数：0",
    }
    page = client.get(reverse("ledger:detail", args=[record.pk])).content.decode()
    assert "未知乡镇：东风乡" in page and "表格第5行" in page and "确认导入" not in page
    client.post(reverse("ledger:confirm", args=[record.pk]), follow=True)
    record.refresh_from_db()
    assert record.state == LedgerImport.State.CHECKED
    client.post(reverse("ledger:discard", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == LedgerImport.State.DISCARDED and record.content_enc == ""


def test_an_unreadable_upload_fails_with_a_chinese_message(client_for):
    client = client_for("bureau")
    response = upload(client, b"not a ledger", name="a.xls")
    assert response.status_code == 422 and "只支持 .xlsx 或 .csv" in response.content.decode()
    upload(client, b"PK\x03\x04broken", name="a.xlsx")
    ledger_work_next()
    record = LedgerImport.objects.get()
    assert record.state == LedgerImport.State.FAILED and "不是有效的 .xlsx" in record.message


def test_only_the_bureau_imports_and_only_the_bureau_head_undoes(client_for, outsider, county):
    client = client_for("bureau")
    upload(client, csv_bytes([row(**{"登记编号": "UN1"})]))
    ledger_work_next()
    record = LedgerImport.objects.get()
    client.post(reverse("ledger:confirm", args=[record.pk]))
    ledger_work_next()
    detail = reverse("ledger:detail", args=[record.pk])
    for who in ("zhouzhuang", "renshe", "leader", "secretary", "auditor", "sysadmin", "secadmin"):
        assert client_for(who).get(reverse("ledger:list")).status_code == 403, who
        assert client_for(who).get(detail).status_code == 403, who
    assert client_for(outsider).get(detail).status_code == 404
    assert "撤销整个导入</button>" not in client.get(detail).content.decode()
    assert client.post(reverse("ledger:undo", args=[record.pk])).status_code == 403
    head = client_for("bureau_head")
    assert "撤销整个导入</button>" in head.get(detail).content.decode()
    head.post(reverse("ledger:undo", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == LedgerImport.State.UNDONE
    assert not Matter.objects.filter(county=county, number="UN1").exists()


def test_the_status_fragment_polls_while_pending_and_reloads_when_done(client_for, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = client_for("bureau")
    upload(client, csv_bytes([row()]))
    record = LedgerImport.objects.get()
    status = reverse("ledger:status", args=[record.pk])
    ProgressFile(record.pk)("检查", 1200, 5000)
    assert ledger_progress(record.pk) == {"phase": "检查", "done": 1200, "total": 5000}
    pending = client.get(status)
    assert "1200 / 5000" in pending.content.decode() and "hx-trigger" in pending.content.decode()
    assert "HX-Refresh" not in pending
    ledger_work_next()
    assert client.get(status)["HX-Refresh"] == "true"
    assert ledger_progress(record.pk) is None  # the worker clears its progress


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_a_while(client_for):
    upload(client_for("bureau"), csv_bytes([row()]))
    LedgerImport.objects.update(claimed_at=timezone.now())  # another worker holds it
    assert ledger_work_next() == 0
    LedgerImport.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert ledger_work_next() == 1
    assert LedgerImport.objects.get().state == LedgerImport.State.CHECKED


def test_the_template_downloads(client_for):
    response = client_for("bureau").get(reverse("ledger:template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "attachment" in response["Content-Disposition"]


def test_upload_and_import_are_audited(client_for):
    from xinfang.audit.models import AuditRecord

    client = client_for("bureau")
    upload(client, csv_bytes([row()]))
    record = LedgerImport.objects.get()
    ledger_work_next()
    client.post(reverse("ledger:confirm", args=[record.pk]))
    ledger_work_next()
    actions = list(
        AuditRecord.objects.filter(object_type="petitions.ledgerimport").values_list("action", flat=True)
    )
    assert sorted(actions) == ["ledger.import", "ledger.upload"]
    imported = AuditRecord.objects.get(action="ledger.import")
    assert imported.actor.username == "bureau" and json.dumps(imported.changes, ensure_ascii=False).count(
        "台账.csv"
    )


def test_bad_requests_get_chinese_errors_not_500s(client_for):
    client = client_for("bureau")
    response = upload(client, b"", name="空.csv")
    assert response.status_code == 422 and "文件为空" in response.content.decode()
    response = client.post(reverse("ledger:list"), {})
    assert response.status_code == 422 and "请选择要导入的台账文件" in response.content.decode()
    assert client.post(reverse("ledger:confirm", args=[999999])).status_code == 404
    assert client.get(reverse("ledger:confirm", args=[1])).status_code == 405
    upload(client, csv_bytes([row()]))
    record = LedgerImport.objects.get()
    response = client.post(reverse("ledger:confirm", args=[record.pk]), follow=True)
    assert "该文件当前不能导入" in response.content.decode()  # not checked yet
    assert LedgerImport.objects.get().state == LedgerImport.State.CHECKING


def test_every_page_renders_over_imports_and_matters_of_every_path(client_for, county, persona):
    """Records made by the page, the worker and the command line (no user) all render, and say who."""
    from tests.ledger.test_ledger_import import run
    from xinfang.ledger.undo import ledger_undo

    by_command = run(county, csv_bytes([row(**{"登记编号": "CLI1"})]), name="命令行台账.csv")
    undone = run(county, csv_bytes([row(**{"登记编号": "CLI2"})]), name="撤销台账.csv")
    ledger_undo(by=None, ledger_import=LedgerImport.objects.get(pk=undone.ledger_import_id or 0))
    client = client_for("bureau")
    upload(client, csv_bytes([row(**{"登记编号": "WEB1"})]))
    ledger_work_next()  # the worker checks the page's upload
    pages = [reverse("ledger:list")] + [
        reverse(name, args=[record.pk])
        for record in LedgerImport.objects.all()
        for name in ("ledger:detail", "ledger:status")
    ]
    imported = Matter.objects.get(number="CLI1")
    pages += [reverse("petitions:detail", args=[imported.pk]), reverse("petitions:list")]
    for viewer in ("bureau", "bureau_head"):
        for page in pages:
            response = client_for(viewer).get(page)
            assert response.status_code == 200, page
    listing = client.get(reverse("ledger:list")).content.decode()
    assert "命令行台账.csv" in listing and "命令行" in listing
    assert by_command.ledger_import_id is not None
