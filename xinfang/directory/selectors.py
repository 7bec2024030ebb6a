"""Reads of the directory, and its permission gates: one per entity, 404 when out of scope."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from xinfang.core.decorators import Member
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, Role
from xinfang.directory.models import (
    Category,
    County,
    Leader,
    LeaderUnavailability,
    OfficialUnavailability,
    Unit,
    UnitOfficial,
    Village,
    category_label,
)

T = TypeVar("T")

_COUNTY_CACHE_KEPT = 256
_county_cache: dict[tuple[Hashable, ...], object] = {}


def county_cached(county: County, key: Hashable, load: Callable[[], T]) -> T:
    """What `load` reads of the county's directory or rules, kept in this process until the county's
    revision changes (every change of them raises it, services.county_revision_bump). `county` is the one
    read with the request's user, so each request sees the revision committed when it began. Inside a
    transaction `load` reads afresh and nothing is kept: what it reads might be rolled back."""
    if connection.in_atomic_block:
        return load()
    full = (county.pk, county.revision, key)
    value = _county_cache.get(full, _county_cache)
    if value is _county_cache:  # not kept yet (the dict itself marks a miss)
        if len(_county_cache) >= _COUNTY_CACHE_KEPT:
            _county_cache.clear()
        value = _county_cache[full] = load()
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class DirectoryLabels:
    """A county's unit and category names by id, as lists print them: a category under its parent as
    "parent/name"."""

    units: Mapping[int, str]
    categories: Mapping[int, str]


def directory_labels(
    county: County | None, *, units: Collection[int] = (), categories: Collection[int] = ()
) -> DirectoryLabels:
    """The county's names, kept in this process per revision (county_cached), with those of `units` and
    `categories` it lacks read now: a unit or category created after the request read its county.

    A list prints its rows' names from here instead of joining four tables for them: the joins cost
    the database more to plan and run than the page's rows themselves."""
    kept = (
        county_cached(
            county,
            "directory-labels",
            lambda: _labels_read(Unit.objects.filter(county=county), Category.objects.filter(county=county)),
        )
        if county is not None
        else DirectoryLabels(units={}, categories={})
    )
    missing_units = set(units) - kept.units.keys()
    missing_categories = set(categories) - kept.categories.keys()
    if not (missing_units or missing_categories):
        return kept
    more = _labels_read(
        Unit.objects.filter(pk__in=missing_units), Category.objects.filter(pk__in=missing_categories)
    )
    return DirectoryLabels(
        units={**kept.units, **more.units}, categories={**kept.categories, **more.categories}
    )


def _labels_read(units: QuerySet[Unit], categories: QuerySet[Category]) -> DirectoryLabels:
    return DirectoryLabels(
        units=dict(units.values_list("pk", "name")),
        categories={
            pk: category_label(name, parent)
            for pk, name, parent in categories.values_list("pk", "name", "parent__name")
        },
    )


def county_cache_clear() -> None:
    """Forget what county_cached keeps (tests whose database is emptied and loaded again)."""
    _county_cache.clear()


def units_for_user(*, user: Member) -> QuerySet[Unit]:
    """Units the user may see: the whole county for bureau and leaders, only their own for a unit user."""
    if not user.is_authenticated or user.role not in CONTENT_ROLES or user.county_id is None:
        return Unit.objects.none()
    units = Unit.objects.filter(county_id=user.county_id)
    if user.role == Role.UNIT_USER:
        units = units.filter(pk=user.unit_id) if user.unit_id else units.none()
    return units


def official_phones_in_full(*, user: Member) -> bool:
    """Whether the directory pages show officials' work phones in full: to the bureau, who calls unit
    heads and leaders for its work; masked to everyone else. Petitioners' phones are another matter."""
    return user.role in BUREAU_ROLES


def unit_get_for_user(*, user: Member, unit_id: int, inactive: bool = False) -> Unit:
    """The gate for units: the unit with its officials and villages (the inactive ones too, for the
    bureau's maintenance), or 404."""
    officials = UnitOfficial.objects.order_by("-is_active", "-is_head", "order", "id")
    villages = Village.objects.order_by("-is_active", "order", "id")
    if not inactive:
        officials, villages = officials.filter(is_active=True), villages.filter(is_active=True)
    unit = (
        units_for_user(user=user)
        .filter(pk=unit_id)
        .select_related("county")
        .prefetch_related(
            Prefetch("officials", queryset=officials),
            Prefetch("villages", queryset=villages),
            Prefetch("liaison_leaders", queryset=Leader.objects.filter(is_active=True)),
        )
        .first()
    )
    if unit is None:
        raise Http404("单位不存在或不在您的管辖范围内")
    return unit


