"""Issue 15's flow in Chromium, by each role: the bureau drafts last week's analysis, follows its figures
to the events and writes the analysis; the head approves it; the county secretary, on a 390 px phone, opens
the card, reads the issue, signs it off and writes a 批示 on a key matter (杜文博 leading, 周庄镇
responsible); 杜文博 sees the item he leads; 周庄镇 reports on a phone with a PNG; the bureau accepts it;
the 10-day progress summary is issued and the secretary reads it; the bureau records a paper 批示 with its
scan and downloads the files. Every page is shot at 1280 and at 390 px wide into test-artifacts/, and none
may be wider than the screen."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path
from typing import Any

from django.utils import timezone

from tests.browser.test_login_dashboard import log_in
from tests.petitions.support import new_matter
from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader, Unit
from xinfang.documents.models import Delivery, DocumentKind, IssuedDocument
from xinfang.petitions.models import Level
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.registration import event_add
from xinfang.reports.models import WeeklyReport
from xinfang.reports.weekly import previous_week
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.summary_issue import progress_summary_issue

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def png(path: Path) -> Path:
    """A real 2×2 PNG (the attachment check reads the file, not only its name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def last_week_of_visits(county: County) -> tuple[dt.date, dt.date]:
    """Last week (the one the form offers) with over-level, collective and repeat visits; a week before it."""
    monday, sunday = previous_week(timezone.localdate())
    bureau = User.objects.get(username="bureau")

    def visit(day: dt.date, **overrides: Any):
        return new_matter(bureau, county, date=day, responsible="县人社局", **overrides)

    first = visit(monday - dt.timedelta(days=6), persons=2)
    visit(monday + dt.timedelta(days=1), level=Level.PROVINCE, persons=6, township="李庄乡")
    visit(monday + dt.timedelta(days=4), level=Level.CITY)
    visit(sunday, level=Level.BEIJING)
    visit(monday - dt.timedelta(days=7))
    event_add(by=None, matter=first, event=EventInput(monday + dt.timedelta(days=2), "visit", "county", 3))
    return monday, sunday


class Seat:
    """One persona logged in twice: `page` acts (on a desktop or a phone), `other` shows the same page at
    the other width; `snap` shoots both and checks that neither spills sideways."""

    def __init__(self, browser: Any, url: str, username: str, *, acting: dict[str, int]) -> None:
        other = PHONE if acting is WIDE else WIDE
        self.contexts = [
            browser.new_context(viewport=size, locale="zh-CN", accept_downloads=True)
            for size in (acting, other)
        ]
        self.page, self.other = (context.new_page() for context in self.contexts)
        self.sizes = {"acting": acting, "other": other}
        for page in (self.page, self.other):
            log_in(page, url, username)
        self.username = username

    def snap(self, shot: Any, name: str) -> None:
        self.other.goto(self.page.url)
        for page, size in ((self.page, self.sizes["acting"]), (self.other, self.sizes["other"])):
            label = "phone" if size is PHONE else "desktop"
            shot(page, f"{name}-{self.username}-{label}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} ({label}) is {width}px wide"

    def card(self, label: str) -> Any:
        return self.page.get_by_test_id("todo-card").filter(has_text=label).first

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def test_the_weekly_analysis_from_draft_to_instruction_supervision_and_summary(
    browser, demo_server, shot, tmp_path
):
    url = demo_server.url
    county = County.objects.get(code="410421")
    monday, sunday = last_week_of_visits(county)

    # The bureau drafts last week's analysis and follows its figures to the events behind them.
    bureau = Seat(browser, url, "bureau", acting=WIDE)
    page = bureau.page
    page.goto(f"{url}/reports/weekly/")
    assert page.get_by_label("所在周的任一日期").input_value() == monday.isoformat()
    bureau.snap(shot, "01-weekly-list")
    page.get_by_role("button", name="起草该周").click()
    page.wait_for_url("**/reports/weekly/*/")
    draft = page.get_by_test_id("weekly-draft")
    assert draft.is_visible()
    sheet = page.locator(".document")
    assert "每周访情分析" in sheet.inner_text() and "（暂无）" in sheet.inner_text()
    bureau.snap(shot, "02-weekly-draft")
    draft_url = page.url

    totals = sheet.locator("a[href^='/stats/events/']")
    query = f"date_from={monday.isoformat()}&date_to={sunday.isoformat()}"
    assert totals.nth(1).get_attribute("href") == f"/stats/events/?{query}"
    assert totals.nth(1).inner_text() == "4"  # 批次
    totals.nth(1).click()
    page.wait_for_url("**/stats/events/**")
    assert page.get_by_test_id("event-count").inner_text() == "共 4 批次"
    assert page.get_by_test_id("event-list").locator("tbody tr").count() == 4
    bureau.snap(shot, "03-stats-events")
    page.goto(draft_url)
    sheet.locator("a[href*='collective=on']").click()
    assert page.get_by_test_id("event-count").inner_text() == "共 1 批次"
    page.goto(draft_url)

    page.get_by_label("分析研判").fill(
        "本周信访总量环比上升，越级访集中在劳动和社会保障类，进京访1批次须重点关注。\n李庄乡赴省集体访6人，反映拖欠工资问题。"
    )
    page.get_by_label("意见建议").fill("建议县人社局牵头，周庄镇、李庄乡配合，本月底前集中清欠。")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("已保存。").is_visible()
    assert "集中清欠" in page.locator(".document").inner_text()
    page.goto(f"{url}/")
    assert bureau.card("每周访情分析待印发").locator(".value").inner_text() == "1"
    bureau.snap(shot, "04-bureau-home")

    # The head approves it: nothing happens before the box is ticked.
    head = Seat(browser, url, "bureau_head", acting=WIDE)
    page = head.page
    head.card("每周访情分析待印发").click()
    page.get_by_role("link", name=f"{monday.month}月{monday.day}日至{sunday.month}月{sunday.day}日").click()
    approve = page.get_by_test_id("weekly-approve")
    assert approve.is_visible()
    head.snap(shot, "05-head-draft")
    approve.get_by_role("checkbox").check()
    approve.get_by_role("button", name="审定印发").click()
    assert page.get_by_text("已审定印发").is_visible()
    report_row = WeeklyReport.objects.get(county=county, date_from=monday)
    document = report_row.document
    assert document is not None and report_row.state != WeeklyReport.State.DRAFT
    assert "第1期" in page.get_by_role("heading", level=1).inner_text()
    head.snap(shot, "06-head-issued")
    issue_url = page.url

    # The secretary, on a phone: the card, the inbox, the issue, the sign-off and a 批示 on a key matter.
    secretary = Seat(browser, url, "secretary", acting=PHONE)
    page = secretary.page
    assert secretary.card("文件待签批").locator(".value").inner_text() == "1"
    secretary.snap(shot, "07-secretary-home")
    secretary.card("文件待签批").click()
    assert "待签批" in page.get_by_test_id("inbox").inner_text()
    secretary.snap(shot, "08-secretary-inbox")
    page.get_by_role("link", name=document.label).click()
    assert "集中清欠" in page.locator(".document").inner_text()
    secretary.snap(shot, "09-secretary-document")
    page.get_by_label("签批意见（可不填）").fill("阅。请县人社局会同相关乡镇抓紧清欠，结果报县委。")
    page.get_by_role("button", name="签批").click()
    assert page.get_by_text("已签批。").is_visible()
    assert "您已于" in page.get_by_test_id("sign").inner_text()
    secretary.snap(shot, "10-secretary-signed")
    delivery = Delivery.objects.get(document=document, leader=User.objects.get(username="secretary").leader)
    assert delivery.read_at is not None and delivery.signed_at is not None

    page.get_by_role("link", name="对全文或重点事项作批示（交办督办）").click()
    page.wait_for_url(issue_url)
    form = page.get_by_test_id("instruction-form")
    key = document.snapshot["key_matters"][0]
    assert key["level"] == "进京"
    form.get_by_label("批示对象").select_option(key["number"])
    form.get_by_label("批示内容").fill("请杜文博同志牵头，周庄镇抓紧化解该进京访事项，月底前报结果。")
    vice = Leader.objects.get(county=county, name="杜文博")
    form.get_by_label("牵头领导").select_option(str(vice.pk))
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    form.get_by_label("责任单位").select_option([str(zhouzhuang.pk)])
    deadline = timezone.localdate() + dt.timedelta(days=20)
    form.get_by_label("办理期限").fill(deadline.isoformat())
    secretary.snap(shot, "11-secretary-instruction-form")
    form.get_by_role("button", name="批示并交办").click()
    assert page.get_by_text("批示已交办").is_visible()
    assert "请杜文博同志牵头" in page.get_by_test_id("instructions").inner_text()
    secretary.snap(shot, "12-secretary-instructed")
    item = SupervisionItem.objects.get(source_id=report_row.pk, on_paper=False)
    assert item.matter is not None and item.matter.number == key["number"] and item.leader == vice
    assert list(item.units.all()) == [zhouzhuang] and item.deadline == deadline

    # 杜文博 sees the item he leads; he gets no documents (he is not a recipient of the reports).
    leader = Seat(browser, url, "leader", acting=PHONE)
    page = leader.page
    assert leader.card("督办：本人牵头").locator(".value").inner_text() == "1"
    assert page.get_by_test_id("todo-card").filter(has_text="文件待签批").count() == 0
    leader.snap(shot, "13-leader-home")
    leader.card("督办：本人牵头").click()
    page.get_by_role("link", name="请杜文博同志牵头").click()
    leader.snap(shot, "14-leader-item")

    # 周庄镇 reports on a phone with a PNG; the bureau accepts.
    unit = Seat(browser, url, "zhouzhuang", acting=PHONE)
    page = unit.page
    assert unit.card("督办：本单位待办").locator(".value").inner_text() == "1"
    unit.snap(shot, "15-unit-home")
    unit.card("督办：本单位待办").click()
    unit.snap(shot, "16-unit-list")
    page.get_by_role("link", name="请杜文博同志牵头").click()
    assert "月底前报结果" in page.get_by_test_id("instruction").inner_text()
    unit.snap(shot, "17-unit-item")
    page.get_by_label("办理情况").fill("已约谈信访人和用工单位，拖欠工资已结清，信访人签字息诉。")
    page.get_by_label("附件").set_input_files(str(png(tmp_path / "息诉罢访承诺书.png")))
    page.get_by_role("button", name="报送").click()
    assert page.get_by_text("已报送办理情况").is_visible()
    assert page.get_by_role("link", name="息诉罢访承诺书.png").is_visible()
    unit.snap(shot, "18-unit-reported")

    page = bureau.page
    page.goto(f"{url}/")
    bureau.card("督办待验收").click()
    page.get_by_role("link", name="请杜文博同志牵头").click()
    page.locator("#action-accept summary").click()
    page.get_by_label("验收意见").fill("材料齐全，同意办结。")
    page.get_by_role("button", name="验收办结").click()
    assert page.get_by_test_id("item-state").inner_text() == "已办结"
    bureau.snap(shot, "19-bureau-accepted")

    # The worker issues the progress summary; the secretary reads it; the bureau finds it under its kind.
    summary, created = progress_summary_issue(county=county, day=timezone.localdate())
    assert created and summary.kind == DocumentKind.PROGRESS
    page = secretary.page
    page.goto(f"{url}/")
    assert secretary.card("文件未读").locator(".value").inner_text() == "1"
    secretary.card("文件未读").click()
    secretary.snap(shot, "20-secretary-inbox-summary")
    page.get_by_role("link", name=summary.label).click()
    assert "请杜文博同志牵头" in page.locator(".document").inner_text()
    assert "已办结" in page.locator(".document").inner_text()
    secretary.snap(shot, "21-secretary-summary")
    assert Delivery.objects.get(document=summary, leader=delivery.leader).read_at is not None

    page = bureau.page
    page.goto(f"{url}/documents/?kind=progress")
    assert summary.label in page.get_by_test_id("archive").inner_text()
    assert document.label not in page.get_by_test_id("archive").inner_text()
    bureau.snap(shot, "22-bureau-documents-progress")
    page.get_by_role("link", name=summary.label).click()
    assert page.get_by_test_id("deliveries").is_visible()
    bureau.snap(shot, "23-bureau-summary")

    # The bureau records the county head's paper 批示 on the whole issue with its scan, and downloads.
    page.goto(issue_url)
    form = page.get_by_test_id("instruction-form")
    assert "代录纸质批示" in form.inner_text()
    form.get_by_label("批示内容").fill("请县人社局牵头，各乡镇配合，对拖欠农民工工资问题开展专项清理。")
    head_of_county = Leader.objects.get(county=county, post_kind="county_head")
    form.get_by_label("批示领导").select_option(str(head_of_county.pk))
    form.get_by_label("牵头领导").select_option(str(head_of_county.pk))
    renshe = Unit.objects.get(county=county, name="县人社局")
    form.get_by_label("责任单位").select_option([str(renshe.pk)])
    form.get_by_label("办理期限").fill(deadline.isoformat())
    form.get_by_label("批示原件扫描件（PDF、JPG 或 PNG）").set_input_files(
        str(png(tmp_path / "县长批示.png"))
    )
    bureau.snap(shot, "24-bureau-paper-form")
    form.get_by_role("button", name="录入批示并交办").click()
    assert page.get_by_text("批示已交办").is_visible()
    listed = page.get_by_test_id("instructions").inner_text()
    assert "纸质批示代录" in listed and "专项清理" in listed
    deliveries = page.get_by_test_id("weekly-deliveries").inner_text()
    assert "阅。请县人社局会同相关乡镇" in deliveries
    bureau.snap(shot, "25-bureau-issue")
    assert SupervisionItem.objects.get(source_id=report_row.pk, on_paper=True).scan is not None

    for name, magic in (("下载 Word", b"PK"), ("下载 PDF", b"%PDF")):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert Path(download.value.path()).read_bytes().startswith(magic)
    assert IssuedDocument.objects.filter(county=county).count() == 2

    for seat in (bureau, head, secretary, leader, unit):
        seat.close()
