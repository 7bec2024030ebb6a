"""领导包案 in Chromium: (a) the bureau, on a desktop, opens last week's draft, gives a matter to another
leader with a reason and issues the batch after its confirmation; (b) 杜文博, on a 390 px phone, fills the
five 包 of his case (a photo with the first) and records a meeting with the petitioner. Screenshots of each
step in test-artifacts/; no page may be wider than the phone."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from tests.petitions.support import new_matter
from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader
from xinfang.ownership.models import Batch, BatchEntry, OwnerMeeting, Package, PackageEntry
from xinfang.ownership.services import batch_create, batch_draft_week, batch_entry_add, batch_issue
from xinfang.petitions.models import Level, Ownership


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def png(path: Path) -> Path:
    """A real 2×2 PNG (the attachment check reads the file, not only its name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )  # fmt: skip
    return path


def available_other_than(county: County, leader_id: int | None) -> Leader:
    """A leader in office, present today, other than `leader_id`, who is not a main leader."""
    today = timezone.localdate()
    found = (
        Leader.objects.filter(county=county, is_active=True)
        .exclude(pk=leader_id or 0)
        .exclude(post_kind__in=Leader.MAIN_POSTS)
        .exclude(unavailable_periods__start__lte=today, unavailable_periods__end__gte=today)
        .order_by("protocol_order")
        .first()
    )
    assert found is not None
    return found


def test_the_bureau_gives_a_matter_to_another_leader_and_issues_the_batch(browser, demo_server, shot):
    county = County.objects.get(code="410421")
    bureau = User.objects.get(username="bureau")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    province = new_matter(bureau, county, date=monday + dt.timedelta(days=1), level=Level.PROVINCE,
                          content="某建筑公司拖欠农民工工资两年未付，赴省上访")  # fmt: skip
    collective = new_matter(bureau, county, date=monday + dt.timedelta(days=2), persons=8, township="闹店镇",
                            content="某工地拖欠八名工人工资")  # fmt: skip
    batch, _ = batch_draft_week(
        county=county, week_from=monday, week_to=monday + dt.timedelta(days=6), by=None, now=timezone.now()
    )
    entry = BatchEntry.objects.get(batch=batch, matter=collective)
    other = available_other_than(county, entry.suggested_leader_id)

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导包案").click()
    assert page.get_by_test_id("overview").is_visible()
    shot(page, "1-overview")
    page.get_by_role("link", name="包案期次").click()
    expect(page.get_by_test_id("batch-row")).to_have_count(1)
    shot(page, "2-batches")
    page.get_by_role("link", name=batch.label).click()
    expect(page.get_by_test_id("entry")).to_have_count(2)
    assert "赴省访" in page.get_by_test_id("entries").inner_text()
    shot(page, "3-draft")

    row = page.locator(f"#entry-{entry.pk}")
    row.locator("summary", has_text="另选包案领导或期限").click()
    row.get_by_label("包案领导").select_option(value=str(other.pk))
    row.get_by_role("button", name="确定").click()
    row = page.locator(f"#entry-{entry.pk}")
    assert row.get_by_text("请填写改派理由").is_visible()  # refused: the reason beside its field
    shot(page, "4-reason-missing")
    row.get_by_label("改派理由").fill(f"{other.name}熟悉闹店镇情况")
    row.get_by_role("button", name="确定").click()
    assert page.get_by_text(f"由{other.name}包案").first.is_visible()
    row = page.locator(f"#entry-{entry.pk}")
    assert row.get_by_test_id("owner").inner_text().startswith(other.name)
    assert f"{other.name}熟悉闹店镇情况" in row.get_by_test_id("choice-reason").inner_text()
    shot(page, "5-owner-changed")

    page.get_by_test_id("issue-start").click()
    confirm = page.get_by_test_id("issue-confirm")
    assert "本期 2 件信访事项交由 2 位县级领导包案" in confirm.inner_text()
    shot(page, "6-confirm")
    confirm.get_by_role("button", name="确认印发").click()
    assert page.get_by_text("已印发").first.is_visible()
    assert page.get_by_test_id("batch-state").inner_text() == "已印发"
    assert page.get_by_role("link", name="下载 PDF").is_visible()
    shot(page, "7-issued")

    issued = Batch.objects.get(pk=batch.pk)
    assert issued.state == Batch.State.ISSUED and issued.number == 1
    owners = dict(Ownership.objects.filter(is_current=True).values_list("matter_id", "leader_id"))
    assert owners[collective.pk] == other.pk and owners[province.pk] == entry_owner(batch, province)

    # The overview now counts each owner's case; one owner's cases; the matter page's card.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导包案").click()
    expect(page.get_by_test_id("overview-row")).to_have_count(2)
    assert "印发1期、包案2起" in page.get_by_test_id("rates-county").inner_text()
    expect(page.get_by_test_id("rates-row")).to_have_count(2)
    shot(page, "8-overview-issued")
    page.get_by_test_id("overview").get_by_role("link", name=other.name).click()
    expect(page.get_by_test_id("leader-cases").get_by_test_id("case-row")).to_have_count(1)
    shot(page, "9-leader-cases")
    page.get_by_test_id("leader-cases").get_by_role("link", name=collective.number).click()
    assert "尚未开展" in page.get_by_test_id("packages-empty").inner_text()
    expect(page.locator("#action-package")).to_have_count(1)  # the bureau may fill in for the owner
    shot(page, "10-case")
    page.get_by_test_id("case-matter").get_by_role("link", name=collective.number).click()
    card = page.get_by_test_id("ownership-card")
    assert other.name in card.inner_text() and issued.label in card.inner_text()
    assert issued.label in page.get_by_test_id("records").inner_text()
    shot(page, "11-matter-card")
    context.close()

    # The issued batch reads on a phone too.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    small = phone.new_page()
    log_in(small, demo_server.url, "bureau")
    small.goto(f"{demo_server.url}/ownership/batches/{batch.pk}/")
    expect(small.get_by_test_id("entry")).to_have_count(2)
    assert fits(small, PHONE)
    shot(small, "12-batch-phone")
    small.goto(f"{demo_server.url}/ownership/#rates")
    expect(small.get_by_test_id("rates-row")).to_have_count(2)
    assert fits(small, PHONE)
    shot(small, "13-rates-phone")
    phone.close()


