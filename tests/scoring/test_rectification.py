"""Village rectification (村级综合整治) closed and reopened, the gates of its tasks and progress, the
township filter of the ratings list, and the competition evidence's audited download: through the
services and the pages, checking the response and the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Unit, Village
from xinfang.lib.periods import quarter_parse
from xinfang.scoring.models import Rectification, RectificationNote, RectificationTask, Star
from xinfang.scoring.services import addition_add
from xinfang.scoring.village_selectors import ratings_compute
from xinfang.scoring.village_services import (
    rating_save,
    rectification_close,
    rectification_mark,
    rectification_reopen,
    stars_save,
    task_add,
    task_progress,
    vetoes_refresh,
)

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 1, 11, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def villages(county, name: str) -> list[Village]:
    township = Unit.objects.get(county=county, name=name)
    return list(Village.objects.filter(township=township).order_by("order", "id"))


@pytest.fixture
def weak(county, bureau) -> Rectification:
    """周庄镇's first village, 软弱涣散 in 2026, with two tasks; the year's vetoes stored (as each night)."""
    vetoes_refresh(county=county, year=2026, by=None)
    record = rectification_mark(
        village=villages(county, "周庄镇")[0], year=2026, reason="班子不团结", matters=[], by=bureau
    )
    for text in ("调整村两委班子", "建立议事规则"):
        task_add(
            rectification=record, text=text, responsible="李书记", deadline=dt.date(2027, 3, 31), by=bureau
        )
    return record


@pytest.fixture
def elsewhere(county, bureau) -> Rectification:
    """闹店镇's first village, with a task: out of 周庄镇's scope."""
    record = rectification_mark(
        village=villages(county, "闹店镇")[0], year=2026, reason="软弱涣散", matters=[], by=bureau
    )
    task_add(rectification=record, text="整顿", responsible="王某", deadline=dt.date(2027, 3, 31), by=bureau)
    return record


def audits(action: str) -> int:
    return AuditRecord.objects.filter(action=action).count()


def test_it_closes_when_every_task_is_done(weak, bureau, zhouzhuang):
    for task in weak.tasks.all():
        task_progress(task=task, text="已完成", done=True, by=zhouzhuang)
    closed = rectification_close(
        rectification=weak, closed_on=dt.date(2027, 1, 10), conclusion="班子健全，议事规则落实", by=bureau
    )
    weak.refresh_from_db()
    assert (weak.is_closed, weak.closed_on, weak.conclusion, weak.close_reason) == (
        True, dt.date(2027, 1, 10), "班子健全，议事规则落实", ""
    )  # fmt: skip
    assert closed.closed_by == bureau
    record = AuditRecord.objects.get(action="scoring.rectification_close")
    assert record.changes["unfinished"] == 0 and record.changes["tasks"] == 2


def test_open_tasks_need_a_reason_and_bad_dates_are_refused(weak, bureau, zhouzhuang):
    with pytest.raises(ValidationError, match="还有2项整改任务未完成"):
        rectification_close(rectification=weak, closed_on=TODAY, conclusion="基本完成", by=bureau)
    with pytest.raises(ValidationError, match="晚于今天"):
        rectification_close(rectification=weak, closed_on=TODAY + dt.timedelta(days=1), conclusion="x",
                            reason="y", by=bureau)  # fmt: skip
    with pytest.raises(ValidationError, match="早于2026年"):
        rectification_close(rectification=weak, closed_on=dt.date(2025, 12, 31), conclusion="x", reason="y",
                            by=bureau)  # fmt: skip
    with pytest.raises(PermissionDenied):
        rectification_close(rectification=weak, closed_on=TODAY, conclusion="x", reason="y", by=zhouzhuang)
    assert not Rectification.objects.get(pk=weak.pk).is_closed and audits("scoring.rectification_close") == 0
    rectification_close(
        rectification=weak, closed_on=TODAY, conclusion="基本完成", reason="村已合并", by=bureau
    )
    weak.refresh_from_db()
    assert weak.is_closed and weak.close_reason == "村已合并"
    with pytest.raises(ValidationError, match="已于2027-01-11销号"):
        rectification_close(rectification=weak, closed_on=TODAY, conclusion="再次", reason="y", by=bureau)


def test_a_closed_rectification_refuses_tasks_and_progress_until_reopened(weak, bureau, head, zhouzhuang):
    task = weak.tasks.first()
    assert task is not None
    rectification_close(rectification=weak, closed_on=TODAY, conclusion="完成", reason="提前销号", by=bureau)
    with pytest.raises(ValidationError, match="已销号，不能再登记整改任务"):
        task_add(rectification=weak, text="新任务", responsible="某", deadline=TODAY, by=zhouzhuang)
    with pytest.raises(ValidationError, match="已销号，不能再填报整改进展"):
        task_progress(task=task, text="进展", done=True, by=zhouzhuang)
    assert weak.tasks.count() == 2 and not RectificationNote.objects.exists()
    with pytest.raises(PermissionDenied):
        rectification_reopen(rectification=weak, reason="复查发现问题", by=bureau)  # the head only
    with pytest.raises(ValidationError, match="理由"):
        rectification_reopen(rectification=weak, reason=" ", by=head)
    rectification_reopen(rectification=weak, reason="复查发现问题反弹", by=head)
    weak.refresh_from_db()
    assert (weak.is_closed, weak.closed_on, weak.conclusion, weak.reopen_reason) == (
        False, None, "", "复查发现问题反弹"
    )  # fmt: skip
    assert AuditRecord.objects.get(action="scoring.rectification_reopen").changes["conclusion"] == "完成"
    task_progress(task=task, text="重新整改", done=False, by=zhouzhuang)
    with pytest.raises(ValidationError, match="尚未销号"):
        rectification_reopen(rectification=weak, reason="再次", by=head)


def test_the_pages_close_and_reopen_and_show_it(weak, client_for, county):
    page = reverse("scoring:village", args=[weak.village_id])
    close = reverse("scoring:village_rectification_close", args=[weak.pk])
    assert (
        client_for("zhouzhuang").post(close, {"closed_on": "2027-01-10", "conclusion": "x"}).status_code
        == 403
    )
    bureau = client_for("bureau")
    refused = bureau.post(close, {"closed_on": "2027-01-10", "conclusion": "完成"}, follow=True)
    assert "还有2项整改任务未完成" in refused.content.decode() and not Rectification.objects.get().is_closed
    bad = bureau.post(close, {"closed_on": "明天", "conclusion": "完成"}, follow=True)
    assert bad.status_code == 200 and "请填写销号日期和整治结论" in bad.content.decode()
    bureau.post(close, {"closed_on": "2027-01-10", "conclusion": "班子健全", "reason": "任务并入乡镇整治"})
    shown = bureau.get(page).content.decode()
    assert "2027年1月10日整治完成销号" in shown and "任务并入乡镇整治" in shown
    assert "登记整改任务</button>" not in shown and 'data-testid="rectification-reopen"' not in shown
    listed = bureau.get(reverse("scoring:villages") + f"?year=2026&township={weak.village.township_id}")
    assert "软弱涣散·已销号" in listed.content.decode()
    head = client_for("bureau_head")
    assert 'data-testid="rectification-reopen"' in head.get(page).content.decode()
    reopen = reverse("scoring:village_rectification_reopen", args=[weak.pk])
    assert bureau.post(reopen, {"reason": "x"}).status_code == 403
    head.post(reopen, {"reason": "复查反弹"})
    assert not Rectification.objects.get().is_closed
    listed = bureau.get(reverse("scoring:villages") + f"?year=2026&township={weak.village.township_id}")
    assert "软弱涣散·整治中（2/2 项未完成）" in listed.content.decode()


@pytest.mark.parametrize("who", ["zhouzhuang", "renshe", "outsider", "leader"])
def test_out_of_scope_tasks_and_progress_are_404_with_nothing_written(who, elsewhere, client_for, outsider):
    task = elsewhere.tasks.get()
    before = AuditRecord.objects.count()
    client = client_for(outsider if who == "outsider" else who)
    posts = [
        (reverse("scoring:village_task", args=[elsewhere.pk]),
         {"text": "越权任务", "responsible": "某", "deadline": "2027-02-01"}),
        (reverse("scoring:village_progress", args=[task.pk]), {"text": "越权进展", "done": "on"}),
        (reverse("scoring:village_rectification_close", args=[elsewhere.pk]),
         {"closed_on": "2027-01-10", "conclusion": "越权", "reason": "越权"}),
    ]  # fmt: skip
    for url, data in posts:
        status = client.post(url, data).status_code
        # The leader's role is refused before any gate; the others reach the gate and get 404.
        assert status == (403 if who == "leader" or (who != "outsider" and "close" in url) else 404), url
    assert RectificationTask.objects.count() == 1 and not RectificationNote.objects.exists()
    assert not Rectification.objects.get().is_closed and AuditRecord.objects.count() == before


def test_unknown_ids_are_404_and_the_own_township_records(weak, client_for):
    zhou = client_for("zhouzhuang")
    assert zhou.post(reverse("scoring:village_task", args=[999999]), {"text": "x"}).status_code == 404
    assert zhou.post(reverse("scoring:village_progress", args=[999999]), {"text": "x"}).status_code == 404
    task = weak.tasks.first()
    assert task is not None
    ok = zhou.post(reverse("scoring:village_progress", args=[task.pk]), {"text": "已开会", "done": "on"})
    assert ok.status_code == 302 and RectificationNote.objects.get().text == "已开会"


def test_the_list_is_filtered_by_township(weak, client_for, county, bureau):
    url = reverse("scoring:villages") + "?year=2026"
    zhou_villages = villages(county, "周庄镇")
    # The bureau first sees the township picker with counts, no village rows.
    picker = client_for("bureau").get(url).content.decode()
    assert 'data-testid="township-counts"' in picker and 'data-testid="village-row"' not in picker
    townships = set(
        Village.objects.filter(township__county=county, is_active=True).values_list("township_id", flat=True)
    )
    assert picker.count('data-testid="township-count"') == len(townships)
    one = client_for("bureau").get(f"{url}&township={zhou_villages[0].township_id}").content.decode()
    assert one.count('data-testid="village-row"') == len([v for v in zhou_villages if v.is_active])
    whole = client_for("bureau").get(f"{url}&township=all").content.decode()
    assert (
        whole.count('data-testid="village-row"')
        == Village.objects.filter(township__county=county, is_active=True).count()
    )
    bad = client_for("bureau").get(f"{url}&township=abc")
    assert bad.status_code == 200 and "没有这个乡镇" in bad.content.decode()
    # A township's user sees its own villages whatever it asks (once published: here the heading only).
    own = client_for("zhouzhuang").get(f"{url}&township=all")
    assert own.status_code == 200 and 'data-testid="township-counts"' not in own.content.decode()


def test_rating_one_township_leaves_the_others_alone(county, client_for, head, bureau):
    stars_save(county=county, by=head, names=["党建星", "信访稳定星"], petition="信访稳定星")
    party = Star.objects.get(county=county, name="党建星")
    other = villages(county, "闹店镇")[0]
    rating_save(county=county, year=2026, village=other, stars=[party], by=bureau)
    own = villages(county, "周庄镇")[0]
    client_for("bureau").post(
        reverse("scoring:villages"),
        {"year": "2026", "township": str(own.township_id), f"stars-{own.pk}": [party.pk]},
    )
    rows = {row["village_id"]: row for row in ratings_compute(county, 2026)["villages"]}
    # Before the filter, the form of one township would have cleared 闹店镇's stars.
    assert rows[own.pk]["stars"][0] == "党建星" and rows[other.pk]["stars"][0] == "党建星"


def test_the_evidence_download_is_audited_by_the_service(county, bureau, client_for):
    zhou = Unit.objects.get(county=county, name="周庄镇")
    addition = addition_add(
        county=county, quarter=quarter_parse("2026Q4"), unit=zhou, points=Decimal(2), reason="积案化解",
        evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n"), by=bureau,
    )  # fmt: skip
    url = reverse("scoring:evidence", args=[addition.pk])
    assert client_for("renshe").get(url).status_code == 404
    assert audits("scoring.evidence") == 0
    assert client_for("zhouzhuang").get(url).status_code == 200
    record = AuditRecord.objects.get(action="scoring.evidence")
    assert record.changes == {"file": addition.evidence.name, "sha256": addition.evidence.sha256}
