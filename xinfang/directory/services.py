"""Writes to the directory: seeding a county's categories, the short names units go by, and the bureau's
maintenance of its county's directory. Onboarding a county from its workbook (directory rows and unit
accounts) is `onboarding/`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F

from xinfang.audit.services import audit_record, model_diff
from xinfang.core.decorators import Member
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import (
    Category,
    County,
    Leader,
    LeaderUnavailability,
    OfficialUnavailability,
    Unavailability,
    Unit,
    UnitOfficial,
    Village,
)


def county_revision_bump(*, county_id: int) -> None:
    """Raise the county's revision: its directory or rules changed, so what pages keep of them in memory
    (selectors.county_cached) is read again. Inside the writer's transaction, so it commits with it."""
    County.objects.filter(pk=county_id).update(revision=F("revision") + 1)


def revision_bump_receiver(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """post_save and post_delete of a county's cached rows (connected in apps.py)."""
    county_id = getattr(instance, "county_id", None)
    if county_id is not None and not kwargs.get("raw"):
        county_revision_bump(county_id=county_id)


_UNIT_SUFFIXES = ("街道办事处", "街道", "林站", "镇", "乡")


def categories_seed(*, county: County) -> int:
    """Create the national taxonomy's categories for a county that has none; return how many."""
    if county.categories.exists():
        return 0
    created = 0
    for order, (code, name, children) in enumerate(CATEGORY_TREE, start=1):
        parent = Category.objects.create(county=county, code=code, name=name, order=order)
        Category.objects.bulk_create(
            Category(county=county, parent=parent, code=child_code, name=child_name, order=child_order)
            for child_order, (child_code, child_name) in enumerate(children, start=1)
        )
        created += 1 + len(children)
    county_revision_bump(county_id=county.pk)  # bulk_create sends no signal
    return created


def derive_short_name(name: str) -> str:
    """周庄镇 -> 周庄, 县人社局 -> 人社局: the short form bureaus use in ledgers."""
    if name.startswith("县") and len(name) > 2:
        return name[1:]
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# -- maintenance by the bureau ---------------------------------------------------------------------------
#
# The bureau (both roles, docs/roles.md) keeps its own county's directory on the directory pages. Rows that
# matters, accounts or schedules refer to are never deleted: they are marked inactive (停用) and stay for
# history; only a leader's unavailable period can be removed. Each action validates the whole row (the
# county-wide unique names and codes included) and writes its audit record in the same transaction.

EDITOR_ROLES = BUREAU_ROLES

UNIT_FIELDS = frozenset({"name", "short_name", "code", "order", "is_active"})
VILLAGE_FIELDS = frozenset({"name", "kind", "order", "is_active"})
OFFICIAL_FIELDS = frozenset({"name", "position", "title", "mobile", "is_head", "order", "is_active"})
LEADER_FIELDS = frozenset(
    {
        "name",
        "post_kind",
        "post",
        "body",
        "protocol_order",
        "is_standing_committee",
        "is_top_six",
        "mobile",
        "is_active",
    }
)
LEADER_LINKS = frozenset({"liaison_townships", "portfolio_categories", "portfolio_departments"})
CATEGORY_FIELDS = frozenset({"code", "name", "order", "is_active"})


def directory_edit_check(*, by: Member, county_id: int | None) -> None:
    """Refuse (PermissionDenied, in Chinese) anyone but the bureau of this county."""
    if by.role not in EDITOR_ROLES:
        raise PermissionDenied("只有信访局工作人员和信访局长可以维护名录")
    if county_id is None or by.county_id != county_id:
        raise PermissionDenied("只能维护本县的名录")


def _unit_model_name(unit: Unit) -> str:
    # Townships and departments keep the names of their own maintenance history: township.update …
    return "township" if unit.kind == Unit.Kind.TOWNSHIP else "department"


def _created(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in sorted(fields)}


def _apply(obj: models.Model, changes: Mapping[str, Any], editable: frozenset[str]) -> dict[str, Any]:
    """Set the changed fields on the row, validate it whole, save them; return {field: [before, after]}."""
    unknown = set(changes) - editable
    if unknown:
        raise PermissionDenied(f"不能修改这些内容：{'、'.join(sorted(unknown))}")
    before = {name: getattr(obj, name) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    diff = model_diff(before, {name: getattr(obj, name) for name in changes})
    if diff:
        try:
            obj.full_clean()
        except ValidationError:
            for name, value in before.items():  # the row as stored, for the page that shows the errors
                setattr(obj, name, value)
            raise
        obj.save(update_fields=sorted(diff))
    return diff


@transaction.atomic
def unit_create(
    *, by: Member, county: County, kind: str, name: str, short_name: str = "", code: str = "", order: int = 0
) -> Unit:
    """A new township or county department of the bureau's county; raises ValidationError in Chinese."""
    directory_edit_check(by=by, county_id=county.pk)
    unit = Unit(county=county, kind=kind, name=name, short_name=short_name, code=code, order=order)
    unit.full_clean()
    unit.save()
    model_name = _unit_model_name(unit)
    audit_record(
        action=f"{model_name}.create",
        actor=by,
        obj=unit,
        object_type=f"directory.{model_name}",
        changes=_created(unit, ("name", "short_name", "code", "order")),
    )
    return unit


@transaction.atomic
def unit_update(*, by: Member, unit: Unit, changes: Mapping[str, Any]) -> Unit:
    """Change a unit's name, short name, code, order or whether it is active (停用 instead of deleting)."""
    directory_edit_check(by=by, county_id=unit.county_id)
    diff = _apply(unit, changes, UNIT_FIELDS)
    if diff:
        model_name = _unit_model_name(unit)
        audit_record(
            action=f"{model_name}.update",
            actor=by,
            obj=unit,
            object_type=f"directory.{model_name}",
            changes=diff,
        )
    return unit


@transaction.atomic
def village_create(*, by: Member, township: Unit, name: str, kind: str, order: int = 0) -> Village:
    directory_edit_check(by=by, county_id=township.county_id)
    if township.kind != Unit.Kind.TOWNSHIP:
        raise ValidationError("村(社区)只能属于乡镇")
    village = Village(township=township, name=name, kind=kind, order=order)
    village.full_clean()
    village.save()
    audit_record(
        action="village.create",
        actor=by,
        obj=village,
        county=township.county,
        changes={"township": township.name, **_created(village, ("name", "kind", "order"))},
    )
    return village


@transaction.atomic
def village_update(*, by: Member, village: Village, changes: Mapping[str, Any]) -> Village:
    township = village.township
    directory_edit_check(by=by, county_id=township.county_id)
    diff = _apply(village, changes, VILLAGE_FIELDS)
    if diff:
        audit_record(action="village.update", actor=by, obj=village, county=township.county, changes=diff)
    return village


@transaction.atomic
def official_create(
    *,
    by: Member,
    unit: Unit,
    name: str,
    position: str,
    title: str = "",
    mobile: str = "",
    is_head: bool = False,
    order: int = 0,
) -> UnitOfficial:
    """A township leader or a department's head; one active head (一把手) per unit."""
    directory_edit_check(by=by, county_id=unit.county_id)
    official = UnitOfficial(
        unit=unit, name=name, position=position, title=title, mobile=mobile, is_head=is_head, order=order
    )
    official.full_clean()
    official.save()
    audit_record(
        action="unitofficial.create",
        actor=by,
        obj=official,
        county=unit.county,
        changes={"unit": unit.name, **_created(official, ("name", "position", "title", "mobile", "is_head"))},
    )
    return official


@transaction.atomic
def official_update(*, by: Member, official: UnitOfficial, changes: Mapping[str, Any]) -> UnitOfficial:
    unit = official.unit
    directory_edit_check(by=by, county_id=unit.county_id)
    diff = _apply(official, changes, OFFICIAL_FIELDS)
    if diff:
        audit_record(action="unitofficial.update", actor=by, obj=official, county=unit.county, changes=diff)
    return official


def _leader_links_check(county_id: int, links: Mapping[str, Iterable[models.Model]]) -> None:
    """Liaison townships, portfolio departments and categories must be the county's own."""
    belongs = {
        "liaison_townships": lambda row: row.county_id == county_id and row.kind == Unit.Kind.TOWNSHIP,
        "portfolio_departments": lambda row: row.county_id == county_id and row.kind == Unit.Kind.DEPARTMENT,
        "portfolio_categories": lambda row: row.county_id == county_id,
    }
    errors = {
        name: "所选内容不在本县或类型不符"
        for name, rows in links.items()
        if not all(belongs[name](row) for row in rows)
    }
    if errors:
        raise ValidationError(errors)


def _links_set(leader: Leader, links: Mapping[str, Iterable[models.Model]]) -> dict[str, Any]:
    diff: dict[str, Any] = {}
    for name, rows in links.items():
        manager = getattr(leader, name)
        chosen = list(rows)
        before = sorted(str(row) for row in manager.all())
        after = sorted(str(row) for row in chosen)
        if before != after:
            manager.set(chosen)
            diff[name] = [before, after]
    return diff


@transaction.atomic
def leader_create(
    *, by: Member, county: County, fields: Mapping[str, Any], links: Mapping[str, Iterable[models.Model]]
) -> Leader:
    """A county leader with their liaison townships (分包乡镇) and portfolio; raises ValidationError."""
    directory_edit_check(by=by, county_id=county.pk)
    unknown = (set(fields) - LEADER_FIELDS) | (set(links) - LEADER_LINKS)
    if unknown:
        raise PermissionDenied(f"不能填写这些内容：{'、'.join(sorted(unknown))}")
    _leader_links_check(county.pk, links)
    leader = Leader(county=county, **fields)
    leader.full_clean()
    leader.save()
    changes = _created(leader, set(fields) - {"is_active"})
    # Joined: a list of two townships would read as a change [before, after] on the audit page.
    changes |= {name: "、".join(after) for name, (_, after) in _links_set(leader, links).items()}
    audit_record(action="leader.create", actor=by, obj=leader, changes=changes)
    return leader


@transaction.atomic
def leader_update(
    *,
    by: Member,
    leader: Leader,
    changes: Mapping[str, Any],
    links: Mapping[str, Iterable[models.Model]] | None = None,
) -> Leader:
    """Change a leader's fields and links; 在任 off instead of deleting (accounts, matters point to them)."""
    directory_edit_check(by=by, county_id=leader.county_id)
    links = links or {}
    if set(links) - LEADER_LINKS:
        raise PermissionDenied("不能修改这些内容")
    _leader_links_check(leader.county_id, links)
    diff = _apply(leader, changes, LEADER_FIELDS)
    diff |= _links_set(leader, links)
    if diff:
        audit_record(action="leader.update", actor=by, obj=leader, changes=diff)
    return leader


def _period_add(*, by: Member, period: Unavailability, county: County, names: dict[str, str]) -> None:
    """Validate and save a new unavailable period with its audit record: the same for county leaders and
    township officials (`names` says whose, for the record)."""
    period.full_clean()
    overlapping = (
        type(period)
        ._default_manager.filter(start__lte=period.end, end__gte=period.start)
        .filter(**_owner(period))
        .first()
    )
    if overlapping is not None:
        raise ValidationError(f"与已登记的不在岗日期重叠：{overlapping.start}至{overlapping.end}")
    period.save()
    audit_record(
        action=f"{period._meta.model_name}.create",
        actor=by,
        obj=period,
        county=county,
        changes={**names, "start": period.start, "end": period.end, "reason": period.reason},
    )


def _owner(period: Unavailability) -> dict[str, Any]:
    if isinstance(period, LeaderUnavailability):
        return {"leader_id": period.leader_id}
    assert isinstance(period, OfficialUnavailability)
    return {"official_id": period.official_id}


def _names(period: Unavailability) -> dict[str, str]:
    if isinstance(period, LeaderUnavailability):
        return {"leader": period.leader.name}
    assert isinstance(period, OfficialUnavailability)
    return {"official": period.official.name, "unit": period.official.unit.name}


@transaction.atomic
def leader_unavailability_add(
    *, by: Member, leader: Leader, start: dt.date, end: dt.date, reason: str = ""
) -> LeaderUnavailability:
    """A period the leader cannot receive (不在岗): the reception schedules skip it."""
    directory_edit_check(by=by, county_id=leader.county_id)
    period = LeaderUnavailability(leader=leader, start=start, end=end, reason=reason)
    _period_add(by=by, period=period, county=leader.county, names=_names(period))
    return period


@transaction.atomic
def official_unavailability_add(
    *, by: Member, official: UnitOfficial, start: dt.date, end: dt.date, reason: str = ""
) -> OfficialUnavailability:
    """A period a township official cannot receive: the township's schedule skips it."""
    county = official.unit.county
    directory_edit_check(by=by, county_id=county.pk)
    period = OfficialUnavailability(official=official, start=start, end=end, reason=reason)
    _period_add(by=by, period=period, county=county, names=_names(period))
    return period


@transaction.atomic
def unavailability_remove(*, by: Member, period: LeaderUnavailability | OfficialUnavailability) -> None:
    """Remove a period (entered by mistake, or the trip was cancelled): the only directory rows deleted."""
    county = period.leader.county if isinstance(period, LeaderUnavailability) else period.official.unit.county
    directory_edit_check(by=by, county_id=county.pk)
    audit_record(
        action=f"{period._meta.model_name}.delete",
        actor=by,
        obj=period,
        county=county,
        changes={**_names(period), "start": period.start, "end": period.end, "reason": period.reason},
    )
    period.delete()


def leader_unavailability_remove(*, by: Member, period: LeaderUnavailability) -> None:
    unavailability_remove(by=by, period=period)


@transaction.atomic
def category_create(
    *, by: Member, county: County, parent: Category | None, code: str, name: str, order: int = 0
) -> Category:
    """A first-level category, or a second-level one under a first-level `parent` of the same county."""
    directory_edit_check(by=by, county_id=county.pk)
    category = Category(county=county, parent=parent, code=code, name=name, order=order)
    category.full_clean()
    category.save()
    audit_record(
        action="category.create",
        actor=by,
        obj=category,
        changes={"parent": parent.name if parent else "", **_created(category, ("code", "name", "order"))},
    )
    return category


@transaction.atomic
def category_update(*, by: Member, category: Category, changes: Mapping[str, Any]) -> Category:
    """Rename, renumber, reorder or deactivate a category. Its place in the tree never changes: moving it
    would re-file its past matters in every statistic (add a new one instead)."""
    directory_edit_check(by=by, county_id=category.county_id)
    if changes.get("is_active") is False and category.children.filter(is_active=True).exists():
        raise ValidationError({"is_active": "请先停用该分类下的二级分类"})
    if changes.get("is_active") is True and category.parent is not None and not category.parent.is_active:
        raise ValidationError({"is_active": "上级分类已停用，请先启用上级分类"})
    diff = _apply(category, changes, CATEGORY_FIELDS)
    if diff:
        audit_record(action="category.update", actor=by, obj=category, changes=diff)
    return category