def leaders_for_user(*, user: Member) -> QuerySet[Leader]:
    """County leaders are known to every content role of the county."""
    if not user.is_authenticated or user.role not in CONTENT_ROLES or user.county_id is None:
        return Leader.objects.none()
    return Leader.objects.filter(county_id=user.county_id, is_active=True)


def leader_get_for_user(*, user: Member, leader_id: int, inactive: bool = False) -> Leader:
    """The gate for leaders: an active leader of the user's county (a former one too, for the bureau's
    maintenance), with their links and unavailable periods, or 404."""
    leaders = leaders_for_user(user=user)
    if inactive and user.role in BUREAU_ROLES:
        leaders = Leader.objects.filter(county_id=user.county_id or 0)
    leader = (
        leaders.filter(pk=leader_id)
        .prefetch_related(
            "liaison_townships",
            Prefetch("portfolio_categories", queryset=Category.objects.select_related("parent")),
            "portfolio_departments",
            Prefetch("unavailable_periods", queryset=LeaderUnavailability.objects.order_by("-start")),
        )
        .first()
    )
    if leader is None:
        raise Http404("领导不存在或不在您的管辖范围内")
    return leader


def leaders_inactive(*, user: Member) -> QuerySet[Leader]:
    """Former leaders (在任 off), listed for the bureau to look up or reinstate."""
    if user.role not in BUREAU_ROLES or user.county_id is None:
        return Leader.objects.none()
    return Leader.objects.filter(county_id=user.county_id, is_active=False)


def units_inactive(*, user: Member) -> QuerySet[Unit]:
    """Units marked inactive (停用), listed for the bureau to reinstate."""
    if user.role not in BUREAU_ROLES:
        return Unit.objects.none()
    return units_for_user(user=user).filter(is_active=False).order_by("kind", "order", "id")


def village_get_for_user(*, user: Member, village_id: int) -> Village:
    """The gate for villages: one of a township the user may see, or 404."""
    village = (
        Village.objects.filter(pk=village_id, township__in=units_for_user(user=user))
        .select_related("township__county")
        .first()
    )
    if village is None:
        raise Http404("村(社区)不存在或不在您的管辖范围内")
    return village


def official_get_for_user(*, user: Member, official_id: int) -> UnitOfficial:
    """The gate for unit officials: one of a unit the user may see, or 404."""
    official = (
        UnitOfficial.objects.filter(pk=official_id, unit__in=units_for_user(user=user))
        .select_related("unit__county")
        .first()
    )
    if official is None:
        raise Http404("单位领导不存在或不在您的管辖范围内")
    return official


def unavailability_get_for_user(*, user: Member, period_id: int) -> LeaderUnavailability:
    """The gate for a leader's unavailable period: one of a leader of the user's county, or 404."""
    period = None
    if user.role in CONTENT_ROLES and user.county_id is not None:
        periods = LeaderUnavailability.objects.filter(pk=period_id, leader__county_id=user.county_id)
        period = periods.select_related("leader__county").first()
    if period is None:
        raise Http404("不在岗日期不存在或不在您的管辖范围内")
    return period


def official_unavailability_get_for_user(*, user: Member, period_id: int) -> OfficialUnavailability:
    """The gate for a township official's unavailable period: one of an official of a unit the user may
    see, or 404."""
    period = (
        OfficialUnavailability.objects.filter(pk=period_id, official__unit__in=units_for_user(user=user))
        .select_related("official__unit__county")
        .first()
    )
    if period is None:
        raise Http404("不在岗日期不存在或不在您的管辖范围内")
    return period


def category_get_for_user(*, user: Member, category_id: int) -> Category:
    """The gate for categories: one of the user's county, or 404."""
    if user.role not in CONTENT_ROLES or user.county_id is None:
        raise Http404("问题分类不存在或不在您的管辖范围内")
    category = (
        Category.objects.filter(pk=category_id, county_id=user.county_id)
        .select_related("parent", "county")
        .first()
    )
    if category is None:
        raise Http404("问题分类不存在或不在您的管辖范围内")
    return category


