"""The worker's scheduler, the SMS outbox and the daily situation report, on a fixed clock (issue 6)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from xinfang.core.worker import Worker
from xinfang.directory.models import Category, Leader, Unit, UnitOfficial
from xinfang.jobs.models import JobRun
from xinfang.jobs.services import job_run_claim, job_runs_create_due, scheduler_tick
from xinfang.notifications.gateways import Delivery, PermanentSmsError, TransientSmsError, UncertainSmsError
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.services import sms_dispatch_due
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.registration import matter_register
from xinfang.registry import JOBS, TASKS
from xinfang.reports.models import DailyReport
from xinfang.reports.services import daily_report_preview, daily_report_send

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.date(2026, 11, 27)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def register(
    persona,
    county,
    day: dt.date,
    level: str = "county",
    persons: int = 1,
    township: str = "周庄镇",
    unit: str = "县人社局",
    name: str = "张建军",
    owner: bool = False,
    reported_account=None,
):
    bureau = persona("bureau")
    matter = matter_register(
        by=bureau,
        data=RegistrationInput(
            county=county,
            event=EventInput(day, "visit", level, persons),
            origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code="0702"),
            content=f"{township}某公司拖欠工资",
            responsible_unit=Unit.objects.get(county=county, name=unit),
            reported_accounts=[reported_account] if reported_account else [],
            petitioners=[PetitionerInput(name, "410421198503150016", "13937512345", "某村3组")],
        ),
    )
    if owner:
        ownership_assign(by=persona("bureau_head"), matter=matter, leader=persona("leader").leader)
    return matter


def worker_round() -> None:
    """One round of every worker task, as `Worker.run_once` does minus its connection housekeeping, which
    would drop the test's transaction on PostgreSQL."""
    for task in TASKS:
        task.tick()


def run_worker_at(moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        worker_round()


def reports_queued() -> int:
    """Daily-report messages in the outbox (a 进京 or 赴省 visit also queues its immediate alert)."""
    return SmsMessage.objects.filter(template="daily_report").count()


def daily_runs() -> list[JobRun]:
    return list(JobRun.objects.filter(job="daily_report").order_by("period"))


def test_it_sends_the_report_once_at_1730_on_a_working_day(county, persona, sms):
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="city", persons=2)
    run_worker_at(at(FRIDAY, 17, 29))
    assert daily_runs() == [] and sms.sent == []
    run_worker_at(at(FRIDAY, 17, 30))
    run_worker_at(at(FRIDAY, 17, 31))
    run_worker_at(at(FRIDAY, 18, 0))
    [run] = daily_runs()
    assert (run.period, run.state, run.attempts) == (FRIDAY, JobRun.State.DONE, 1)
    main = Leader.objects.filter(county=county, post_kind__in=Leader.MAIN_POSTS)
    received = {message.mobile for message in sms.sent}
    assert {leader.mobile for leader in main} <= received
    assert len(sms.sent) == len(received)  # one message each
    assert DailyReport.objects.get(county=county, date=FRIDAY).counts["到市"] == {"matters": 1, "persons": 2}


def test_it_does_not_send_on_a_weekend_but_does_on_an_adjusted_working_saturday(county, sms):
    run_worker_at(at(dt.date(2026, 11, 28), 17, 45))  # Saturday
    assert daily_runs() == []
    run_worker_at(at(dt.date(2026, 2, 14), 17, 45))  # 调休: Saturday worked before the Spring Festival
    assert [run.period for run in daily_runs()] == [dt.date(2026, 2, 14)]
    assert all("2月14日全县无新增信访。" in message.body for message in sms.sent)


def test_a_worker_down_from_17_to_19_catches_up_once(county, sms):
    run_worker_at(at(FRIDAY, 17, 0))
    run_worker_at(at(FRIDAY, 19, 0))
    run_worker_at(at(FRIDAY, 19, 1))
    [run] = daily_runs()
    assert run.period == FRIDAY and run.state == JobRun.State.DONE
    sent = len(sms.sent)
    assert sent >= 2
    run_worker_at(at(FRIDAY, 23, 0))
    assert len(sms.sent) == sent


