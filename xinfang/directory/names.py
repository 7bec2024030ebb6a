"""The county's directory as ledgers and imports name it: a township, unit, village or category by its
full name or a unique short form (周庄 → 周庄镇, 人社局 → 县人社局), problem categories as `一级/二级` or a
unique second-level name. Reads the directory once; used by the petition ledger and the reception ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.directory.services import derive_short_name
from xinfang.lib.ledger_cells import CellError


def unit_keys(unit: Unit) -> set[str]:
    """The short forms a unit goes by besides its name."""
    keys = {unit.name, derive_short_name(unit.name)}
    if unit.short_name:
        keys |= {unit.short_name, f"县{unit.short_name}"}
    return keys


def village_keys(village: Village) -> set[str]:
    keys = {village.name}
    for suffix in ("社区居委会", "居委会", "社区", "村委会", "村"):
        if village.name.endswith(suffix) and len(village.name) > len(suffix) + 1:
            keys.add(village.name[: -len(suffix)])
    return keys


T = TypeVar("T")


class Names(Generic[T]):
    """Names -> objects: a full name wins; otherwise a short form must be unique."""

    def __init__(self) -> None:
        self.exact: dict[str, T] = {}
        self.short: dict[str, list[T]] = defaultdict(list)

    def add(self, full: str, keys: Iterable[str], obj: T) -> None:
        self.exact.setdefault(full, obj)
        for key in keys:
            if obj not in self.short[key]:
                self.short[key].append(obj)

    def find(self, text: str) -> tuple[T | None, int]:
        """(the object or None, how many matched the short form)."""
        if text in self.exact:
            return self.exact[text], 1
        matches = self.short.get(text, [])
        return (matches[0] if len(matches) == 1 else None), len(matches)


class DirectoryNames:
    """A county's townships, units, villages, categories and serving leaders, read once."""

    def __init__(self, county: County) -> None:
        self.townships: Names[Unit] = Names()
        self.units: Names[Unit] = Names()
        for unit in Unit.objects.filter(county=county, is_active=True).order_by("kind", "name"):
            self.units.add(unit.name, unit_keys(unit), unit)
            if unit.is_township:
                self.townships.add(unit.name, unit_keys(unit), unit)
        self.villages: dict[int, Names[Village]] = defaultdict(Names)
        for village in Village.objects.filter(township__county=county, is_active=True):
            self.villages[village.township_id].add(village.name, village_keys(village), village)
        self.categories: dict[str, Category] = {}
        second: dict[str, list[Category]] = defaultdict(list)
        categories = list(Category.objects.filter(county=county, is_active=True).select_related("parent"))
        for category in categories:
            if category.parent is None:
                self.categories[category.name] = category
            else:
                self.categories[f"{category.parent.name}/{category.name}"] = category
                second[category.name].append(category)
        for name, matches in second.items():
            if name not in self.categories and len(matches) == 1:
                self.categories[name] = matches[0]
        self.ambiguous_categories = {name for name, matches in second.items() if len(matches) > 1}
        self.leaders: dict[str, list[Leader]] = defaultdict(list)
        for leader in Leader.objects.filter(county=county, is_active=True):
            self.leaders[leader.name].append(leader)

    def township(self, text: str) -> Unit:
        if not text:
            raise CellError("乡镇不能为空")
        township, count = self.townships.find(text)
        if township is None:
            raise CellError(f"乡镇“{text}”对应多个乡镇，请写全称" if count > 1 else f"未知乡镇：{text}")
        return township

    def village(self, township: Unit, text: str) -> Village | None:
        return self.villages[township.pk].find(text)[0]

    def category(self, text: str) -> Category:
        if not text:
            raise CellError("问题类别不能为空")
        key = "/".join(part.strip() for part in text.replace("／", "/").split("/"))
        category = self.categories.get(key)
        if category is None:
            if key in self.ambiguous_categories:
                raise CellError(f"二级类别“{text}”属于多个一级类别，请写作“一级/二级”")
            raise CellError(f"未知问题类别：{text}")
        return category

    def unit(self, text: str) -> Unit:
        unit, count = self.units.find(text)
        if unit is None:
            raise CellError(
                f"责任单位“{text}”对应多个单位，请写全称" if count > 1 else f"未知责任单位：{text}"
            )
        return unit
