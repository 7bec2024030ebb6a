from __future__ import annotations

from typing import Any

from django import template

from xinfang.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def change_lines(changes: dict[str, Any] | None) -> list[str]:
    """A summary as readable lines: `field: before → after` for a change, `field: value` otherwise."""
    lines = []
    for field, value in (changes or {}).items():
        if value in ("", None, {}, []):
            continue
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict | list):
            lines.append(f"{field}：{_plain(value[0])} → {_plain(value[1])}")
        else:
            lines.append(f"{field}：{_plain(value)}")
    return lines


def _plain(value: Any) -> str:
    if value in ("", None):
        return "（空）"
    if isinstance(value, dict):
        return "，".join(f"{key} {_plain(item)}" for key, item in value.items()) or "（无）"
    if isinstance(value, list):
        return "、".join(_plain(item) for item in value) or "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
