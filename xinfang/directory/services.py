"""Writes to the directory: seeding a county's categories, and the short names units go by. Onboarding a
county from its workbook (directory rows and unit accounts) is `onboarding/`."""

from __future__ import annotations

from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import Category, County

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
    return created


def derive_short_name(name: str) -> str:
    """周庄镇 -> 周庄, 县人社局 -> 人社局: the short form bureaus use in ledgers."""
    if name.startswith("县") and len(name) > 2:
        return name[1:]
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
