from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Category, County, Unit
from xinfang.jobs.models import JobRun
from xinfang.jobs.services import scheduler_tick
from xinfang.notifications.services import sms_dispatch_due
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.registry import JOBS


def register_today(level: str, persons: int) -> None:
    county = County.objects.get(code="410421")
    matter_register(by=User.objects.get(username="bureau"), data=RegistrationInput(
        county=county, event=EventInput(timezone.localdate(), "visit", level, persons),
        origin_township=Unit.objects.get(county=county, name="周庄镇"),
        category=Category.objects.get(county=county, code="0702"), content="某公司拖欠农民工工资",
        responsible_unit=Unit.objects.get(county=county, name="县人社局"),
        petitioners=[PetitionerInput("张建军", "410421198503150016", "13937512345", "某村3组")],
    ))  # fmt: skip


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_preview_send_and_follow_the_daily_report(browser, demo_server, shot, viewport):
    register_today("province", 6)
    register_today("county", 1)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/reports/daily/")
    counts = page.get_by_test_id("daily-counts").inner_text()
    assert "赴省\n1 起 6 人" in counts and "集体访\n1 起 6 人" in counts
    table = page.get_by_test_id("daily-messages").inner_text()
    assert (
        "预览（尚未发送）" in page.content() and "张*军等6人" in table and "13937512345" not in page.content()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "preview")

    page.get_by_role("link", name="立即发送").click()
    assert "确认发送？" in page.get_by_test_id("send-confirm").inner_text()  # nothing sent before confirming
    shot(page, "confirm")
    page.get_by_role("button", name="确认发送").click()
    assert page.get_by_text("已排队发送").is_visible()
    sms_dispatch_due()  # the worker's turn
    page.reload()
    delivered = page.get_by_test_id("daily-messages").inner_text()
    assert "已发送" in delivered or "已写入文件（演示，未真正发送）" in delivered
    shot(page, "sent")
    page.get_by_role("link", name="补发给未收到的人").click()
    page.get_by_role("button", name="确认发送").click()
    assert page.get_by_text("未重复发送").is_visible()
    page.get_by_role("button", name="重发", exact=True).first.click()
    assert page.get_by_text("已重发 1 条短信").is_visible()

    scheduler_tick(jobs=JOBS)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Yesterday's run failed for good: whether or not the tick above has just run it (it has when yesterday
    # was a working day whose report time has passed), it is the failed one the page shows.
    JobRun.objects.update_or_create(
        job="daily_report", county=County.objects.get(code="410421"), period=yesterday,
        defaults={"planned_at": timezone.now() - dt.timedelta(days=1), "state": JobRun.State.FAILED,
                  "attempts": 5, "last_error": "OperationalError: 数据库连接中断"},
    )  # fmt: skip
    page.get_by_role("link", name="定时任务").click()
    assert "每日访情报告" in page.get_by_test_id("sms-outbox").inner_text()
    assert "数据库连接中断" in page.get_by_test_id("job-runs").inner_text()
    assert "每日访情报告：每个工作日 17:30" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "jobs")
    page.get_by_role("button", name="立即重试").click()
    assert page.get_by_text("已安排重新运行").is_visible()
    context.close()
