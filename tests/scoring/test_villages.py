"""The village star ratings with the database: the petition star vetoed by the year's over-level events
through the competition's engine (a 到县 event does not veto, a 到市 letter does, another year's event does
not), unmatched villages listed and resolved (the veto moves), the command's JSON for every village,
rewards from the table, publication refused with unmatched events and then frozen, the rectification and
下访 records with their audit, and the pages' scope."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Unit, Village
from xinfang.documents.models import DocumentKind
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.scoring import village_selectors, village_services
from xinfang.scoring.models import RatingYear, RectificationTask, Star, VillageVetoes
from xinfang.scoring.services import competition_refresh_job
from xinfang.scoring.village_document import vetoes_text
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
    vetoes_refresh,
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
    figures, found, _ = ratings_figures(county, 2026)
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
    assert page.status_code == 200 and "尚未计算" in page.content.decode()  # never computed on a view
    client_for("bureau").post(reverse("scoring:village_recompute", args=[2026]))
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


# ---------------------------------------------------------------------------------------------------------
# The stored vetoes: the pages read them, never the year's events.


def refuse_compute(monkeypatch) -> None:
    """The heavy computation from the events made to fail: whatever calls it on a view fails the test."""

    def refuse(county, year):
        raise AssertionError("a page computed the year's vetoes from the events")

    monkeypatch.setattr(village_selectors, "village_vetoes", refuse)
    monkeypatch.setattr(village_services, "village_vetoes", refuse)


def test_no_page_computes_the_vetoes(county, client_for, configured, year_events, monkeypatch):
    first = villages(county, "周庄镇")[0]
    pages = [
        reverse("scoring:villages") + "?year=2026",
        reverse("scoring:villages") + "?year=2026&township=all",
        reverse("scoring:village", args=[first.pk]) + "?year=2026",
    ]
    unmatched = reverse("scoring:village_unmatched") + "?year=2026"
    refuse_compute(monkeypatch)
    for who in ("bureau", "bureau_head", "secretary", "zhouzhuang"):
        client = client_for(who)
        for url in pages:
            assert client.get(url).status_code == 200, (who, url)
    bureau_client = client_for("bureau")
    assert bureau_client.get(unmatched).status_code == 200
    shown = bureau_client.get(pages[1]).content.decode()
    assert "尚未计算" in shown and 'data-testid="villages-recompute"' in shown
    assert "尚未计算" in bureau_client.get(pages[2]).content.decode()
    # The export of a year not computed yet says so instead of computing it.
    export = bureau_client.get(reverse("scoring:village_export", args=[2026]))
    assert export.status_code == 302 and not VillageVetoes.objects.exists()
    # Stored (as the night's job does, with the real computation), every page shows them without computing.
    monkeypatch.undo()
    vetoes_refresh(county=county, year=2026, by=None, now=dt.datetime(2027, 1, 10, 2, 30, tzinfo=ZONE))
    refuse_compute(monkeypatch)
    for who in ("bureau", "bureau_head", "secretary", "zhouzhuang"):
        for url in pages:
            assert client_for(who).get(url).status_code == 200, (who, url)
    shown = bureau_client.get(pages[1]).content.decode()
    assert year_events["city"].number in shown and "按 2027-01-10 02:30 的数据计算" in shown
    page = bureau_client.get(pages[2]).content.decode()
    assert year_events["city"].number in page and "按 2027-01-10 02:30 的数据计算" in page
    assert bureau_client.get(reverse("scoring:village_export", args=[2026])).status_code == 200


def test_the_stored_vetoes_are_combined_with_ratings_saved_since(
    county, client_for, configured, year_events, bureau
):
    """Saving ratings never recomputes the vetoes: the stars and rewards are read live on each view."""
    first, second = villages(county, "周庄镇")[:2]
    stored = vetoes_refresh(county=county, year=2026, by=bureau)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        client_for("bureau").post(reverse("scoring:villages"), {
            "year": "2026", "township": str(first.township_id),
            f"stars-{first.pk}": [configured["党建星"].pk, configured["发展星"].pk],
            f"stars-{second.pk}": [configured["党建星"].pk, configured["发展星"].pk],
        })  # fmt: skip
    assert VillageVetoes.objects.get().computed_at == stored.computed_at  # not recomputed
    figures, record, computed_at = ratings_figures(county, 2026)
    assert record is None and computed_at == stored.computed_at
    # The first village: 2 stars held, its petition star vetoed; the second: 2 held + the petition star.
    assert (row_of(figures, first)["star_count"], row_of(figures, first)["petition_star"]) == (2, False)
    assert (row_of(figures, second)["star_count"], row_of(figures, second)["work_funds"]) == (3, 5000)
    assert figures == ratings_compute(county, 2026)  # the same as computed from the events now
    page = (
        client_for("bureau")
        .get(reverse("scoring:villages") + f"?year=2026&township={first.township_id}")
        .content.decode()
    )
    assert "5000" in page


def test_a_stale_snapshot_shows_its_time_until_recomputed(
    county, client_for, configured, year_events, bureau
):
    second = villages(county, "周庄镇")[1]
    vetoes_refresh(county=county, year=2026, by=None, now=dt.datetime(2027, 1, 9, 2, 30, tzinfo=ZONE))
    late = register(bureau, county, second, dt.date(2026, 8, 1), "beijing")  # registered since
    figures, _, computed_at = ratings_figures(county, 2026)
    assert row_of(figures, second)["petition_star"] is True  # the snapshot, as of its time
    page = client_for("bureau").get(reverse("scoring:villages") + "?year=2026&township=all").content.decode()
    assert "按 2027-01-09 02:30 的数据计算" in page and late.number not in page
    # The bureau's 重新计算: audited, the veto shown with the time.
    response = client_for("bureau").post(reverse("scoring:village_recompute", args=[2026]))
    assert response.status_code == 302
    figures, _, computed_at = ratings_figures(county, 2026)
    assert row_of(figures, second)["vetoed_by"] == [late.number] and computed_at == NOW
    page = client_for("bureau").get(reverse("scoring:villages") + "?year=2026&township=all").content.decode()
    assert "按 2027-01-11 10:00 的数据计算" in page and late.number in page
    audit = AuditRecord.objects.filter(action="scoring.village_recompute").latest("id")
    assert audit.changes["year"] == 2026 and audit.changes["before"].startswith("2027-01-08T18:30")


def test_only_the_bureau_recomputes(county, client_for, configured, year_events, head):
    url = reverse("scoring:village_recompute", args=[2026])
    for who in ("secretary", "leader", "zhouzhuang", "renshe", "auditor"):
        assert client_for(who).post(url).status_code == 403, who
    assert not VillageVetoes.objects.exists()
    assert client_for("bureau").get(url).status_code == 405
    assert client_for("bureau_head").post(url).status_code == 302
    assert VillageVetoes.objects.filter(year=2026).exists()
    with pytest.raises(PermissionDenied):
        vetoes_refresh(county=county, year=2026, by=persona_user(county, "secretary"))
    ratings_publish(county=county, year=2026, by=head)
    with pytest.raises(ValidationError, match="已公布"):
        vetoes_refresh(county=county, year=2026, by=head)


def persona_user(county, username):
    from xinfang.accounts.models import User

    return User.objects.get(username=username, county=county)


def test_the_nightly_job_refreshes_every_unpublished_year(county, configured, year_events, head):
    """This year, last year while unpublished, and every other year stored and unpublished."""
    night = dt.datetime(2027, 1, 12, 2, 0, tzinfo=ZONE)
    vetoes_refresh(county=county, year=2025, by=None, now=NOW)  # an older year stored, never published
    message = competition_refresh_job(county=county, day=night.date(), now=night)
    assert message.endswith("，3个未公布年度的村级星级否决（2025年、2026年、2027年）")
    stored = {v.year: v.computed_at for v in VillageVetoes.objects.all()}
    assert stored == {2025: night, 2026: night, 2027: night}
    figures, _, _ = ratings_figures(county, 2025)
    third = villages(county, "周庄镇")[2]
    assert row_of(figures, third)["vetoed_by"] == [year_events["last_year"].number]
    # Published, 2026 is stored at publication and never again.
    ratings_publish(county=county, year=2026, by=head, now=NOW)
    message = competition_refresh_job(county=county, day=night.date(), now=night + dt.timedelta(days=1))
    assert message.endswith("，2个未公布年度的村级星级否决（2025年、2027年）")
    assert VillageVetoes.objects.get(year=2026).computed_at == NOW


def test_publication_computes_from_the_events_and_stores_them(county, configured, year_events, bureau, head):
    second = villages(county, "周庄镇")[1]
    vetoes_refresh(county=county, year=2026, by=None, now=dt.datetime(2027, 1, 9, 2, 30, tzinfo=ZONE))
    late = register(bureau, county, second, dt.date(2026, 8, 1), "beijing")
    record = ratings_publish(county=county, year=2026, by=head)
    assert row_of(record.figures, second)["vetoed_by"] == [late.number]  # not the night-old snapshot
    assert VillageVetoes.objects.get(year=2026).computed_at == NOW
    figures, found, _ = ratings_figures(county, 2026)
    assert found == record and figures == record.figures


def test_resolving_a_village_refreshes_the_stored_vetoes(county, configured, bureau):
    typed = register(bureau, county, None, dt.date(2026, 4, 1), "city", text="东王庄村")
    vetoes_refresh(county=county, year=2026, by=None, now=dt.datetime(2027, 1, 9, 2, 30, tzinfo=ZONE))
    target = villages(county, "周庄镇")[5]
    unmatched_resolve(
        county=county, by=bureau, township_id=target.township_id, text="东王庄村", village=target
    )
    figures, _, computed_at = ratings_figures(county, 2026)
    assert row_of(figures, target)["vetoed_by"] == [typed.number] and computed_at == NOW


def test_the_list_shows_a_villages_first_vetoes_and_its_page_every_one(
    county, client_for, configured, bureau
):
    first = villages(county, "周庄镇")[0]
    numbers = [register(bureau, county, first, dt.date(2026, 3, day), "city").number for day in range(1, 8)]
    vetoes_refresh(county=county, year=2026, by=bureau)
    figures, _, _ = ratings_figures(county, 2026)
    row = row_of(figures, first)
    assert (row["veto_count"], len(row["vetoes"]), row["petition_star"]) == (7, 5, False)
    listed = (
        client_for("bureau")
        .get(reverse("scoring:villages") + f"?year=2026&township={first.township_id}")
        .content.decode()
    )
    assert "等共 7 批" in listed and numbers[4] in listed and numbers[5] not in listed
    page = client_for("bureau").get(reverse("scoring:village", args=[first.pk]) + "?year=2026")
    assert all(number in page.content.decode() for number in numbers)
    full, _, _ = ratings_figures(county, 2026, full=True)
    assert (
        row_of(full, first)["vetoed_by"]
        == sorted(numbers)
        == row_of(ratings_compute(county, 2026), first)["vetoed_by"]
    )


def test_a_published_year_keeps_the_first_vetoes_and_every_one_stays_readable(
    county, client_for, configured, bureau, head
):
    first = villages(county, "周庄镇")[0]
    numbers = [register(bureau, county, first, dt.date(2026, 3, day), "city").number for day in range(1, 8)]
    record = ratings_publish(county=county, year=2026, by=head)
    frozen = row_of(record.figures, first)
    assert (frozen["veto_count"], len(frozen["vetoes"]), frozen["vetoed_by"]) == (7, 5, sorted(numbers)[:5])
    # Every vetoing event stays listed where every one is asked for, and never changes after publication.
    register(bureau, county, first, dt.date(2026, 9, 1), "beijing")
    competition_refresh_job(county=county, day=dt.date(2027, 1, 12), now=NOW + dt.timedelta(days=1))
    full, found, _ = ratings_figures(county, 2026, full=True)
    assert found == record and row_of(full, first)["vetoed_by"] == sorted(numbers)
    assert row_of(full, first)["veto_count"] == 7
    out = StringIO()
    call_command("villages", "stars", "--year", "2026", "--format", "json", stdout=out)
    listed = next(row for row in json.loads(out.getvalue()) if row["village"] == first.name)
    assert listed["vetoed_by"] == sorted(numbers)
    page = client_for("bureau").get(reverse("scoring:village", args=[first.pk]) + "?year=2026")
    assert all(number in page.content.decode() for number in numbers)
    export = client_for("bureau").get(reverse("scoring:village_export", args=[2026]))
    sheets = load_workbook(BytesIO(export.content), read_only=True)
    detail = [row for row in sheets["否决明细"].iter_rows(values_only=True) if row[1] == first.name]
    assert sorted(row[2] for row in detail) == sorted(numbers)
    cells = next(row for row in sheets["星级评定"].iter_rows(values_only=True) if row[1] == first.name)
    assert cells[4] == "、".join(sorted(numbers)[:5]) + "等（共7批）"


def test_the_vetoes_text_names_every_matter_or_says_how_many_events():
    def row(numbers, count):
        return {"vetoed_by": sorted(set(numbers)), "vetoes": [{"matter_number": n} for n in numbers],
                "veto_count": count}  # fmt: skip

    assert vetoes_text(row([], 0)) == ""
    assert vetoes_text(row(["A", "A", "B"], 3)) == "A、B"  # every event listed: every matter named
    assert vetoes_text(row(["A", "B", "C", "D", "E"], 9)) == "A、B、C、D、E等（共9批）"
    assert vetoes_text(row(list("ABCDEFG"), 7)) == "A、B、C、D、E等（共7批）"
