"""`{% navigation %}`: the base layout's navigation links, the current page's marked."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from xinfang.accounts.navigation import NavItem

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context: Any) -> SafeString:
    """The role's links (`nav_items`, from the context processor), `nav_key` (the view's) marked current."""
    return _links(tuple(context.get("nav_items") or ()), context.get("nav_key") or "")


@functools.lru_cache(maxsize=512)
def _links(items: tuple[NavItem, ...], current: str) -> SafeString:
    """Rendered once for each role's items and current page: some twenty links with a test each cost the
    template engine more than the rest of a page's layout."""
    marked = SafeString(' aria-current="page"')
    links = (
        format_html('<a href="{}"{}>{}</a>', item.url, marked if item.key == current else "", item.label)
        for item in items
    )
    return SafeString("\n".join(links))
