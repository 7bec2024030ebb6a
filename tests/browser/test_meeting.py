"""联席会议 (/meetings/) in Chromium on a desktop and a 1024 px tablet: the bureau screens last month's
matters (each factor's points, stored: the page shows when, and 重新筛选), schedules the meeting, takes one
matter off the agenda with a reason and records a decision on the page during the meeting; the bureau head
approves the minutes, which issues the numbered document and makes every decision a supervision item.
Nothing spills sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Leader, Unit
from xinfang.lib.periods import month_of
from xinfang.meetings.models import Meeting
from xinfang.meetings.services import decision_record
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.supervision.models import SupervisionItem

TABLET = {"width": 1024, "height": 768}


def last_months_matters(count: int) -> None:
    """`count` matters of last month (the one screened), one of them a 赴省 visit of 6."""
    bureau = User.objects.get(username="bureau")
    county = bureau.county
    assert county is not None
    first, _ = (
        month_of(timezone.localdate(), settings.XINFANG_MONTH_START_DAY)
        .shifted(-1)
        .range(settings.XINFANG_MONTH_START_DAY)
    )
    for index in range(count):
        level, persons = ("province", 6) if index == 0 else ("county", 1)
        matter_register(by=bureau, data=RegistrationInput(
            county=county, event=EventInput(first + dt.timedelta(days=index % 25), "visit", level, persons),
            origin_township=Unit.objects.get(county=county, name="周庄镇"),
            category=Category.objects.get(county=county, code="0702"), content=f"浏览器联席会议测试{index}",
            responsible_unit=Unit.objects.get(county=county, name="县人社局"),
        ))  # fmt: skip


def fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_screening_recording_and_approving(browser, demo_server, shot, viewport):
    last_months_matters(11)
    today = timezone.localdate()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("link", name="联席会议").first.click()
    page.get_by_role("link", name="候选筛选").click()
    # Last month is not screened yet (the worker screens it on the first working day after it): the page
    # says so and offers the button; nothing is computed until it is pressed.
    assert page.get_by_test_id("candidate").count() == 0
    assert "尚未筛选" in page.get_by_test_id("screening").inner_text()
    page.get_by_test_id("screening-run").click()
    page.wait_for_url("**/meetings/screening/?month=*")
    candidates = page.get_by_test_id("candidate")
    assert candidates.count() == 11
    assert "越级风险" in page.get_by_test_id("screening").inner_text()
    fits(page, viewport)
    shot(page, "screening")

    page.get_by_role("link", name="联席会议").first.click()
    page.get_by_label("会议日期").fill(today.isoformat())
    page.get_by_label("会议地点").fill("县委第一会议室")
    page.get_by_label("主持人").select_option(label="高明哲（县委副书记、县长）")
    page.get_by_role("button", name="安排会议并筛选议题").click()
    page.wait_for_url("**/meetings/*/")
    assert "筛选出11件议题" in page.locator(".messages").inner_text()
    items = page.get_by_test_id("agenda-item")
    assert items.count() == 11
    last = items.last
    last.get_by_text("移出议题").click()
    last.get_by_label("移出理由").fill("已由周庄镇化解")
    last.get_by_role("button", name="移出").click()
    page.wait_for_url("**/meetings/*/#agenda")
    assert page.get_by_test_id("agenda-item").count() == 10
    assert "已由周庄镇化解" in page.get_by_test_id("removed").inner_text()

    first = page.get_by_test_id("agenda-item").first
    first.get_by_label("包案领导汇报").fill("已三次约谈信访人，欠薪已核实")
    first.get_by_label("化解方案").fill("县人社局一个月内督促企业兑付欠薪")
    first.get_by_label("责任领导").select_option(label="蒋立新（县委常委、常务副县长）")
    first.get_by_label("化解期限").fill((today + dt.timedelta(days=30)).isoformat())
    first.get_by_label("责任单位").select_option(label="县人社局")
    first.get_by_label("工作要求（各方分工）").fill("县人社局牵头，周庄镇配合稳控")
    shot(page, "recording")
    first.get_by_role("button", name="保存决定").click()
    page.wait_for_url("**/meetings/*/#item-*")
    assert "已记录" in page.get_by_test_id("agenda-item").first.inner_text()
    fits(page, viewport)
    context.close()

    # The other nine decisions as the bureau records them during the meeting.
    meeting = Meeting.objects.get()
    bureau = User.objects.get(username="bureau")
    leader = Leader.objects.get(county=meeting.county, name="蒋立新")
    for item in meeting.items.filter(removed=False, decided_at__isnull=True):
        decision_record(item=item, by=bureau, report="", plan="属地稳控，依法答复", leader=leader, units=[],
                        deadline=today + dt.timedelta(days=30), tasks="")  # fmt: skip

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau_head")
    page.goto(f"{demo_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("button", name="审定印发").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert "10项决定已列入督办" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("meeting-state").inner_text() == "纪要已印发"
    assert "第1期" in page.get_by_test_id("minutes-document").inner_text()
    assert SupervisionItem.objects.filter(source_kind="meeting", source_id=meeting.pk).count() == 10
    fits(page, viewport)
    shot(page, "approved")
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    "viewport", [DESKTOP, {"width": 768, "height": 1024}, PHONE], ids=["desktop", "tablet768", "phone"]
)
def test_the_stored_screening_page(browser, demo_server, shot, viewport):
    """The screening page reads the stored screening: a month not yet screened has a button, the stored one
    says from which moment's data it was computed, and 重新筛选 computes it again; the main leader reads it
    without the button. Nothing spills sideways on a 768 px tablet or a phone."""
    last_months_matters(3)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/meetings/screening/")
    assert "尚未筛选" in page.get_by_test_id("not-screened").inner_text()
    fits(page, viewport)
    shot(page, "not-screened")
    page.get_by_test_id("screening-run").click()
    page.wait_for_url("**/meetings/screening/?month=*")
    assert page.get_by_test_id("candidate").count() == 3
    computed = page.get_by_test_id("screening-computed").inner_text()
    assert computed.startswith(f"按 {timezone.localdate().isoformat()} ") and "的数据筛选" in computed
    fits(page, viewport)
    shot(page, "stored")
    last_months_matters(1)  # one more registered late: 重新筛选 takes it in
    page.get_by_role("button", name="重新筛选").click()
    page.wait_for_url("**/meetings/screening/?month=*")
    assert page.get_by_test_id("candidate").count() == 4
    assert "符合条件4件" in page.locator(".messages").inner_text()
    fits(page, viewport)
    shot(page, "refreshed")
    context.close()

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "secretary")
    page.goto(f"{demo_server.url}/meetings/screening/")
    assert page.get_by_test_id("candidate").count() == 4
    assert page.get_by_test_id("screening-run").count() == 0
    fits(page, viewport)
    context.close()