def test_a_run_older_than_the_look_back_is_not_caught_up(county, settings):
    settings.XINFANG_JOB_CATCH_UP_HOURS = 12
    with time_machine.travel(at(dt.date(2026, 11, 30), 9, 0), tick=False):  # Monday; Friday is 64 h ago
        job_runs_create_due(now=at(dt.date(2026, 11, 30), 9, 0), jobs=JOBS)
    assert daily_runs() == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(sms):
    from xinfang.demo.services import demo_county_load

    demo_county_load()  # a transactional test may start from a database another one emptied
    now = at(FRIDAY, 17, 30)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            with time_machine.travel(now, tick=False):
                Worker(TASKS, poll_seconds=0).run_once()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(daily_runs()) == 1
    keys = [message.out_id for message in sms.sent]
    assert len(keys) == len(set(keys)) == SmsMessage.objects.filter(topic__startswith="daily_report").count()


def test_a_claimed_run_is_not_claimed_by_a_second_worker(county):
    now = at(FRIDAY, 17, 30)
    job_runs_create_due(now=now, jobs=JOBS)
    due = JobRun.objects.count()  # the jobs whose rule picks a Friday (not the Monday ones)
    assert due >= 3
    claims = [job_run_claim(now=now, claimant=f"worker:{number}") for number in range(due)]
    assert all(claims) and len({claim.pk for claim in claims if claim}) == due  # each job's run once
    assert job_run_claim(now=now, claimant="late:9") is None


def test_a_rolled_back_change_queues_no_sms(county, persona):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        register(persona, county, FRIDAY)
        queued_before_failing = []

        def change_then_fail() -> None:
            with transaction.atomic():
                daily_report_send(county=county, day=FRIDAY)
                queued_before_failing.append(SmsMessage.objects.count())
                raise RuntimeError("the change fails after queueing")

        with pytest.raises(RuntimeError):
            change_then_fail()
        assert queued_before_failing[0] >= 2
    assert not SmsMessage.objects.exists() and not DailyReport.objects.exists()


def only_message(county) -> SmsMessage:
    leader = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
    return SmsMessage.objects.get(recipient_key=f"leader:{leader.pk}")


def test_a_gateway_failing_twice_then_succeeding_sends_one_message(county, sms):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=FRIDAY)
    count = SmsMessage.objects.count()
    sms.script[:] = [TransientSmsError("网关繁忙")] * 2 * count
    moment = at(FRIDAY, 17, 30)
    for minutes in (0, 2, 5, 10):
        with time_machine.travel(moment + dt.timedelta(minutes=minutes), tick=False):
            sms_dispatch_due()
    message = only_message(county)
    assert message.status == SmsMessage.Status.SENT and message.attempts == 3
    assert [sent.out_id for sent in sms.sent].count(message.out_id) == 1
    assert len(sms.sent) == count


def test_a_permanent_error_stops(county, sms):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=FRIDAY)
        sms.script[:] = [PermanentSmsError("isv.MOBILE_NUMBER_ILLEGAL")] * SmsMessage.objects.count()
        sms_dispatch_due()
    for minutes in (5, 60, 600):
        with time_machine.travel(at(FRIDAY, 17, 30) + dt.timedelta(minutes=minutes), tick=False):
            sms_dispatch_due()
    message = only_message(county)
    assert message.status == SmsMessage.Status.FAILED and message.attempts == 1
    assert "MOBILE_NUMBER_ILLEGAL" in message.last_error and sms.sent == []


