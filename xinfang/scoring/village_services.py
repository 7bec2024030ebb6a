"""The village star ratings' actions (docs/villages.md), each one transaction with its audit record: the
bureau head's stars and rewards, the bureau's ratings, resolving an unmatched village (through the
petitions' matter_update), publication (frozen, issued as a document), and the rectification and 下访
records of the bureau or the village's township."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.bulk import rows_replace
from xinfang.core.roles import BUREAU_ROLES, Role, bureau_only
from xinfang.directory.models import County, Leader, Village
from xinfang.documents.models import Delivery, DocumentKind
from xinfang.documents.services import document_issue, recipients_for
from xinfang.petitions.models import Event, Matter
from xinfang.petitions.services.registration import matter_update
from xinfang.scoring.models import (
    RatingYear,
    Rectification,
    RectificationNote,
    RectificationTask,
    Star,
    StarReward,
    VillageRating,
    VillageVetoCharges,
    VillageVetoes,
    VillageVisit,
)
from xinfang.scoring.village_document import ratings_document
from xinfang.scoring.village_selectors import (
    SHOWN_VETOES,
    own_township_id,
    rating_year_of,
    ratings_combine,
    unmatched_matters,
    unmatched_villages,
    vetoes_rows,
    village_vetoes,
)


def _head_only(by: User, county: County, doing: str) -> None:
    if by.role != Role.BUREAU_HEAD or by.county_id != county.pk:
        raise PermissionDenied(f"只有本县信访局长可以{doing}")


def _open_year(county: County, year: int) -> None:
    if RatingYear.objects.filter(county=county, year=year).exists():
        raise ValidationError(f"{year}年村级星级评定结果已公布，不能再修改")


def _recorder(by: User, village: Village, doing: str) -> None:
    """Rectification and 下访 records: the bureau of the county, or the village's township."""
    if by.county_id != village.township.county_id:
        raise PermissionDenied(f"只有本县信访局或所属乡镇可以{doing}")
    if by.role not in BUREAU_ROLES and own_township_id(by) != village.township_id:
        raise PermissionDenied(f"只有本县信访局或所属乡镇可以{doing}")


@transaction.atomic
def stars_save(*, county: County, by: User, names: Sequence[str], petition: str) -> list[Star]:
    """The county's stars in order (names one per entry); `petition` names the petition-related one.
    Stars left out are deactivated (past ratings keep them)."""
    _head_only(by, county, "配置星级")
    cleaned = [name.strip() for name in names if name.strip()]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError("星名不能重复")
    if petition.strip() not in cleaned:
        raise ValidationError("请指定一个信访相关星（须是所列星名之一）")
    if any(len(name) > 30 for name in cleaned):
        raise ValidationError("星名不超过 30 个字")
    before = [
        (s.name, s.is_petition) for s in Star.objects.filter(county=county, is_active=True).order_by("order")
    ]
    Star.objects.filter(county=county).update(is_petition=False, is_active=False)
    stars = []
    for order, name in enumerate(cleaned):
        star, _ = Star.objects.update_or_create(
            county=county, name=name, defaults={"order": order, "is_active": True}
        )
        stars.append(star)
    Star.objects.filter(county=county, name=petition.strip()).update(is_petition=True)
    audit_record(
        action="scoring.stars", actor=by, obj=stars[0] if stars else None, county=county,
        changes={"before": [name for name, _ in before], "stars": cleaned, "petition_star": petition.strip()},
    )  # fmt: skip
    return stars


@transaction.atomic
def rewards_save(
    *, county: County, by: User, rewards: Sequence[tuple[int, Decimal, Decimal]]
) -> list[StarReward]:
    """The rewards table: (star count, work funds, cadre pay) rows replace the county's table."""
    _head_only(by, county, "配置星级奖励")
    counts = [stars for stars, _, _ in rewards]
    if len(set(counts)) != len(counts):
        raise ValidationError("每个星数只能有一行奖励")
    if any(stars < 1 or stars > 20 or funds < 0 or pay < 0 for stars, funds, pay in rewards):
        raise ValidationError("星数应在 1–20 之间，金额不能为负")
    StarReward.objects.filter(county=county).delete()
    saved = [
        StarReward.objects.create(county=county, stars=stars, work_funds=funds, cadre_pay=pay)
        for stars, funds, pay in sorted(rewards)
    ]
    audit_record(
        action="scoring.rewards", actor=by, obj=saved[0] if saved else None, county=county,
        changes={"rewards": [[s, str(f), str(p)] for s, f, p in sorted(rewards)]},
    )  # fmt: skip
    return saved


