"""Online submissions (网上信访, issue 12 item 5): a CAPTCHA made on the server, a cap per address and
overall, and a 待审核 state the bureau screens before anything counts; accepted ones are clocked from the
day they were submitted, rejected ones tell the petitioner why."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.test import Client

from tests.petitions.support import (
    ID_LI,
    PHONE_LI,
    at,
    captcha_solved,
    chinese,
    frozen,
    online_form,
    snapshot,
)
from xinfang.audit.models import AuditRecord
from xinfang.core.captcha import CAPTCHA_SECONDS, captcha_issue, captcha_passed
from xinfang.directory.models import Category
from xinfang.lib.masking import mask_phone
from xinfang.petitions.models import Event, Matter, OnlineSubmission
from xinfang.petitions.services.common import RegistryError
from xinfang.petitions.services.public import online_accept, online_reject

pytestmark = pytest.mark.django_db


def submit(county, ip: str = "10.1.1.1", **overrides):
    return Client(REMOTE_ADDR=ip).post("/public/submit/", online_form(county, **overrides))


def test_a_submission_waits_to_be_screened_and_counts_nowhere(county):
    before = (Matter.objects.count(), Event.objects.count())
    response = submit(county)
    assert response.status_code == 200
    submission = OnlineSubmission.objects.get()
    page = response.content.decode()
    assert submission.query_code in page and "审核" in page
    assert (Matter.objects.count(), Event.objects.count()) == before  # no matter, no event, no deadline
    assert submission.state == "pending"
    assert ID_LI not in submission.id_number_enc and PHONE_LI not in submission.phone_enc
    assert submission.phone_masked == mask_phone(PHONE_LI)
    status = Client().get("/public/query/", {"code": submission.query_code}).content.decode()
    assert "已收到，待审核登记" in status and "坑洼" not in status
    assert AuditRecord.objects.filter(action="online.submit", object_id=str(submission.pk)).exists()


def test_accepting_registers_the_matter_with_its_code_clocked_from_the_day_it_was_submitted(county, bureau):
    with frozen(2026, 11, 2):  # a Monday
        submit(county)
    submission = OnlineSubmission.objects.get()
    category = Category.objects.get(county=county, code="0701")
    with frozen(2026, 11, 5):
        matter = online_accept(by=bureau, submission=submission, category=category)
    assert (matter.query_code, matter.source, matter.channel) == (submission.query_code, "online", "online")
    assert matter.first_event_date == dt.date(2026, 11, 2) and matter.clock_started == dt.date(2026, 11, 2)
    assert matter.category == category and matter.registered_by == bureau
    person = matter.petitioners.get()
    assert (person.name, person.phone_masked) == ("李四", mask_phone(PHONE_LI))
    submission.refresh_from_db()
    assert (submission.state, submission.matter, submission.decided_by) == ("accepted", matter, bureau)
    assert AuditRecord.objects.get(action="online.accept").changes == {"matter": matter.number}
    status = Client().get("/public/query/", {"code": matter.query_code}).content.decode()
    assert matter.number in status
    with pytest.raises(RegistryError) as twice:
        online_accept(by=bureau, submission=submission, category=category)
    assert "已审核" in chinese(twice)


def test_a_rejection_is_audited_and_the_petitioner_reads_its_reason(county, bureau, client_for):
    submit(county)
    submission = OnlineSubmission.objects.get()
    page = client_for("bureau").post(
        f"/matters/online/{submission.pk}/", {"action": "reject", "reason": "好"}
    )
    assert page.status_code == 422 and OnlineSubmission.objects.get().state == "pending"
    reason = "所反映问题属于民事纠纷，请向人民法院提起诉讼。"
    done = client_for("bureau").post(
        f"/matters/online/{submission.pk}/", {"action": "reject", "reason": reason}
    )
    assert done.status_code == 302
    submission.refresh_from_db()
    assert (submission.state, submission.reason, submission.decided_by) == ("rejected", reason, bureau)
    record = AuditRecord.objects.get(action="online.reject")
    assert record.message == reason and record.actor_name == "bureau"
    status = Client().get("/public/query/", {"code": submission.query_code}).content.decode()
    assert "不予登记" in status and reason in status
    before = snapshot()
    with pytest.raises(RegistryError):
        online_accept(by=bureau, submission=submission, category=Category.objects.filter(county=county)[0])
    assert snapshot() == before
    assert Matter.objects.filter(query_code=submission.query_code).count() == 0


def test_the_bureau_screens_on_its_pages_and_nobody_else(county, client_for, outsider):
    submit(county)
    submission = OnlineSubmission.objects.get()
    listing = client_for("bureau").get("/matters/online/")
    assert listing.status_code == 200 and "李四" in listing.content.decode()
    for who in ("zhouzhuang", "renshe", "secretary", "leader", "auditor"):
        assert client_for(who).get("/matters/online/").status_code == 403, who
    assert client_for(outsider).get(f"/matters/online/{submission.pk}/").status_code == 404
    assert "李四" not in client_for(outsider).get("/matters/online/").content.decode()
    head = client_for("bureau_head")
    category = Category.objects.get(county=county, code="0701")
    accepted = head.post(f"/matters/online/{submission.pk}/", {"action": "accept", "category": category.pk})
    matter = Matter.objects.get(query_code=submission.query_code)
    assert accepted.status_code == 302 and accepted["Location"] == f"/matters/{matter.pk}/"
    again = head.post(f"/matters/online/{submission.pk}/", {"action": "accept", "category": category.pk})
    assert again.status_code == 422 and "已审核" in again.content.decode()
    assert Matter.objects.filter(query_code=submission.query_code).count() == 1


def test_a_wrong_replayed_expired_or_forged_captcha_is_refused_and_nothing_is_kept(county):
    wrong = submit(county, captcha="zzzzz")
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    fields = captcha_solved()
    assert submit(county, **fields).status_code == 200
    replay = submit(county, ip="10.1.1.2", **fields)
    assert replay.status_code == 422 and "验证码不正确" in replay.content.decode()
    assert OnlineSubmission.objects.count() == 1
    with time_machine.travel(at(2026, 11, 2), tick=False):
        old = captcha_issue("ABCDE").token
    with time_machine.travel(at(2026, 11, 2) + dt.timedelta(seconds=CAPTCHA_SECONDS + 1), tick=False):
        assert not captcha_passed(old, "ABCDE")
    payload = signing.loads(captcha_issue("ABCDE").token, salt="xinfang.captcha")
    forged = signing.dumps({**payload, "h": "0" * 64}, salt="other")
    assert not captcha_passed(forged, "ABCDE") and not captcha_passed("garbage", "ABCDE")
    assert not captcha_passed(captcha_issue("ABCDE").token, "ABCDF")
    missing = submit(county, captcha="")
    assert missing.status_code == 422 and "请输入图中的验证码" in missing.content.decode()


def test_each_showing_of_the_form_has_a_new_picture(county):
    first, second = (Client().get("/public/submit/").content.decode() for _ in range(2))
    assert "data:image/png;base64," in first
    assert first.split("captcha_token")[1][:200] != second.split("captcha_token")[1][:200]
    fresh = Client().get("/public/captcha/")
    assert fresh.status_code == 200 and 'id="captcha"' in fresh.content.decode()


def test_a_flood_from_many_addresses_stops_at_the_overall_cap(county, settings):
    """The attack that created 100 real matters from 20 addresses in 2 seconds, with a small cap."""
    settings.XINFANG_PUBLIC_SUBMIT_CAP = 3
    answers = [submit(county, ip=f"10.2.0.{number}") for number in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 3 + [422] * 3
    assert "提交的人数较多" in answers[-1].content.decode()
    assert OnlineSubmission.objects.count() == 3 and not Matter.objects.filter(source="online").exists()


def test_one_address_is_limited_on_its_own(county, settings):
    settings.XINFANG_PUBLIC_SUBMIT_RATE = 2
    answers = [submit(county, ip="10.3.0.1").content.decode() for _ in range(3)]
    assert "提交过于频繁" in answers[-1] and "提交过于频繁" not in answers[0]
    assert submit(county, ip="10.3.0.2").status_code == 200


def test_every_screening_page_renders_in_every_state(county, bureau, client_for):
    for content in ("第一件：道路坑洼多年无人修", "第二件：排水沟堵塞多年", "第三件：路灯不亮已经半年"):
        submit(county, ip=f"10.4.0.{len(content)}", content=content)
    first, second, _ = OnlineSubmission.objects.order_by("pk")
    online_accept(by=bureau, submission=first, category=Category.objects.get(county=county, code="0701"))
    online_reject(by=bureau, submission=second, reason="重复提交，已合并办理")
    client = client_for("bureau_head")
    for state in ("pending", "accepted", "rejected", "nonsense"):
        assert client.get("/matters/online/", {"state": state}).status_code == 200, state
    for submission in OnlineSubmission.objects.all():
        page = client.get(f"/matters/online/{submission.pk}/")
        assert page.status_code == 200 and submission.get_state_display() in page.content.decode()
