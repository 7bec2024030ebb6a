"""The village star ratings with the database: the petition star vetoed by the year's over-level events
through the competition's engine (a 到县 event does not veto, a 到市 letter does, another year's event does
not), unmatched villages listed and resolved (the veto moves), the command's JSON for every village,
rewards from the table, publication refused with unmatched events and then frozen, the rectification and
下访 records with their audit, and the pages' scope."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Unit, Village
from xinfang.documents.models import DocumentKind
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.scoring.models import RatingYear, RectificationTask, Star
from xinfang.scoring.village_selectors import ratings_compute, ratings_figures, unmatched_villages
from xinfang.scoring.village_services import (
    rating_save,
    ratings_publish,
    rectification_mark,
    rewards_save,
    stars_save,
    task_add,
    task_progress,
    unmatched_resolve,
    visit_record,
)

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 1, 11, 10, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def township(county, name: str) -> Unit:
    return Unit.objects.get(county=county, name=name)


def villages(county, name: str) -> list[Village]:
    return list(Village.objects.filter(township=township(county, name)).order_by("order", "id"))


def register(bureau, county, village: Village | None, day: dt.date, level: str, *, channel: str = "visit",
             text: str = "", town: str = "周庄镇") -> Matter:  # fmt: skip
    return matter_register(by=bureau, data=RegistrationInput(
        county=county, event=EventInput(day, channel, level), origin_township=township(county, town),
        origin_village=village, origin_village_text=text,
        category=Category.objects.get(county=county, code="0702"), content=f"村级星级测试{day}{level}",
        responsible_unit=township(county, town), petitioners=[PetitionerInput("王村民", "", "", "某村")],
    ))  # fmt: skip


def row_of(figures, village: Village):
    return next(row for row in figures["villages"] if row["village_id"] == village.pk)


@pytest.fixture
def configured(county, head):
    stars_save(
        county=county, by=head, names=["党建星", "发展星", "治理星", "信访稳定星"], petition="信访稳定星"
    )
    rewards_save(county=county, by=head, rewards=[
        (1, Decimal(1000), Decimal(500)), (3, Decimal(5000), Decimal(2000)),
        (4, Decimal(8000), Decimal(3000)),
    ])  # fmt: skip
    return {star.name: star for star in Star.objects.filter(county=county)}


@pytest.fixture
def year_events(bureau, county):
    """周庄镇's first village: a 到市 letter in 2026; its second: a 到县 visit; its third: a 进京 in 2025;
    its fourth: a 赴省 and a 进京 in 2026."""
    first, second, third, fourth = villages(county, "周庄镇")[:4]
    return {
        "city": register(bureau, county, first, dt.date(2026, 3, 1), "city", channel="letter"),
        "county": register(bureau, county, second, dt.date(2026, 5, 1), "county"),
        "last_year": register(bureau, county, third, dt.date(2025, 12, 31), "beijing"),
        "province": register(bureau, county, fourth, dt.date(2026, 12, 31), "province"),
        "beijing": register(bureau, county, fourth, dt.date(2026, 6, 1), "beijing"),
    }


def test_the_petition_star_is_vetoed_by_the_years_over_level_events(county, configured, year_events):
    first, second, third, fourth = villages(county, "周庄镇")[:4]
    figures = ratings_compute(county, 2026)
    assert row_of(figures, first)["vetoed_by"] == [year_events["city"].number]  # a letter counts too
    assert row_of(figures, first)["petition_star"] is False
    assert row_of(figures, second)["petition_star"] is True  # 到县 does not veto
    assert row_of(figures, third)["petition_star"] is True  # 2025's 进京 is not this year's
    assert row_of(figures, fourth)["vetoed_by"] == sorted(
        [year_events["province"].number, year_events["beijing"].number]
    )
    assert [v["level"] for v in row_of(figures, fourth)["vetoes"]] == ["beijing", "province"]
    assert row_of(ratings_compute(county, 2025), third)["vetoed_by"] == [year_events["last_year"].number]


def test_rewards_come_from_the_table(county, configured, year_events, bureau):
    first, second = villages(county, "周庄镇")[:2]
    for village in (first, second):
        rating_save(county=county, year=2026, village=village, by=bureau,
                    stars=[configured["党建星"], configured["发展星"], configured["信访稳定星"]])  # fmt: skip
    figures = ratings_compute(county, 2026)
    # 2 stars held; the petition star is computed, never entered: vetoed for the first, kept for the second.
    assert (row_of(figures, first)["star_count"], row_of(figures, first)["work_funds"]) == (2, 0)
    second_row = row_of(figures, second)
    assert second_row["stars"] == ["党建星", "发展星", "信访稳定星"]
    assert (second_row["star_count"], second_row["work_funds"], second_row["cadre_pay"]) == (3, 5000, 2000)
    plain = row_of(figures, villages(county, "周庄镇")[2])
    assert (plain["stars"], plain["work_funds"], plain["cadre_pay"]) == (["信访稳定星"], 1000, 500)


def test_the_command_prints_every_village(county, configured, year_events):
    out = StringIO()
    call_command("villages", "stars", "--year", "2026", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    every = Village.objects.filter(township__county=county, is_active=True).count()
    assert len(rows) == every
    assert all(list(row) == ["village", "township", "petition_star", "vetoed_by"] for row in rows)
    fourth = villages(county, "周庄镇")[3]
    row = next(r for r in rows if r["village"] == fourth.name and r["township"] == "周庄镇")
    vetoed_by = sorted([year_events["province"].number, year_events["beijing"].number])
    assert row == {
        "village": fourth.name,
        "township": "周庄镇",
        "petition_star": False,
        "vetoed_by": vetoed_by,
    }
    assert sum(1 for r in rows if not r["petition_star"]) == 2
    with pytest.raises(CommandError) as error:
        call_command("villages", "stars", "--year", "二〇二六")
    assert error.value.returncode == 2 and "年度" in str(error.value)


def test_unmatched_villages_are_listed_and_resolving_moves_the_veto(county, configured, bureau, head):
    typed = register(bureau, county, None, dt.date(2026, 4, 1), "city", text="东王庄村")
    register(bureau, county, None, dt.date(2026, 4, 2), "county", text="西李庄")  # 到县: vetoes nobody
    listed = unmatched_villages(county, 2026)
    assert [(r["township"], r["text"], r["events"], r["matters"]) for r in listed] == [
        ("周庄镇", "东王庄村", 1, 1)
    ]
    assert all(row["petition_star"] for row in ratings_compute(county, 2026)["villages"])
    with pytest.raises(ValidationError, match="未匹配"):
        ratings_publish(county=county, year=2026, by=head)
    target = villages(county, "周庄镇")[5]
    with pytest.raises(ValidationError):
        unmatched_resolve(county=county, by=bureau, township_id=target.township_id, text="东王庄村",
                          village=villages(county, "闹店镇")[0])  # fmt: skip
    assert (
        unmatched_resolve(
            county=county, by=bureau, township_id=target.township_id, text="东王庄村", village=target
        )
        == 1
    )
    typed.refresh_from_db()
    assert (typed.origin_village_id, typed.origin_village_text) == (target.pk, "")
    assert row_of(ratings_compute(county, 2026), target)["vetoed_by"] == [typed.number]
    assert unmatched_villages(county, 2026) == []
    assert AuditRecord.objects.filter(action="matter.update", object_id=str(typed.pk)).exists()
    assert AuditRecord.objects.filter(action="scoring.village_resolve").exists()


def test_publication_with_a_reason_is_frozen_and_issued(county, configured, year_events, bureau, head):
    register(bureau, county, None, dt.date(2026, 4, 1), "city", text="东王庄村")
    first = villages(county, "周庄镇")[0]
    with pytest.raises(PermissionDenied):
        ratings_publish(county=county, year=2026, by=bureau, reason="x")
    with pytest.raises(ValidationError, match="尚未结束"):
        ratings_publish(county=county, year=2027, by=head)
    record = ratings_publish(county=county, year=2026, by=head, reason="该村已撤并，无法匹配")
    assert record.document is not None and record.document.kind == DocumentKind.VILLAGE_STARS
    assert record.unmatched_reason == "该村已撤并，无法匹配"
    assert record.figures["unmatched"][0]["text"] == "东王庄村"
    # Frozen: a later event, a resolved village or a new rating never changes the published list.
    register(bureau, county, villages(county, "周庄镇")[1], dt.date(2026, 7, 1), "beijing")
    figures, found = ratings_figures(county, 2026)
    assert found == record and row_of(figures, villages(county, "周庄镇")[1])["petition_star"] is True
    assert row_of(figures, first)["vetoed_by"] == [year_events["city"].number]
    with pytest.raises(ValidationError, match="已公布"):
        rating_save(county=county, year=2026, village=first, stars=[configured["党建星"]], by=bureau)
    with pytest.raises(ValidationError, match="已公布"):
        ratings_publish(county=county, year=2026, by=head, reason="再次")
    assert RatingYear.objects.filter(county=county, year=2026).count() == 1
    assert AuditRecord.objects.filter(action="scoring.village_publish").count() == 1


def test_rectification_and_visits_are_recorded_with_audit(county, bureau, zhouzhuang, renshe, year_events):
    village = villages(county, "周庄镇")[0]
    other = villages(county, "闹店镇")[0]
    with pytest.raises(PermissionDenied):
        rectification_mark(village=village, year=2026, reason="班子不团结", matters=[], by=zhouzhuang)
    record = rectification_mark(
        village=village, year=2026, reason="班子不团结", matters=[year_events["city"]], by=bureau
    )
    with pytest.raises(ValidationError):
        rectification_mark(village=village, year=2026, reason="重复", matters=[], by=bureau)
    task = task_add(rectification=record, text="调整村两委班子", responsible="李书记",
                    deadline=dt.date(2027, 3, 31), by=zhouzhuang)  # fmt: skip
    task_progress(task=task, text="已完成换届", done=True, by=zhouzhuang)
    task.refresh_from_db()
    assert task.state == RectificationTask.State.DONE and task.notes.get().text == "已完成换届"
    visit = visit_record(village=village, date=dt.date(2027, 1, 8), officials="张县长、王局长",
                         content="走访信访户", matters=[year_events["city"]], by=zhouzhuang)  # fmt: skip
    assert list(visit.matters.all()) == [year_events["city"]]
    for outsider, target in ((zhouzhuang, other), (renshe, village)):
        with pytest.raises(PermissionDenied):
            visit_record(village=target, date=dt.date(2027, 1, 8), officials="某", content="某", matters=[],
                         by=outsider)  # fmt: skip
    with pytest.raises(ValidationError):
        visit_record(village=village, date=dt.date(2027, 1, 12), officials="某", content="某", matters=[],
                     by=bureau)  # fmt: skip
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"scoring.rectification", "scoring.rectification_task", "scoring.rectification_note",
            "scoring.village_visit"} <= actions  # fmt: skip


def test_the_pages_show_a_township_its_own_villages(county, client_for, configured, year_events, bureau):
    own, other = villages(county, "周庄镇")[0], villages(county, "闹店镇")[0]
    page = client_for("bureau").get(reverse("scoring:villages") + "?year=2026&township=all")
    assert page.status_code == 200 and year_events["city"].number in page.content.decode()
    # Not published: the others see no list yet.
    assert (
        year_events["city"].number
        not in client_for("leader").get(reverse("scoring:villages")).content.decode()
    )
    zhou = client_for("zhouzhuang")
    assert zhou.get(reverse("scoring:village", args=[own.pk])).status_code == 200
    assert zhou.get(reverse("scoring:village", args=[other.pk])).status_code == 404
    assert client_for("renshe").get(reverse("scoring:village", args=[own.pk])).status_code == 404
    posted = zhou.post(reverse("scoring:village_visit", args=[own.pk]), {
        "date": "2027-01-10", "officials": "周庄镇党委书记", "content": "入户化解", "matters": "不存在的编号",
    })  # fmt: skip
    assert posted.status_code == 302  # refused with a message, nothing recorded
    assert not AuditRecord.objects.filter(action="scoring.village_visit").exists()
    zhou.post(reverse("scoring:village_visit", args=[own.pk]), {
        "date": "2027-01-10", "officials": "周庄镇党委书记", "content": "入户化解",
        "matters": year_events["city"].number,
    })  # fmt: skip
    assert AuditRecord.objects.filter(action="scoring.village_visit").count() == 1
    # The bureau's bulk form rates the villages.
    client_for("bureau").post(
        reverse("scoring:villages"), {"year": "2026", f"stars-{own.pk}": [configured["党建星"].pk]}
    )
    assert row_of(ratings_compute(county, 2026), own)["stars"] == ["党建星"]