@transaction.atomic
def rating_save(
    *, county: County, year: int, village: Village, stars: Sequence[Star], by: User,
    now: dt.datetime | None = None,
) -> VillageRating:  # fmt: skip
    """The stars a village holds in the year, as the bureau rated it (the petition star is computed and
    never entered). Before publication only."""
    bureau_only(by, county.pk, "评定村级星级", system=False)
    if village.township.county_id != county.pk or any(star.county_id != county.pk for star in stars):
        raise ValidationError("村(社区)或星级不属于本县")
    _open_year(county, year)
    held = [star for star in stars if not star.is_petition]
    rating, _ = VillageRating.objects.update_or_create(
        county=county,
        year=year,
        village=village,
        defaults={"updated_by": by, "updated_at": now or timezone.now()},
    )
    before = sorted(rating.stars.values_list("name", flat=True))
    rating.stars.set(held)
    after = sorted(star.name for star in held)
    if before != after:
        audit_record(
            action="scoring.village_rating", actor=by, obj=rating, county=county,
            changes={"year": year, "village": village.name, "stars": [before, after]},
        )  # fmt: skip
    return rating


@transaction.atomic
def ratings_save(
    *, county: County, year: int, chosen: Mapping[Village, Sequence[Star]], by: User,
    now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """The bulk form: every village's stars in one transaction (all or none), each as rating_save."""
    for village, stars in chosen.items():
        rating_save(county=county, year=year, village=village, stars=stars, by=by, now=now)


@transaction.atomic
def unmatched_resolve(*, county: County, by: User, township_id: int, text: str, village: Village) -> int:
    """Resolve a typed village name: every matter of the township with that text gets the village (through
    the petitions' matter_update, audited there field by field) — its events then veto that village.
    Returns the number of matters updated."""
    bureau_only(by, county.pk, "匹配村(社区)", system=False)
    if village.township_id != township_id or village.township.county_id != county.pk:
        raise ValidationError("所选村(社区)不属于该乡镇")
    matters = list(unmatched_matters(county, township_id, text))
    if not matters:
        raise ValidationError("没有待匹配的事项（可能已经匹配）")
    for matter in matters:
        matter_update(
            by=by, matter=matter, changes={"origin_village": village, "origin_village_text": ""},
            reported_units=None,
        )  # fmt: skip
    years = sorted(
        {day.year for day in Event.objects.filter(matter__in=matters).values_list("date", flat=True)}
    )
    # The veto moves now, not the next night: each unpublished year of the matters' events whose vetoes
    # are stored is computed again in this transaction.
    published = set(RatingYear.objects.filter(county=county, year__in=years).values_list("year", flat=True))
    stored = VillageVetoes.objects.filter(county=county, year__in=years).exclude(year__in=published)
    for year in stored.values_list("year", flat=True):
        _vetoes_store(county, year, timezone.now())
    audit_record(
        action="scoring.village_resolve", actor=by, obj=village, county=county,
        changes={"text": text, "village": village.name, "matters": [matter.number for matter in matters]},
    )  # fmt: skip
    return len(matters)


def _vetoes_store(county: County, year: int, now: dt.datetime) -> dict[int, tuple[int, list[list[Any]]]]:
    """Compute the year's vetoes from the events and store them (the county × year row and its villages'
    charges replaced). Returns them as `ratings_combine` takes them: per village, its number of vetoing
    events and the first few (`SHOWN_VETOES`), as the summary stores them."""
    rows = vetoes_rows(village_vetoes(county, year))
    summary = {village_id: (len(r), r[:SHOWN_VETOES]) for village_id, r in rows.items()}
    stored, _ = VillageVetoes.objects.update_or_create(
        county=county, year=year,
        defaults={"summary": {str(key): list(value) for key, value in summary.items()}, "computed_at": now},
    )  # fmt: skip
    rows_replace(
        VillageVetoCharges, {"vetoes_id": stored.pk},
        [{"village_id": village_id, "charges": r} for village_id, r in rows.items()],
    )  # fmt: skip
    return summary


def vetoes_refresh(
    *, county: County, year: int, by: User | None, now: dt.datetime | None = None
) -> VillageVetoes:
    """重新计算 (the bureau, or the worker each night with `by` None): the year's petition-star vetoes
    computed again from the events as they stand now and stored for the pages. Refused once the year is
    published (its list is frozen)."""
    bureau_only(by, county.pk, "重新计算村级星级")
    now = now or timezone.now()
    with transaction.atomic():
        if rating_year_of(county, year) is not None:
            raise ValidationError(f"{year}年村级星级评定结果已公布，不再重新计算")
        previous = (
            VillageVetoes.objects.filter(county=county, year=year)
            .values_list("computed_at", flat=True)
            .first()
        )
        rows = _vetoes_store(county, year, now)
        stored = VillageVetoes.objects.get(county=county, year=year)
        audit_record(
            action="scoring.village_recompute", actor=by, actor_name="" if by else "system", obj=stored,
            county=county,
            changes={"year": year, "before": previous.isoformat() if previous else "", "vetoed": len(rows)},
        )  # fmt: skip
    return stored


def ratings_publish(
    *, county: County, year: int, by: User, reason: str = "", now: dt.datetime | None = None
) -> RatingYear:
    """The bureau head publishes the year's list once the year is over: refused while events of the year
    have an unmatched village, unless the head confirms with a reason. Frozen and issued as a document
    (page, Word, PDF) read by the main leaders; never changed after."""
    _head_only(by, county, "公布村级星级评定结果")
    now = now or timezone.now()
    if timezone.localdate(now) <= dt.date(year, 12, 31):
        raise ValidationError(f"{year}年尚未结束，结束后才能公布星级评定结果")
    with transaction.atomic():
        if rating_year_of(county, year) is not None:
            raise ValidationError(f"{year}年村级星级评定结果已公布")
        unmatched = unmatched_villages(county, year)
        if unmatched and not reason.strip():
            events = sum(row["events"] for row in unmatched)
            raise ValidationError(
                f"还有{events}批到市以上信访的村(社区)未匹配，请先匹配；确需公布的，请填写理由"
            )
        # Computed from the events once more (not the stored vetoes, which may be a night old) and stored,
        # frozen from now on (nothing recomputes a published year). The figures keep each village's first
        # few vetoing events and their number; every one stays in its VillageVetoCharges row, read by the
        # village's page, the export and the command (a million matters gave 170,000 vetoing events).
        figures = ratings_combine(county, year, _vetoes_store(county, year, now))
        figures["unmatched"] = unmatched
        issued_on = timezone.localdate(now)

        def render(number: int, omit: frozenset[str]) -> Any:
            return ratings_document(figures, county_name=county.name, number=number, issued_on=issued_on)

        leaders = Leader.objects.filter(county=county, is_active=True, post_kind__in=Leader.MAIN_POSTS)
        recipients = recipients_for(
            county=county, leaders=list(leaders.order_by("protocol_order", "id")),
            purpose=lambda leader: Delivery.Purpose.READ, numbers=[],
        )  # fmt: skip
        document = document_issue(
            county=county, kind=DocumentKind.VILLAGE_STARS, title=f"{year}年度村级星级评定结果",
            period=(dt.date(year, 1, 1), dt.date(year, 12, 31)), snapshot=figures, render=render,
            recipients=recipients, approved_by=by, now=now,
            page_url=lambda issued: reverse("scoring:villages") + f"?year={year}",
        )  # fmt: skip
        record = RatingYear.objects.create(
            county=county, year=year, figures=figures, unmatched_reason=reason.strip() if unmatched else "",
            published_at=now, published_by=by, document=document,
        )  # fmt: skip
        audit_record(
            action="scoring.village_publish", actor=by, obj=record, county=county,
            changes={"year": year, "number": document.number, "villages": len(figures["villages"]),
                     "vetoed": figures["totals"]["vetoed"], "unmatched": len(unmatched),
                     "reason": record.unmatched_reason},
        )  # fmt: skip
    return record


@transaction.atomic
def rectification_mark(
    *, village: Village, year: int, reason: str, matters: Sequence[Matter], by: User,
    now: dt.datetime | None = None,
) -> Rectification:  # fmt: skip
    """Mark a village 软弱涣散 for the year (the bureau), with the linked petition matters."""
    bureau_only(by, village.township.county_id, "认定软弱涣散村", system=False)
    if not reason.strip():
        raise ValidationError("请填写软弱涣散情形")
    if Rectification.objects.filter(village=village, year=year).exists():
        raise ValidationError(f"{village.name}{year}年已认定为软弱涣散村")
    record = Rectification.objects.create(
        county_id=village.township.county_id, village=village, year=year, reason=reason.strip(),
        created_by=by, created_at=now or timezone.now(),
    )  # fmt: skip
    record.matters.set(matters)
    audit_record(
        action="scoring.rectification", actor=by, obj=record,
        changes={"village": village.name, "year": year, "reason": record.reason,
                 "matters": [matter.number for matter in matters]},
    )  # fmt: skip
    return record


@transaction.atomic
def task_add(
    *, rectification: Rectification, text: str, responsible: str, deadline: dt.date, by: User,
    now: dt.datetime | None = None,
) -> RectificationTask:  # fmt: skip
    _recorder(by, rectification.village, "登记整改任务")
    _still_open(rectification, "登记整改任务")
    if not text.strip() or not responsible.strip():
        raise ValidationError("请填写整改任务和责任人")
    task = RectificationTask.objects.create(
        rectification=rectification, text=text.strip(), responsible=responsible.strip(), deadline=deadline,
        created_by=by, created_at=now or timezone.now(),
    )  # fmt: skip
    audit_record(
        action="scoring.rectification_task", actor=by, obj=task,
        changes={"village": rectification.village.name, "text": task.text, "responsible": task.responsible,
                 "deadline": deadline.isoformat()},
    )  # fmt: skip
    return task


@transaction.atomic
def task_progress(
    *, task: RectificationTask, text: str, done: bool, by: User, now: dt.datetime | None = None
) -> RectificationNote:
    """A progress note on a task; `done` completes it."""
    village = task.rectification.village
    _recorder(by, village, "填报整改进展")
    _still_open(task.rectification, "填报整改进展")
    if not text.strip():
        raise ValidationError("请填写进展情况")
    note = RectificationNote.objects.create(
        task=task, text=text.strip(), created_by=by, created_at=now or timezone.now()
    )
    if done and task.state != RectificationTask.State.DONE:
        task.state = RectificationTask.State.DONE
        task.save(update_fields=["state"])
    audit_record(
        action="scoring.rectification_note", actor=by, obj=task,
        changes={"village": village.name, "text": note.text, "state": task.state},
    )  # fmt: skip
    return note


def _still_open(rectification: Rectification, doing: str) -> None:
    """Refuse records on a closed rectification. The row is read again under a lock, so that a task
    added while the bureau closes it is either counted by the closing or refused."""
    locked = Rectification.objects.select_for_update().only("is_closed").get(pk=rectification.pk)
    if locked.is_closed:
        raise ValidationError(f"该村综合整治已销号，不能再{doing}；如需继续整治，请信访局长重新打开")


@transaction.atomic
def rectification_close(
    *, rectification: Rectification, closed_on: dt.date, conclusion: str, reason: str = "", by: User,
    now: dt.datetime | None = None,
) -> Rectification:  # fmt: skip
    """整治完成/销号 (the bureau): the date (not in the future, not before the year of the rectification)
    and the conclusion. While a task is still open, or when there is none, only with a stated reason."""
    bureau_only(by, rectification.county_id, "为整治销号", system=False)
    now = now or timezone.now()
    locked = Rectification.objects.select_for_update().select_related("village").get(pk=rectification.pk)
    if locked.is_closed:
        raise ValidationError(f"{locked.village.name}{locked.year}年综合整治已于{locked.closed_on}销号")
    if closed_on > timezone.localdate(now):
        raise ValidationError("销号日期不能晚于今天")
    if closed_on.year < locked.year:
        raise ValidationError(f"销号日期不能早于{locked.year}年")
    if not conclusion.strip():
        raise ValidationError("请填写整治结论")
    tasks = list(RectificationTask.objects.filter(rectification=locked).values_list("state", flat=True))
    unfinished = sum(1 for state in tasks if state != RectificationTask.State.DONE)
    if (unfinished or not tasks) and not reason.strip():
        missing = f"还有{unfinished}项整改任务未完成" if unfinished else "尚未登记整改任务"
        raise ValidationError(f"{missing}，如确需销号，请填写理由")
    locked.is_closed = True
    locked.closed_on = closed_on
    locked.conclusion = conclusion.strip()
    locked.close_reason = reason.strip() if unfinished or not tasks else ""
    locked.closed_by = by
    locked.closed_at = now
    locked.save(
        update_fields=["is_closed", "closed_on", "conclusion", "close_reason", "closed_by", "closed_at"]
    )
    audit_record(
        action="scoring.rectification_close", actor=by, obj=locked,
        changes={"village": locked.village.name, "year": locked.year, "closed_on": closed_on.isoformat(),
                 "conclusion": locked.conclusion, "tasks": len(tasks), "unfinished": unfinished,
                 "reason": locked.close_reason},
    )  # fmt: skip
    return locked


@transaction.atomic
def rectification_reopen(*, rectification: Rectification, reason: str, by: User) -> Rectification:
    """Reopen a closed rectification (the bureau head, with the reason): tasks and progress may be
    recorded again; the closing is kept in the audit record."""
    _head_only(by, rectification.county, "重新打开已销号的整治")
    locked = Rectification.objects.select_for_update().select_related("village").get(pk=rectification.pk)
    if not locked.is_closed:
        raise ValidationError("该村综合整治尚未销号")
    if not reason.strip():
        raise ValidationError("请填写重新打开的理由")
    before = {"closed_on": locked.closed_on.isoformat() if locked.closed_on else "",
              "conclusion": locked.conclusion}  # fmt: skip
    locked.is_closed = False
    locked.closed_on = None
    locked.conclusion = locked.close_reason = ""
    locked.closed_by = None
    locked.closed_at = None
    locked.reopen_reason = reason.strip()
    locked.save(
        update_fields=["is_closed", "closed_on", "conclusion", "close_reason", "closed_by", "closed_at",
                       "reopen_reason"]
    )  # fmt: skip
    audit_record(
        action="scoring.rectification_reopen", actor=by, obj=locked,
        changes={"village": locked.village.name, "year": locked.year, "reason": locked.reopen_reason,
                 **before},
    )  # fmt: skip
    return locked


@transaction.atomic
def visit_record(
    *, village: Village, date: dt.date, officials: str, content: str, matters: Sequence[Matter], by: User,
    now: dt.datetime | None = None,
) -> VillageVisit:  # fmt: skip
    """An official's visit down to the village (下访): the bureau or the village's township records it."""
    _recorder(by, village, "登记下访")
    now = now or timezone.now()
    if date > timezone.localdate(now):
        raise ValidationError("下访日期不能晚于今天")
    if not officials.strip() or not content.strip():
        raise ValidationError("请填写下访人员和下访内容")
    visit = VillageVisit.objects.create(
        county_id=village.township.county_id, village=village, date=date, officials=officials.strip(),
        content=content.strip(), created_by=by, created_at=now,
    )  # fmt: skip
    visit.matters.set(matters)
    audit_record(
        action="scoring.village_visit", actor=by, obj=visit,
        changes={"village": village.name, "date": date.isoformat(), "officials": visit.officials,
                 "matters": [matter.number for matter in matters]},
    )  # fmt: skip
    return visit