def test_a_timeout_is_checked_with_the_provider_not_resent(county, sms):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=FRIDAY)
        total = SmsMessage.objects.count()
        sms.script[:] = [UncertainSmsError("超时")] * total
        sms_dispatch_due()
    message = only_message(county)
    assert message.status == SmsMessage.Status.SENDING and message.uncertain
    sms.deliveries[message.out_id] = Delivery.DELIVERED  # the provider had accepted it
    with time_machine.travel(at(FRIDAY, 17, 35), tick=False):
        sms_dispatch_due()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.DELIVERED
    assert message.out_id in sms.queries and message.out_id not in [sent.out_id for sent in sms.sent]
    # The others the provider never had: after the checks they are sent, once.
    for minutes in range(5, 60, 3):
        with time_machine.travel(at(FRIDAY, 17, 35) + dt.timedelta(minutes=minutes), tick=False):
            sms_dispatch_due()
    assert len(sms.sent) == total - 1


def test_no_message_shows_a_full_phone_or_id_number(county, persona, sms):
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="beijing", persons=6, owner=True)
    run_worker_at(at(FRIDAY, 17, 30))
    bodies = [message.body for message in sms.sent]
    assert bodies
    stored = list(SmsMessage.objects.values_list("body", "params", "mobile_masked", "recipient_name"))
    text = repr(bodies) + repr(stored)
    assert "13937512345" not in text and "410421198503150016" not in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
    assert "张*" in text and "张建军" not in text


def test_the_report_parts_by_role(county, persona, sms):
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="province", persons=3, owner=True)
        register(persona, county, FRIDAY, level="county", persons=6, township="城关镇", unit="县住建局")
        draft = daily_report_preview(county=county, day=FRIDAY)
    counts = draft.counts()
    assert counts["赴省"] == {"matters": 1, "persons": 3} and counts["集体访"] == {"matters": 1, "persons": 6}
    assert counts["到县"] == {"matters": 1, "persons": 6} and counts["进京"] == {"matters": 0, "persons": 0}
    by_name = {message.recipient.name: message for message in draft.messages}
    secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
    whole = by_name[secretary.name].text
    assert "赴省1起3人" in whole and "集体访1起6人" in whole and "周庄镇1起" in whole
    owner = by_name[persona("leader").leader.name]
    assert owner.recipient.roles == ["owner"] and "您包案的事项" in owner.text
    head = UnitOfficial.objects.get(unit__name="县住建局", is_head=True)
    unit_text = by_name[head.name].text
    assert "县住建局（责任单位）：到县1起6人" in unit_text and "周庄镇" not in unit_text


def test_a_matter_reporting_a_person_never_reaches_them_not_even_as_a_count(county, persona):
    secretary = persona("secretary")
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="city", reported_account=secretary)
        draft = daily_report_preview(county=county, day=FRIDAY)
    texts = {message.recipient.key: message.text for message in draft.messages}
    assert "11月27日全县无新增信访。" in texts[f"leader:{secretary.leader_id}"]
    county_head = Leader.objects.get(county=county, post_kind=Leader.PostKind.COUNTY_HEAD)
    assert "到市1起1人" in texts[f"leader:{county_head.pk}"]


def test_late_registrations_appear_in_the_next_report_as_late(county, persona):
    thursday = dt.date(2026, 11, 26)
    with time_machine.travel(at(thursday, 17, 30), tick=False):
        daily_report_send(county=county, day=thursday)
    with time_machine.travel(at(thursday, 18, 30), tick=False):
        register(persona, county, thursday, level="city")
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        report, _ = daily_report_send(county=county, day=FRIDAY)
        draft = daily_report_preview(county=county, day=FRIDAY)
    assert report.counts["到市"] == {"matters": 0, "persons": 0}
    whole = draft.messages[0].text
    assert "11月27日全县无新增信访。" in whole and "补报：11月26日到市1起1人。" in whole


def test_a_second_send_reaches_only_new_recipients(county, persona, sms):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        _, first = daily_report_send(county=county, day=FRIDAY)
        _, second = daily_report_send(county=county, day=FRIDAY, by=persona("bureau"))
    assert first >= 2 and second == 0