def entry_owner(batch: Batch, matter) -> int | None:
    return BatchEntry.objects.get(batch=batch, matter=matter).leader_id


def test_the_leader_fills_the_five_packages_and_records_a_meeting_on_a_phone(
    browser, demo_server, shot, tmp_path
):
    county = County.objects.get(code="410421")
    bureau, du = User.objects.get(username="bureau"), User.objects.get(username="leader")
    matter = new_matter(bureau, county, date=timezone.localdate(), content="某建筑公司拖欠农民工工资两年未付")
    batch = batch_create(by=bureau, now=timezone.now())
    batch_entry_add(by=bureau, batch=batch, matter=matter, reason="久拖未决")
    batch.entries.update(leader=du.leader)
    batch_issue(by=bureau, batch=batch)
    case = Ownership.objects.get(matter=matter, is_current=True)

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "leader")
    card = page.get_by_test_id("todo-card").filter(has_text="包案五包未填全")
    assert card.locator(".value").inner_text() == "1"
    shot(page, "1-home")
    card.click()
    row = page.get_by_test_id("case-row")
    expect(row).to_have_count(1)
    assert "尚未开展：包掌握情况" in row.get_by_test_id("case-empty").inner_text()
    assert fits(page, PHONE)
    shot(page, "2-mine")
    row.get_by_role("link", name=matter.number).click()
    assert "尚未开展" in page.get_by_test_id("packages-empty").inner_text()
    assert fits(page, PHONE)
    shot(page, "3-case")

    work = {
        Package.GRASP: "走访信访人张建设，核实欠薪金额和人数",
        Package.SOLVE: "召集县人社局、周庄镇和公司负责人协调支付方案",
        Package.EDUCATE: "向信访人讲解依法维权途径，劝导不再赴省上访",
        Package.STABILISE: "明确周庄镇专人联系，每周回访一次",
        Package.LAW: "对公司下达劳动保障监察限期整改指令书",
    }
    for index, (package, content) in enumerate(work.items()):
        page.locator(f"#package-{package}").get_by_role("link", name="填报").click()
        form = page.locator("#action-package")
        assert form.get_by_label("五包").input_value() == package
        form.get_by_label("工作内容").fill(content)
        if index % 2 == 0:
            form.get_by_label("本项已完成").check()
        if index == 0:
            form.get_by_label("附件").set_input_files(str(png(tmp_path / "走访照片.png")))
            shot(page, "4-package-form")
        form.get_by_role("button", name="填报").click()
        assert page.get_by_text(f"已填报{Package(package).label}").is_visible()
    assert page.get_by_text("五包均已填报").is_visible()
    assert page.get_by_role("link", name="走访照片.png").is_visible()
    assert fits(page, PHONE)
    shot(page, "5-packages-filled")

    page.locator("#action-meeting summary").click()
    form = page.locator("#action-meeting")
    form.get_by_label("地点").fill("周庄镇信访接待室")
    form.get_by_label("参加人员").fill("信访人张建设、周庄镇党委书记、县人社局监察大队")
    form.get_by_label("约谈结果").fill("公司承诺本月20日前支付一半，余款春节前结清；信访人同意不再赴省。")
    shot(page, "6-meeting-form")
    form.get_by_role("button", name="记录").click()
    assert page.get_by_text("已记录见面约谈").is_visible()
    assert "本月20日前支付一半" in page.get_by_test_id("meetings").inner_text()
    assert fits(page, PHONE)
    shot(page, "7-meeting-recorded")

    page.get_by_role("link", name="← 我的包案").click()
    expect(page.get_by_test_id("case-empty")).to_have_count(0)
    shot(page, "8-mine-filled")
    assert PackageEntry.objects.filter(ownership=case).count() == 5
    assert OwnerMeeting.objects.get(ownership=case).place == "周庄镇信访接待室"
    context.close()
