"""Reads of the village star ratings (docs/villages.md): the county's stars and rewards, a year's ratings
with the petition star computed by the competition's engine, the unmatched villages, rectification and
下访 records, and the gates.

The petition star's veto is the competition's rule, not a copy: the year's events at a level carrying
points under the rules in force on 1 January (`period_events`, read through stats.counted_events) are
charged by `engine.charges` to their matter's origin village; a village with any charge loses the star.

Who sees what: the bureau every village of its county; the county's leaders every village (read only); a
township user the villages of its township (and records their rectification and 下访); a department user
none. A year's list is seen by the non-bureau roles once published.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, LEADER_ROLES, Role
from xinfang.directory.models import County, Unit, Village
from xinfang.petitions.models import Matter
from xinfang.petitions.selectors import matters_for_user
from xinfang.scoring import engine
from xinfang.scoring.engine import number
from xinfang.scoring.models import (
    RatingYear,
    Rectification,
    RectificationTask,
    Star,
    StarReward,
    VillageRating,
    VillageVetoCharges,
    VillageVetoes,
    VillageVisit,
)
from xinfang.scoring.selectors import period_events, rules_for_year
from xinfang.stats.selectors import counted_events

YEARS = (2000, 2100)


def year_parse(text: str | int | None) -> int:
    """A rating year from user input; ValueError with a Chinese message otherwise."""
    try:
        year = int(str(text).strip())
    except (TypeError, ValueError):
        raise ValueError(f"年度应为四位数字，如 2026（收到：{text}）") from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"年度应在 {YEARS[0]}–{YEARS[1]} 之间（收到：{year}）")
    return year


def stars_of(county: County, *, active_only: bool = True) -> list[Star]:
    stars = Star.objects.filter(county=county)
    if active_only:
        stars = stars.filter(is_active=True)
    return list(stars.order_by("order", "id"))


def rewards_of(county: County) -> list[StarReward]:
    return list(StarReward.objects.filter(county=county).order_by("stars"))


def villages_of(county: County, *, township_id: int | None = None) -> QuerySet[Village]:
    villages = Village.objects.filter(township__county=county, township__kind=Unit.Kind.TOWNSHIP)
    if township_id is not None:
        villages = villages.filter(township_id=township_id)
    return villages.select_related("township").order_by("township__order", "township_id", "order", "id")


def village_vetoes(county: County, year: int) -> dict[int, list[engine.Charge]]:
    """Each village's charges of the year under the competition's rules: the events that veto its
    petition star (an event of a level without points, 到县, never does). The heavy part of the ratings
    (the whole year's events read): pages never call it, they read the stored `VillageVetoes`."""
    rules = rules_for_year(county, year)
    events = period_events(county, dt.date(year, 1, 1), dt.date(year, 12, 31), rules)
    return engine.charges(rules, events, key=lambda event: event.village_id)


SHOWN_VETOES = 5  # the vetoing events a village's row of the list shows; its page shows every one


def vetoes_rows(vetoes: dict[int, list[engine.Charge]]) -> dict[int, list[list[Any]]]:
    """The vetoes as compact rows (`engine.CHARGE_COLUMNS`) per village id, as they are stored."""
    return {village_id: [charge.as_row() for charge in charges] for village_id, charges in vetoes.items()}


def ratings_compute(county: County, year: int) -> dict[str, Any]:
    """The year's ratings as they stand now, computed from the events (publication and the command's hand
    count; the pages read the stored vetoes instead, `ratings_figures`)."""
    rows = vetoes_rows(village_vetoes(county, year))
    return ratings_combine(county, year, {village_id: (len(r), r) for village_id, r in rows.items()})


def veto_fields(count: int, listed: list[list[Any]]) -> dict[str, Any]:
    """A village row's vetoes: the events listed (`vetoes`, all of them or the first few), their matters'
    numbers (`vetoed_by`) and the number of vetoing events (`veto_count`)."""
    charges = [engine.charge_dict(row) for row in listed]
    return {
        "vetoes": charges, "vetoed_by": sorted({charge["matter_number"] for charge in charges}),
        "veto_count": count,
    }  # fmt: skip


def ratings_combine(
    county: County, year: int, vetoes: dict[int, tuple[int, list[list[Any]]]]
) -> dict[str, Any]:
    """The year's ratings from the given vetoes (per village id: the number of its vetoing events and those
    of them to list, as compact rows) and what is read live, cheap: every village of the county (the active
    ones, and any other with a rating or a veto), its stars, the petition star, the events vetoing it (all,
    or the first few with `veto_count` all of them), the star count and the reward from the county's table."""
    stars = stars_of(county)
    petition = next((star for star in stars if star.is_petition), None)
    rewards = {reward.stars: reward for reward in rewards_of(county)}
    held: dict[int, set[int]] = {}
    for village_id, star_id in VillageRating.stars.through.objects.filter(
        villagerating__county=county, villagerating__year=year
    ).values_list("villagerating__village_id", "star_id"):
        held.setdefault(village_id, set()).add(star_id)
    rows = []
    for village in villages_of(county):
        if not (village.is_active or village.pk in held or village.pk in vetoes):
            continue
        count, listed = vetoes.get(village.pk, (0, []))
        names = [
            star.name for star in stars if star.pk in held.get(village.pk, set()) and not star.is_petition
        ]
        petition_star = not count
        if petition is not None and petition_star:
            names.append(petition.name)
        reward = rewards.get(len(names))
        rows.append(
            {
                "village": village.name, "village_id": village.pk, "kind": village.get_kind_display(),
                "township": village.township.name, "township_id": village.township_id,
                "stars": names, "star_count": len(names), "petition_star": petition_star,
                **veto_fields(count, listed),
                "work_funds": number(reward.work_funds) if reward else 0,
                "cadre_pay": number(reward.cadre_pay) if reward else 0,
            }
        )  # fmt: skip
    return {
        "year": year,
        "stars": [{"name": star.name, "is_petition": star.is_petition} for star in stars],
        "petition_star": petition.name if petition else "",
        "rewards": [
            {"stars": r.stars, "work_funds": number(r.work_funds), "cadre_pay": number(r.cadre_pay)}
            for r in rewards.values()
        ],
        "villages": rows,
        "totals": {
            "work_funds": number(sum((Decimal(str(row["work_funds"])) for row in rows), Decimal(0))),
            "cadre_pay": number(sum((Decimal(str(row["cadre_pay"])) for row in rows), Decimal(0))),
            "vetoed": sum(1 for row in rows if not row["petition_star"]),
        },
    }


def rating_year_of(county: County, year: int) -> RatingYear | None:
    return RatingYear.objects.filter(county=county, year=year).select_related("document").first()


def vetoes_of(county: County, year: int) -> VillageVetoes | None:
    """The year's stored vetoes (None: not computed yet)."""
    return VillageVetoes.objects.filter(county=county, year=year).first()


def ratings_figures(
    county: County, year: int, *, full: bool | int = False
) -> tuple[dict[str, Any] | None, RatingYear | None, dt.datetime | None]:
    """The year's list for the pages, never computed from the events: frozen when published; else the
    stored vetoes combined with the stars held and the rewards as they are now, with the time the vetoes
    were computed; (None, None, None) while they have not been computed yet. Each village lists its first
    few vetoing events (`veto_count` all of them); `full` every one (the export), or a village's id: every
    one of that village (its page)."""
    record = rating_year_of(county, year)
    stored = vetoes_of(county, year)
    if record is not None:
        # Frozen at publication with the first few vetoing events per village; the full lists are the
        # year's stored charges, which publication wrote and nothing rewrites once it is published.
        every = _every_veto(stored, full) if stored is not None else {}
        villages = [
            {**row, **veto_fields(len(every[row["village_id"]]), every[row["village_id"]])}
            if row["village_id"] in every
            else row
            for row in record.figures["villages"]
        ]
        return {**record.figures, "villages": villages}, record, record.published_at
    if stored is None:
        return None, None, None
    vetoes = {int(village_id): (count, first) for village_id, (count, first) in stored.summary.items()}
    for village_id, charges in _every_veto(stored, full).items():
        vetoes[village_id] = (len(charges), charges)
    return ratings_combine(county, year, vetoes), None, stored.computed_at


def _every_veto(stored: VillageVetoes, full: bool | int) -> dict[int, list[list[Any]]]:
    """Every vetoing event of the villages `full` asks for (none, all, or one village's id)."""
    if full is False:
        return {}
    every = VillageVetoCharges.objects.filter(vetoes=stored)
    if full is not True:
        every = every.filter(village_id=full)
    return dict(every.values_list("village_id", "charges"))


def ratings_current(county: County, year: int) -> tuple[dict[str, Any], RatingYear | None]:
    """The year's list for `xinfang villages stars` (the hand-count check), every vetoing event listed:
    frozen when published, else computed from the events now."""
    figures, record, _ = ratings_figures(county, year, full=True)
    if record is not None and figures is not None:
        return figures, record
    return ratings_compute(county, year), None


STARS_JSON_KEYS = ("village", "township", "petition_star", "vetoed_by")


def stars_json(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The list as `xinfang villages stars --format json` prints it."""
    return [{key: row[key] for key in STARS_JSON_KEYS} for row in figures["villages"]]


def unmatched_villages(county: County, year: int) -> list[dict[str, Any]]:
    """The village names typed but not matched to the directory (`Matter.origin_village_text`, no
    `origin_village`) on the matters of the year's events at a level that vetoes (carrying points): per
    township and text, the matters and events. These events veto nobody until resolved."""
    rules = rules_for_year(county, year)
    levels = [level for level, points in rules.points.items() if points]
    rows = (
        counted_events(county=county, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
        .filter(level__in=levels, matter__origin_village__isnull=True)
        .exclude(matter__origin_village_text="")
        .values("matter__origin_township_id", "matter__origin_township__name", "matter__origin_village_text")
        .annotate(events=Count("id"), matters=Count("matter_id", distinct=True))
        .order_by(
            "matter__origin_township__order", "matter__origin_township_id", "matter__origin_village_text"
        )
    )
    return [
        {
            "township_id": row["matter__origin_township_id"],
            "township": row["matter__origin_township__name"],
            "text": row["matter__origin_village_text"], "events": row["events"], "matters": row["matters"],
        }
        for row in rows
    ]  # fmt: skip


def unmatched_matters(county: County, township_id: int, text: str) -> QuerySet[Matter]:
    """Every matter of the township with this typed, unmatched village name (any year)."""
    return Matter.objects.filter(
        county=county, origin_township_id=township_id, origin_village__isnull=True, origin_village_text=text
    ).order_by("id")


def rectifications_of(village: Village) -> list[Rectification]:
    return list(
        Rectification.objects.filter(village=village)
        .select_related("closed_by")
        .prefetch_related("tasks__notes__created_by", "matters")
        .order_by("-year", "-id")
    )


def visits_of(village: Village) -> list[VillageVisit]:
    return list(
        VillageVisit.objects.filter(village=village).prefetch_related("matters").order_by("-date", "-id")
    )


def weak_villages(county: County, year: int, *, township_id: int | None = None) -> list[Rectification]:
    """The year's rectifications (软弱涣散村), each with `open_tasks` and `all_tasks` counted."""
    found = Rectification.objects.filter(county=county, year=year).select_related("village__township")
    if township_id is not None:
        found = found.filter(village__township_id=township_id)
    return list(
        found.annotate(
            open_tasks=Count("tasks", filter=Q(tasks__state=RectificationTask.State.OPEN)),
            all_tasks=Count("tasks"),
        ).order_by("village__township__order", "village__order", "id")
    )


def township_counts(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The township picker of the ratings list: each township of the year's list (in its order) with its
    villages, those whose petition star is vetoed, and the rewards."""
    counts: dict[int, dict[str, Any]] = {}
    for row in figures["villages"]:
        entry = counts.setdefault(
            row["township_id"],
            {"township_id": row["township_id"], "township": row["township"], "villages": 0, "vetoed": 0,
             "work_funds": Decimal(0), "cadre_pay": Decimal(0)},
        )  # fmt: skip
        entry["villages"] += 1
        entry["vetoed"] += 0 if row["petition_star"] else 1
        entry["work_funds"] += Decimal(str(row["work_funds"]))
        entry["cadre_pay"] += Decimal(str(row["cadre_pay"]))
    return [{**e, "work_funds": number(e["work_funds"]), "cadre_pay": number(e["cadre_pay"])}
            for e in counts.values()]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# Gates


def own_township_id(user: User) -> int | None:
    """The township whose villages a unit user works for (None: not a township's user)."""
    if user.role == Role.UNIT_USER and user.unit is not None and user.unit.kind == Unit.Kind.TOWNSHIP:
        return user.unit_id
    return None


def villages_visible(user: User) -> bool:
    """Whether the user reads village pages at all: the bureau, leaders, a township's users."""
    return user.role in BUREAU_ROLES or user.role in LEADER_ROLES or own_township_id(user) is not None


def village_get_for_user(*, user: User, village_id: int, record: bool = False) -> Village:
    """The gate of a village's page: the bureau and leaders any village of their county, a township user
    its own villages; `record` (rectification, 下访) the bureau and the township only. 404 otherwise."""
    village = (
        Village.objects.filter(pk=village_id, township__county_id=user.county_id or 0)
        .select_related("township")
        .first()
    )
    if village is None or not _in_scope(user, village, record=record):
        raise Http404("村(社区)不存在或不在您的查看范围内")
    return village


def _in_scope(user: User, village: Village, *, record: bool) -> bool:
    if user.role in BUREAU_ROLES or own_township_id(user) == village.township_id:
        return True
    return not record and user.role in LEADER_ROLES


def rectification_get_for_user(*, user: User, rectification_id: int) -> Rectification:
    """The gate of a rectification's records (tasks, closing): the bureau of its county, or a user of the
    village's township. 404 otherwise, before anything of it is read out."""
    found = (
        Rectification.objects.filter(pk=rectification_id, county_id=user.county_id or 0)
        .select_related("village__township")
        .first()
    )
    if found is None or not _in_scope(user, found.village, record=True):
        raise Http404("整治记录不存在或不在您的查看范围内")
    return found


def task_get_for_user(*, user: User, task_id: int) -> RectificationTask:
    """The gate of a rectification task's progress: as `rectification_get_for_user`."""
    found = (
        RectificationTask.objects.filter(pk=task_id, rectification__county_id=user.county_id or 0)
        .select_related("rectification__village__township")
        .first()
    )
    if found is None or not _in_scope(user, found.rectification.village, record=True):
        raise Http404("整改任务不存在或不在您的查看范围内")
    return found


def matters_by_numbers(*, user: User, numbers: list[str]) -> tuple[list[Matter], list[str]]:
    """The matters of the given numbers the user may see, and the numbers not found in the user's scope."""
    wanted = [number.strip() for number in numbers if number.strip()]
    if not wanted:
        return [], []
    found = list(matters_for_user(user=user).filter(number__in=wanted))
    known = {matter.number for matter in found}
    return found, [number for number in wanted if number not in known]
