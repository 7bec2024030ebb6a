"""Reads of the competition: the rules in force, a quarter's events as the engine reads them, the tables
computed from the events (`competition_compute`, for the services that store them and the command), the
stored tables and a unit's stored charges the pages read (a draft's as computed at `computed_at`, a
published quarter's frozen), the annual table from the stored quarters, and the gates.

Who sees what: the bureau every quarter, drafts included; the county's leaders and unit users the
published tables; a unit user their own unit's breakdown (a draft's too, to appeal), never another unit's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, Role
from xinfang.directory.models import County, Unit
from xinfang.lib.periods import Quarter, year_quarters
from xinfang.petitions.models import Event
from xinfang.petitions.selectors import matters_for_user
from xinfang.scoring import engine
from xinfang.scoring.engine import AdditionRow, EventRow, Rules, UnitRef, VetoRow
from xinfang.scoring.models import Addition, Appeal, CompetitionCharges, CompetitionQuarter, RuleSet, Veto
from xinfang.stats.selectors import counted_events

TABLES = (("townships", Unit.Kind.TOWNSHIP, "乡镇"), ("departments", Unit.Kind.DEPARTMENT, "县直单位"))


def ruleset_in_force(county: County, day: dt.date) -> RuleSet | None:
    """The version of the county's rules in force on `day` (None: the defaults)."""
    return RuleSet.objects.filter(county=county, effective_from__lte=day).order_by("-effective_from").first()


def rules_of(ruleset: RuleSet | None) -> Rules:
    if ruleset is None:
        return Rules()
    return Rules(
        base=ruleset.base, per=ruleset.per,
        points={"beijing": ruleset.points_beijing, "province": ruleset.points_province,
                "city": ruleset.points_city},
        collective_persons=ruleset.collective_persons, collective_factor=ruleset.collective_factor,
        version=ruleset.pk,
    )  # fmt: skip


def rules_for(county: County, quarter: Quarter) -> Rules:
    """The rules a quarter is scored with: the version in force on its first day."""
    return rules_of(ruleset_in_force(county, quarter.first))


def rules_for_year(county: County, year: int) -> Rules:
    """The rules a year's village ratings read the levels from: the version in force on 1 January."""
    return rules_of(ruleset_in_force(county, dt.date(year, 1, 1)))


def quarter_events(county: County, quarter: Quarter, rules: Rules) -> list[EventRow]:
    """The quarter's events at a level carrying points, counted as every figure counts them
    (stats.selectors.counted_events), with their matters' responsible units: one query."""
    return period_events(county, quarter.first, quarter.last, rules)


def period_events(
    county: County, first: dt.date, last: dt.date, rules: Rules, *, event_ids: list[int] | None = None
) -> list[EventRow]:
    """The events dated from `first` to `last` at a level carrying points under the rules (a quarter's for
    the competition, a year's for the village star ratings), with their matters' responsible units and
    origin villages: one query. `event_ids`: those events only."""
    levels = [level for level, points in rules.points.items() if points]
    events = counted_events(county=county, date_from=first, date_to=last).filter(level__in=levels)
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    rows = (
        events.values_list(
            "id", "matter_id", "matter__number", "date", "level", "persons", "township_id",
            "matter__responsible_unit_id", "matter__responsible_unit__kind", "matter__origin_village_id",
        )
    )  # fmt: skip
    return [
        EventRow(
            id=pk,
            matter_id=matter,
            matter_number=number,
            date=day,
            level=level,
            persons=persons,
            township_id=township,
            responsible_unit_id=unit,
            responsible_is_department=unit_kind == Unit.Kind.DEPARTMENT,
            village_id=village,
        )
        for pk, matter, number, day, level, persons, township, unit, unit_kind, village in rows
    ]


def rulesets_of(county: County) -> list[RuleSet]:
    return list(
        RuleSet.objects.filter(county=county).select_related("created_by").order_by("-effective_from")
    )


def competition_of(county: County, quarter: Quarter) -> CompetitionQuarter | None:
    return CompetitionQuarter.objects.filter(county=county, quarter=quarter.code).first()


