from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from tests.ledger.test_ledger_import import csv_bytes, row
from xinfang.ledger.uploads import ledger_work_next


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_uploads_a_ledger_previews_its_problems_and_imports_it(
    browser, demo_server, shot, viewport, tmp_path
):
    dirty, clean = tmp_path / "dirty.csv", tmp_path / "clean.csv"
    dirty.write_bytes(
        csv_bytes([row(), row(**{"乡镇": "东风乡", "人数": "0"}), row(**{"信访人": ""})], title=True)
    )
    clean_rows = [
        row(**{"登记编号": "BR-1"}),
        row(**{"登记编号": "BR-1", "信访日期": "2026-03-09"}),
        row(**{"信访人": "", "反映问题": "匿名反映养殖场排污"}),
    ]
    clean.write_bytes(csv_bytes(clean_rows))
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("link", name="台账导入", exact=True).click()
    shot(page, "list-empty")

    page.get_by_label("台账文件").set_input_files(str(dirty))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/ledger/*/")
    assert "等待后台任务检查文件" in page.get_by_test_id("ledger-status").inner_text()
    ledger_work_next()  # the worker's turn; the page notices by itself
    page.get_by_test_id("ledger-errors").wait_for()
    errors = page.get_by_test_id("ledger-errors").inner_text()
    assert "未知乡镇：东风乡" in errors and "表格第5行" in errors
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "dirty-preview")
    page.get_by_role("button", name="放弃").click()
    assert page.get_by_text("已放弃该文件").is_visible()

    page.goto(f"{demo_server.url}/ledger/")
    page.get_by_label("台账文件").set_input_files(str(clean))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/ledger/*/")
    ledger_work_next()
    page.get_by_role("button", name="确认导入").wait_for()
    assert "信访人为空（匿名）" in page.get_by_test_id("ledger-warnings").inner_text()
    shot(page, "clean-preview")
    page.get_by_role("button", name="确认导入").click()
    assert page.get_by_text("已开始导入").is_visible()
    ledger_work_next()
    page.get_by_text("新增事项", exact=True).wait_for()
    counts = page.get_by_test_id("ledger-counts").inner_text()
    assert "已导入" in page.get_by_test_id("ledger-status").inner_text() and "2\n新增事项" in counts
    shot(page, "imported")

    page.goto(f"{demo_server.url}/matters/?q=养殖场排污")
    assert "匿名反映养殖场排污" in page.get_by_test_id("matter-list").inner_text()
    page.goto(f"{demo_server.url}/ledger/")
    assert "clean.csv" in page.get_by_test_id("ledger-imports").inner_text()
    shot(page, "list")
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_stalled_import_says_so_and_a_file_over_a_limit_fails_with_the_reason(
    browser, demo_server, shot, viewport, tmp_path, settings
):
    import os
    import time

    from django.utils import timezone

    from xinfang.ledger.models import LedgerImport
    from xinfang.ledger.progress import ProgressFile, progress_path
    from xinfang.ledger.uploads import CLAIM_TIMEOUT

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    stalled, too_long = tmp_path / "卡住.csv", tmp_path / "超长.csv"
    stalled.write_bytes(csv_bytes([row()]))
    too_long.write_bytes(csv_bytes([row() for _ in range(30)]))

    page.goto(f"{demo_server.url}/ledger/")
    page.get_by_label("台账文件").set_input_files(str(stalled))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/ledger/*/")
    record = LedgerImport.objects.get(file_name="卡住.csv")
    # A worker took it, wrote some progress and died ten minutes ago.
    LedgerImport.objects.filter(pk=record.pk).update(claimed_at=timezone.now() - CLAIM_TIMEOUT)
    ProgressFile(record.pk)("检查", 1, 1000)
    os.utime(progress_path(record.pk), (time.time() - 600, time.time() - 600))
    page.get_by_test_id("stale-progress").wait_for()
    assert "10 分钟未更新" in page.get_by_test_id("stale-progress").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "stalled")
    page.get_by_role("button", name="放弃").click()
    assert page.get_by_text("已放弃该文件").is_visible()
    progress_path(record.pk).unlink(missing_ok=True)

    settings.XINFANG_LEDGER_MAX_ROWS = 10
    page.goto(f"{demo_server.url}/ledger/")
    page.get_by_label("台账文件").set_input_files(str(too_long))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/ledger/*/")
    ledger_work_next()
    page.get_by_text("导入失败").first.wait_for()
    body = page.locator("main").inner_text()
    assert "XINFANG_LEDGER_MAX_ROWS" in body and "上限为 10 行" in body
    shot(page, "over-limit")
    context.close()