def test_a_failing_job_is_recorded_and_retried(county):
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("数据库暂时不可用")
        return "ok"

    jobs = daily_report_doing(flaky)
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        scheduler_tick(jobs=jobs)
    [run] = daily_runs()
    assert run.state == JobRun.State.FAILED and "数据库暂时不可用" in run.last_error
    with time_machine.travel(at(FRIDAY, 17, 32), tick=False):
        scheduler_tick(jobs=jobs)
    run.refresh_from_db()
    assert (run.state, run.attempts, run.result) == (JobRun.State.DONE, 2, "ok")


def test_the_page_previews_sends_once_and_resends_by_choice(county, persona, client_for, sms):
    client = client_for("bureau")
    with time_machine.travel(at(FRIDAY, 16), tick=False):
        register(persona, county, FRIDAY, level="beijing", persons=2, owner=True)
        page = client.get("/reports/daily/?date=2026-11-27")
        assert page.status_code == 200
        text = page.content.decode()
        assert "预览（尚未发送）" in text and "进京1起2人" in text and "张*" in text and "张建军" not in text
        assert "13937512345" not in text and "410421198503150016" not in text
        asked = client.post("/reports/daily/send/", {"date": "2026-11-27"})  # not confirmed: asks first
        assert asked["Location"] == "/reports/daily/?date=2026-11-27&confirm=send" and reports_queued() == 0
        confirm = client.get(asked["Location"]).content.decode()
        assert "确认发送？" in confirm and "确认发送</button>" in confirm
        response = client.post("/reports/daily/send/", {"date": "2026-11-27", "confirm": "1"}, follow=True)
        assert "已排队发送" in response.content.decode()
        queued = reports_queued()
        response = client.post("/reports/daily/send/", {"date": "2026-11-27", "confirm": "1"}, follow=True)
        assert "未重复发送" in response.content.decode() and reports_queued() == queued
        secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
        client.post("/reports/daily/resend/", {"date": "2026-11-27", "recipient": f"leader:{secretary.pk}"})
    assert reports_queued() == queued + 1
    report = DailyReport.objects.get(county=county, date=FRIDAY)
    assert report.sent_by == persona("bureau")
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        worker_round()  # the scheduled run finds the day reported
    assert reports_queued() == queued + 1
    assert JobRun.objects.get(job="daily_report").result == "当日报告已发出，未重复发送"
    daily = [s for s in sms.sent if s.recipient_name == secretary.name and s.template == "daily_report"]
    assert len(daily) == 2  # the 进京 visit's immediate alert went to the secretary as well
    with time_machine.travel(at(FRIDAY, 17, 31), tick=False):
        page = client_for("bureau").get("/reports/daily/?date=2026-11-27").content.decode()
    assert "已发送" in page and "重发" in page


def test_with_the_demo_file_gateway_the_page_says_nothing_really_goes_out(
    county, persona, client_for, settings
):
    settings.XINFANG_SMS_GATEWAY = "file"
    client = client_for("bureau")
    with time_machine.travel(at(FRIDAY, 16), tick=False):
        register(persona, county, FRIDAY)
        confirm = client.get("/reports/daily/?date=2026-11-27&confirm=send").content.decode()
        assert "演示环境：短信只写入文件，不会真正发出。" in confirm
        client.post("/reports/daily/send/", {"date": "2026-11-27", "confirm": "1"})
        page = client.get("/reports/daily/?date=2026-11-27").content.decode()
    assert "演示：已写入文件，未真正发送" in page


@pytest.mark.parametrize("day", ["2026-13-01", "明天", "2026-11-30"])
def test_a_bad_or_future_date_is_a_clear_error(client_for, day):
    with time_machine.travel(at(FRIDAY, 16), tick=False):
        response = client_for("bureau").get(f"/reports/daily/?date={day}")
    assert response.status_code == 422
    assert "日期" in response.content.decode()