def competition_compute(
    county: County, quarter: Quarter, rules: Rules | None = None, *, compact: bool = False
) -> dict[str, Any]:
    """The quarter's two tables as they stand now, by the rules in force for it (see engine.py), each row
    with its charges (`compact`: as stored rows, engine.CHARGE_COLUMNS). Seconds at a million matters:
    the services store it, the pages read what they stored."""
    rules = rules or rules_for(county, quarter)
    events = quarter_events(county, quarter, rules)
    additions = [
        AdditionRow(pk, unit, points, reason)
        for pk, unit, points, reason in Addition.objects.filter(county=county, quarter=quarter.code)
        .order_by("id")
        .values_list("id", "unit_id", "points", "reason")
    ]
    vetoes = [
        VetoRow(unit, reason, number)
        for unit, reason, number in Veto.objects.filter(county=county, quarter=quarter.code).values_list(
            "unit_id", "reason", "document_number"
        )
    ]
    waived = {
        (unit, event): reason
        for unit, event, reason in Appeal.objects.filter(
            county=county, quarter=quarter.code, state=Appeal.State.UPHELD
        ).values_list("unit_id", "event_id", "decision_reason")
    }
    units = list(
        Unit.objects.filter(county=county)
        .order_by("order", "id")
        .values_list("id", "kind", "name", "is_active")
    )
    figures: dict[str, Any] = {"quarter": quarter.code, "label": quarter.label, "rules": rules.as_dict()}
    for key, kind, _ in TABLES:
        charged = engine.charges(
            rules, events, engine.township_key if kind == Unit.Kind.TOWNSHIP else engine.department_key
        )
        refs = [UnitRef(pk, name) for pk, unit_kind, name, active in units
                if unit_kind == kind and (active or pk in charged)]  # fmt: skip
        figures[key] = engine.score_table(rules, refs, charged, additions, vetoes, waived, compact=compact)
    return figures


def competition_split(figures: dict[str, Any]) -> dict[int, list[list[Any]]]:
    """Takes each row's charges out of computed tables (compact ones): the charges by unit, for
    CompetitionCharges, and the tables left one row per unit, for CompetitionQuarter.figures."""
    charges: dict[int, list[list[Any]]] = {}
    for key, _, _ in TABLES:
        for row in figures[key]:
            unit_charges = row.pop("charges")
            if unit_charges:
                charges[row["unit_id"]] = unit_charges
    return charges


def charge_is_on_unit(county: County, quarter: Quarter, event_id: int, unit_id: int) -> bool:
    """Whether the event carries points charged to the unit in the quarter, as the events stand now (the
    engine on that one event: a unit's appeal is checked without computing the quarter)."""
    rules = rules_for(county, quarter)
    events = period_events(county, quarter.first, quarter.last, rules, event_ids=[event_id])
    return any(
        unit_id in engine.charges(rules, events, key) for key in (engine.township_key, engine.department_key)
    )


def competition_tables(
    county: County, quarter: Quarter
) -> tuple[dict[str, Any] | None, CompetitionQuarter | None]:
    """The quarter's stored tables (one row per unit, without charges) and its record: frozen when
    published, a draft's as last computed (`record.computed_at`). None when there is no record, or a draft
    drafted before tables were stored that the bureau has not recomputed yet."""
    record = competition_of(county, quarter)
    if record is None or record.computed_at is None:
        return None, record
    return record.figures, record


def unit_charges(record: CompetitionQuarter, unit_id: int) -> list[dict[str, Any]]:
    """The unit's stored charges in the quarter, in date order, as engine.Charge.as_dict gives them: one
    row read, whatever the size of the county."""
    stored = (
        CompetitionCharges.objects.filter(competition=record, unit_id=unit_id)
        .values_list("charges", flat=True)
        .first()
    )
    return [engine.charge_dict(row) for row in stored or []]


def competition_charges(record: CompetitionQuarter) -> dict[int, list[dict[str, Any]]]:
    """Every unit's stored charges in the quarter (the Excel export's sheet of deductions)."""
    return {
        unit_id: [engine.charge_dict(row) for row in rows]
        for unit_id, rows in CompetitionCharges.objects.filter(competition=record).values_list(
            "unit_id", "charges"
        )
    }