def leaders_with_portfolios(*, user: Member) -> QuerySet[Leader]:
    return leaders_for_user(user=user).prefetch_related(
        "liaison_townships", "portfolio_categories", "portfolio_departments"
    )


def units_with_heads(*, user: Member, kind: str) -> QuerySet[Unit]:
    heads = UnitOfficial.objects.filter(is_active=True, is_head=True)
    return (
        units_for_user(user=user)
        .filter(kind=kind, is_active=True)
        .annotate(village_count=Count("villages", filter=Q(villages__is_active=True)))
        .prefetch_related(
            Prefetch("officials", queryset=heads, to_attr="heads"),
            Prefetch("liaison_leaders", queryset=Leader.objects.filter(is_active=True)),
        )
        .order_by("order", "id")
    )


def categories_tree(
    *, county_id: int | None, inactive: bool = False
) -> list[tuple[Category, list[Category]]]:
    """First-level categories, each with its second-level ones, in code order (the inactive ones too, for
    the bureau's maintenance)."""
    if county_id is None:
        return []
    categories_all = Category.objects.filter(county_id=county_id)
    if not inactive:
        categories_all = categories_all.filter(is_active=True)
    categories = list(categories_all.order_by("code"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    return [(c, children.get(c.pk, [])) for c in categories if c.parent_id is None]


@dataclass(frozen=True)
class DirectoryFigures:
    townships: int
    villages: int
    communities: int
    departments: int
    leaders: int
    standing_committee: int
    top_six: int
    liaison_covered: int
    categories_first: int
    categories_second: int
    unit_accounts: int


def directory_figures(*, county: County) -> DirectoryFigures:
    """Headline counts of a county's directory, in a fixed handful of queries."""
    units = Unit.objects.filter(county=county, is_active=True).aggregate(
        townships=Count("pk", filter=Q(kind=Unit.Kind.TOWNSHIP), distinct=True),
        departments=Count("pk", filter=Q(kind=Unit.Kind.DEPARTMENT), distinct=True),
        liaison_covered=Count(
            "pk", filter=Q(kind=Unit.Kind.TOWNSHIP, liaison_leaders__is_active=True), distinct=True
        ),
    )
    villages = Village.objects.filter(township__county=county, is_active=True).aggregate(
        villages=Count("pk", filter=Q(kind=Village.Kind.VILLAGE)),
        communities=Count("pk", filter=Q(kind=Village.Kind.COMMUNITY)),
    )
    leaders = Leader.objects.filter(county=county, is_active=True).aggregate(
        leaders=Count("pk"),
        standing_committee=Count("pk", filter=Q(is_standing_committee=True)),
        top_six=Count("pk", filter=Q(is_top_six=True)),
    )
    categories = Category.objects.filter(county=county, is_active=True).aggregate(
        first=Count("pk", filter=Q(parent__isnull=True)),
        second=Count("pk", filter=Q(parent__isnull=False)),
    )
    accounts = county.users.filter(role=Role.UNIT_USER, is_active=True).count()
    return DirectoryFigures(
        townships=units["townships"],
        villages=villages["villages"],
        communities=villages["communities"],
        departments=units["departments"],
        leaders=leaders["leaders"],
        standing_committee=leaders["standing_committee"],
        top_six=leaders["top_six"],
        liaison_covered=units["liaison_covered"],
        categories_first=categories["first"],
        categories_second=categories["second"],
        unit_accounts=accounts,
    )


def county_by_code_or_only(code: str = "") -> County | None:
    """The county with this code, or, with no code, the installation's only county; None otherwise
    (no such county, or several and no code to choose)."""
    counties = County.objects.filter(code=code) if code else County.objects.all()
    found = list(counties[:2])
    return found[0] if len(found) == 1 else None


def bureau_unit(county_id: int | None) -> Unit | None:
    """The petition bureau itself among the county's departments (its name ends in 信访局): the
    responsible unit of the matters the bureau handles itself."""
    return (
        Unit.objects.filter(county_id=county_id or 0, kind=Unit.Kind.DEPARTMENT, name__endswith="信访局")
        .order_by("pk")
        .first()
    )
