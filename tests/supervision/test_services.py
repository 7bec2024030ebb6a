"""督办 services: each refusal with its Chinese reason, the state transitions, the SMS they queue, and a
second click that never applies twice. The clock stands at Monday 2 November 2026, 10:00."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.petitions.support import frozen, new_matter
from tests.supervision.support import JPEG, PDF, leader_of, new_item, unit, upload
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.core.attachments import attachment_store
from xinfang.directory.models import County, Leader, UnitOfficial
from xinfang.lib.sms_text import sms_parts
from xinfang.notifications.models import SmsMessage
from xinfang.supervision.models import SupervisionItem, SupervisionProgress, SupervisionReview
from xinfang.supervision.services import (
    SupervisionConflict,
    item_accept,
    item_return,
    progress_report,
)

pytestmark = pytest.mark.django_db
State = SupervisionItem.State
CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _clock():
    with frozen():
        yield


@pytest.fixture
def leader(persona):
    return leader_of(persona("leader"))


def refused(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    assert field in error.value.message_dict, error.value
    message = " ".join(error.value.message_dict[field])
    assert CJK.search(message), message
    return message


def head_mobile(county: County, name: str) -> str:
    return UnitOfficial.objects.get(unit=unit(county, name), is_head=True, is_active=True).mobile


def test_it_creates_an_item_audits_it_and_texts_the_leader_and_each_unit_head(county, bureau, leader):
    item = new_item(
        county, bureau, leader=leader, units=("周庄镇", "县人社局"), deadline=dt.date(2026, 12, 10)
    )
    assert item.state == State.TODO and item.display_state == State.TODO
    assert set(item.units.values_list("name", flat=True)) == {"周庄镇", "县人社局"}
    record = AuditRecord.objects.get(action="supervision.create", object_id=str(item.pk))
    assert record.actor == bureau and record.changes["units"] == ["周庄镇", "县人社局"]
    messages = SmsMessage.objects.filter(topic=f"supervision:{item.pk}")
    assert {m.recipient_key for m in messages} >= {f"leader:{leader.pk}"}
    heads = {head_mobile(county, "周庄镇")[-4:], head_mobile(county, "县人社局")[-4:]}
    assert {m.mobile_masked[-4:] for m in messages} >= heads and messages.count() == 3
    body = messages.first().body
    assert body == (
        "【宝丰县信访局】督办：县委书记批示“请张副县长牵头，周庄镇抓紧化解拖欠工资问题”，"
        f"牵头领导{leader.name}，请于12月10日前办理并反馈。"
    )


def test_the_sms_is_bounded_and_no_control_character_reaches_it(county, bureau, leader):
    planted = "请\u202e立即\x07处理\n第二行" + "很长的批示内容" * 80
    item = new_item(county, bureau, leader=leader, instruction=planted)
    assert item.instruction.startswith("请立即处理\n第二行")  # stored as written, less the controls
    for message in SmsMessage.objects.filter(topic=f"supervision:{item.pk}"):
        assert not re.search(r"[\x00-\x1f\x7f\u202a-\u202e]", message.body), message.body
        assert "…" in message.body and message.parts <= 4 and sms_parts(message.body) <= 4


def test_a_main_leader_records_their_own_instruction_but_a_unit_user_records_none(
    county, persona, leader, zhouzhuang
):
    secretary = persona("secretary")
    item = new_item(county, secretary, leader=leader, instructed_by=secretary.leader)
    assert item.created_by == secretary
    with pytest.raises(PermissionDenied):
        new_item(county, zhouzhuang, leader=leader)
    with pytest.raises(PermissionDenied):  # a paper instruction is the bureau's to record
        new_item(county, secretary, leader=leader, instructed_by=secretary.leader, on_paper=True)


def test_a_paper_instruction_needs_its_scan(county, bureau, leader):
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=leader, on_paper=True)
    assert "扫描件" in refused(error, "scan")
    scan = attachment_store(upload("批示.jpg", JPEG, "image/jpeg"), user_id=bureau.pk)
    item = new_item(county, bureau, leader=leader, on_paper=True, scan=scan)
    assert item.on_paper and item.scan == scan


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"deadline": dt.date(2026, 11, 1)}, "deadline", "不能早于今天"),
        ({"instruction": " \x07 "}, "instruction", "请填写批示内容"),
        ({"source_url": "https://evil.example/"}, "source_url", "以 / 开头"),
        ({"source_url": "//evil.example/"}, "source_url", "以 / 开头"),
        ({"instructed_by": None}, "instructed_by", "批示领导"),
        ({"instructed_at": dt.date(2026, 11, 3)}, "instructed_at", "不能晚于今天"),
    ],
)
def test_it_refuses_bad_input_in_chinese(county, bureau, leader, overrides, field, says):
    before = SupervisionItem.objects.count(), SmsMessage.objects.count()
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=leader, **overrides)
    assert says in refused(error, field)
    assert (SupervisionItem.objects.count(), SmsMessage.objects.count()) == before


def test_it_refuses_a_leader_or_unit_of_another_county_and_an_inactive_leader(
    county, bureau, leader, outsider
):
    other = outsider.county
    stranger = Leader.objects.create(
        county=other, name="外县领导", post_kind="vice_head", post="副县长", body="government"
    )
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=stranger)
    assert "不在本县" in refused(error, "leader")
    Leader.objects.filter(pk=leader.pk).update(is_active=False)
    leader.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=leader)
    assert "不在任" in refused(error, "leader")


def test_it_refuses_a_unit_of_another_county(county, bureau, leader, outsider):
    from xinfang.directory.models import Unit

    far = Unit.objects.create(county=outsider.county, kind="township", name="外县某镇")
    secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
    from xinfang.supervision.services import item_create

    with pytest.raises(ValidationError) as error:
        item_create(
            county=county, source_kind="weekly", source_id=1, source_title="第1期", source_url="",
            matter=None, instruction="请办理", instructed_by=secretary, instructed_at=TODAY, leader=leader,
            units=[far], deadline=TODAY, recorded_by=bureau,
        )  # fmt: skip
    assert "不是本县单位" in refused(error, "units")


def test_art_46_a_unit_or_a_leader_the_matter_reports_never_handles_it(county, bureau, leader, persona):
    matter = new_matter(bureau, county, reported=("周庄镇",))
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=leader, matter=matter, units=("县人社局", "周庄镇"))
    assert "周庄镇" in refused(error, "units") and "第四十六条" in refused(error, "units")
    matter.reported_accounts.add(persona("leader"))
    with pytest.raises(ValidationError) as error:
        new_item(county, bureau, leader=leader, matter=matter, units=("县人社局",))
    assert "第四十六条" in refused(error, "leader")
    secretary = persona("secretary").leader
    item = new_item(county, bureau, leader=secretary, matter=matter, units=("县人社局",))
    assert item.matter == matter


def test_a_unit_reports_progress_with_files_and_the_item_moves_to_in_progress(
    county, bureau, leader, zhouzhuang
):
    item = new_item(county, bureau, leader=leader)
    progress = progress_report(
        item=item,
        user=zhouzhuang,
        date=TODAY,
        text="已约谈公司负责人",
        files=[upload(), upload("现场.png", b"\x89PNG\r\n\x1a\n")],
    )
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS and item.last_progress_at is not None and item.awaiting_review
    assert progress.unit == zhouzhuang.unit and progress.reported_by == zhouzhuang
    assert sorted(progress.attachments.values_list("name", "content_type")) == [
        ("办理情况.pdf", "application/pdf"), ("现场.png", "image/png"),
    ]  # fmt: skip
    record = AuditRecord.objects.get(action="supervision.progress", object_id=str(item.pk))
    assert (
        record.changes["attachments"] == ["办理情况.pdf", "现场.png"] and record.changes["unit"] == "周庄镇"
    )


def test_who_may_report(county, bureau, leader, persona, renshe, zhouzhuang):
    item = new_item(county, bureau, leader=leader, units=("周庄镇",))
    with pytest.raises(PermissionDenied):
        progress_report(item=item, user=renshe, date=TODAY, text="不是本单位的")
    with pytest.raises(PermissionDenied):
        progress_report(item=item, user=persona("secretary"), date=TODAY, text="不牵头")
    own = progress_report(item=item, user=persona("leader"), date=TODAY, text="已召开专题会")
    assert own.unit is None
    behalf = progress_report(item=item, user=bureau, date=TODAY, text="电话报送", unit=zhouzhuang.unit)
    assert behalf.unit == zhouzhuang.unit
    with pytest.raises(ValidationError) as error:
        progress_report(item=item, user=bureau, date=TODAY, text="代报", unit=renshe.unit)
    assert "不是该督办事项的责任单位" in refused(error, "unit")


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        ({"date": dt.date(2026, 11, 3)}, "date", "不能晚于今天"),
        ({"date": dt.date(2026, 11, 1)}, "date", "不能早于批示日期"),
        ({"text": "  "}, "text", "请填写办理情况"),
        ({"text": "长" * 2001}, "text", "不能超过2000字"),
        ({"files": [upload()] * 6}, "attachments", "最多上传5个"),
        (
            {"files": [upload("病毒.pdf", b"MZ\x90\x00", "application/pdf")]},
            "attachments",
            "不是 PDF、JPG 或 PNG",
        ),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_kept(county, bureau, leader, zhouzhuang, kwargs, field, says):
    item = new_item(county, bureau, leader=leader)
    with pytest.raises(ValidationError) as error:
        progress_report(**({"item": item, "user": zhouzhuang, "date": TODAY, "text": "已办理"} | kwargs))
    assert says in refused(error, field)
    item.refresh_from_db()
    assert item.state == State.TODO and not SupervisionProgress.objects.filter(item=item).exists()


def test_a_second_click_of_the_same_report_is_refused(county, bureau, leader, zhouzhuang):
    item = new_item(county, bureau, leader=leader)
    progress_report(item=item, user=zhouzhuang, date=TODAY, text="已办理")
    with pytest.raises(SupervisionConflict):
        progress_report(item=item, user=zhouzhuang, date=TODAY, text="已办理")
    assert SupervisionProgress.objects.filter(item=item).count() == 1


def test_send_back_then_report_again_then_accept(county, bureau, head, leader, zhouzhuang):
    item = new_item(county, bureau, leader=leader)
    with pytest.raises(SupervisionConflict):  # nothing reported yet
        item_accept(item=item, user=bureau)
    with pytest.raises(SupervisionConflict):
        item_return(item=item, user=bureau, reason="未报送")
    progress_report(item=item, user=zhouzhuang, date=TODAY, text="已约谈")
    with pytest.raises(ValidationError) as error:
        item_return(item=item, user=bureau, reason=" ")
    assert "退回理由" in refused(error, "reason")
    with pytest.raises(PermissionDenied):
        item_return(item=item, user=zhouzhuang, reason="自己退回")
    item_return(item=item, user=bureau, reason="未附工资支付凭证")
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS and not item.awaiting_review
    returned = SmsMessage.objects.get(template="supervision_return")
    assert returned.mobile_masked[-4:] == head_mobile(county, "周庄镇")[-4:]
    assert "未附工资支付凭证" in returned.body and "12月10日前重新报送" in returned.body
    with pytest.raises(SupervisionConflict):  # the second click of 退回
        item_return(item=item, user=bureau, reason="未附工资支付凭证")
    progress_report(item=item, user=zhouzhuang, date=TODAY, text="已补充支付凭证")
    item_accept(item=item, user=head, note="材料齐全")
    item.refresh_from_db()
    assert (item.state, item.closed_by, item.display_state) == (State.DONE, head, State.DONE)
    assert list(item.reviews.values_list("decision", flat=True)) == ["return", "accept"]
    with pytest.raises(SupervisionConflict):
        progress_report(item=item, user=zhouzhuang, date=TODAY, text="再报一次")
    actions = AuditRecord.objects.filter(object_id=str(item.pk), object_type="supervision.supervisionitem")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "supervision.create", "supervision.progress", "supervision.return", "supervision.progress",
        "supervision.accept",
    ]  # fmt: skip


def test_a_stale_second_accept_is_refused(county, bureau, head, leader, zhouzhuang):
    item = new_item(county, bureau, leader=leader)
    progress_report(item=item, user=zhouzhuang, date=TODAY, text="已办理")
    first, second = (SupervisionItem.objects.get(pk=item.pk) for _ in range(2))  # two pages open
    item_accept(item=first, user=bureau)
    with pytest.raises(SupervisionConflict):
        item_accept(item=second, user=head)
    assert SupervisionReview.objects.filter(item=item).count() == 1
    assert AuditRecord.objects.filter(action="supervision.accept").count() == 1


def test_overdue_is_read_not_stored(county, bureau, leader):
    item = new_item(county, bureau, leader=leader, deadline=TODAY)
    assert item.display_state == State.TODO
    with frozen(2026, 11, 3):
        assert item.display_state == "overdue" and item.display_state_label == "超期"


def test_a_scan_is_any_of_the_three_kinds(county, bureau):
    for name, content in (("a.pdf", PDF), ("b.jpg", JPEG)):
        assert attachment_store(upload(name, content), user_id=bureau.pk).size == len(content)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_apply_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads cannot share the tests' in-memory SQLite database; PostgreSQL runs it")
    from xinfang.demo.services import demo_county_load

    demo_county_load()
    county = County.objects.get(code="410421")
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    zhouzhuang = User.objects.get(username="zhouzhuang")
    item = new_item(county, bureau, leader=leader_of(User.objects.get(username="leader")))
    progress_report(item=item, user=zhouzhuang, date=TODAY, text="已办理")
    barrier, outcomes = threading.Barrier(2), []

    def accept(user: User) -> None:
        barrier.wait()
        try:
            item_accept(item=SupervisionItem.objects.get(pk=item.pk), user=user)
            outcomes.append("done")
        except SupervisionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in (bureau, head)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "done"]
    assert SupervisionReview.objects.filter(item_id=item.pk).count() == 1