def test_resend_before_the_report_went_out_is_404(client_for):
    with time_machine.travel(at(FRIDAY, 16), tick=False):
        response = client_for("bureau").post("/reports/daily/resend/", {"date": "2026-11-27"})
    assert response.status_code == 404 and not SmsMessage.objects.exists()


def daily_report_doing(handler):
    """The registry's jobs with the daily report's work replaced."""
    return [replace(job, handler=handler) if job.name == "daily_report" else job for job in JOBS]


def test_the_jobs_page_shows_runs_and_retries_a_failed_one(county, client_for, outsider):
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        scheduler_tick(jobs=daily_report_doing(lambda **kwargs: 1 / 0))
    run = JobRun.objects.get(job="daily_report", county=county)
    client = client_for("bureau_head")
    with time_machine.travel(at(FRIDAY, 17, 31), tick=False):
        page = client.get("/jobs/").content.decode()
        assert "失败" in page and "ZeroDivisionError" in page and "每日访情报告" in page
        assert client_for(outsider).post(f"/jobs/runs/{run.pk}/retry/").status_code == 404
        client.post(f"/jobs/runs/{run.pk}/retry/")
    run.refresh_from_db()
    assert run.attempts == 0 and run.next_attempt_at is not None
    with time_machine.travel(at(FRIDAY, 17, 32), tick=False):
        scheduler_tick(jobs=daily_report_doing(lambda **kwargs: "ok"))
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE


def test_the_report_command_prints_json(county, persona, capsys):
    from xinfang.cli import main

    with time_machine.travel(at(FRIDAY, 10), tick=False):
        register(persona, county, FRIDAY, level="province", persons=7, owner=True)
    with time_machine.travel(at(FRIDAY, 17), tick=False):
        assert main(["report", "daily", "--date", "2026-11-27", "--preview", "--format", "json"]) == 0
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["counts"]["赴省"] == {"matters": 1, "persons": 7}
    assert result["counts"]["集体访"] == {"matters": 1, "persons": 7}
    roles = {message["name"]: message["roles"] for message in result["messages"]}
    assert roles[persona("leader").leader.name] == ["owner"]
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", message["to"]) for message in result["messages"])
    assert reports_queued() == 0  # --preview sends nothing
    with time_machine.travel(at(FRIDAY, 17), tick=False):
        assert main(["report", "daily", "--date", "2026-11-27"]) == 0
        assert main(["report", "daily", "--date", "2026-11-31"]) == 2
    assert reports_queued() > 0


def test_a_misconfigured_gateway_is_a_system_check_error(settings):
    from xinfang.checks import check_sms_settings

    settings.XINFANG_SMS_GATEWAY = "pigeon"
    assert [error.id for error in check_sms_settings()] == ["xinfang.E008"]
    settings.XINFANG_SMS_GATEWAY, settings.XINFANG_SMS_TEMPLATE_IDS = "aliyun", {}
    messages = " ".join(error.msg for error in check_sms_settings())
    assert "XINFANG_SMS_ALIYUN_ACCESS_KEY_ID" in messages and "daily_report" in messages
    settings.XINFANG_SMS_GATEWAY = "file"
    assert check_sms_settings() == []


def test_the_file_gateway_writes_each_message_with_the_number_masked(county, settings, tmp_path):
    settings.XINFANG_SMS_GATEWAY, settings.DATA_DIR = "file", tmp_path
    with time_machine.travel(at(FRIDAY, 17, 30), tick=False):
        daily_report_send(county=county, day=FRIDAY)
        sms_dispatch_due()
    files = sorted((tmp_path / "sms" / "2026-11-27").glob("*.txt"))
    assert len(files) == SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count() >= 2
    text = files[0].read_text(encoding="utf-8")
    assert "【宝丰县信访局】11月27日全县无新增信访。" in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text) and "****" in text