def annual_figures(
    county: County, year: int, today: dt.date, *, published_only: bool = False
) -> dict[str, Any]:
    """The year's tables: each unit's four quarters combined by the year's rule (the version in force on
    1 January: the average or the sum of the quarters scored so far); a unit vetoed in any quarter ranks
    last. Each quarter by its stored tables (frozen when published, a draft's as last computed); a quarter
    not drafted yet is not counted. One query for the quarters, none for their events."""
    ruleset = ruleset_in_force(county, dt.date(year, 1, 1))
    mode = ruleset.annual if ruleset else RuleSet.Annual.AVERAGE
    quarters = [quarter for quarter in year_quarters(year) if quarter.first <= today]
    records = CompetitionQuarter.objects.filter(
        county=county, quarter__in=[quarter.code for quarter in quarters], computed_at__isnull=False
    )
    if published_only:
        records = records.filter(state=CompetitionQuarter.State.PUBLISHED)
    stored = {record.quarter: record for record in records}
    per_quarter = [
        (quarter, stored[quarter.code].figures, stored[quarter.code])
        for quarter in quarters
        if quarter.code in stored
    ]
    result: dict[str, Any] = {
        "year": year, "mode": mode, "mode_label": RuleSet.Annual(mode).label,
        "quarters": [{"code": q.code, "label": q.label, "published": bool(r and r.is_published)}
                     for q, _, r in per_quarter],
    }  # fmt: skip
    for key, _, _ in TABLES:
        units: dict[int, dict[str, Any]] = {}
        for quarter, figures, _ in per_quarter:
            for row in figures[key]:
                unit = units.setdefault(
                    row["unit_id"],
                    {"unit": row["unit"], "unit_id": row["unit_id"], "order": row["order"], "scores": {},
                     "vetoed": False},
                )  # fmt: skip
                unit["scores"][quarter.code] = row["score"]
                unit["vetoed"] = unit["vetoed"] or row["vetoed"]
        rows = []
        for unit in units.values():
            total = sum((Decimal(str(score)) for score in unit["scores"].values()), Decimal(0))
            if mode == RuleSet.Annual.AVERAGE and unit["scores"]:
                total = total / len(unit["scores"])
            unit["score"] = float(round(total, 2))
            rows.append(unit)
        result[key] = engine.ranked(rows)
    return result


def unit_row(figures: dict[str, Any], unit_id: int) -> tuple[str, dict[str, Any]] | None:
    """The unit's row and its table's key, or None."""
    for key, _, _ in TABLES:
        for row in figures[key]:
            if row["unit_id"] == unit_id:
                return key, row
    return None


def appeals_of(county: County, quarter: Quarter, unit_id: int | None = None) -> list[Appeal]:
    appeals = Appeal.objects.filter(county=county, quarter=quarter.code).select_related(
        "unit", "event", "filed_by", "decided_by"
    )
    if unit_id is not None:
        appeals = appeals.filter(unit_id=unit_id)
    return list(appeals.order_by("filed_at", "id"))


def additions_of(county: County, quarter: Quarter) -> list[Addition]:
    return list(
        Addition.objects.filter(county=county, quarter=quarter.code)
        .select_related("unit", "evidence", "created_by")
        .defer("evidence__content")
        .order_by("id")
    )


def vetoes_of(county: County, quarter: Quarter) -> list[Veto]:
    return list(
        Veto.objects.filter(county=county, quarter=quarter.code).select_related("unit").order_by("id")
    )


# ---------------------------------------------------------------------------------------------------------
# Gates


def competition_visible(*, user: User, record: CompetitionQuarter | None) -> bool:
    """Whether the user sees the quarter's whole tables: the bureau always, other content roles once
    published."""
    if user.role in BUREAU_ROLES:
        return True
    return user.role in CONTENT_ROLES and record is not None and record.is_published


def unit_get_for_user(*, user: User, unit_id: int, record: CompetitionQuarter | None) -> Unit:
    """The gate of a unit's breakdown: the bureau any unit of its county; leaders any unit of a published
    quarter; a unit user their own unit only (a draft's too). 404 otherwise."""
    unit = Unit.objects.filter(pk=unit_id, county_id=user.county_id or 0).first()
    if unit is None or user.role not in CONTENT_ROLES:
        raise Http404("单位不存在或不在您的查看范围内")
    if user.role == Role.UNIT_USER:
        allowed = user.unit_id == unit.pk and record is not None
    else:
        allowed = competition_visible(user=user, record=record)
    if not allowed:
        raise Http404("单位不存在或不在您的查看范围内")
    return unit


def visible_matter_ids(*, user: User, matter_ids: list[int]) -> set[int]:
    """Which of the matters the user may open (the breakdown links those only: a matter reporting the unit
    stays hidden from it, Art. 46, though its points count)."""
    if not matter_ids:
        return set()
    return set(matters_for_user(user=user).filter(pk__in=matter_ids).values_list("pk", flat=True))


def addition_get_for_user(*, user: User, addition_id: int) -> Addition:
    """An addition's evidence: the bureau of its county, or the unit it was added to."""
    addition = (
        Addition.objects.filter(pk=addition_id, county_id=user.county_id or 0)
        .select_related("evidence")
        .first()
    )
    if addition is None or not (
        user.role in BUREAU_ROLES or (user.role == Role.UNIT_USER and user.unit_id == addition.unit_id)
    ):
        raise Http404("加分记录不存在或不在您的查看范围内")
    return addition


def appeal_get_for_user(*, user: User, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.filter(pk=appeal_id, county_id=user.county_id or 0).select_related("unit").first()
    if appeal is None or user.role not in BUREAU_ROLES:
        raise Http404("申诉不存在或不在您的查看范围内")
    return appeal


def event_of_county(county: County, event_id: int) -> Event | None:
    return Event.objects.filter(pk=event_id, county=county).first()