def test_deadline_warnings_reach_the_unit_head_and_the_owner_once(county, persona, sms):
    from xinfang.petitions.warnings import deadline_warnings_job

    with time_machine.travel(at(dt.date(2026, 11, 2), 10), tick=False):
        matter = register(persona, county, dt.date(2026, 11, 2), owner=True)
    matter.refresh_from_db()
    assert matter.due_date is not None
    warn_day = matter.due_date - dt.timedelta(days=1)
    with time_machine.travel(at(warn_day, 9), tick=False):
        result = deadline_warnings_job(county=county, day=warn_day, now=at(warn_day, 9))
        again = deadline_warnings_job(county=county, day=warn_day, now=at(warn_day, 9))
    assert "1 件" in result and "0 条" in again
    keys = set(SmsMessage.objects.values_list("recipient_key", flat=True))
    assert f"leader:{persona('leader').leader_id}" in keys
    assert any(key.startswith("official:") for key in keys)
    bodies = list(SmsMessage.objects.values_list("body", flat=True))
    assert all(f"{matter.due_date.month}月{matter.due_date.day}日到期" in body for body in bodies)
    late_day = matter.due_date + dt.timedelta(days=2)
    with time_machine.travel(at(late_day, 9), tick=False):
        deadline_warnings_job(county=county, day=late_day, now=at(late_day, 9))
    assert SmsMessage.objects.filter(body__contains="已超期2天").exists()


@pytest.mark.parametrize("day", ["", "2026-02-30", "2026-11-30"])
def test_a_bad_posted_date_sends_nothing_and_says_why(client_for, day):
    with time_machine.travel(at(FRIDAY, 16), tick=False):
        client = client_for("bureau")
        for action in ("send", "resend"):
            page = client.post(f"/reports/daily/{action}/", {"date": day}, follow=True)
            assert page.status_code == 200 and (
                "日期" in page.content.decode() or "必填" in page.content.decode()
            )
    assert not SmsMessage.objects.exists() and not DailyReport.objects.exists()


def test_lists_stop_at_the_item_cap(county, persona, settings):
    settings.XINFANG_SMS_MAX_ITEMS = 2
    with time_machine.travel(at(FRIDAY, 10), tick=False):
        for _ in range(3):
            register(persona, county, FRIDAY, level="city", owner=True)
        draft = daily_report_preview(county=county, day=FRIDAY)
    owner = next(m for m in draft.messages if m.recipient.key == f"leader:{persona('leader').leader_id}")
    assert owner.text.count("2026-") == 2 and "另有1条，请登录信访工作平台查看。" in owner.text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "daily"], "缺少参数：--date"),
        (["report", "daily", "--date", "2026-11-20", "--format", "xml"], "参数 --format 的取值无效：xml"),
        (["report", "daily", "--date", "2026-11-20", "--bogus"], "无法识别的参数：--bogus"),
        (["report", "daily", "--date", "2026/11/20"], "日期应写作 YYYY-MM-DD"),
        (["report", "daily", "--date", "2026-11-20", "--county", "999999"], "县不存在：999999"),
        (["jobs", "plan", "--from", "2026-01-01"], "缺少参数：--to"),
    ],
)
def test_command_usage_errors_exit_2_in_chinese(county, capsys, argv, message):
    from xinfang.cli import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not SmsMessage.objects.exists() and not DailyReport.objects.exists()


def test_only_a_failed_run_can_be_retried(county, client_for):
    run = JobRun.objects.create(
        job="daily_report",
        county=county,
        period=FRIDAY,
        planned_at=at(FRIDAY, 17, 30),
        state=JobRun.State.DONE,
    )
    with time_machine.travel(at(FRIDAY, 18), tick=False):
        page = client_for("bureau").post(f"/jobs/runs/{run.pk}/retry/", follow=True).content.decode()
        assert client_for("bureau").post("/jobs/runs/999999/retry/").status_code == 404
    assert "只有失败的任务可以重新运行" in page
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE and run.next_attempt_at is None
